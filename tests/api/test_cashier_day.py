"""A cashier's whole day through the API, checked against hand-computed figures."""

from __future__ import annotations

from tests.conftest import Till, login, priced_code, weighed_code

# Demo catalog prices (öre, VAT included) the hand calculation below relies on.
MILK, COFFEE, DISH, PAPER = (
    "Mellanmjölk 1,5 % 1 l", "Kaffe mellanrost 450 g", "Diskmedel 500 ml", "Dagstidning")
PRICES = {MILK: 1695, COFFEE: 6995, DISH: 2995, PAPER: 4000}
BANANA_PLU, SALAD_PLU = 101, 201

# Hand-computed (half-up per line, cart discount split by largest remainder, SEK cash to whole
# kronor) for the 20 sales rung up in test_cashier_day, in order.
TOTALS = [3390, 9990, 4000, 1831, 8595, 8086, 7690, 6995, 7500, 15685,
          8475, 2994, 5246, 5690, 1695, 12000, 4550, 13990, 4690, 6943]
ROUNDINGS = [10, 10, 0, -31, 5, 14, 10, 0, 0, 0, 25, 6, -46, 10, 5, 0, 50, 0, 10, -43]
VAT = {1200: 8442, 2500: 5151, 600: 2008}
GROSS = {1200: 78779, 2500: 25756, 600: 35500}
FLOAT, PAY_OUT = 100000, 5000
REFUND_AMOUNT, REFUND_VAT, REFUND_PAID_OUT = 2695, 539, 2700
EXPECTED_CASH = 200700  # float + 108400 cash kept − 2700 refunded − 5000 paid out
COUNTED = EXPECTED_CASH - 300  # the drawer is 3 kronor short


