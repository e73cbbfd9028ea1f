"""QR payments through the sandbox PSP: the confirmation loop of QR.md."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api.routes.qr import sweep_once
from hub.app import create_app
from hub.config import Settings
from hub.models import QrAttempt
from hub.models.base import utcnow
from tests.conftest import Till, login


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[TestClient, list[tuple[bytes, str]]]]:
    app = create_app(Settings(data_dir=tmp_path / "hub", demo_data=True,
                              public_url="http://kassa.test", qr_sweep_seconds=3600))
    webhooks: list[tuple[bytes, str]] = []
    app.state.psp["sandbox"].deliver = lambda body, sig: webhooks.append((body, sig))
    with TestClient(app) as client:
        yield client, webhooks


def _deliver(client: TestClient, body: bytes, signature: str) -> dict:
    r = client.post("/api/v1/qr/webhooks/sandbox", content=body,
                    headers={"X-Sandbox-Signature": signature})
    assert r.status_code == 200, r.text
    return r.json()


def _qr_cart(till: Till) -> dict:
    till.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    till.scan("1", till.product("Kaffe mellanrost 450 g")["gtin"])
    return till.post("/lanes/1/cart/tenders/qr", {"request_id": "qr-1"}, expect=201)


def _sweep(client: TestClient) -> None:
    state = client.app.state
    sweep_once(state.db, state.shop, state.bus, state.psp)


def test_a_shopper_pays_by_qr_on_the_phone_and_the_webhook_completes_the_sale(shop) -> None:
    client, webhooks = shop
    till = login(client, "erik")
    shown = _qr_cart(till)
    assert shown["status"] == "presented" and shown["amount"] == 6995
    assert shown["payload"] == f"http://kassa.test/pay/{shown['id']}"
    assert till.post("/lanes/1/cart/tenders/qr", {"request_id": "qr-1"},
                     expect=201)["id"] == shown["id"]  # the same request: the same attempt
    assert "QR code" in till.scan("1", "7310005000015", expect=409)["message"]  # cart frozen

    svg = client.get(f"/api/v1/qr/{shown['id']}/code.svg", headers=till.headers)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<svg") or "<svg" in svg.text[:200]
    page = client.get(f"/pay/{shown['id']}")  # the phone page
    assert page.status_code == 200 and "69,95 SEK" in page.text and "Kaffe" in page.text
    status = client.get(f"/pay/{shown['id']}/status").json()
    step = client.get(status["provider_url"])  # the sandbox PSP's pay step
    assert step.status_code == 200 and "SANDBOX" in step.text
    done = client.post(status["provider_url"], data={"action": "pay"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/pay/{shown['id']}"

    (body, signature), = webhooks
    assert _deliver(client, body, signature) == {"ok": True, "duplicate": False}
    assert _deliver(client, body, signature)["duplicate"] is True  # webhooks come twice
    sale = till.get("/sales", params={"lane_id": "1"})[0]
    assert [t["method"] for t in sale["tenders"]] == ["qr"] and sale["total"] == 6995
    assert till.get(f"/qr/{shown['id']}")["status"] == "paid"
    final = client.get(f"/pay/{shown['id']}/status").json()
    assert final["status"] == "paid" and final["receipt_no"] == "1-000001"


def test_a_forged_webhook_changes_nothing(shop) -> None:
    client, _ = shop
    till = login(client, "erik")
    shown = _qr_cart(till)
    client.app.state.psp["sandbox"].payments[f"sbx_{shown['id']}"].state = "paid"
    body = (b'{"event_id":"evt_x","ref":"sbx_' + shown["id"].encode()
            + b'","reference":"' + shown["id"].encode() + b'","state":"paid"}')
    r = client.post("/api/v1/qr/webhooks/sandbox", content=body,
                    headers={"X-Sandbox-Signature": "0" * 64})
    assert r.status_code == 401 and "signature" in r.json()["message"]
    assert till.get(f"/qr/{shown['id']}")["status"] == "presented"


def test_a_declined_qr_leaves_the_cart_open_for_another_tender(shop) -> None:
    client, webhooks = shop
    till = login(client, "erik")
    shown = _qr_cart(till)
    client.post(f"/sandbox/pay/sbx_{shown['id']}", data={"action": "decline"})
    _deliver(client, *webhooks[0])
    assert till.get(f"/qr/{shown['id']}")["status"] == "declined"
    assert till.pay_cash("1", 7000)["status"] == "completed"


def test_a_code_only_shown_waits_and_one_being_paid_shows_pending(shop) -> None:
    client, _ = shop
    till = login(client, "erik")
    shown = _qr_cart(till)
    _sweep(client)  # the sandbox: open, nobody has begun to pay
    assert till.get(f"/qr/{shown['id']}")["status"] == "presented"
    step = client.get(f"/sandbox/pay/sbx_{shown['id']}")  # the shopper's phone opens it
    assert step.status_code == 200
    _sweep(client)
    assert till.get(f"/qr/{shown['id']}")["status"] == "pending"
    assert client.get(f"/pay/{shown['id']}/status").json()["status"] == "pending"
    assert client.get("/sandbox/pay/sbx_nothing").status_code == 404


def test_a_lost_webhook_is_caught_by_polling(shop) -> None:
    client, webhooks = shop
    till = login(client, "erik")
    shown = _qr_cart(till)
    client.post(f"/sandbox/pay/sbx_{shown['id']}", data={"action": "pay"})
    webhooks.clear()  # the webhook never arrives
    _sweep(client)
    assert till.get(f"/qr/{shown['id']}")["status"] == "paid"
    assert till.get("/sales", params={"lane_id": "1"})[0]["tenders"][0]["method"] == "qr"


def test_an_expired_qr_is_cancelled_and_money_after_it_is_flagged(shop) -> None:
    client, webhooks = shop
    till = login(client, "erik")
    shown = _qr_cart(till)
    with client.app.state.db.write() as s:
        attempt = s.get(QrAttempt, shown["id"])
        attempt.expires_at = utcnow() - timedelta(seconds=1)
        s.add(attempt)
    _sweep(client)
    assert till.get(f"/qr/{shown['id']}")["status"] == "expired"
    sandbox = client.app.state.psp["sandbox"]
    assert sandbox.payments[f"sbx_{shown['id']}"].state == "cancelled"  # cancelled at the PSP
    client.post(f"/sandbox/pay/sbx_{shown['id']}", data={"action": "pay"})  # paid anyway
    _deliver(client, *webhooks[-1])
    late = till.get(f"/qr/{shown['id']}")
    assert late["status"] == "expired" and late["late_payment"] is True
    assert till.get("/lanes/1/cart")["due"] == 6995  # the sale did not take it
    manager = login(client, "maria")
    assert manager.get("/audit", params={"action": "qr_late_payment"})[0]["ref"] == shown["id"]
