"""X and Z day reports against a scripted day computed by hand, and the fiscal rules around them:
one copy per receipt, training mode, pro-forma slips, price look-ups, the control unit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from hub.app import create_app
from hub.config import Settings
from hub.models import Product
from tests.conftest import Till, login

MILK, COFFEE, DISH, PAPER = (
    "Mellanmjölk 1,5 % 1 l", "Kaffe mellanrost 450 g", "Diskmedel 500 ml", "Dagstidning")
MANAGER = {"username": "maria", "pin": "1234"}
LANE = "2"


@pytest.fixture
def fiscal_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "hub", demo_data=True,
                        fiscal_device=f"simulator:CU-TEST-0001?offline_file={tmp_path}/cu-off")
    with TestClient(create_app(settings)) as client:
        with client.app.state.db.write() as s:  # a service the store sells (gift wrapping)
            s.add(Product(sku="SRV1", name="Presentinslagning", category="Tjänster", price=2500,
                          vat_rate_bp=2500, service=True))
        yield client


def _script_the_day(cashier: Till, codes: dict[str, str], wrap_id: int) -> dict[str, object]:
    """The scripted day on lane 2 (see the expected figures in the test below)."""
    cashier.post(f"/lanes/{LANE}/shift/open", {"counted": 50000}, expect=201)
    cashier.scan(LANE, codes[MILK], 2)
    s1 = cashier.pay_cash(LANE, 4000)  # 33,90 → 34 kr: rounding +0,10, change 6,00
    assert (s1["receipt_no"], s1["total"], s1["rounding"], s1["change"]) == (1, 3390, 10, 600)
    cashier.scan(LANE, codes[COFFEE])
    cashier.scan(LANE, codes[DISH])
    s2 = cashier.post(f"/lanes/{LANE}/cart/tenders/card-external", {"reference": "T-1"})
    assert s2["total"] == 9990
    copy = cashier.get(f"/sales/{s1['id']}/receipt", params={"copy": "true"})
    assert "*** KOPIA ***" in copy
    again = cashier.get(f"/sales/{s1['id']}/receipt", params={"copy": "true"}, expect=409)
    assert "only one" in again["message"]
    cart = cashier.scan(LANE, codes[PAPER])
    cashier.put(f"/lanes/{LANE}/cart/lines/{cart['lines'][0]['id']}/discount",
                {"kind": "percent", "value": 1000})
    s3 = cashier.pay_cash(LANE, 3600)
    assert s3["total"] == 3600
    cart = cashier.scan(LANE, codes[DISH])
    cashier.put(f"/lanes/{LANE}/cart/lines/{cart['lines'][0]['id']}/price",
                {"unit_price": 2500, "approval": MANAGER})
    s4 = cashier.pay_cash(LANE, 2500)
    assert s4["total"] == 2500
    cashier.scan(LANE, codes[MILK])
    cashier.post(f"/lanes/{LANE}/cart/cancel", {})  # abandoned: 16,95
    cashier.post(f"/lanes/{LANE}/drawer/no-sale", {"reason": "växla", "approval": MANAGER})
    cashier.post(f"/lanes/{LANE}/training", {"on": True, "approval": MANAGER})
    cashier.scan(LANE, codes[MILK])
    refused = cashier.post(f"/lanes/{LANE}/cart/tenders/card-external", {}, expect=409)
    assert "training" in refused["message"]
    training = cashier.pay_cash(LANE, 2000)
    assert training["training"] and training["receipt_no"] == 5
    assert "ÖVNINGSKVITTO" in cashier.get(f"/sales/{training['id']}/receipt")
    cashier.post(f"/sales/{training['id']}/refunds",
                 {"lane_id": LANE, "lines": [{"line_id": training["lines"][0]["id"]}]},
                 expect=409)
    cashier.post(f"/lanes/{LANE}/training", {"on": False, "approval": MANAGER})
    refund = cashier.post(f"/sales/{s1['id']}/refunds", {
        "lane_id": LANE, "lines": [{"line_id": s1["lines"][0]["id"], "quantity": 1}],
        "reason": "trasig"}, expect=201)
    assert (refund["receipt_no"], refund["total"]) == (6, 1695)
    looked = cashier.post(f"/lanes/{LANE}/price-lookup", {"code": codes[COFFEE]})
    assert looked["price"] == 6995
    cashier.scan(LANE, codes[PAPER])
    cashier.post(f"/lanes/{LANE}/cart/items", {"product_id": wrap_id})
    slip = cashier.post(f"/lanes/{LANE}/cart/proforma")
    assert slip["total"] == 6500 and slip["text"].count("EJ KVITTO") == 2
    s5 = cashier.pay_cash(LANE, 6500)
    assert s5["receipt_no"] == 7
    cashier.post(f"/lanes/{LANE}/shift/pay-in", {"amount": 10000, "reason": "växel"})
    cashier.post(f"/lanes/{LANE}/shift/pay-out", {"amount": 5000, "reason": "blommor"})
    return {"s1": s1, "refund": refund}


def test_z_report_of_a_scripted_day_matches_the_hand_computed_figures(
        fiscal_client: TestClient) -> None:
    cashier = login(fiscal_client, "erik")
    codes = {name: cashier.product(name)["gtin"] for name in (MILK, COFFEE, DISH, PAPER)}
    wrap = cashier.product("Presentinslagning")
    _script_the_day(cashier, codes, wrap["id"])

    x = cashier.get(f"/lanes/{LANE}/x-report")
    z = cashier.post(f"/lanes/{LANE}/z-report", expect=201)
    figures = z["figures"]
    assert z["z_no"] == 1 and figures["kind"] == "Z" and figures["title"] == "Z-dagrapport"
    assert x["kind"] == "X" and x["z_no"] is None
    # By hand: sales 33,90 + 99,90 + 36,00 + 25,00 + 65,00 (training and the cancelled cart apart)
    expected = {
        "sales_total": 25980, "receipts": 5, "first_receipt_no": 1, "last_receipt_no": 7,
        "company_name": "Kassa Demo Livs", "org_number": "556000-0000", "register_id": LANE,
        "fiscal_device": "Kontrollenhet CU-TEST-0001", "cash_float": 50000,
        "goods_sold": 7, "services_sold": 1, "drawer_openings": 6, "no_sales": 1,
        "copies": {"count": 1, "amount": 3390}, "training": {"count": 1, "amount": 1695},
        "proforma": {"count": 1, "amount": 6500}, "price_lookups": 1, "rounding": 10,
        "returns": {"count": 1, "amount": 1695}, "return_rounding": 5,
        "discounts": {"count": 1, "amount": 400}, "other_reductions": {"count": 1, "amount": 495},
        "abandoned": {"count": 1, "amount": 1695}, "pay_ins": {"count": 1, "amount": 10000},
        "pay_outs": {"count": 1, "amount": 5000}, "missing_control_codes": 0,
        "net_total": 24285, "grand_total_sales": 25980, "grand_total_returns": 1695,
        "grand_total_net": 24285,
    }
    assert {key: figures[key] for key in expected} == expected
    # VAT per line, half up: 12 %: 33,90→3,63 + 69,95→7,49; 25 %: 29,95→5,99 + 25,00→5,00 +
    # 25,00→5,00; 6 %: 36,00→2,04 + 40,00→2,26.
    assert figures["vat"] == [
        {"rate_bp": 2500, "gross": 7995, "vat": 1599, "net": 6396},
        {"rate_bp": 1200, "gross": 10385, "vat": 1112, "net": 9273},
        {"rate_bp": 600, "gross": 7600, "vat": 430, "net": 7170},
    ]
    assert figures["sales_net"] == 25980 - 1599 - 1112 - 430
    assert figures["product_groups"] == [
        {"name": "Hem & hushåll", "count": 2, "amount": 5495},
        {"name": "Mejeri", "count": 2, "amount": 3390},
        {"name": "Skafferi", "count": 1, "amount": 6995},
        {"name": "Tidningar", "count": 2, "amount": 7600},
        {"name": "Tjänster", "count": 1, "amount": 2500},
    ]
    assert figures["payments"] == [
        {"name": "card_external", "count": 1, "amount": 9990},
        {"name": "cash", "count": 4, "amount": 15990},
    ]
    # One milk of the two returned: 16,95 of which VAT 3,63 / 2 = 1,815 → 1,82 (half up).
    assert figures["return_vat"] == [{"rate_bp": 1200, "gross": 1695, "vat": 182, "net": 1513}]
    assert figures["return_payments"] == [{"name": "cash", "count": 1, "amount": 1695}]
    # The X report taken before the Z shows the same day, without a number.
    assert {k: x[k] for k in expected if k != "price_lookups"} == \
        {k: figures[k] for k in expected if k != "price_lookups"}


def test_z_reports_are_numbered_without_gaps_and_cannot_be_changed(
        fiscal_client: TestClient, tmp_path: Path) -> None:
    cashier = login(fiscal_client, "erik")
    codes = {MILK: cashier.product(MILK)["gtin"]}
    cashier.post(f"/lanes/{LANE}/shift/open", {"counted": 0}, expect=201)
    cashier.scan(LANE, codes[MILK])
    cashier.pay_cash(LANE, 1700)
    first = cashier.post(f"/lanes/{LANE}/z-report", expect=201)
    cashier.scan(LANE, codes[MILK])
    blocked = cashier.post(f"/lanes/{LANE}/z-report", expect=409)
    assert "not finished" in blocked["message"]
    cashier.pay_cash(LANE, 2000)
    second = cashier.post(f"/lanes/{LANE}/z-report", expect=201)
    other_lane = cashier.post("/lanes/3/z-report", expect=201)
    assert (first["z_no"], second["z_no"], other_lane["z_no"]) == (1, 2, 1)
    assert second["figures"]["period_start"] == first["figures"]["period_end"]
    assert second["figures"]["sales_total"] == 1695
    assert second["figures"]["grand_total_sales"] == 2 * 1695
    assert other_lane["figures"]["sales_total"] == 0

    listed = cashier.get("/z-reports", params={"lane_id": LANE})
    assert [r["z_no"] for r in listed] == [2, 1]
    again = cashier.get(f"/z-reports/{first['id']}")
    assert again == first["figures"]

    db = sqlite3.connect(tmp_path / "hub" / "hub.sqlite3")
    for statement in ("UPDATE dayreport SET figures = '{}' WHERE z_no = 1",
                      "DELETE FROM dayreport WHERE z_no = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="a Z report is final"):
            db.execute(statement)
    db.close()
    manager = login(fiscal_client, "maria")
    verified = manager.get("/journal/verify")
    assert verified["ok"]
    assert cashier.get(f"/z-reports/{first['id']}") == first["figures"]


def test_control_codes_are_on_receipts_and_a_silent_control_unit_stops_the_sale(
        fiscal_client: TestClient, tmp_path: Path) -> None:
    cashier = login(fiscal_client, "erik")
    milk = cashier.product(MILK)["gtin"]
    cashier.post(f"/lanes/{LANE}/shift/open", {"counted": 0}, expect=201)
    cashier.scan(LANE, milk)
    sale = cashier.pay_cash(LANE, 1700)
    assert sale["control_code"] and len(sale["control_code"]) == 32
    receipt = cashier.get(f"/sales/{sale['id']}/receipt")
    assert "Kontrollenhet: CU-TEST-0001" in receipt
    assert f"Kontrollkod: {sale['control_code']}" in receipt

    (tmp_path / "cu-off").touch()  # the control unit's cable is pulled
    cart = cashier.scan(LANE, milk)
    refused = cashier.pay_cash(LANE, 1700, expect=503)
    assert refused["error"] == "fiscal_device_down" and "CU-TEST-0001" in refused["message"]
    assert cashier.post(f"/lanes/{LANE}/cart/tenders/card", {}, expect=503)
    still = cashier.get(f"/lanes/{LANE}/cart")  # nothing lost: the cart waits, nothing paid
    assert still["id"] == cart["id"] and still["paid"] == 0 and still["status"] == "open"

    (tmp_path / "cu-off").unlink()
    done = cashier.pay_cash(LANE, 1700)
    assert done["receipt_no"] == sale["receipt_no"] + 1 and done["control_code"]


def test_without_a_control_unit_the_reports_say_so(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cashier.scan("1", cashier.product(MILK)["gtin"])
    sale = cashier.pay_cash("1", 1700)
    assert sale["control_code"] is None
    assert "Kontroll" not in cashier.get(f"/sales/{sale['id']}/receipt")
    x = cashier.get("/lanes/1/x-report")
    assert x["fiscal_device"] == "Ingen kontrollenhet ansluten"


def test_training_mode_needs_a_manager_and_an_empty_cart(cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    asked = cashier.post("/lanes/1/training", {"on": True}, expect=403)
    assert asked["error"] == "approval_required"
    cashier.scan("1", cashier.product(MILK)["gtin"])
    busy = cashier.post("/lanes/1/training", {"on": True, "approval": MANAGER}, expect=409)
    assert "Finish or cancel" in busy["message"]
    assert cashier.get("/lanes/1/training") == {"lane_id": "1", "training": False}


def test_a_price_change_from_central_is_journaled(client: TestClient, cashier: Till) -> None:
    from hub.models import JournalEntry, RegisterEvent
    from hub.services import sync as sync_db
    from sync.schemas import CatalogItem, Change

    milk = cashier.product(MILK)
    item = CatalogItem(sku=milk["sku"], gtin=milk["gtin"], name=MILK, category="Mejeri",
                       price=1795, vat_rate_bp=1200)
    with client.app.state.db.write() as s:
        sync_db.apply_changes(s, [Change(seq=1, kind="product", key=milk["sku"], version=9,
                                         data=item.model_dump(mode="json"))], 1,
                              client.app.state.shop)
    with client.app.state.db.read() as s:
        event = s.exec(select(RegisterEvent).where(RegisterEvent.kind == "price_change")).one()
        entry = s.exec(select(JournalEntry).where(JournalEntry.kind == "price_change")).one()
    assert (event.ref, event.amount, event.detail["old_price"]) == (milk["sku"], 1795, 1695)
    assert '"old_price":1695' in entry.payload
    assert cashier.product(MILK)["price"] == 1795


def test_a_z_report_comes_as_text_csv_html_pdf_and_sie(fiscal_client: TestClient) -> None:
    from hub.services.sie import parse_sie

    cashier = login(fiscal_client, "erik")
    cashier.post(f"/lanes/{LANE}/shift/open", {"counted": 0}, expect=201)
    cashier.scan(LANE, cashier.product(MILK)["gtin"], 2)
    cashier.pay_cash(LANE, 3400)
    x_text = cashier.get(f"/lanes/{LANE}/x-report", params={"format": "text"})
    assert "X-dagrapport" in x_text and "33,90" in x_text
    assert max(len(line) for line in x_text.splitlines()) <= 42
    sie_of_x = cashier.get(f"/lanes/{LANE}/x-report", params={"format": "sie"}, expect=422)
    assert "Z report" in sie_of_x["message"]
    z = cashier.post(f"/lanes/{LANE}/z-report", expect=201)
    url = f"/z-reports/{z['id']}"
    assert "Z-dagrapport" in cashier.get(url, params={"format": "text"})
    assert "Kontrollenhet CU-TEST-0001" in cashier.get(url, params={"format": "html"})
    csv = fiscal_client.get(f"/api/v1{url}", params={"format": "csv"}, headers=cashier.headers)
    assert csv.headers["content-type"].startswith("text/csv") and "33,90" in csv.text
    pdf = fiscal_client.get(f"/api/v1{url}", params={"format": "pdf"}, headers=cashier.headers)
    assert pdf.content.startswith(b"%PDF")
    sie = fiscal_client.get(f"/api/v1{url}", params={"format": "sie"}, headers=cashier.headers)
    [voucher] = parse_sie(sie.content).vouchers
    assert voucher.balance == 0 and voucher.number == "1"
    cashier.get(url, params={"format": "xml"}, expect=422)


def test_a_parked_cart_is_taken_up_on_another_register_and_journaled(cashier: Till) -> None:
    milk = cashier.product(MILK)["gtin"]
    for lane in ("1", "2"):
        cashier.post(f"/lanes/{lane}/shift/open", {"counted": 0}, expect=201)
    cashier.post("/lanes/1/cart/park", expect=409)  # nothing to park
    cart = cashier.scan("1", milk, 3)
    empty = cashier.post("/lanes/1/cart/park")
    assert empty["lines"] == [] and empty["version"] > cart["version"]
    [parked] = cashier.get("/parked-carts")
    assert (parked["id"], parked["total"], parked["items"]) == (cart["id"], 3 * 1695, 3)
    cashier.scan("2", milk)
    busy = cashier.post(f"/lanes/2/parked/{cart['id']}/resume", expect=409)
    assert "cart already" in busy["message"]
    cashier.post("/lanes/2/cart/cancel", {})
    cashier.post("/lanes/3/shift/open", {"counted": 0}, expect=201)
    resumed = cashier.post(f"/lanes/3/parked/{cart['id']}/resume")
    assert resumed["id"] == cart["id"] and resumed["lane_id"] == "3" and resumed["total"] == 5085
    assert cashier.get("/parked-carts") == []
    cashier.post(f"/lanes/3/parked/{cart['id']}/resume", expect=404)
    sale = cashier.pay_cash("3", 5100)
    assert sale["status"] == "completed" and sale["receipt_no"] == 1
    manager = login(cashier.client, "maria")
    assert manager.get("/journal/verify")["ok"]
    from hub.models import JournalEntry

    with cashier.client.app.state.db.read() as s:
        kinds = [e.kind for e in s.exec(select(JournalEntry).order_by(JournalEntry.seq))]
    assert kinds == ["parked", "abandoned", "resumed", "sale"]
