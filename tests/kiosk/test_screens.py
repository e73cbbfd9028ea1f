"""The kiosk's screens at both orientations, its languages, and calling staff."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.conftest import HubProcess
from tests.kiosk.conftest import LANDSCAPE, PORTRAIT, HubApi, scan, screenshot

MILK = "7310005000015"
SNUS = "7310005001845"  # age limit 18


@pytest.mark.parametrize(("name", "viewport"), [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_the_shop_fits_without_horizontal_scroll(open_kiosk: Any, name: str,
                                                 viewport: dict[str, int]) -> None:
    page = open_kiosk(viewport)
    page.click("#attract-start")
    page.wait_for_selector(".product")  # the catalog is in
    scan(page, MILK)
    page.wait_for_selector(".line")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth,"
                           " window.innerWidth]")
    assert max(widths[:2]) <= widths[2] == viewport["width"]
    pay = page.locator("#pay-btn").bounding_box()
    assert pay["x"] + pay["width"] <= viewport["width"]
    assert pay["y"] + pay["height"] <= viewport["height"]
    assert pay["height"] >= 80  # a thumb can hit it
    screenshot(page, f"shop-{name}")


def test_browse_search_and_language_switch(open_kiosk: Any) -> None:
    page = open_kiosk()
    page.click("#attract-start")
    page.locator(".chip", has_text="Mejeri").click()
    page.locator(".product", has_text="Filmjölk 1 l").first.wait_for()
    assert all(t != "Cola 1,5 l" for t in page.locator(".product-name").all_text_contents())
    page.fill("#search", "kanel")
    page.locator(".product", has=page.get_by_text("Kanelbulle 1 st", exact=True)).click()
    page.locator(".line", has_text="Kanelbulle 1 st").wait_for()
    assert page.text_content("#pay-btn") == "Betala med kort"

    page.click("#lang-btn")
    page.wait_for_function("document.querySelector('#pay-btn').textContent === 'Pay by card'")
    assert page.text_content("#cart-total") == "15,00\u00a0kr"
    assert page.locator(".line .remove").first.text_content() == "Remove"
    screenshot(page, "shop-english")
    page.reload()  # the choice sticks on this kiosk
    page.wait_for_selector("#screen-shop", state="visible")
    assert page.text_content("#pay-btn") == "Pay by card"
    page.click("#lang-btn")
    page.wait_for_function("document.querySelector('#pay-btn').textContent === 'Betala med kort'")


def test_age_limited_item_and_help_call_staff(open_kiosk: Any, hub: HubProcess,
                                             api: HubApi) -> None:
    token = api.login("erik")["Authorization"].split()[1]
    seen: list[dict[str, Any]] = []
    ready = threading.Event()

    def staff_screen() -> None:
        with connect(f"ws://127.0.0.1:{hub.port}/api/v1/ws?token={token}") as ws:
            ready.set()
            while len(seen) < 2:
                msg = json.loads(ws.recv(timeout=20))
                if msg["type"] == "assist.requested":
                    seen.append(msg)

    watcher = threading.Thread(target=staff_screen, daemon=True)
    watcher.start()
    assert ready.wait(10)
    page = open_kiosk()
    scan(page, SNUS)
    page.wait_for_selector("#modal", state="visible")
    assert "18" in page.text_content("#modal-text")
    screenshot(page, "age-check")
    page.click("#modal-ok")
    assert page.locator(".line .badge").text_content() == "Ålderskontroll"
    page.click("#help-btn")
    page.wait_for_selector("#toast", state="visible")
    watcher.join(20)
    assert [(m["lane"], m["reason"]) for m in seen] == [("K1", "age_check"), ("K1", "help")]
    assert "Snus" in seen[0]["note"]
    # Payment waits for staff to check the ID; the cashier's confirmation unlocks it.
    page.wait_for_selector("#age-wait", state="visible")
    assert page.is_disabled("#pay-btn") and page.is_disabled("#qr-btn")
    checked = api.http.post("/lanes/K1/cart/age-check", headers=api.login("erik"))
    assert checked.status_code == 200, checked.text
    page.wait_for_selector("#age-wait", state="hidden")
    assert page.is_enabled("#pay-btn")


def test_a_wrong_pairing_code_is_refused(browser: Any, hub: HubProcess) -> None:
    context = browser.new_context(viewport=PORTRAIT)
    try:
        page = context.new_page()
        page.goto(f"{hub.url}/kiosk/")
        page.fill("#pair-code", "XXXX-XXXX")
        page.click("#pair-submit")
        page.wait_for_function("document.querySelector('#pair-error').textContent !== ''")
        assert page.evaluate("document.body.dataset.screen") == "pairing"
        assert page.evaluate("localStorage.getItem('kassa.kiosk.token')") is None
        screenshot(page, "pairing")
    finally:
        context.close()
