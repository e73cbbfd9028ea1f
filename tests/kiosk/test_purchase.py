"""A shopper at the kiosk: scan, change a quantity, pay on the card reader, get the receipt."""

from __future__ import annotations

import re
from typing import Any

import httpx

from drivers.emulators.zvt import ZvtEmulator
from tests.kiosk.conftest import HubApi, approved_debits, scan, screenshot

MILK = "7310005000015"  # Mellanmjölk 1,5 % 1 l, 16,95 kr


def _line(page: Any, name: str) -> Any:
    return page.locator(".line", has=page.locator(".line-name", has_text=name))


def _fill_cart(page: Any, api: HubApi) -> None:
    """Scan milk and coffee by keyboard wedge, then make it two coffees: 16,95 + 2 × 69,95."""
    coffee = [p for p in api.http.get("/products", params={"q": "Kaffe mellanrost"},
                                      headers=api.login("erik")).json()
              if p["name"] == "Kaffe mellanrost 450 g"][0]
    scan(page, MILK)  # typed on the attract screen: the shop opens and takes the scan
    page.wait_for_selector("#screen-shop", state="visible")
    _line(page, "Mellanmjölk 1,5 % 1 l").wait_for()
    scan(page, coffee["gtin"])
    _line(page, "Kaffe mellanrost 450 g").wait_for()
    _line(page, "Kaffe mellanrost 450 g").locator(".qty-more").click()
    page.wait_for_selector(".line[data-quantity='2']")
    assert page.text_content("#cart-total") == "156,85\u00a0kr"


def test_a_kiosk_purchase_paid_by_card(open_kiosk: Any, api: HubApi,
                                       emulator: ZvtEmulator) -> None:
    page = open_kiosk()
    screenshot(page, "attract")
    before = len(approved_debits(emulator))
    _fill_cart(page, api)
    assert page.evaluate("document.activeElement.id") == "scan"  # the wedge scanner types here
    screenshot(page, "shop-portrait")

    # The shopper takes a moment at the terminal: without it the emulator approves within
    # milliseconds and the pay screen is gone before the test can look at it.
    emulator.script.extend(["slow_cardholder:1"])
    page.click("#pay-btn")
    page.wait_for_selector("#screen-pay", state="visible")
    assert "156,85" in page.text_content("#pay-amount")
    page.wait_for_selector("#screen-done", state="visible")
    screenshot(page, "done")
    receipt = page.text_content("#receipt")
    assert "2 × Kaffe mellanrost 450 g" in receipt and "156,85\u00a0kr" in receipt
    assert "Moms 12 %" in receipt
    number = re.fullmatch(r"Kvitto nr (\d+)", page.text_content(".receipt-no") or "")
    assert number, "the receipt number is shown"
    receipt_no = int(number.group(1))
    assert page.text_content(".thanks") == "Tack!"
    qr_src = page.get_attribute(".receipt-qr", "src")  # the digital receipt, as a QR
    assert qr_src and qr_src.endswith("/qr.svg")

    sale = [s for s in api.sales() if s["receipt_no"] == receipt_no]
    assert len(sale) == 1 and sale[0]["total"] == 15685
    assert [t["method"] for t in sale[0]["tenders"]] == ["card"]
    assert len(approved_debits(emulator)) == before + 1

    page.click("#done-btn")  # or the timeout: back to attract for the next shopper
    page.wait_for_selector("#screen-attract", state="visible")


def test_a_declined_card_keeps_the_cart_and_the_next_try_pays(
        open_kiosk: Any, api: HubApi, emulator: ZvtEmulator) -> None:
    page = open_kiosk()
    before = len(approved_debits(emulator))
    sales_before = len(api.sales())
    _fill_cart(page, api)
    emulator.script.extend(["decline"])
    page.click("#pay-btn")
    page.wait_for_selector("#pay-status[data-state='declined']")
    assert "nekades" in page.text_content("#pay-status")
    screenshot(page, "pay-declined")
    assert len(api.sales()) == sales_before

    page.click("#pay-back")  # the cart is still there, untouched
    page.wait_for_selector("#screen-shop", state="visible")
    assert page.locator(".line").count() == 2
    assert page.text_content("#cart-total") == "156,85\u00a0kr"

    page.click("#pay-btn")
    page.wait_for_selector("#screen-done", state="visible")
    assert len(api.sales()) == sales_before + 1
    assert len(approved_debits(emulator)) == before + 1


