"""Head office's dashboard against a real PostgreSQL: sales pushed by two hubs (and a third
that went quiet) through the real push API, checked against figures worked out by hand."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sync.central.api.session import COOKIE, check_password, hash_password
from sync.central.app import create_app
from sync.central.cli import central_app
from sync.central.config import CentralSettings
from tests.central.conftest import ADMIN, T0, Central, counted, event, moved, settings_for

PASSWORD = "Kanelbulle-Torsdag-42"
SVG = "{http://www.w3.org/2000/svg}"
# T0 is 2026-03-02 09:00 UTC: 10:00 in Stockholm (CET, UTC+1).


@pytest.fixture
def board(db_url: str) -> Iterator[Central]:
    """Central with a dashboard password, its clock at T0."""
    app = create_app(settings_for(db_url, dashboard_password_hash=hash_password(PASSWORD)))
    clock = [T0]
    app.state.clock = lambda: clock[0]
    with TestClient(app) as client:
        yield Central(client, clock)


def line(sku: str, net: int, vat: int, quantity: int = 1, **kw: Any) -> dict[str, Any]:
    """A receipt line as the hub sends it (net is the VAT-inclusive line amount)."""
    return {"sku": sku, "name": f"Hub name {sku}", "quantity": quantity, "net": net,
            "vat": vat, "vat_rate_bp": 1200, **kw}


def sale(seq: int, sale_id: str, at: datetime, *lines: dict[str, Any]) -> dict[str, Any]:
    """A sale.completed event; the total is the sum of the lines that count."""
    total = sum(ln["net"] for ln in lines if not ln.get("voided"))
    return event(seq, "sale.completed", {
        "id": sale_id, "lane_id": "1", "receipt_no": seq, "currency": "SEK", "total": total,
        "completed_at": at.isoformat(), "lines": list(lines)}, at=at)


def refund(seq: int, refund_id: str, sale_id: str, at: datetime, total: int,
           vat: int) -> dict[str, Any]:
    """A refund.completed event."""
    return event(seq, "refund.completed", {"id": refund_id, "sale_id": sale_id, "total": total,
                                           "vat": vat, "lines": []}, at=at)


def a_day_of_trading(c: Central) -> None:
    """Malmö, Lund and Umeå trade on 2 March; Umeå's hub then goes quiet for two hours."""
    for store, name in (("malmo", "Kassa Malmö"), ("lund", "Kassa Lund"), ("umea", "Kassa Umeå")):
        c.add_store(store, name)
    c.product("kaffe", 4500, name="Kaffe mellanrost 500 g")
    c.product("bulle", 2500, name="Kanelbulle")
    c.push("umea", [sale(1, "U1", T0 - timedelta(hours=1), line("bulle", 1200, 129))])  # 09 local
    c.advance(hours=2)  # 12:00 local: Umeå has not been heard from since 10:00
    c.push("malmo", [
        sale(1, "M0", datetime.fromisoformat("2026-03-01T22:30:00+00:00"),  # 23:30 on 1 March
             line("bulle", 2500, 268)),
        sale(2, "M1", datetime.fromisoformat("2026-03-01T23:30:00+00:00"),  # 00:30 on 2 March
             line("bulle", 2500, 268)),
        sale(3, "M2", T0, line("kaffe", 4500, 482), line("bulle", 2500, 268)),  # 10:00
        sale(4, "M3", T0 + timedelta(hours=1), line("kaffe", 9000, 964, quantity=2)),  # 11:00
        refund(5, "R1", "M2", T0 + timedelta(hours=1, minutes=30), 4500, 482),  # 11:30
    ])
    c.push("lund", [
        sale(1, "L1", T0 + timedelta(minutes=30),  # 10:30, with a voided line
             line("bulle", 2500, 268), line("kaffe", 4500, 482, voided=True)),
        moved(2, ("no-such-sku", -1)),  # rejected: central does not know the sku
        counted(3, ("kaffe", 2)),
    ])
    c.order("lund", ("kaffe", 2))
    c.push("lund", [moved(4, ("kaffe", -1))])  # the till sells one of the two held: conflict


def figures(c: Central, **params: str) -> Any:
    r = c.client.get("/admin/v1/dashboard", params=params, headers=c.admin)
    assert r.status_code == 200, r.text
    return r.json()


def test_todays_takings_per_store_and_for_the_chain(board: Central) -> None:
    a_day_of_trading(board)
    data = figures(board)
    assert data["day"] == "2026-03-02" and data["is_today"] is True
    assert data["timezone"] == "Europe/Stockholm" and data["currencies"] == ["SEK"]
    stores = {s["store_id"]: s for s in data["stores"]}
    takings = ("sales", "gross", "vat", "refunds", "refunded", "refunded_vat", "net")
    assert {k: stores["malmo"][k] for k in takings} == {
        "sales": 3, "gross": 2500 + 7000 + 9000, "vat": 268 + 750 + 964,
        "refunds": 1, "refunded": 4500, "refunded_vat": 482, "net": 18500 - 4500}
    assert {k: stores["lund"][k] for k in takings} == {
        "sales": 1, "gross": 2500, "vat": 268, "refunds": 0, "refunded": 0, "refunded_vat": 0,
        "net": 2500}
    assert {k: stores["umea"][k] for k in takings} == {
        "sales": 1, "gross": 1200, "vat": 129, "refunds": 0, "refunded": 0, "refunded_vat": 0,
        "net": 1200}
    assert data["totals"] == {"sales": 5, "gross": 22200, "vat": 2379, "refunds": 1,
                              "refunded": 4500, "refunded_vat": 482, "net": 17700}