def test_cashier_day(cashier: Till, client) -> None:
    codes = {name: cashier.product(name)["gtin"] for name in PRICES}
    for name, price in PRICES.items():
        assert cashier.product(name)["price"] == price
    manager_pin = {"username": "maria", "pin": "1234"}

    shift = cashier.post("/lanes/1/shift/open", {"counted": FLOAT}, expect=201)
    assert shift["cash"]["expected_cash"] == FLOAT

    def ring(items, lane="1"):
        cart = None
        for name, qty in items:
            cart = cashier.scan(lane, codes[name], qty)
        return cart

    def cash(total_rounded_plus: int = 0):
        cart = cashier.get("/lanes/1/cart")
        due_rounded = (cart["due"] + 50) // 100 * 100
        return cashier.pay_cash("1", due_rounded + total_rounded_plus)

    sales = []
    ring([(MILK, 2)]); sales.append(cash(1600))  # 50 kr note for 33,90 → 34 kr
    ring([(COFFEE, 1), (DISH, 1)]); sales.append(cash())
    ring([(PAPER, 1)]); sales.append(cash())
    cashier.scan("1", weighed_code(BANANA_PLU, 734)); sales.append(cashier.pay_cash("1", 2000))
    cashier.scan("1", priced_code(SALAD_PLU, 6900)); ring([(MILK, 1)])
    sales.append(cashier.pay_cash("1", 10000))
    cart = ring([(DISH, 3)])
    cashier.put(f"/lanes/1/cart/lines/{cart['lines'][0]['id']}/discount",
                {"kind": "percent", "value": 1000})
    sales.append(cash())
    ring([(COFFEE, 1), (MILK, 1)])
    cashier.put("/lanes/1/cart/discount", {"kind": "amount", "value": 1000})
    sales.append(cash())
    ring([(PAPER, 1), (DISH, 1)])
    sales.append(cashier.post("/lanes/1/cart/tenders/card-external", {"reference": "T-8"}))
    cart = ring([(PAPER, 2)])
    cashier.put(f"/lanes/1/cart/lines/{cart['lines'][0]['id']}/discount",
                {"kind": "amount", "value": 500})
    sales.append(cashier.pay_cash("1", 10000))
    ring([(DISH, 1), (COFFEE, 1), (MILK, 1), (PAPER, 1)])
    partial = cashier.pay_cash("1", 5000)
    assert partial["status"] == "open" and partial["due"] == 15685 - 5000
    sales.append(cashier.post("/lanes/1/cart/tenders/card-external", {}))
    ring([(MILK, 5)]); sales.append(cash())
    cashier.scan("1", weighed_code(BANANA_PLU, 1200)); sales.append(cash())
    cart = ring([(COFFEE, 1)])
    line = cart["lines"][0]["id"]
    refused = cashier.put(f"/lanes/1/cart/lines/{line}/discount",
                          {"kind": "percent", "value": 2500}, expect=403)
    assert refused["error"] == "approval_required"
    cashier.put(f"/lanes/1/cart/lines/{line}/discount",
                {"kind": "percent", "value": 2500, "approval": manager_pin})
    sales.append(cashier.pay_cash("1", 5300))
    ring([(DISH, 2)])
    cashier.put("/lanes/1/cart/discount", {"kind": "percent", "value": 500})
    sales.append(cashier.pay_cash("1", 6000))
    cart = ring([(MILK, 1), (COFFEE, 1)])
    cashier.post(f"/lanes/1/cart/lines/{cart['lines'][1]['id']}/void", {})
    sales.append(cashier.pay_cash("1", 2000))
    cart = ring([(PAPER, 1)])
    cashier.call("PATCH", f"/lanes/1/cart/lines/{cart['lines'][0]['id']}", json={"quantity": 3})
    sales.append(cash())
    cashier.scan("1", priced_code(SALAD_PLU, 4550)); sales.append(cashier.pay_cash("1", 5000))
    ring([(COFFEE, 2)]); sales.append(cashier.post("/lanes/1/cart/tenders/card-external", {}))
    ring([(DISH, 1), (MILK, 1)]); sales.append(cashier.pay_cash("1", 5000))
    ring([(PAPER, 1), (MILK, 1)]); cashier.scan("1", weighed_code(BANANA_PLU, 500))
    sales.append(cashier.pay_cash("1", 7000))

    assert [s["status"] for s in sales] == ["completed"] * 20
    assert [s["receipt_no"] for s in sales] == list(range(1, 21))
    assert [s["total"] for s in sales] == TOTALS
    assert [s["rounding"] for s in sales] == ROUNDINGS
    assert sales[0]["change"] == 1600 and sales[3]["change"] == 200
    assert sales[4]["change"] == 1400 and sales[12]["change"] == 100
    vat: dict[int, int] = {}
    gross: dict[int, int] = {}
    for s in sales:
        assert s["total"] == sum(line["net"] for line in s["lines"] if not line["voided"])
        for row in s["vat"]:
            vat[row["rate_bp"]] = vat.get(row["rate_bp"], 0) + row["vat"]
            gross[row["rate_bp"]] = gross.get(row["rate_bp"], 0) + row["gross"]
    assert vat == VAT and gross == GROSS

    # A partial refund: one of the three discounted dish soaps, back in cash.
    dish_sale = sales[5]
    refund = cashier.post(f"/sales/{dish_sale['id']}/refunds", {
        "lane_id": "1", "lines": [{"line_id": dish_sale["lines"][0]["id"], "quantity": 1}],
        "reason": "trasig förpackning"}, expect=201)
    assert refund["receipt_no"] == 21
    assert refund["total"] == REFUND_AMOUNT and refund["lines"][0]["vat"] == REFUND_VAT
    assert refund["tenders"] == [{"method": "cash", "amount": REFUND_AMOUNT, "rounding": 5,
                                  "paid_out": REFUND_PAID_OUT}]
    receipt = cashier.get(f"/refunds/{refund['id']}/receipt")
    assert "RETURKVITTO" in receipt and "1-000021" in receipt and "-27,00" in receipt

    cashier.post("/lanes/1/shift/pay-out", {"amount": PAY_OUT, "reason": "fönsterputs"})
    closed = cashier.post("/lanes/1/shift/close", {"counted": COUNTED})
    assert closed["status"] == "closed"
    assert closed["sales_count"] == 20
    assert closed["cash"]["expected_cash"] == EXPECTED_CASH
    assert closed["cash"]["cash_refunds"] == REFUND_PAID_OUT
    assert closed["counted_cash"] == COUNTED and closed["over_short"] == -300

    # Everything that happened waits in the outbox for central, and the journal holds up.
    manager = login(client, "maria")
    assert manager.get("/journal/verify") == {
        "ok": True, "entries": 22, "first_bad_seq": None, "problem": ""}
    outbox = manager.get("/outbox")
    # 20 sales + 20 stock moves, refund + its restock, float + pay-out, shift close.
    assert outbox["waiting"] == 20 + 20 + 2 + 2 + 1


def test_receipt_text_shows_everything_the_customer_needs(cashier: Till) -> None:
    cashier.post("/lanes/2/shift/open", {"counted": 50000}, expect=201)
    milk = cashier.product(MILK)
    cart = cashier.scan("2", milk["gtin"], 2)
    cashier.put(f"/lanes/2/cart/lines/{cart['lines'][0]['id']}/discount",
                {"kind": "percent", "value": 1000})
    cashier.scan("2", weighed_code(BANANA_PLU, 734))
    sale = cashier.pay_cash("2", 10000)
    text = cashier.get(f"/sales/{sale['id']}/receipt")
    # 2 × 16,95 = 33,90 − 3,39 = 30,51; bananas 18,31; total 48,82 → 49 kr cash.
    for expected in ["Kassa Demo Livs", "Org.nr 556000-0000", "Kassa 2", "Kvitto nr 2-000001",
                     "Kassör: Erik Kassör", "Mellanmjölk 1,5 % 1 l", "2 x 16,95", "-3,39",
                     "0,734 kg x 24,95/kg", "ATT BETALA", "48,82 SEK", "Öresavrundning",
                     "0,18", "Kontant", "100,00", "Växel", "51,00", "12,00 %", "5,23"]:
        assert expected in text, f"{expected!r} missing from\n{text}"
