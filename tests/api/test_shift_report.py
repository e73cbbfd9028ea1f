"""The shift report (X while open, Z once closed), checked against a small hand-computed shift."""

from __future__ import annotations

from typing import Any

from tests.conftest import Till, login

# Demo catalog (öre, VAT included): the hand calculation below relies on these.
MILK, COFFEE, DISH, PAPER = ("7310005000015", "7310005000558", "7310005001548", "7310005001425")
# 1 695 at 12 %, 6 995 at 12 %, 2 995 at 25 %, 4 000 at 6 %.

FLOAT = {"10000": 4, "5000": 2}  # 500 kr float: four 100-kronor notes, two 50s
# Sale 1: 2 milk = 33,90 (VAT 3,63), cash 50 kr → rounding +0,10, change 16,00.
# Sale 2: coffee 69,95 (VAT 7,49) + dish soap 29,95 (VAT 5,99) = 99,90, standalone card terminal.
# Sale 3: newspaper 40,00 − 5,00 line discount = 35,00 (VAT 1,98), cash 35 kr exactly.
# Sale 4: dish soap + milk, the milk voided: 29,95 (VAT 5,99), cash 30 kr → rounding +0,05.
# A cart with one milk is cancelled. One milk of sale 1 comes back in cash: 16,95 (VAT 1,82),
# 17 kr handed out (rounding +0,05). Pay-in 100 kr, pay-out 20 kr, one no-sale.
SALES_TOTAL = 3390 + 9990 + 3500 + 2995
CASH_TENDERS = 3390 + 3500 + 2995
EXPECTED_CASH = 50000 + (CASH_TENDERS + 15) - 1700 + 10000 - 2000  # 662,00 kr
COUNT = {"50000": 1, "10000": 1, "5000": 1, "1000": 1, "100": 1}  # 661 kr: one krona short


def _ring_up(till: Till, lane: str, codes: list[str]) -> dict[str, Any]:
    cart: dict[str, Any] = {}
    for code in codes:
        cart = till.scan(lane, code)
    return cart