def test_a_store_silent_longer_than_the_cut_off_is_flagged(board: Central) -> None:
    a_day_of_trading(board)
    stores = {s["store_id"]: s["sync"] for s in figures(board)["stores"]}
    assert stores["umea"]["silent"] is True
    assert stores["umea"]["silent_seconds"] == 2 * 3600
    assert stores["umea"]["last_seq"] == 1
    assert stores["malmo"]["silent"] is False and stores["malmo"]["silent_seconds"] == 0
    assert stores["malmo"]["last_seq"] == 5
    assert stores["malmo"]["lag_seconds"] == 30 * 60  # newest event: the 11:30 refund
    assert stores["lund"]["rejected_today"] == 1 and stores["malmo"]["rejected_today"] == 0
    board.add_store("kiruna", "Kassa Kiruna")  # never heard from
    kiruna = next(s for s in figures(board)["stores"] if s["store_id"] == "kiruna")
    assert kiruna["sync"]["silent"] is True and kiruna["sync"]["last_contact"] is None
    assert kiruna["sales"] == 0 and kiruna["net"] == 0


def test_sales_per_hour_are_local_hours_net_of_refunds(board: Central) -> None:
    a_day_of_trading(board)
    hours = {h["hour"]: h["net"] for h in figures(board)["hourly"]}
    assert list(hours) == [f"{h:02d}" for h in range(0, 22)]  # from the 00:30 sale to closing
    assert hours["00"] == 2500 and hours["09"] == 1200
    assert hours["10"] == 7000 + 2500 and hours["11"] == 9000 - 4500
    assert sum(hours.values()) == 17700
    malmo = board.client.get("/admin/v1/dashboard/charts/hourly.svg",
                             params={"store_id": "malmo"}, headers=board.admin)
    assert malmo.status_code == 200 and malmo.headers["content-type"] == "image/svg+xml"
    bars = {b.get("data-label"): int(b.get("data-value", "0"))
            for b in ET.fromstring(malmo.text).iter(f"{SVG}rect") if b.get("class") == "bar"}
    assert bars["00"] == 2500 and bars["10"] == 7000 and bars["11"] == 4500 and bars["09"] == 0


def test_yesterday_is_its_own_day(board: Central) -> None:
    a_day_of_trading(board)
    data = figures(board, day="2026-03-01")
    assert data["is_today"] is False
    assert data["totals"]["sales"] == 1 and data["totals"]["gross"] == 2500
    assert [s["sales"] for s in data["stores"] if s["store_id"] == "malmo"] == [1]
    assert {h["hour"]: h["net"] for h in data["hourly"]}["23"] == 2500


def test_top_products_leave_voided_lines_out(board: Central) -> None:
    a_day_of_trading(board)
    top = figures(board)["top_products"]
    assert [(p["sku"], p["name"], p["quantity"], p["gross"]) for p in top] == [
        ("kaffe", "Kaffe mellanrost 500 g", 3, 4500 + 9000),
        ("bulle", "Kanelbulle", 4, 2500 + 2500 + 2500 + 1200)]
    svg = board.client.get("/admin/v1/dashboard/charts/products.svg", headers=board.admin)
    root = ET.fromstring(svg.text)
    marks = [b for b in root.iter(f"{SVG}rect") if b.get("class") == "bar"]
    assert [m.get("data-label") for m in marks] == ["Kaffe mellanrost 500 g", "Kanelbulle"]
    assert "135,00\u00a0kr" in "".join(root.itertext())


def test_open_stock_conflicts_are_listed(board: Central) -> None:
    a_day_of_trading(board)
    conflicts = figures(board)["conflicts"]
    assert [(c["store_id"], c["store_name"], c["sku"], c["product_name"], c["shortfall"],
             c["orders"]) for c in conflicts] == [
        ("lund", "Kassa Lund", "kaffe", "Kaffe mellanrost 500 g", 1, 1)]


def test_charts_per_store_and_share(board: Central) -> None:
    a_day_of_trading(board)
    stores = board.client.get("/admin/v1/dashboard/charts/stores.svg", headers=board.admin)
    marks = {b.get("data-label"): int(b.get("data-value", "0"))
             for b in ET.fromstring(stores.text).iter(f"{SVG}rect") if b.get("class") == "bar"}
    assert marks == {"Kassa Lund": 2500, "Kassa Malmö": 14000, "Kassa Umeå": 1200}
    share = board.client.get("/admin/v1/dashboard/charts/share.svg", headers=board.admin)
    text = "".join(ET.fromstring(share.text).itertext())
    assert "185,00\u00a0kr · 83 %" in text  # Malmö's gross of the chain's 222 kr


