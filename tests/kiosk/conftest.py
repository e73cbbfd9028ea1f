"""A real hub process with an emulated ZVT card reader on kiosk lane K1, and a real browser
(Debian's chromium through Playwright) showing the kiosk page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from drivers.emulators.zvt import ZvtEmulator
from tests.conftest import PINS, HubProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
LANE = "K1"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


class HubApi:
    """The hub's REST API as staff use it from a test: admin, manager, a paired kiosk."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/api/v1", timeout=15)

    def login(self, username: str) -> dict[str, str]:
        r = self.http.post("/auth/login", json={"username": username, "pin": PINS[username]})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def pairing_code(self) -> str:
        r = self.http.post("/devices/pairing-codes", json={"role": "kiosk", "lane_id": LANE},
                           headers=self.login("admin"))
        r.raise_for_status()
        return str(r.json()["code"])

    def kiosk_headers(self) -> dict[str, str]:
        r = self.http.post("/devices/pair", json={"code": self.pairing_code(), "name": "test"})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def empty_lane(self) -> None:
        """Start every test with an empty cart on the kiosk lane."""
        headers = self.kiosk_headers()
        cart = self.http.get(f"/lanes/{LANE}/cart", headers=headers).json()
        if cart["lines"] and cart["status"] == "open":
            self.http.post(f"/lanes/{LANE}/cart/cancel", json={},
                           headers=headers).raise_for_status()

    def sales(self) -> list[dict[str, Any]]:
        r = self.http.get("/sales", params={"lane_id": LANE}, headers=self.login("maria"))
        r.raise_for_status()
        return list(r.json())


@pytest.fixture(scope="module")
def emulator() -> Iterator[ZvtEmulator]:
    with ZvtEmulator(currency=752) as emu:
        emu.start_tcp()
        yield emu


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, emulator: ZvtEmulator) -> Iterator[HubProcess]:
    env = {"KASSA_CARD_READERS": json.dumps({LANE: f"zvt:{emulator.url}"}),
           "KASSA_READER_POLL_SECONDS": "0.5", "KASSA_CARD_ANSWER_SECONDS": "20"}
    process = HubProcess(tmp_path_factory.mktemp("kiosk") / "hub", env)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def api(hub: HubProcess) -> Iterator[HubApi]:
    client = HubApi(hub.url)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_kiosk(browser: Any, hub: HubProcess, api: HubApi,
               request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Open a fresh kiosk page (empty storage), pair it by typing a code, and land on attract."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(viewport: dict[str, int] = PORTRAIT, before_load: Callable[[Any], None] | None = None,
              query: str = "") -> Any:
        api.empty_lane()
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if before_load:
            before_load(page)
        page.goto(f"{hub.url}/kiosk/{query}")
        page.wait_for_selector("#screen-pairing", state="visible")
        page.fill("#pair-code", api.pairing_code())
        page.click("#pair-submit")
        page.wait_for_selector("#screen-attract", state="visible")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the kiosk page: {errors}"


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of the screen as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def scan(page: Any, code: str) -> None:
    """A keyboard-wedge scanner: digits then Enter, typed into whatever has focus."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def approved_debits(emulator: ZvtEmulator) -> list[Any]:
    """Payments the terminal approved and did not reverse."""
    return [t for t in emulator.batch
            if t.kind == "payment" and t.result_code == 0 and not getattr(t, "reversed", False)]
