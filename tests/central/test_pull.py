"""Pull: the catalog for every store, pick-up orders only for their own store, by cursor."""

from __future__ import annotations

from tests.central.conftest import Central, counted


def test_cursor_progresses_and_only_the_newest_version_of_each_product_is_sent(
        central: Central) -> None:
    central.add_store("s1")
    for sku in ("a", "b", "c"):
        central.product(sku)
    page1 = central.pull("s1", 0, limit=2)
    assert [c["key"] for c in page1["changes"]] == ["a", "b"]
    assert not page1["up_to_date"] and page1["next_cursor"] == page1["changes"][-1]["seq"]
    page2 = central.pull("s1", page1["next_cursor"], limit=2)
    assert [c["key"] for c in page2["changes"]] == ["c"] and page2["up_to_date"]
    central.product("a", price=1500)
    central.product("a", price=1600)
    page3 = central.pull("s1", page2["next_cursor"])
    assert len(page3["changes"]) == 1
    change = page3["changes"][0]
    assert change["version"] == 3 and change["data"]["price"] == 1600
    empty = central.pull("s1", page3["next_cursor"])
    assert empty == {"changes": [], "next_cursor": page3["next_cursor"], "up_to_date": True,
                     "must_resync": False}


def test_deletes_are_tombstones_but_a_full_pull_leaves_them_out(central: Central) -> None:
    central.add_store("s1")
    central.product("a")
    central.product("b")
    cursor = central.pull("s1")["next_cursor"]
    r = central.client.delete("/admin/v1/products/a", headers=central.admin)
    assert r.status_code == 200 and r.json() == {"sku": "a", "version": 2, "deleted": True}
    tomb = central.pull("s1", cursor)["changes"]
    assert tomb == [{"seq": tomb[0]["seq"], "kind": "product", "key": "a", "version": 2,
                     "deleted": True, "data": None}]
    assert [c["key"] for c in central.pull("s1", 0)["changes"]] == ["b"]
    again = central.client.delete("/admin/v1/products/a", headers=central.admin)
    assert again.status_code == 404 and again.json()["message"]
    back = central.product("a", price=999)
    assert back["version"] == 3


def test_a_cursor_beyond_the_feed_asks_for_a_resync(central: Central) -> None:
    central.add_store("s1")
    central.product("a")
    reply = central.pull("s1", 10_000)
    assert reply["must_resync"] and reply["changes"] == [] and reply["next_cursor"] == 0
    bad = central.client.get("/sync/v1/pull", params={"cursor": -1}, headers=central.hub("s1"))
    assert bad.status_code == 422 and bad.json()["message"]
    big = central.client.get("/sync/v1/pull", params={"limit": 5000}, headers=central.hub("s1"))
    assert big.status_code == 422


def test_pickup_orders_reach_only_their_own_store(central: Central) -> None:
    central.add_store("s1")
    central.add_store("s2")
    central.product("a")
    central.push("s1", [counted(1, ("a", 5))])
    central.push("s2", [counted(1, ("a", 5))])
    order = central.order("s1", ("a", 2))
    s1 = [c for c in central.pull("s1")["changes"] if c["kind"] == "pickup_order"]
    s2 = [c for c in central.pull("s2")["changes"] if c["kind"] == "pickup_order"]
    assert [c["key"] for c in s1] == [order["order_id"]] and s2 == []
    assert s1[0]["data"]["status"] == "reserved" and s1[0]["data"]["lines"][0]["quantity"] == 2
    unauth = central.client.get("/sync/v1/pull")
    assert unauth.status_code == 401
