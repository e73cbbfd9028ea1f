"""Bad input gets a clear 4xx a person can act on, and changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Till


def test_malformed_and_wrongly_typed_bodies(client: TestClient, cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    r = client.post("/api/v1/lanes/1/cart/items", content=b"{not json",
                    headers={**cashier.headers, "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    for tendered in (40.5, 4000.0, "4000", -1, 10**15, None):
        r = cashier.post("/lanes/1/cart/tenders/cash", {"tendered": tendered}, expect=422)
        assert "tendered" in r["message"], r
    assert cashier.get("/lanes/1/cart")["status"] == "open"  # no payment was taken
    r = cashier.post("/lanes/1/cart/items", {"code": "123"}, expect=422)
    assert "digits" in r["message"]
    r = cashier.post("/lanes/1/cart/items", {}, expect=422)
    assert "barcode" in r["message"]
    r = cashier.put("/lanes/1/cart/discount", {"kind": "percent", "value": 20000}, expect=422)
    assert "basis points" in r["message"]
    r = cashier.call("PATCH", "/lanes/1/cart/lines/999999", expect=404, json={"quantity": 2})
    assert "not in the cart" in r["message"]
    r = cashier.post("/lanes/nope/cart/items", {"code": "7310005000015"}, expect=404)
    assert "no lane" in r["message"]


def test_cash_handed_over_short_of_the_total_is_a_part_payment(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    r = cashier.pay_cash("1", 0, expect=422)
    assert "40,00 is due" in r["message"]
    part = cashier.pay_cash("1", 1000)
    assert part["status"] == "open" and part["due"] == 3000
    r = cashier.post("/lanes/1/cart/cancel", expect=403)
    assert r["error"] == "approval_required"
    done = cashier.pay_cash("1", 3000)
    assert done["status"] == "completed" and done["change"] == 0


def test_a_repeated_cash_tender_is_taken_once(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    body = {"tendered": 1000, "request_id": "lane1-tender-7"}
    first = cashier.post("/lanes/1/cart/tenders/cash", body)
    again = cashier.post("/lanes/1/cart/tenders/cash", body)
    assert first["paid"] == again["paid"] == 1000 and len(again["tenders"]) == 1


def test_cash_must_be_notes_and_coins_and_request_ids_are_not_reused(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    r = cashier.pay_cash("1", 4010, expect=422)
    assert "notes and coins" in r["message"]
    cashier.post("/lanes/1/cart/tenders/cash", {"tendered": 4000, "request_id": "k-1"})
    cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    r = cashier.post("/lanes/1/cart/tenders/cash", {"tendered": 5000, "request_id": "k-1"},
                     expect=409)
    assert "another payment" in r["message"]
    assert cashier.get("/lanes/1/cart")["due"] == 4000  # nothing was taken


def test_categories_browse_and_a_device_reads_its_own_lane_s_sales(cashier: Till, client,
                                                                   admin: Till) -> None:
    cats = cashier.get("/products/categories")
    assert "Mejeri" in cats and cats == sorted(cats)
    dairy = cashier.get("/products", params={"category": "Mejeri", "limit": 200})
    assert dairy and all(p["category"] == "Mejeri" for p in dairy)
    assert "pick a category" in cashier.get("/products", expect=422)["message"]
    code = admin.post("/devices/pairing-codes", {"role": "kiosk", "lane_id": "K1"}, expect=201)
    kiosk = Till(client, client.post("/api/v1/devices/pair",
                                     json={"code": code["code"], "name": "K"}).json()["token"])
    kiosk.scan("K1", "7310005000015")
    # A kiosk cannot mark a cart paid by cash or by a standalone terminal: staff only.
    for tender in ("card-external", "cash"):
        refused = kiosk.post(f"/lanes/K1/cart/tenders/{tender}", {"tendered": 2000}, expect=403)
        assert "staff" in refused["message"]
    sale = cashier.pay_cash("K1", 2000)  # staff take the cash at the kiosk
    assert kiosk.get(f"/sales/{sale['id']}")["receipt_no"] == 1
    code2 = admin.post("/devices/pairing-codes", {"role": "kiosk", "lane_id": "K2"}, expect=201)
    other = Till(client, client.post("/api/v1/devices/pair",
                                     json={"code": code2["code"], "name": "K2"}).json()["token"])
    assert other.get(f"/sales/{sale['id']}", expect=403)["error"] == "forbidden"
