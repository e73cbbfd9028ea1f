"""The customer display (/display/{lane}) in a real headless chromium against a real hub: a
cashier sells on lane 1 over the HTTP API and the display mirrors it live."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from drivers.emulators.zvt import ZvtEmulator
from tests.conftest import PINS, HubProcess
from tests.kiosk.conftest import LANDSCAPE, PORTRAIT, screenshot

LANE = "1"
MILK = "7310005000015"  # 16,95 kr, 12 % VAT
DISH_SOAP = "7310005001548"  # 29,95 kr, 25 % VAT
BANANAS = "2300101000007"  # 24,95 kr/kg
NBSP = "\u00a0"


def kr(minor: int) -> str:
    """Money as the display writes it: '1 234,50 kr' with no-break spaces."""
    whole, frac = divmod(abs(minor), 100)
    grouped = f"{whole:,}".replace(",", NBSP)
    return f"{'−' if minor < 0 else ''}{grouped},{frac:02d}{NBSP}kr"


class Till:
    """Staff at the hub's HTTP API: an admin making codes, a cashier selling on a lane."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/api/v1", timeout=15)
        self.headers = {name: self._login(name) for name in ("admin", "erik", "sara")}

    def _login(self, username: str) -> dict[str, str]:
        r = self.http.post("/auth/login", json={"username": username, "pin": PINS[username]})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def pairing_code(self, lane: str = LANE, role: str = "display") -> str:
        r = self.http.post("/devices/pairing-codes", json={"role": role, "lane_id": lane},
                           headers=self.headers["admin"])
        r.raise_for_status()
        return str(r.json()["code"])

    def display_token(self, lane: str = LANE) -> str:
        r = self.http.post("/devices/pair", json={"code": self.pairing_code(lane), "name": "t"})
        r.raise_for_status()
        return str(r.json()["token"])

    def call(self, method: str, path: str, cashier: str = "erik", **body: Any) -> Any:
        r = self.http.request(method, path, json=body if method != "GET" else None,
                              headers=self.headers[cashier])
        assert r.status_code < 300, r.text
        return r.json()

    def open_shift(self, lane: str, cashier: str) -> None:
        r = self.http.post(f"/lanes/{lane}/shift/open", json={"counted": 100000},
                           headers=self.headers[cashier])
        assert r.status_code in (200, 201, 409), r.text

    def scan(self, code: str, lane: str = LANE, cashier: str = "erik", **extra: Any) -> Any:
        return self.call("POST", f"/lanes/{lane}/cart/items", cashier, code=code, **extra)

    def empty_lane(self, lane: str = LANE) -> None:
        cart = self.http.get(f"/lanes/{lane}/cart", headers=self.headers["erik"]).json()
        if cart["status"] == "open" and cart["lines"]:
            self.call("POST", f"/lanes/{lane}/cart/cancel",
                      approval={"username": "maria", "pin": PINS["maria"]})


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, emulator: ZvtEmulator) -> Iterator[HubProcess]:
    env = {"KASSA_CARD_READERS": json.dumps({LANE: f"zvt:{emulator.url}"}),
           "KASSA_READER_POLL_SECONDS": "0.5", "KASSA_CARD_ANSWER_SECONDS": "20"}
    process = HubProcess(tmp_path_factory.mktemp("display") / "hub", env)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def till(hub: HubProcess) -> Iterator[Till]:
    staff = Till(hub.url)
    staff.open_shift(LANE, "erik")
    yield staff
    staff.http.close()