def _a_small_shift(cashier: Till) -> int:
    """The scripted shift on lane 1 (and a sale on lane 2 that must not count); its id."""
    shift = cashier.post("/lanes/1/shift/open", {"denominations": FLOAT}, expect=201)
    cashier.post("/lanes/2/shift/open", {"counted": 10000}, expect=201)
    _ring_up(cashier, "2", [COFFEE])
    assert cashier.pay_cash("2", 7000)["status"] == "completed"

    _ring_up(cashier, "1", [MILK, MILK])
    first = cashier.pay_cash("1", 5000)
    assert (first["total"], first["rounding"], first["change"]) == (3390, 10, 1600)
    _ring_up(cashier, "1", [COFFEE, DISH])
    assert cashier.post("/lanes/1/cart/tenders/card-external", {"reference": "T-1"})[
        "status"] == "completed"
    cart = _ring_up(cashier, "1", [PAPER])
    cashier.put(f"/lanes/1/cart/lines/{cart['lines'][0]['id']}/discount",
                {"kind": "amount", "value": 500})
    assert cashier.pay_cash("1", 3500)["total"] == 3500
    cart = _ring_up(cashier, "1", [DISH, MILK])
    cashier.post(f"/lanes/1/cart/lines/{cart['lines'][1]['id']}/void", {})
    assert cashier.pay_cash("1", 3000)["rounding"] == 5
    _ring_up(cashier, "1", [MILK])
    cashier.post("/lanes/1/cart/cancel", {})

    refund = cashier.post(f"/sales/{first['id']}/refunds", {
        "lane_id": "1", "lines": [{"line_id": first["lines"][0]["id"], "quantity": 1}]},
        expect=201)
    assert refund["tenders"][0]["paid_out"] == 1700
    cashier.post("/lanes/1/shift/pay-in", {"amount": 10000, "reason": "växel från kassaskåpet"})
    cashier.post("/lanes/1/shift/pay-out", {"amount": 2000, "reason": "blommor"})
    cashier.post("/lanes/1/drawer/no-sale", {
        "reason": "kund ville växla", "approval": {"username": "maria", "pin": "1234"}})
    return int(shift["id"])


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the parts that depend on the clock or on open/closed."""
    skip = {"opened_at", "closed_at", "closed_by", "status", "counted_cash", "over_short",
            "counted_detail"}
    return {k: v for k, v in report.items() if k not in skip}


def test_x_report_then_z_report_of_a_small_shift(cashier: Till) -> None:
    shift_id = _a_small_shift(cashier)

    x = cashier.get("/lanes/1/shift/report")
    assert cashier.get("/lanes/1/shift/report") == x  # reading it changes nothing
    assert x["shift_id"] == shift_id and x["lane_id"] == "1" and x["status"] == "open"
    assert (x["opened_by"], x["closed_by"], x["closed_at"]) == ("Erik Kassör", None, None)
    assert x["float_amount"] == 50000
    assert (x["sales_count"], x["first_receipt_no"], x["last_receipt_no"]) == (4, 1, 4)
    assert x["sales_total"] == SALES_TOTAL == 19875
    assert (x["discount_total"], x["rounding_total"]) == (500, 15)
    assert x["tenders"] == [
        {"method": "card_external", "count": 1, "amount": 9990, "rounding": 0},
        {"method": "cash", "count": 3, "amount": CASH_TENDERS, "rounding": 15},
    ]
    assert x["vat"] == [
        {"rate_bp": 2500, "gross": 5990, "vat": 1198, "net": 4792},
        {"rate_bp": 1200, "gross": 10385, "vat": 1112, "net": 9273},
        {"rate_bp": 600, "gross": 3500, "vat": 198, "net": 3302},
    ]
    assert (x["refunds_count"], x["refunds_total"]) == (1, 1695)
    assert x["refund_tenders"] == [{"method": "cash", "count": 1, "amount": 1695, "rounding": 5}]
    assert x["refund_vat"] == [{"rate_bp": 1200, "gross": 1695, "vat": 182, "net": 1513}]
    assert x["net_sales"] == 19875 - 1695
    assert (x["voided_lines"], x["cancelled_carts"], x["cancelled_total"]) == (1, 1, 1695)
    assert x["pay_ins"] == {"count": 1, "amount": 10000}
    assert x["pay_outs"] == {"count": 1, "amount": 2000}
    assert x["no_sales"] == 1
    assert x["cash"] == {"float_amount": 50000, "cash_sales": 9900, "cash_refunds": 1700,
                         "pay_ins": 10000, "pay_outs": 2000, "expected_cash": EXPECTED_CASH}
    assert x["expected_cash"] == EXPECTED_CASH == 66200
    assert (x["counted_cash"], x["over_short"], x["counted_detail"]) == (None, None, None)
    # The shift the lane shows agrees with the report.
    assert cashier.get("/lanes/1/shift")["cash"] == x["cash"]

    closed = cashier.post("/lanes/1/shift/close", {"denominations": COUNT})
    assert closed["over_short"] == -100

    z = cashier.get(f"/shifts/{shift_id}/report")
    assert z["status"] == "closed" and z["closed_by"] == "Erik Kassör"
    assert z["closed_at"] is not None and z["closed_at"] >= z["opened_at"]
    assert (z["expected_cash"], z["counted_cash"], z["over_short"]) == (66200, 66100, -100)
    assert z["counted_detail"] == COUNT
    assert _figures(z) == _figures(x)  # nothing moved between the X report and the close

    # Closed: the lane has no running report any more; the Z report stays readable.
    gone = cashier.get("/lanes/1/shift/report", expect=404)
    assert gone["message"] == "Lane 1 has no open shift."
    assert cashier.get(f"/shifts/{shift_id}/report") == z


def test_a_new_shift_starts_from_zero_and_the_old_one_keeps_its_figures(cashier: Till) -> None:
    first = cashier.post("/lanes/3/shift/open", {"counted": 20000}, expect=201)
    _ring_up(cashier, "3", [MILK])
    cashier.pay_cash("3", 2000)
    cashier.post("/lanes/3/shift/close", {"counted": 21700})
    second = cashier.post("/lanes/3/shift/open", {"counted": 21700}, expect=201)
    report = cashier.get("/lanes/3/shift/report")
    assert report["shift_id"] == second["id"] != first["id"]
    assert (report["sales_count"], report["sales_total"], report["tenders"], report["vat"]) == (
        0, 0, [], [])
    assert (report["first_receipt_no"], report["last_receipt_no"]) == (None, None)
    assert report["expected_cash"] == 21700 and report["no_sales"] == 0
    assert report["pay_ins"] == {"count": 0, "amount": 0}
    old = cashier.get(f"/shifts/{first['id']}/report")
    assert (old["sales_count"], old["sales_total"], old["over_short"]) == (1, 1695, 0)
    assert old["cash"]["cash_sales"] == 1700


def test_report_refusals_are_clear(cashier: Till, client) -> None:
    missing = cashier.get("/shifts/999999/report", expect=404)
    assert missing["message"] == "There is no shift 999999."
    assert cashier.get("/lanes/nowhere/shift/report", expect=404)["message"] == (
        "There is no lane 'nowhere'.")
    assert "no open shift" in cashier.get("/lanes/2/shift/report", expect=404)["message"]
    assert cashier.get("/shifts/0/report", expect=422)["message"]
    anonymous = client.get("/api/v1/shifts/1/report")
    assert anonymous.status_code == 401 and anonymous.json()["message"]
    # A kiosk device holds no shift: it may not read one either.
    admin = login(client, "admin")
    code = admin.post("/devices/pairing-codes", {"role": "kiosk", "lane_id": "K1"}, expect=201)
    paired = client.post("/api/v1/devices/pair",
                         json={"code": code["code"], "name": "Kiosk"}).json()
    kiosk = Till(client, paired["token"])
    assert kiosk.get("/lanes/1/shift/report", expect=403)["error"] == "forbidden"
