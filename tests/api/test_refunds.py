"""Refunds: per line, never more than sold, never twice, original tender, restocked."""

from __future__ import annotations

from tests.conftest import Till, login


def _sale(cashier: Till, items: list[tuple[str, int]], pay: str = "cash") -> dict:
    for name, qty in items:
        cashier.scan("1", cashier.product(name)["gtin"], qty)
    if pay == "card":
        return cashier.post("/lanes/1/cart/tenders/card-external", {"reference": "auth-1"})
    return cashier.pay_cash("1", 100000)


def test_partial_refunds_never_exceed_what_was_sold(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    milk = cashier.product("Mellanmjölk 1,5 % 1 l")
    sale = _sale(cashier, [("Mellanmjölk 1,5 % 1 l", 3), ("Dagstidning", 1)])
    line = sale["lines"][0]["id"]
    url = f"/sales/{sale['id']}/refunds"

    first = cashier.post(url, {"lane_id": "1", "lines": [{"line_id": line, "quantity": 2}]},
                         expect=201)
    assert first["total"] == 3390
    over = cashier.post(url, {"lane_id": "1", "lines": [{"line_id": line, "quantity": 2}]},
                        expect=409)
    assert "at most 1 can be refunded" in over["message"]
    last = cashier.post(url, {"lane_id": "1", "lines": [{"line_id": line, "quantity": 1}]},
                        expect=201)
    assert first["total"] + last["total"] == sale["lines"][0]["net"]
    cashier.post(url, {"lane_id": "1", "lines": [{"line_id": line, "quantity": 1}]}, expect=409)
    # Restocked: three sold, three back.
    assert cashier.get(f"/products/{milk['id']}")["on_hand"] == milk["on_hand"]


def test_refund_is_applied_once_for_a_repeated_request(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    sale = _sale(cashier, [("Dagstidning", 2)])
    body = {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 1}],
            "request_id": "till1-refund-42"}
    a = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=201)
    b = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=201)
    assert a["id"] == b["id"]
    assert len(cashier.get(f"/sales/{sale['id']}/refunds")) == 1


def test_refund_goes_back_to_the_original_tender(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    card = _sale(cashier, [("Diskmedel 500 ml", 1)], pay="card")
    refund = cashier.post(f"/sales/{card['id']}/refunds",
                          {"lane_id": "1", "lines": [{"line_id": card["lines"][0]["id"]}]},
                          expect=201)
    assert refund["tenders"] == [{"method": "card_external", "amount": 2995, "rounding": 0,
                                  "paid_out": 2995}]

    # Split tender: cash 20 kr + card for the rest; a full refund pays the card back first.
    cashier.scan("1", cashier.product("Kaffe mellanrost 450 g")["gtin"])
    cashier.pay_cash("1", 2000)
    split = cashier.post("/lanes/1/cart/tenders/card-external", {})
    refund = cashier.post(f"/sales/{split['id']}/refunds",
                          {"lane_id": "1", "lines": [{"line_id": split["lines"][0]["id"]}]},
                          expect=201)
    assert [(t["method"], t["amount"]) for t in refund["tenders"]] == [
        ("card_external", 4995), ("cash", 2000)]


def test_only_completed_sales_refund_and_lines_must_belong(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    sale = _sale(cashier, [("Dagstidning", 1)])
    other = _sale(cashier, [("Dagstidning", 1)])
    r = cashier.post(f"/sales/{sale['id']}/refunds",
                     {"lane_id": "1", "lines": [{"line_id": other["lines"][0]["id"]}]},
                     expect=404)
    assert "not a sold line of this sale" in r["message"]
    cashier.post("/sales/nope/refunds", {"lane_id": "1", "lines": [{"line_id": 1}]}, expect=404)


def test_weighed_and_price_embedded_scans(cashier: Till) -> None:
    from tests.conftest import priced_code, weighed_code

    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cart = cashier.scan("1", weighed_code(101, 1500))
    assert cart["lines"][0]["weight_g"] == 1500 and cart["lines"][0]["gross"] == 3743
    cart = cashier.scan("1", priced_code(201, 5900))
    assert cart["lines"][1]["unit_price"] == 5900
    bad = cashier.scan("1", "7310005000016", expect=422)
    assert "check digit" in bad["message"]
    unknown = cashier.scan("1", "4006381333931", expect=404)
    assert "No product has the barcode" in unknown["message"]
    # UPC-A (12 digits) is EAN-13 with a leading zero.
    cashier.scan("1", "036000291452", expect=404)


def test_cart_needs_an_open_shift_on_a_register(cashier: Till) -> None:
    r = cashier.scan("1", cashier.product("Dagstidning")["gtin"], expect=409)
    assert "no open shift" in r["message"]


def test_shift_close_by_denomination(client) -> None:
    cashier = login(client, "sara")
    cashier.post("/lanes/3/shift/open", {"denominations": {"10000": 5, "2000": 10}}, expect=201)
    cashier.scan("3", cashier.product("Dagstidning")["gtin"])
    cashier.pay_cash("3", 5000)
    closed = cashier.post("/lanes/3/shift/close",
                          {"denominations": {"10000": 5, "2000": 12, "500": 1}})
    assert closed["cash"]["expected_cash"] == 70000 + 4000
    assert closed["counted_cash"] == 74500 and closed["over_short"] == 500
    cashier.post("/lanes/3/shift/close", {"counted": 0}, expect=409)


def test_cash_refunds_one_at_a_time_pay_back_what_was_paid(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    sale = _sale(cashier, [("Mellanmjölk 1,5 % 1 l", 10)])  # 169,50 → 170 kr in cash
    assert sale["total"] == 16950 and sale["rounding"] == 50
    paid_out = 0
    for _ in range(10):
        refund = cashier.post(f"/sales/{sale['id']}/refunds", {
            "lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 1}]},
            expect=201)
        paid_out += refund["tenders"][0]["paid_out"]
        assert refund["tenders"][0]["paid_out"] % 100 == 0  # whole kronor from the drawer
    assert paid_out == sale["total"] + sale["rounding"] == 17000


def test_refund_approval_counts_every_refund_of_the_sale(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    sale = _sale(cashier, [("Kaffe mellanrost 450 g", 10)])  # 699,50
    body = {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"], "quantity": 5}]}
    cashier.post(f"/sales/{sale['id']}/refunds", body, expect=201)  # 349,75: no approval
    second = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=403)  # 699,50 in all
    assert second["error"] == "approval_required"


def test_return_receipt_names_the_original_receipt_and_copies_are_marked(
        cashier: Till, manager: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 100000}, expect=201)
    cashier.post("/lanes/2/shift/open", {"counted": 100000}, expect=201)
    sale = _sale(cashier, [("Dagstidning", 1)])
    refund = cashier.post(f"/sales/{sale['id']}/refunds", {
        "lane_id": "2", "lines": [{"line_id": sale["lines"][0]["id"]}]}, expect=201)
    text = cashier.get(f"/refunds/{refund['id']}/receipt")
    assert "Retur av kvitto nr 1-000001" in text and "Kvitto nr 2-000001" in text
    assert "KOPIA" not in cashier.get(f"/sales/{sale['id']}/receipt")
    assert "KOPIA" in cashier.get(f"/sales/{sale['id']}/receipt", params={"copy": "true"})
    assert manager.get("/audit", params={"action": "receipt_copy"})[0]["ref"] == sale["id"]
