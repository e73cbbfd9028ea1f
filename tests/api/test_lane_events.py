"""Every cart change reaches every client watching the lane, at once, over the websocket."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.conftest import Till


def _next(ws, type_: str) -> dict:
    while True:
        msg = json.loads(ws.receive_text())
        assert msg["v"] == 1
        if msg["type"] == type_:
            return msg


def test_customer_display_mirrors_the_cashier_cart(client: TestClient, cashier: Till,
                                                   admin: Till) -> None:
    code = admin.post("/devices/pairing-codes", {"role": "display", "lane_id": "1"}, expect=201)
    token = client.post("/api/v1/devices/pair",
                        json={"code": code["code"], "name": "Display 1"}).json()["token"]
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    milk = cashier.product("Mellanmjölk 1,5 % 1 l")
    cashier_token = cashier.headers["Authorization"][7:]
    with client.websocket_connect(f"/api/v1/ws?token={token}") as display, \
         client.websocket_connect(f"/api/v1/ws?token={cashier_token}") as other:
        assert _next(display, "hello")["lanes"] == ["1"]
        assert _next(display, "cart.updated")["cart"]["lines"] == []  # snapshot on connect
        other.send_text(json.dumps({"type": "subscribe", "lanes": ["2"]}))
        assert _next(other, "subscribed")["lanes"] == ["2"]

        cashier.scan("1", milk["gtin"], 2)
        event = _next(display, "cart.updated")
        assert event["lane_id"] == "1" and event["cart"]["total"] == 3390
        version = event["cart"]["version"]
        cashier.pay_cash("1", 5000)
        done = _next(display, "cart.updated")
        assert done["cart"]["status"] == "completed" and done["cart"]["version"] > version
        assert _next(display, "sale.completed")["sale"]["change"] == 1600

        # The lane-2 watcher saw nothing of lane 1: its next event is its own lane's.
        cashier.post("/lanes/2/shift/open", {"counted": 0}, expect=201)
        assert _next(other, "shift.changed")["lane_id"] == "2"


def test_bad_websocket_messages_get_an_error_and_the_connection_stays(client: TestClient,
                                                                      cashier: Till) -> None:
    token = cashier.headers["Authorization"][7:]
    with client.websocket_connect(f"/api/v1/ws?token={token}") as ws:
        _next(ws, "hello")
        ws.send_text("not json")
        assert "subscribe" in _next(ws, "error")["message"]
        ws.send_text(json.dumps({"type": "subscribe", "lanes": ["nope"]}))
        assert "no lane" in _next(ws, "error")["message"]
        ws.send_text(json.dumps({"type": "subscribe", "lanes": ["1"]}))
        assert _next(ws, "subscribed")["lanes"] == ["1"]


def test_websocket_without_a_token_is_closed(client: TestClient) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/api/v1/ws") as ws:
        ws.receive_text()
    assert info.value.code == 4401