def test_link_lost_mid_payment_never_charges_twice(open_kiosk: Any, api: HubApi,
                                                   emulator: ZvtEmulator) -> None:
    """The answer to the pay request is lost (the kiosk sends the same request_id again) and the
    websocket drops and stays down while the terminal approves: one debit, the receipt shows."""
    blocked = {"ws": False, "tender_answers_lost": 0}

    def socket_route(ws: Any) -> None:
        if blocked["ws"]:
            ws.close()
        else:
            ws.connect_to_server()

    def lose_first_answer(route: Any) -> None:
        if route.request.method == "POST" and blocked["tender_answers_lost"] == 0:
            blocked["tender_answers_lost"] += 1
            route.fetch()  # the hub gets the request and starts the payment …
            route.abort("connectionreset")  # … but the kiosk never hears back
        else:
            route.continue_()

    def before_load(page: Any) -> None:
        page.route_web_socket(re.compile(r".*/api/v1/ws.*"), socket_route)
        page.route(re.compile(r".*/cart/tenders/card$"), lose_first_answer)

    page = open_kiosk(before_load=before_load)
    before = len(approved_debits(emulator))
    sales_before = len(api.sales())
    _fill_cart(page, api)
    emulator.script.extend(["slow_cardholder:2.5"])
    page.click("#pay-btn")
    page.wait_for_selector("#pay-status[data-state='running']")  # found its payment again
    assert blocked["tender_answers_lost"] == 1

    blocked["ws"] = True
    page.evaluate("window.__kioskSocket.close()")
    page.wait_for_selector("#banner", state="visible")
    screenshot(page, "reconnecting")
    deadline = 40
    while len(approved_debits(emulator)) == before and deadline:
        page.wait_for_timeout(250)
        deadline -= 1
    assert len(approved_debits(emulator)) == before + 1

    blocked["ws"] = False  # the link comes back: the snapshot shows the sale is complete
    page.wait_for_selector("#screen-done", state="visible")
    page.wait_for_selector("#banner", state="hidden")
    assert "156,85\u00a0kr" in page.text_content("#receipt")
    page.wait_for_timeout(1000)
    assert len(approved_debits(emulator)) == before + 1
    assert len(api.sales()) == sales_before + 1
    assert len([t for t in emulator.batch if t.kind == "payment"]) == len(
        {id(t) for t in emulator.batch if t.kind == "payment"})


def test_a_reload_mid_payment_picks_up_the_same_payment(open_kiosk: Any, api: HubApi,
                                                        emulator: ZvtEmulator) -> None:
    page = open_kiosk()
    before = len(approved_debits(emulator))
    _fill_cart(page, api)
    emulator.script.extend(["slow_cardholder:2"])
    page.click("#pay-btn")
    page.wait_for_selector("#pay-status[data-state='running']")
    page.reload()  # a kiosk browser restarted by its watchdog
    page.wait_for_selector("#screen-pay", state="visible")
    page.wait_for_selector("#screen-done", state="visible")
    assert "156,85\u00a0kr" in page.text_content("#receipt")
    assert len(approved_debits(emulator)) == before + 1


def test_a_kiosk_purchase_paid_by_qr_on_the_shopper_s_phone(open_kiosk: Any, api: HubApi,
                                                           browser: Any) -> None:
    page = open_kiosk()
    scan(page, MILK)
    page.wait_for_selector("#screen-shop", state="visible")
    _line(page, "Mellanmjölk 1,5 % 1 l").wait_for()
    page.click("#qr-btn")
    page.wait_for_selector("#qr-image", state="visible")
    assert "16,95" in page.text_content("#qr-amount")
    screenshot(page, "qr")
    # The shopper's phone opens what the QR encodes: the hub's pay page for this attempt.
    payload = page.get_attribute("#qr-image", "data-payload")
    assert payload and "/pay/" in payload
    cart_id = api.http.get("/lanes/K1/cart", headers=api.kiosk_headers()).json()["id"]
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    try:
        mobile = phone.new_page()
        mobile.goto(payload)
        mobile.click("#pay")
        mobile.click("button[value=pay]")
        mobile.wait_for_function(
            "document.getElementById('status').textContent.includes('Betalt')")
    finally:
        phone.close()
    page.wait_for_selector("#screen-done", state="visible")  # the kiosk follows by websocket
    screenshot(page, "qr-done")
    sale = [s for s in api.sales() if s["id"] == cart_id]
    assert len(sale) == 1 and [t["method"] for t in sale[0]["tenders"]] == ["qr"]
    hub_url = str(api.http.base_url).removesuffix("/api/v1/").removesuffix("/api/v1")
    digital = httpx.get(f"{hub_url}/receipt/{cart_id}", timeout=15)  # behind the receipt QR
    assert digital.status_code == 200
    assert "QR-betalning" in digital.text and "Elektroniskt kassakvitto" in digital.text
