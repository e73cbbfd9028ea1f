"""Stock at central: counts and deltas, available-to-promise, silent stores, reservations."""

from __future__ import annotations

from sync.central.app import sweep_once
from sync.central.services.pickup import expire_reservations
from tests.central.conftest import Central, counted, moved


def setup(central: Central, *stores: str) -> None:
    for store in stores or ("s1",):
        central.add_store(store)
    central.product("milk", price=1695)
    central.product("bread", price=2995, safety_stock=2)


def test_a_count_is_the_base_and_later_deltas_add_to_it(central: Central) -> None:
    setup(central)
    central.push("s1", [moved(1, ("milk", -5)), counted(2, ("milk", 30)),
                        moved(3, ("milk", -4)), moved(4, ("milk", 10), reason="receipt")])
    assert central.stock("s1", "milk")["on_hand"] == 36
    central.push("s1", [counted(5, ("milk", 12)), moved(6, ("milk", -2))])
    assert central.stock("s1", "milk")["on_hand"] == 10


def test_available_to_promise_subtracts_reserved_and_safety_stock(central: Central) -> None:
    setup(central)
    central.push("s1", [counted(1, ("milk", 10), ("bread", 5))])
    central.order("s1", ("milk", 3))
    milk, bread = central.stock("s1", "milk"), central.stock("s1", "bread")
    assert (milk["on_hand"], milk["reserved"], milk["available"]) == (10, 3, 7)
    assert (bread["safety_stock"], bread["available"]) == (2, 3)
    shop = central.client.get("/shop/v1/products/bread").json()
    assert shop["availability"] == [{"store_id": "s1", "name": "Store s1", "available": 3}]
    refused = central.order("s1", ("bread", 4), expect=409)
    assert refused["available"] == {"bread": 3} and "bread: 3" in refused["message"]
    found = central.client.get("/shop/v1/products", params={"q": "MILK"}).json()
    assert [p["sku"] for p in found] == ["milk"] and found[0]["availability"][0]["available"] == 7


def test_a_silent_store_offers_nothing_online(central: Central) -> None:
    setup(central, "s1", "s2")
    central.push("s1", [counted(1, ("milk", 10))])
    central.advance(seconds=600)
    central.push("s2", [counted(1, ("milk", 10))])
    central.advance(seconds=400)  # s1 silent for 1000 s > 900, s2 for 400 s
    avail = {a["store_id"]: a["available"] for a in
             central.client.get("/shop/v1/products/milk").json()["availability"]}
    assert avail == {"s1": 0, "s2": 10}
    central.order("s1", ("milk", 1), expect=409)
    central.order("s2", ("milk", 1))
    stores = {s["store_id"]: s for s in
              central.client.get("/admin/v1/stores", headers=central.admin).json()}
    assert stores["s1"]["silent"] and not stores["s2"]["silent"]
    assert stores["s2"]["lag_seconds"] == 1000  # its newest event happened at T0


def test_an_order_for_unknown_products_or_stores_is_refused(central: Central) -> None:
    setup(central)
    central.push("s1", [counted(1, ("milk", 10))])
    assert "ghost" in central.order("s1", ("ghost", 1), expect=404)["message"]
    assert central.order("nowhere", ("milk", 1), expect=404)["message"]
    r = central.client.post("/shop/v1/orders", json={"store_id": "s1", "customer_name": "",
                                                     "lines": []})
    assert r.status_code == 422 and r.json()["message"]
    assert central.client.get("/shop/v1/orders/nope").status_code == 404
    assert central.stock("s1", "milk")["reserved"] == 0


def test_handover_consumes_the_reservation(central: Central) -> None:
    setup(central)
    central.push("s1", [counted(1, ("milk", 10))])
    order = central.order("s1", ("milk", 4))
    reply = central.push("s1", [
        moved(2, ("milk", -4)),
        {**moved(3), "type": "pickup.handed_over",
         "payload": {"order_id": order["order_id"], "sale_id": "S-1"}},
        {**moved(4), "type": "pickup.handed_over",
         "payload": {"order_id": order["order_id"], "sale_id": "S-1"}},
    ])
    assert reply["applied"] == 2 and "handed over already" in reply["rejected"][0]["reason"]
    milk = central.stock("s1", "milk")
    assert (milk["on_hand"], milk["reserved"], milk["available"]) == (6, 0, 6)
    status = central.client.get(f"/shop/v1/orders/{order['order_id']}").json()["status"]
    assert status == "handed_over"
    feed = [c for c in central.pull("s1")["changes"] if c["kind"] == "pickup_order"]
    assert feed[0]["data"]["status"] == "handed_over" and feed[0]["version"] == 2


def test_reservations_expire_and_the_expiry_reaches_the_hub(central: Central) -> None:
    setup(central)
    central.push("s1", [counted(1, ("milk", 10))])
    order = central.order("s1", ("milk", 4))
    cursor = central.pull("s1")["next_cursor"]
    with central.db.transaction() as session:
        assert expire_reservations(session, central.clock[0]) == []
    central.advance(hours=49)
    with central.db.transaction() as session:
        assert expire_reservations(session, central.clock[0]) == [order["order_id"]]
    assert central.stock("s1", "milk")["reserved"] == 0
    change = central.pull("s1", cursor)["changes"]
    assert [(c["key"], c["data"]["status"]) for c in change] == [(order["order_id"], "expired")]
    assert sweep_once(central.db) == []  # nothing left to expire
    assert central.client.get(f"/shop/v1/orders/{order['order_id']}").json()["status"] \
        == "expired"
