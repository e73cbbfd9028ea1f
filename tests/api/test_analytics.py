"""The manager's reports against a scripted day: two cashiers, a manager, a kiosk, a phone lane
and a pick-up hand-over, with refunds, voids, discounts, an override, a no-sale, an abandoned
cart and a training sale — every figure checked against the hand calculation below."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, update

from hub.app import create_app
from hub.config import Settings
from hub.models import CashMovement, PickupOrder, Product, Refund, Sale, SyncRejection
from hub.services import rollup
from tests.conftest import PINS, Till, login

MILK, COFFEE, DISH, PAPER = "7310005000015", "7310005000558", "7310005001548", "7310005001425"
# Mellanmjölk 16,95 (Mejeri), Kaffe 69,95 (Skafferi), Diskmedel 29,95 (Hem & hushåll),
# Dagstidning 40,00 (Tidningar). The pick-up order (2 milk) counts in Mejeri too.
MARIA = {"username": "maria", "pin": PINS["maria"]}
DAY = date(2025, 3, 14)  # winter time: Stockholm is UTC+1
STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Erik, lane 1, ten sales: milk each; the first also a newspaper 5 kr off (35,00); the second
# a dish soap voided. 10 × 16,95 + 35,00 = 204,50 kr. Four milks come back (67,80 kr).
# One no-sale, one abandoned cart (a milk).
ERIK = 5195 + 9 * 1695
# Sara, lane 2, ten sales of dish soap: 10 % off the first (26,95), the second overridden to
# 25,00, the third and fourth with a milk voided. 291,55 kr. One soap comes back (29,95).
SARA = 2695 + 2500 + 8 * 2995
# Maria: coffee on the phone lane (69,95) and a pick-up order of two milks paid online (33,90),
# handed over on lane 2. The kiosk: two coffees paid by QR, no cashier. Training: not counted.
MARIA_SOLD = 6995 + 3390
KIOSK = 2 * 6995
TOTAL = ERIK + SARA + MARIA_SOLD + KIOSK


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[TestClient, list[tuple[bytes, str]]]]:
    app = create_app(Settings(
        data_dir=tmp_path / "hub", demo_data=True, public_url="http://kassa.test",
        qr_sweep_seconds=3600))
    webhooks: list[tuple[bytes, str]] = []
    app.state.psp["sandbox"].deliver = lambda body, sig: webhooks.append((body, sig))
    with TestClient(app) as client:
        yield client, webhooks


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A local time in the store, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM).astimezone(UTC)


def ring(till: Till, lane: str, codes: list[str]) -> dict[str, Any]:
    cart: dict[str, Any] = {}
    for code in codes:
        cart = till.scan(lane, code)
    return cart


def cash(till: Till, lane: str, tendered: int) -> str:
    sale = till.pay_cash(lane, tendered)
    assert sale["status"] == "completed", sale
    return str(sale["id"])


def kiosk_sale(client: TestClient, admin: Till, webhooks: list[tuple[bytes, str]]) -> str:
    """A shopper at kiosk K1 buys a coffee and pays by QR: no cashier on the sale."""
    code = admin.post("/devices/pairing-codes", {"role": "kiosk", "lane_id": "K1"},
                      expect=201)["code"]
    paired = client.post("/api/v1/devices/pair", json={"code": code, "name": "k"}).json()
    kiosk = Till(client, paired["token"])
    kiosk.scan("K1", COFFEE)
    qr = kiosk.post("/lanes/K1/cart/tenders/qr", {"request_id": f"qr-{len(webhooks)}"},
                    expect=201)
    status = client.get(f"/pay/{qr['id']}/status").json()
    client.post(status["provider_url"], data={"action": "pay"}, follow_redirects=False)
    body, signature = webhooks[-1]
    r = client.post("/api/v1/qr/webhooks/sandbox", content=body,
                    headers={"X-Sandbox-Signature": signature})
    assert r.status_code == 200, r.text
    return str(qr["sale_id"])


def scripted_day(client: TestClient, webhooks: list[tuple[bytes, str]]) -> None:
    """Make the day through the API, then pin every timestamp to DAY (local times)."""
    erik, sara, maria, admin = (login(client, n) for n in ("erik", "sara", "maria", "admin"))
    for till, lane in ((erik, "1"), (sara, "2"), (erik, "3")):
        till.post(f"/lanes/{lane}/shift/open", {"counted": 100000}, expect=201)
    times: dict[str, datetime] = {}

    cart = ring(erik, "1", [MILK, PAPER])
    erik.put(f"/lanes/1/cart/lines/{cart['lines'][1]['id']}/discount",
             {"kind": "amount", "value": 500})
    erik_sales = [cash(erik, "1", 6000)]
    cart = ring(erik, "1", [MILK, DISH])
    erik.post(f"/lanes/1/cart/lines/{cart['lines'][1]['id']}/void", {})
    erik_sales.append(cash(erik, "1", 2000))
    for _ in range(8):
        ring(erik, "1", [MILK])
        erik_sales.append(cash(erik, "1", 2000))
    for i, sale_id in enumerate(erik_sales):
        times[sale_id] = at(9 if i < 5 else 10, 10 + i)
    for sale_id in erik_sales[2:6]:
        line = erik.get(f"/sales/{sale_id}")["lines"][0]
        erik.post(f"/sales/{sale_id}/refunds",
                  {"lane_id": "1", "lines": [{"line_id": line["id"], "quantity": 1}]},
                  expect=201)
    erik.post("/lanes/1/drawer/no-sale", {"reason": "växla", "approval": MARIA})
    ring(erik, "1", [MILK])
    erik.post("/lanes/1/cart/cancel", {})

    cart = ring(sara, "2", [DISH])
    sara.put(f"/lanes/2/cart/lines/{cart['lines'][0]['id']}/discount",
             {"kind": "percent", "value": 1000})
    sara_sales = [cash(sara, "2", 3000)]
    cart = ring(sara, "2", [DISH])
    sara.put(f"/lanes/2/cart/lines/{cart['lines'][0]['id']}/price",
             {"unit_price": 2500, "approval": MARIA})
    sara_sales.append(cash(sara, "2", 2500))
    for _ in range(2):
        cart = ring(sara, "2", [DISH, MILK])
        sara.post(f"/lanes/2/cart/lines/{cart['lines'][1]['id']}/void", {})
        sara_sales.append(cash(sara, "2", 3000))
    for _ in range(6):
        ring(sara, "2", [DISH])
        sara_sales.append(cash(sara, "2", 3000))
    for i, sale_id in enumerate(sara_sales):
        times[sale_id] = at(14, i)
    line = sara.get(f"/sales/{sara_sales[4]}")["lines"][0]
    sara.post(f"/sales/{sara_sales[4]}/refunds",
              {"lane_id": "2", "lines": [{"line_id": line["id"], "quantity": 1}]}, expect=201)

    ring(maria, "W1", [COFFEE])
    times[cash(maria, "W1", 7000)] = at(11)
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.write() as s:
        s.add(PickupOrder(order_id="o-1", order_no="W-1001", status="reserved",
                          customer_name="Anna", total=3390,
                          lines=[{"sku": "SKU00001", "name": "Mellanmjölk 1,5 % 1 l",
                                  "quantity": 2, "unit_price": 1695}],
                          reserved_until=datetime.now(UTC) + timedelta(days=2)))
    handed = maria.post("/pickups/o-1/hand-over", {"lane_id": "2"})
    assert handed["status"] == "completed" and handed["total"] == 3390
    times[handed["id"]] = at(16)

    times[kiosk_sale(client, admin, webhooks)] = at(0, 10)  # 23:10 UTC the day before
    times[kiosk_sale(client, admin, webhooks)] = at(17, 30)

    erik.post("/lanes/3/training", {"on": True, "approval": MARIA})
    ring(erik, "3", [COFFEE])
    times[cash(erik, "3", 7000)] = at(9)  # training: counted nowhere
    erik.post("/lanes/3/training", {"on": False, "approval": MARIA})

    with db.write() as s:
        for sale_id, when in times.items():
            s.exec(update(Sale).where(col(Sale.id) == sale_id).values(completed_at=when))
        s.exec(update(Sale).where(col(Sale.status) == "cancelled").values(completed_at=at(12)))
        s.exec(update(Refund).values(created_at=at(12, 30)))
        s.exec(update(CashMovement).values(created_at=at(8)))
        rollup.rebuild(s, "Europe/Stockholm")  # the daily sums follow the moved sales


def report(manager: Till, day: date = DAY) -> dict[str, Any]:
    return dict(manager.get(f"/reports/sales?from={day}&to={day}"))


def test_a_scripted_day_adds_up(shop: tuple[TestClient, list[tuple[bytes, str]]]) -> None:
    client, webhooks = shop
    scripted_day(client, webhooks)
    manager = login(client, "maria")
    r = report(manager)
    assert (r["first_day"], r["last_day"], r["timezone"]) == ("2025-03-14", "2025-03-14",
                                                              "Europe/Stockholm")
    assert r["summary"] == {
        "sales": 24, "amount": TOTAL, "average": 3083,  # 739,80 kr / 24 = 30,825 → 30,83
        "refunds": {"count": 5, "amount": 4 * 1695 + 2995},
        "net": TOTAL - 4 * 1695 - 2995, "discounts": 500 + 300,
        "abandoned": {"count": 1, "amount": 1695},
    }
    assert TOTAL == 73980

    hours = {b["key"]: (b["count"], b["amount"]) for b in r["hours"] if b["count"]}
    assert hours == {"00": (1, 6995), "09": (5, 5195 + 4 * 1695), "10": (5, 5 * 1695),
                     "11": (1, 6995), "14": (10, SARA), "16": (1, 3390), "17": (1, 6995)}
    assert [b["key"] for b in r["hours"]] == [f"{h:02d}" for h in range(24)]

    assert [(b["key"], b["count"], b["amount"]) for b in r["channels"]] == [
        ("kassa", 20, ERIK + SARA), ("kiosk", 2, KIOSK), ("mobil", 1, 6995),
        ("hämtning", 1, 3390)]
    assert [(b["label"], b["count"], b["amount"]) for b in r["categories"]] == [
        ("Hem & hushåll", 10, SARA), ("Skafferi", 3, 3 * 6995), ("Mejeri", 12, 12 * 1695),
        ("Tidningar", 1, 3500)]
    assert [(b["label"], b["count"], b["amount"]) for b in r["products"]] == [
        ("Diskmedel 500 ml", 10, SARA), ("Kaffe mellanrost 450 g", 3, 3 * 6995),
        ("Mellanmjölk 1,5 % 1 l", 12, 10 * 1695 + 3390), ("Dagstidning", 1, 3500)]
    assert len(report_top(manager, 2)) == 2

    lanes = {x["key"]: (x["count"], x["amount"], x["refunds"]) for x in r["registers"]}
    assert lanes["1"] == (10, ERIK, {"count": 4, "amount": 4 * 1695})
    assert lanes["2"] == (11, SARA + 3390, {"count": 1, "amount": 2995})
    assert lanes["W1"] == (1, 6995, {"count": 0, "amount": 0})
    assert lanes["K1"] == (2, KIOSK, {"count": 0, "amount": 0})
    assert lanes["3"] == (0, 0, {"count": 0, "amount": 0})  # training only

    people = {c["name"]: c for c in r["cashiers"]}
    assert list(people) == ["Sara Kassör", "Erik Kassör", "Maria Chef", "självbetjäning"]
    erik, sara = people["Erik Kassör"], people["Sara Kassör"]
    assert (erik["sales"], erik["amount"], erik["refunds"]) == (
        10, ERIK, {"count": 4, "amount": 6780})
    assert (erik["voided_lines"], erik["discounts"], erik["price_overrides"]) == (
        1, {"count": 1, "amount": 500}, {"count": 0, "amount": 0})
    assert (erik["no_sales"], erik["abandoned"]) == (1, {"count": 1, "amount": 1695})
    assert (sara["sales"], sara["amount"], sara["refunds"]) == (
        10, SARA, {"count": 1, "amount": 2995})
    assert (sara["voided_lines"], sara["discounts"], sara["price_overrides"]) == (
        2, {"count": 1, "amount": 300}, {"count": 1, "amount": 495})
    assert (sara["no_sales"], sara["abandoned"]) == (0, {"count": 0, "amount": 0})
    assert (people["Maria Chef"]["sales"], people["Maria Chef"]["amount"]) == (2, MARIA_SOLD)
    kiosk = people["självbetjäning"]
    assert (kiosk["self_service"], kiosk["user_id"], kiosk["sales"], kiosk["amount"]) == (
        True, None, 2, KIOSK)

    # Erik gave back 4 on 10 sales (40 per 100); the only other cashier with 5+ sales, Sara,
    # 1 on 10: 4 times her rate. Nothing else comes near.
    assert [(f["name"], f["metric"]) for f in r["flags"]] == [("Erik Kassör", "refunds")]
    assert r["flags"][0]["message"] == (
        "Erik Kassör: 4 returer på 10 köp – 4 gånger butikens mittvärde (10 per 100 köp).")
    assert (erik["flags"], sara["flags"], kiosk["flags"]) == (["refunds"], [], [])


def report_top(manager: Till, top: int) -> list[dict[str, Any]]:
    return list(manager.get(f"/reports/sales?from={DAY}&to={DAY}&top={top}")["products"])


def test_days_follow_the_store_clock(shop: tuple[TestClient, list[tuple[bytes, str]]]) -> None:
    client, _ = shop
    erik, manager = login(client, "erik"), login(client, "maria")
    erik.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    ids = []
    for _ in range(3):
        ring(erik, "1", [MILK])
        ids.append(cash(erik, "1", 2000))
    summer = date(2025, 6, 14)  # summer time: UTC+2
    when = [at(10, 30, summer), at(23, 59, summer), at(0, 0, summer + timedelta(days=1))]
    with client.app.state.db.write() as s:  # type: ignore[attr-defined]
        for sale_id, moment in zip(ids, when, strict=True):
            s.exec(update(Sale).where(col(Sale.id) == sale_id).values(completed_at=moment))
        rollup.rebuild(s, "Europe/Stockholm")
    hours = {b["key"]: b["count"] for b in report(manager, summer)["hours"] if b["count"]}
    assert hours == {"10": 1, "23": 1}  # 08:30 and 21:59 UTC
    two_days = manager.get(f"/reports/sales?from={summer}&to={summer + timedelta(days=1)}")
    assert two_days["summary"]["sales"] == 3
    today = datetime.now(STOCKHOLM).date()
    week = manager.get(f"/reports/sales?from={today - timedelta(days=6)}")  # up to today
    assert (week["first_day"], week["last_day"]) == (str(today - timedelta(days=6)), str(today))
    only_to = manager.get(f"/reports/sales?to={summer}")  # that one day
    assert (only_to["first_day"], only_to["summary"]["sales"]) == (str(summer), 2)


def test_charts_are_svg_in_kronor(shop: tuple[TestClient, list[tuple[bytes, str]]]) -> None:
    client, webhooks = shop
    scripted_day(client, webhooks)
    manager = login(client, "maria")
    for name in ("hour", "channel", "products", "categories", "cashiers"):
        r = client.get(f"/api/v1/reports/charts/{name}.svg?from={DAY}&to={DAY}",
                       headers=manager.headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "image/svg+xml"
        assert r.text.startswith("<svg") and 'role="img"' in r.text
    hour = client.get(f"/api/v1/reports/charts/hour.svg?from={DAY}&to={DAY}",
                      headers=manager.headers).text
    assert 'data-label="14" data-value="29155"' in hour and "291,55 kr" in hour
    channel = client.get(f"/api/v1/reports/charts/channel.svg?from={DAY}&to={DAY}",
                         headers=manager.headers).text
    assert "hämtning: 33,90 kr" in channel and "kassa: 496,05 kr" in channel
    empty = client.get("/api/v1/reports/charts/products.svg?from=2024-01-01&to=2024-01-01",
                       headers=manager.headers)
    assert empty.status_code == 200 and "Inga data" in empty.text


def test_the_overview_shows_today_and_what_needs_looking_at(
        shop: tuple[TestClient, list[tuple[bytes, str]]]) -> None:
    client, _ = shop
    erik, sara, manager = login(client, "erik"), login(client, "sara"), login(client, "maria")
    erik.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    ring(erik, "1", [COFFEE])
    sold = erik.pay_cash("1", 7000)
    erik.post(f"/sales/{sold['id']}/refunds",
              {"lane_id": "1", "lines": [{"line_id": sold["lines"][0]["id"], "quantity": 1}]},
              expect=201)
    ring(erik, "1", [MILK, MILK])  # left in the cart
    sara.post("/lanes/2/shift/open", {"counted": 0}, expect=201)
    ring(sara, "2", [DISH])
    cash(sara, "2", 3000)
    z = sara.post("/lanes/2/z-report", {}, expect=201)
    with client.app.state.db.write() as s:  # type: ignore[attr-defined]
        s.exec(update(Product).where(col(Product.sku) == "SKU00154").values(on_hand=-3))
        s.add(PickupOrder(order_id="o-9", order_no="W-9", status="reserved",
                          customer_name="Bo", reserved_until=datetime.now(UTC) - timedelta(1)))
        s.add(SyncRejection(seq=7, event_id="e-7", reason="okänd vara"))

    o = manager.get("/reports/overview")
    assert o["day"] == datetime.now(STOCKHOLM).date().isoformat()
    assert o["summary"]["sales"] == 2 and o["summary"]["amount"] == 6995 + 2995
    assert o["summary"]["refunds"] == {"count": 1, "amount": 6995}
    assert o["open_carts"] == {"count": 1, "amount": 2 * 1695}
    lanes = {lane["id"]: lane for lane in o["lanes"]}
    assert lanes["1"]["open_cart"] == 3390 and lanes["1"]["latest_z"] is None
    assert lanes["2"]["latest_z"]["id"] == z["id"] and lanes["2"]["latest_z"]["z_no"] == 1
    assert lanes["2"]["latest_z"]["sales_total"] == 2995
    stock = o["stock"]
    assert (stock["negative"], stock["pickups_overdue"], stock["sync_rejected"]) == (1, 1, 1)
    kinds = [item["kind"] for item in stock["items"]]
    assert kinds == ["negative", "pickup_overdue", "sync_rejected"]
    assert "Diskmedel 500 ml (SKU00154): -3 st i lager." in stock["items"][0]["message"]
    assert o["in_doubt"] == [] and o["devices"] == [] and o["readers"] == []
    assert o["sync"]["enabled"] is False and o["sync"]["waiting"] > 0
    if o["card_settlements_available"]:
        assert lanes["1"]["card_settlement"] is None
    else:
        assert "saknas" in o["card_settlements_message"]


def test_bad_input_is_a_clear_4xx(shop: tuple[TestClient, list[tuple[bytes, str]]]) -> None:
    client, _ = shop
    manager, cashier = login(client, "maria"), login(client, "erik")
    for query, status, words in (
        ("from=2025-13-01", 422, "from"),
        ("to=yesterday", 422, "to"),
        ("from=2025-03-02&to=2025-03-01", 422, "after"),
        ("from=2024-01-01&to=2025-01-01", 422, "366"),
        ("from=1900-01-01&to=1900-01-02", 422, "between"),
        ("from=3000-01-01", 422, "between"),
        ("to=9999-12-31", 422, "between"),
        ("top=0", 422, "top"),
        ("top=abc", 422, "top"),
    ):
        r = client.get(f"/api/v1/reports/sales?{query}", headers=manager.headers)
        assert r.status_code == status, (query, r.text)
        assert words in r.json()["message"], (query, r.text)
        chart = client.get(f"/api/v1/reports/charts/hour.svg?{query}", headers=manager.headers)
        assert chart.status_code in (status, 200) if query.startswith("top") else (
            chart.status_code == status), (query, chart.text)
    assert client.get("/api/v1/reports/sales?from=2024-01-01&to=2024-12-31",
                      headers=manager.headers).status_code == 200  # 366 days: a leap year
    r = client.get("/api/v1/reports/charts/pie.svg", headers=manager.headers)
    assert r.status_code == 404 and "hour, channel" in r.json()["message"]
    assert client.get(f"/api/v1/reports/charts/{'x' * 300}.svg",
                      headers=manager.headers).status_code in (404, 422)
    for path in ("/reports/sales", "/reports/overview", "/reports/charts/hour.svg"):
        assert client.get(f"/api/v1{path}").status_code == 401
        refused = client.get(f"/api/v1{path}", headers=cashier.headers)
        assert refused.status_code == 403 and "reports.read" in refused.json()["message"]


def test_the_page_is_served(shop: tuple[TestClient, list[tuple[bytes, str]]]) -> None:
    client, _ = shop
    page = client.get("/manager")
    assert page.status_code == 200 and "Kassa Demo Livs" in page.text
    assert "/kiosk/manager/manager.js" in page.text and "{{" not in page.text
    assert client.get("/kiosk/manager/manager.js").status_code == 200
