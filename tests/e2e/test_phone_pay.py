"""The shopper's phone pay page in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import PINS, HubProcess

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


def _qr_for_coffee(hub: HubProcess) -> dict:
    with httpx.Client(base_url=f"{hub.url}/api/v1", timeout=30) as http:
        token = http.post("/auth/login", json={"username": "erik", "pin": PINS["erik"]}
                          ).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        http.post("/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
        http.post("/lanes/1/cart/items", json={"code": "7310005000558"}).raise_for_status()
        r = http.post("/lanes/1/cart/tenders/qr", json={})
        assert r.status_code == 201, r.text
        return r.json()


def _hub(tmp_path: Path, **env: str) -> HubProcess:
    hub = HubProcess(tmp_path / "hub", {"KASSA_QR_SWEEP_SECONDS": "0.5", **env})
    hub.start()
    return hub


def test_paying_a_qr_on_the_phone(tmp_path: Path, browser: Browser) -> None:
    hub = _hub(tmp_path)
    try:
        shown = _qr_for_coffee(hub)
        assert shown["payload"] == f"{hub.url}/pay/{shown['id']}"  # what the QR encodes
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        page.goto(shown["payload"])
        assert "69,95 SEK" in page.inner_text("#amount")
        assert "Kaffe mellanrost" in page.inner_text("#lines")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / "phone-pay-page.png"))
        page.click("#pay")  # the provider's pay step (sandbox PSP)
        page.wait_for_selector("text=SANDBOX")
        page.screenshot(path=str(ARTIFACTS / "sandbox-pay-step.png"))
        page.click("button[value=pay]")  # signed webhook → the hub; back to the phone page
        page.wait_for_function(
            "document.getElementById('status').textContent.includes('Betalt')", timeout=15000)
        assert "1-000001" in page.inner_text("#receipt")
        page.screenshot(path=str(ARTIFACTS / "phone-paid.png"))
        phone.close()
    finally:
        hub.stop()


def test_an_expired_qr_says_so_on_the_phone(tmp_path: Path, browser: Browser) -> None:
    hub = _hub(tmp_path, KASSA_QR_EXPIRY_SECONDS="30")
    try:
        shown = _qr_for_coffee(hub)
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        page.goto(shown["payload"])
        with httpx.Client(timeout=30) as http:  # the shopper waits too long
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline:
                if http.get(f"{hub.url}/pay/{shown['id']}/status").json()["status"] == "expired":
                    break
                time.sleep(0.5)
        page.wait_for_function(
            "document.getElementById('status').textContent.includes('gått ut')", timeout=15000)
        assert page.locator("#pay").is_hidden()  # no way to pay an expired code
        page.screenshot(path=str(ARTIFACTS / "phone-expired.png"))
        phone.close()
    finally:
        hub.stop()


def test_a_declined_qr_on_the_phone(tmp_path: Path, browser: Browser) -> None:
    hub = _hub(tmp_path)
    try:
        shown = _qr_for_coffee(hub)
        page = browser.new_context(**PHONE).new_page()
        page.goto(shown["payload"])
        page.click("#pay")
        page.click("button[value=decline]")
        page.wait_for_function(
            "document.getElementById('status').textContent.includes('nekades')", timeout=15000)
    finally:
        hub.stop()