@pytest.fixture
def open_display(browser: Any, hub: HubProcess, till: Till) -> Iterator[Callable[..., Any]]:
    """A fresh browser (empty storage) on /display/1, paired by typing a code, on welcome."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(query: str = "", viewport: dict[str, int] = LANDSCAPE,
              before_load: Callable[[Any], None] | None = None) -> Any:
        till.empty_lane()
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if before_load:
            before_load(page)
        page.goto(f"{hub.url}/display/{LANE}{query}")
        page.wait_for_selector("#screen-pairing", state="visible")
        page.fill("#pair-code", till.pairing_code())
        page.click("#pair-submit")
        page.wait_for_selector("#screen-welcome", state="visible")
        page.wait_for_function("document.body.dataset.link === 'open'")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the display page: {errors}"


def lines_on(page: Any) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".line .line-name").all_text_contents()]


def test_scans_show_at_once_then_a_cash_sale_thanks_with_change_and_receipt_qr(
        open_display: Any, till: Till) -> None:
    page = open_display()
    assert page.text_content(".welcome-store") == "Kassa Demo Livs"
    assert page.text_content("#lane-name") == "Kassa 1"
    screenshot(page, "display-welcome")

    till.scan(MILK, quantity=2)
    cart = till.scan(DISH_SOAP)
    shown = time.monotonic()
    page.wait_for_function(
        "([n, total]) => document.querySelectorAll('.line').length === n"
        " && document.querySelector('#total').textContent === total",
        arg=[2, kr(cart["total"])], timeout=1000)
    assert time.monotonic() - shown < 1.0
    assert page.is_visible("#screen-cart")
    assert lines_on(page) == ["Mellanmjölk 1,5 % 1 l", "Diskmedel 500 ml"]
    assert page.text_content(".line .line-detail") == f"2 × {kr(1695)}"
    assert page.text_content(".line .line-amount") == kr(2 * 1695)
    vat = page.locator("#vat dt").all_text_contents()
    assert sorted(vat) == ["varav moms 12 %", "varav moms 25 %"]  # in the receipt's order

    # A weighed item and a discount are shown the way the receipt will show them.
    bananas_id = till.call("GET", f"/products/by-barcode/{BANANAS}")["id"]
    cart = till.call("POST", f"/lanes/{LANE}/cart/items", product_id=bananas_id, weight_g=734)
    line = cart["lines"][-1]
    cart = till.call("PUT", f"/lanes/{LANE}/cart/lines/{line['id']}/discount",
                     kind="percent", value=1000)
    page.wait_for_selector(".line.discounted")
    bananas = page.locator(".line").nth(2)
    assert bananas.locator(".line-detail").text_content() == f"0,734 kg × {kr(2495)}/kg"
    assert bananas.locator(".line-discount").text_content().startswith("Rabatt −")
    assert page.text_content("#total") == kr(cart["total"])
    assert page.is_visible("#saved")
    page.evaluate("document.getAnimations().forEach((a) => a.finish())")
    screenshot(page, "display-cart")

    # Cash, more than the total: the thank-you with the change and the digital-receipt QR.
    tendered = (cart["total"] // 100 + 100) * 100
    with page.expect_response(lambda r: r.url.endswith("/qr.svg")) as receipt_qr:
        sale = till.call("POST", f"/lanes/{LANE}/cart/tenders/cash", tendered=tendered,
                         request_id=str(uuid.uuid4()))
        page.wait_for_selector("#screen-thanks", state="visible")
    assert sale["status"] == "completed" and sale["change"] > 0
    assert receipt_qr.value.status == 200
    assert receipt_qr.value.headers["content-type"].startswith("image/svg+xml")
    assert receipt_qr.value.url.endswith(f"/receipt/{sale['id']}/qr.svg")
    page.wait_for_function("document.querySelector('#receipt-qr').naturalWidth > 0")
    assert page.text_content("#change") == f"Växel tillbaka: {kr(sale['change'])}"
    assert page.text_content(".tender-cash + dd") == kr(tendered)
    screenshot(page, "display-thanks")

    # The next shopper's first item ends the thank-you.
    till.scan(MILK)
    page.wait_for_selector("#screen-cart", state="visible")
    assert lines_on(page) == ["Mellanmjölk 1,5 % 1 l"]


def test_a_qr_payment_shows_the_code_to_scan_and_its_outcome(open_display: Any,
                                                             till: Till) -> None:
    page = open_display(viewport=PORTRAIT)
    cart = till.scan(DISH_SOAP)
    page.wait_for_selector(".line")
    qr = till.call("POST", f"/lanes/{LANE}/cart/tenders/qr", request_id=str(uuid.uuid4()))
    page.wait_for_selector("#pay-panel[data-kind='qr'][data-state='presented']")
    page.wait_for_function("document.querySelector('#pay-qr').naturalWidth > 0")
    assert page.is_visible("#pay-qr")
    assert page.text_content("#pay-status") == "Scanna koden med mobilen"
    assert page.text_content("#pay-amount") == kr(cart["due"])
    screenshot(page, "display-qr")

    till.call("POST", f"/qr/{qr['id']}/cancel")
    page.wait_for_selector("#pay-panel[data-state='cancelled']")
    assert page.text_content("#pay-status") == "Betalningen avbröts"
    assert page.is_hidden("#pay-qr")


def test_a_card_payment_shows_the_terminal_s_steps_in_words(open_display: Any, till: Till,
                                                           emulator: ZvtEmulator) -> None:
    page = open_display()
    page.evaluate("""window.seen = [];
        new MutationObserver(() => window.seen.push(
            document.querySelector('#pay-status').textContent))
          .observe(document.querySelector('#pay-status'), {childList: true});""")
    cart = till.scan(MILK)
    page.wait_for_selector(".line")

    emulator.script.extend(["decline"])
    till.call("POST", f"/lanes/{LANE}/cart/tenders/card", request_id=str(uuid.uuid4()))
    page.wait_for_selector("#pay-panel[data-kind='card'][data-state='declined']")
    assert page.text_content("#pay-status") == "Kortet nekades"
    assert page.is_visible("#screen-cart")  # the cart stays for another try

    emulator.script.extend(["slow_cardholder:1.5"])
    till.call("POST", f"/lanes/{LANE}/cart/tenders/card", request_id=str(uuid.uuid4()))
    page.wait_for_function(
        "document.querySelector('#pay-status').textContent === 'Sätt i kortet'")
    assert page.text_content("#pay-amount") == kr(cart["due"])
    screenshot(page, "display-card")
    page.wait_for_selector("#screen-thanks", state="visible")
    assert page.text_content(".tender-card + dd") == kr(cart["total"])
    assert page.is_hidden("#change")  # nothing to give back on a card
    seen = page.evaluate("window.seen")
    steps = [step for step in ("Sätt i kortet", "Slå PIN-kod", "Godkänt") if step in seen]
    assert steps[:2] == ["Sätt i kortet", "Slå PIN-kod"], seen


def test_the_link_drops_a_small_offline_mark_shows_and_it_resyncs(open_display: Any,
                                                                  till: Till) -> None:
    link = {"down": False}

    def socket_route(ws: Any) -> None:
        if link["down"]:
            ws.close()
        else:
            ws.connect_to_server()

    page = open_display(query="?lang=en", before_load=lambda p: p.route_web_socket(
        re.compile(r".*/api/v1/ws.*"), socket_route))
    assert page.text_content(".welcome-title") == "Welcome!"
    till.scan(MILK)
    page.wait_for_selector(".line")

    link["down"] = True
    page.evaluate("window.__kioskSocket.close()")
    page.wait_for_selector("#offline", state="visible")
    till.scan(DISH_SOAP)  # sold while the display cannot hear
    page.wait_for_timeout(300)
    assert lines_on(page) == ["Mellanmjölk 1,5 % 1 l"]  # the last known cart, never blank
    assert page.is_visible("#screen-cart")
    screenshot(page, "display-offline")

    link["down"] = False  # back-off reconnects; the snapshot brings the missed line
    page.wait_for_selector("#offline", state="hidden")
    page.wait_for_function("document.querySelectorAll('.line').length === 2")
    assert page.text_content(".total-label") == "To pay"


def test_a_display_of_lane_1_cannot_watch_lane_2(browser: Any, hub: HubProcess,
                                                 till: Till) -> None:
    till.open_shift("2", "sara")
    till.empty_lane("2")
    till.scan(DISH_SOAP, lane="2", cashier="sara")
    token = till.display_token(LANE)

    # The hub: no cart, no subscription for another lane.
    r = till.http.get("/lanes/2/cart", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    url = hub.url.replace("http", "ws")
    with connect(f"{url}/api/v1/ws?token={token}") as ws:
        assert json.loads(ws.recv(timeout=5))["lanes"] == [LANE]
        assert json.loads(ws.recv(timeout=5))["type"] == "cart.updated"
        ws.send(json.dumps({"type": "subscribe", "lanes": ["2"]}))
        answer = json.loads(ws.recv(timeout=5))
        assert answer["type"] == "error" and "lane 1" in answer["message"]

    # The page: a lane-1 token left where the lane-2 display keeps its token is dropped.
    context = browser.new_context(viewport=LANDSCAPE)
    try:
        context.add_init_script(
            f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1');"
            f" localStorage.setItem('kassa.display.2.token', {json.dumps(token)}); }}")
        page = context.new_page()
        page.goto(f"{hub.url}/display/2")
        page.wait_for_selector("#screen-pairing", state="visible")
        page.wait_for_function("document.querySelector('#pair-error').textContent !== ''")
        assert "får inte visa Kassa 2" in page.text_content("#pair-error")
        assert page.evaluate("localStorage.getItem('kassa.display.2.token')") is None
        assert "Diskmedel" not in page.text_content("body")

        # A code made for lane 1, typed on lane 2's display, is refused too.
        page.fill("#pair-code", till.pairing_code(LANE))
        page.click("#pair-submit")
        page.wait_for_function(
            "document.querySelector('#pair-error').textContent.includes('annan kassa (1)')")
        assert page.evaluate("localStorage.getItem('kassa.display.2.token')") is None
        screenshot(page, "display-wrong-lane")

        # So is a kiosk's code: a screen facing the shopper gets no right to sell.
        page.fill("#pair-code", till.pairing_code("2", role="kiosk"))
        page.click("#pair-submit")
        page.wait_for_function(
            "document.querySelector('#pair-error').textContent.includes('inte en kunddisplay')")
        assert page.evaluate("localStorage.getItem('kassa.display.2.token')") is None
    finally:
        context.close()
        till.empty_lane("2")


@pytest.mark.parametrize("lane", ["NOPE", "bad id!", "x" * 40])
def test_an_unknown_lane_is_a_404_page(browser: Any, hub: HubProcess, lane: str) -> None:
    context = browser.new_context(viewport=LANDSCAPE)
    try:
        page = context.new_page()
        response = page.goto(f"{hub.url}/display/{lane}")
        assert response is not None and response.status == 404
        assert page.text_content("h1") == "Kassan finns inte"
        assert "ingen kassa" in page.text_content("#not-found")
        if lane == "NOPE":
            screenshot(page, "display-404")
    finally:
        context.close()
