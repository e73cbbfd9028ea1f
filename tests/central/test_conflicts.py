"""Oversell at a store opens a stock conflict; head office moves, back-orders or cancels."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from sync.central.models import CountRequest, Notification
from tests.central.conftest import Central, counted, event, moved


def oversold(central: Central) -> tuple[dict[str, Any], dict[str, Any]]:
    """s1 had 5 milk, an online order holds 4, the tills sell 3: short by 2."""
    central.add_store("s1")
    central.add_store("s2")
    central.product("milk")
    central.push("s1", [counted(1, ("milk", 5))])
    central.push("s2", [counted(1, ("milk", 10))])
    order = central.order("s1", ("milk", 4))
    central.push("s1", [moved(2, ("milk", -3))])  # an in-store sale is never refused
    conflicts = central.client.get("/admin/v1/conflicts", params={"status": "open"},
                                   headers=central.admin).json()
    assert len(conflicts) == 1
    return order, conflicts[0]


def resolve(central: Central, conflict_id: int, expect: int = 200, **body: Any) -> Any:
    r = central.client.post(f"/admin/v1/conflicts/{conflict_id}/resolve", json=body,
                            headers=central.admin)
    assert r.status_code == expect, r.text
    return r.json()


def counts_asked(central: Central) -> list[str]:
    with central.db.transaction() as s:
        return [f"{r.store_id}/{r.sku}" for r in s.exec(select(CountRequest)).all()]


def test_an_oversell_opens_one_conflict_per_store_and_sku(central: Central) -> None:
    order, conflict = oversold(central)
    assert conflict["store_id"] == "s1" and conflict["sku"] == "milk"
    assert conflict["shortfall"] == 2 and conflict["order_ids"] == [order["order_id"]]
    central.push("s1", [moved(3, ("milk", -1))])
    open_ = central.client.get("/admin/v1/conflicts", params={"status": "open"},
                               headers=central.admin).json()
    assert len(open_) == 1 and open_[0]["shortfall"] == 3


def test_an_order_handed_over_earlier_in_the_same_batch_holds_nothing(
        central: Central) -> None:
    central.add_store("s1")
    central.product("milk")
    central.push("s1", [counted(1, ("milk", 5))])
    order = central.order("s1", ("milk", 4))
    reply = central.push("s1", [
        event(2, "pickup.handed_over", {"order_id": order["order_id"], "sale_id": "S1"}),
        moved(3, ("milk", -4)),  # the goods that were handed over
    ])
    assert reply["applied"] == 2 and reply["rejected"] == []
    assert central.stock("s1", "milk")["on_hand"] == 1
    assert central.client.get("/admin/v1/conflicts", params={"status": "open"},
                              headers=central.admin).json() == []


def test_move_sends_the_order_to_a_store_that_has_the_stock(central: Central) -> None:
    order, conflict = oversold(central)
    cursor = {s: central.pull(s)["next_cursor"] for s in ("s1", "s2")}
    done = resolve(central, conflict["id"], action="move", to_store="s2")
    assert done["status"] == "resolved" and done["resolution"] == "move"
    assert central.stock("s2", "milk")["reserved"] == 4
    assert central.stock("s1", "milk")["reserved"] == 0
    gone = central.pull("s1", cursor["s1"])["changes"]
    arrived = central.pull("s2", cursor["s2"])["changes"]
    assert gone[0]["deleted"] and gone[0]["key"] == order["order_id"]
    assert arrived[0]["data"]["store_id"] == "s2" and arrived[0]["version"] > 1
    assert counts_asked(central) == ["s1/milk"]
    resolve(central, conflict["id"], expect=409, action="cancel")


def test_move_is_refused_when_the_other_store_cannot_promise_it(central: Central) -> None:
    _, conflict = oversold(central)
    central.push("s2", [moved(2, ("milk", -8))])
    refused = resolve(central, conflict["id"], expect=409, action="move", to_store="s2")
    assert refused["available"] == {"milk": 2}
    resolve(central, conflict["id"], expect=422, action="move")
    resolve(central, conflict["id"], expect=404, action="move", to_store="s9")
    assert central.stock("s1", "milk")["reserved"] == 4 and counts_asked(central) == []


def test_backorder_keeps_the_order_waiting_past_its_time(central: Central) -> None:
    from sync.central.services.pickup import expire_reservations

    order, conflict = oversold(central)
    assert resolve(central, conflict["id"], action="backorder")["resolution"] == "backorder"
    central.advance(hours=100)
    with central.db.transaction() as s:
        assert expire_reservations(s, central.clock[0]) == []
    status = central.client.get(f"/shop/v1/orders/{order['order_id']}").json()["status"]
    assert status == "reserved" and counts_asked(central) == ["s1/milk"]


def test_cancel_frees_the_stock_and_tells_the_customer(central: Central) -> None:
    order, conflict = oversold(central)
    resolve(central, conflict["id"], action="cancel")
    assert central.client.get(f"/shop/v1/orders/{order['order_id']}").json()["status"] \
        == "cancelled"
    assert central.stock("s1", "milk")["reserved"] == 0
    with central.db.transaction() as s:
        notes = s.exec(select(Notification)).all()
    assert [(n.email, n.order_id) for n in notes] == [("karin@example.se", order["order_id"])]
    feed = [c for c in central.pull("s1")["changes"] if c["kind"] == "pickup_order"]
    assert feed[0]["data"]["status"] == "cancelled"
    assert counts_asked(central) == ["s1/milk"]


def test_head_office_cancels_an_order(central: Central) -> None:
    order, _ = oversold(central)
    url = f"/admin/v1/orders/{order['order_id']}/cancel"
    assert central.client.post(url, headers=central.admin).json()["status"] == "cancelled"
    again = central.client.post(url, headers=central.admin)
    assert again.status_code == 409 and "cancelled" in again.json()["message"]
    assert central.client.post(url).status_code == 401
