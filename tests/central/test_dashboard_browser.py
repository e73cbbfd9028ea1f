"""The dashboard in a real browser: central served by uvicorn on PostgreSQL, hubs pushing over
HTTP, Debian's chromium (through Playwright) logging in and watching the figures change."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from sync.central.api.session import hash_password
from sync.central.app import create_app
from sync.central.services.dashboard import kronor
from tests.central.conftest import ADMIN, settings_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "Semla-Fettisdag-2026"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FRIDAY = datetime(2026, 3, 6, 16, 45, tzinfo=STOCKHOLM)  # central's clock, whenever tests run
ORDER_LINES = (("kaffe", 4500, "Kaffe mellanrost 500 g"), ("bulle", 2500, "Kanelbulle"),
               ("mjolk", 1695, "Mellanmjölk 1,5 l"), ("brod", 3990, "Surdegsbröd"),
               ("ost", 8900, "Västerbottensost 450 g"))


def eventually(check: Any, timeout: float = 12.0) -> None:
    """Wait until check() is true (polled from Python: the page's CSP forbids eval)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


IMAGES_SHOWN = "[...document.images].every(i => i.complete && i.naturalWidth > 0)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Hub:
    """A store's hub as central sees it: a token and the next outbox seq."""

    store_id: str
    token: str
    seq: int = 0
    sold: list[int] = field(default_factory=list)

    def events(self, *items: tuple[str, dict[str, Any], datetime]) -> list[dict[str, Any]]:
        """Outbox rows for (type, payload, when), numbered on from the last."""
        rows = []
        for type_, payload, at in items:
            self.seq += 1
            rows.append({"seq": self.seq, "event_id": str(uuid.uuid4()), "type": type_,
                         "payload": payload, "occurred_at": at.isoformat(),
                         "hub_clock": at.isoformat()})
        return rows


class Server:
    """Central under uvicorn in a thread, with a clock the test may turn back."""

    def __init__(self, db_url: str) -> None:
        self.app = create_app(settings_for(db_url,
                                           dashboard_password_hash=hash_password(PASSWORD)))
        self.offset = FRIDAY - datetime.now(UTC)
        self.app.state.clock = lambda: datetime.now(UTC) + self.offset
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.http = httpx.Client(base_url=self.url, timeout=15)
        self.admin = {"Authorization": f"Bearer {ADMIN}"}

    def now(self) -> datetime:
        """Central's time."""
        return datetime.now(UTC) + self.offset

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError("central did not start")

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def add_store(self, store_id: str, name: str) -> Hub:
        r = self.http.post("/admin/v1/stores", json={"store_id": store_id, "name": name},
                           headers=self.admin)
        assert r.status_code == 201, r.text
        return Hub(store_id, r.json()["token"])

    def push(self, hub: Hub, *items: tuple[str, dict[str, Any], datetime]) -> None:
        body = gzip.compress(json.dumps({"hub_id": hub.store_id,
                                         "events": hub.events(*items)}).encode())
        r = self.http.post("/sync/v1/push", content=body, headers={
            "Authorization": f"Bearer {hub.token}", "Content-Type": "application/json",
            "Content-Encoding": "gzip"})
        assert r.status_code == 200, r.text


@pytest.fixture
def server(db_url: str) -> Iterator[Server]:
    running = Server(db_url)
    running.start()
    yield running
    running.stop()


def sale(hub: Hub, number: int, at: datetime, lines: list[tuple[str, int, int]]
         ) -> tuple[str, dict[str, Any], datetime]:
    """A sale.completed for (sku, unit price, quantity) lines; VAT 12 % included."""
    receipt: list[dict[str, Any]] = [
        {"sku": sku, "name": sku, "quantity": q, "net": price * q,
         "vat": (price * q * 12 + 56) // 112, "vat_rate_bp": 1200}  # VAT included, half up
        for sku, price, q in lines]
    total = sum(ln["net"] for ln in receipt)
    hub.sold.append(total)
    return ("sale.completed", {"id": f"{hub.store_id}-{number}", "lane_id": "1",
                               "receipt_no": number, "total": total, "currency": "SEK",
                               "completed_at": at.isoformat(), "lines": receipt}, at)


def trade(server: Server) -> dict[str, Hub]:
    """Friday afternoon: three stores have sold since morning; Umeå's hub went quiet at 15:45."""
    for sku, price, name in ORDER_LINES:
        r = server.http.put(f"/admin/v1/products/{sku}", json={
            "name": name, "price": price, "vat_rate_bp": 1200}, headers=server.admin)
        assert r.status_code == 200, r.text
    hubs = {s: server.add_store(s, n) for s, n in (
        ("malmo", "Kassa Malmö Triangeln"), ("lund", "Kassa Lund C"), ("umea", "Kassa Umeå"))}
    now = server.now()

    def before(minutes: float) -> datetime:
        return now - timedelta(minutes=minutes)

    plan = (("malmo", 30, 17, 5), ("lund", 22, 23, 9), ("umea", 14, 29, 65))
    for n, (store, count, spread, last) in enumerate(plan):
        hub = hubs[store]
        items = []
        for i in range(count):
            basket = [(sku, price, 1 + (i + j) % 3)
                      for j, (sku, price, _) in enumerate(ORDER_LINES) if (i + j + n) % 3 != 1]
            items.append(sale(hub, i + 1, before(last + i * spread), basket))
        if store == "umea":
            server.offset -= timedelta(minutes=60)  # this push reached central an hour ago
        server.push(hub, *items)
        if store == "umea":
            server.offset += timedelta(minutes=60)
    malmo = hubs["malmo"]
    server.push(malmo, ("refund.completed", {"id": "R1", "sale_id": "malmo-2", "total": 2500,
                                             "vat": 268, "lines": []}, before(2)))
    lund = hubs["lund"]
    server.push(lund, ("stock.counted", {"ref": "c1", "items": [{"sku": "ost", "counted": 2}]},
                       before(40)))
    r = server.http.post("/shop/v1/orders", json={
        "store_id": "lund", "customer_name": "Karin Berg", "customer_email": "karin@example.se",
        "lines": [{"sku": "ost", "quantity": 2}]})
    assert r.status_code == 201, r.text
    server.push(lund, ("stock.moved", {"reason": "sale", "ref": "x", "items": [
        {"sku": "ost", "delta": -1}]}, before(1)))
    return hubs


def test_head_office_logs_in_and_watches_the_chain(server: Server) -> None:
    hubs = trade(server)
    expected_net = sum(sum(h.sold) for h in hubs.values()) - 2500
    expected_sales = sum(len(h.sold) for h in hubs.values())
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/dashboard")
            page.wait_for_url("**/dashboard/login")
            page.fill("#password", "wrong one")
            page.click("#login-submit")
            page.wait_for_selector("text=Wrong password")
            page.fill("#password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_url("**/dashboard")
            page.wait_for_selector("body[data-loaded=true]")

            assert page.text_content("#total-net") == kronor(expected_net)
            assert page.text_content("#total-sales") == str(expected_sales)
            assert page.text_content("#total-refunded") == kronor(2500)
            assert page.text_content("#day-title") == "idag"
            malmo = page.locator("tr[data-store=malmo]")
            assert malmo.locator("td.net").text_content() == kronor(sum(hubs["malmo"].sold)
                                                                    - 2500)
            assert page.locator("tr[data-store=umea]").get_attribute("class") == "silent"
            assert page.locator("tr[data-store=umea] td.sync").text_content() == "Tyst"
            assert page.locator("tr[data-store=malmo] td.sync").text_content() == "OK"
            assert "Kassa Umeå" in (page.text_content("#silent-banner") or "")
            assert page.is_visible("#silent-banner")
            conflict = page.locator("#conflicts tbody tr")
            assert conflict.count() == 1
            assert "Västerbottensost" in (conflict.text_content() or "")

            images = page.locator("img")
            assert images.count() == 4 + 3  # chain charts and one hourly chart per store
            eventually(lambda: page.evaluate(IMAGES_SHOWN))

            # A new sale at Lund shows within a refresh, without reloading the page.
            extra = sale(hubs["lund"], 99, server.now(), [("ost", 8900, 3)])
            server.push(hubs["lund"], extra)
            eventually(lambda: page.text_content("#total-sales") == str(expected_sales + 1))
            assert page.text_content("#total-net") == kronor(expected_net + 3 * 8900)
            eventually(lambda: page.evaluate(IMAGES_SHOWN))
            page.screenshot(path=str(ARTIFACTS / "central-dashboard.png"), full_page=True)

            page.click("text=Logga ut")
            page.wait_for_url("**/dashboard/login")
            assert page.request.get(f"{server.url}/admin/v1/dashboard").status == 401
        finally:
            browser.close()
    assert errors == []