def test_an_empty_day_draws_empty_charts(board: Central) -> None:
    board.add_store("malmo")
    data = figures(board, day="2025-12-24")
    assert data["totals"]["sales"] == 0 and data["top_products"] == []
    for chart in ("hourly", "stores", "share", "products"):
        r = board.client.get(f"/admin/v1/dashboard/charts/{chart}.svg",
                             params={"day": "2025-12-24"}, headers=board.admin)
        assert r.status_code == 200
        ET.fromstring(r.text)
        if chart != "hourly":
            assert "Inga data / No data" in r.text


@pytest.mark.parametrize(("path", "params", "status", "says"), [
    ("", {"day": "2026-02-30"}, 422, "not a day in the calendar"),
    ("", {"day": "yesterday"}, 422, "YYYY-MM-DD"),
    ("", {"day": "1999-12-31"}, 422, "2000"),
    ("", {"day": "2026-03-02T00:00"}, 422, "YYYY-MM-DD"),
    ("/charts/hourly.svg", {"day": "32-01-2026"}, 422, "YYYY-MM-DD"),
    ("/charts/hourly.svg", {"store_id": "nowhere"}, 404, "no store nowhere"),
    ("/charts/products.svg", {"store_id": "nowhere"}, 404, "no store nowhere"),
    ("/charts/products.svg", {"limit": "0"}, 422, "limit"),
    ("/charts/products.svg", {"limit": "many"}, 422, "limit"),
])
def test_bad_input_is_a_clear_4xx(board: Central, path: str, params: dict[str, str],
                                  status: int, says: str) -> None:
    board.add_store("malmo")
    r = board.client.get(f"/admin/v1/dashboard{path}", params=params, headers=board.admin)
    assert r.status_code == status, r.text
    assert says in r.json()["message"]


def test_the_figures_need_head_office(board: Central) -> None:
    token = board.add_store("malmo")
    assert board.client.get("/admin/v1/dashboard").status_code == 401
    hub = {"Authorization": f"Bearer {token}"}
    assert board.client.get("/admin/v1/dashboard", headers=hub).status_code == 401
    assert board.client.get("/admin/v1/dashboard/charts/hourly.svg").status_code == 401
    r = board.client.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"


def test_log_in_with_the_password_and_out_again(board: Central) -> None:
    client = board.client
    page = client.get("/dashboard/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    wrong = client.post("/dashboard/login", data={"password": "kanelbulle"},
                        follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong password" in wrong.text
    assert COOKIE not in client.cookies
    r = client.post("/dashboard/login", data={"password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
    assert PASSWORD not in cookie
    page = client.get("/dashboard")
    assert page.status_code == 200 and 'id="stores"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert client.get("/admin/v1/dashboard").status_code == 200
    assert client.get("/admin/v1/dashboard/charts/share.svg").status_code == 200
    out = client.post("/dashboard/logout", follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/admin/v1/dashboard").status_code == 401


def test_a_forged_or_old_session_is_refused(board: Central) -> None:
    client = board.client
    client.post("/dashboard/login", data={"password": PASSWORD}, follow_redirects=False)
    value = client.cookies[COOKIE]
    expires, nonce, signature = value.split(".")
    client.cookies.set(COOKIE, f"{int(expires) + 10**6}.{nonce}.{signature}")
    assert client.get("/admin/v1/dashboard").status_code == 401
    client.cookies.set(COOKIE, value)
    assert client.get("/admin/v1/dashboard").status_code == 200
    board.advance(hours=12, seconds=1)
    assert client.get("/admin/v1/dashboard").status_code == 401
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_the_admin_token_also_logs_in(board: Central) -> None:
    r = board.client.post("/dashboard/login", data={"password": ADMIN}, follow_redirects=False)
    assert r.status_code == 303


def test_without_any_credential_the_dashboard_stays_shut(db_url: str) -> None:
    app = create_app(CentralSettings(database_url=db_url, admin_token="", sweep_seconds=3600))
    with TestClient(app) as client:
        assert client.get("/dashboard/login").status_code == 403
        r = client.post("/dashboard/login", data={"password": ""}, follow_redirects=False)
        assert r.status_code == 403
        assert client.get("/admin/v1/dashboard").status_code == 401


def test_hash_password_prints_a_hash_the_login_accepts(db_url: str) -> None:
    runner = CliRunner()
    short = runner.invoke(central_app, ["hash-password"], input="kort\nkort\n")
    assert short.exit_code == 1 and "12 characters" in short.output
    done = runner.invoke(central_app, ["hash-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    hashed = done.stdout.strip().splitlines()[-1]
    assert hashed.startswith("$argon2") and PASSWORD not in hashed
    settings = CentralSettings(database_url=db_url, admin_token="",
                               dashboard_password_hash=hashed)
    assert check_password(settings, PASSWORD) and not check_password(settings, "kanelbulle")
