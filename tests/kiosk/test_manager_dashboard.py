"""The manager's dashboard (/manager) in a real headless chromium against a real hub process:
a manager logs in and sees today's figures and the charts, a cashier is refused, the figures
follow a new sale, and a Z report opens from its register's row."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PINS, free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
MILK, COFFEE, DISH = "7310005000015", "7310005000558", "7310005001548"  # 16,95 69,95 29,95 kr
NBSP = "\u00a0"


def kr(minor: int) -> str:
    """Money as the page writes it: '1 234,50 kr' with no-break spaces."""
    whole, frac = divmod(abs(minor), 100)
    return f"{'−' if minor < 0 else ''}{whole:,}".replace(",", NBSP) + f",{frac:02d}{NBSP}kr"


class Staff:
    """Cashiers at the hub's HTTP API."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/api/v1", timeout=15)
        self.headers = {}
        for name in ("erik", "sara"):
            r = self.http.post("/auth/login", json={"username": name, "pin": PINS[name]})
            r.raise_for_status()
            self.headers[name] = {"Authorization": f"Bearer {r.json()['token']}"}

    def post(self, who: str, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        r = self.http.post(path, json=body, headers=self.headers[who])
        assert r.status_code == expect, r.text
        return r.json()

    def sell(self, who: str, lane: str, codes: list[str], tendered: int) -> dict[str, Any]:
        for code in codes:
            self.post(who, f"/lanes/{lane}/cart/items", {"code": code})
        sale = self.post(who, f"/lanes/{lane}/cart/tenders/cash", {"tendered": tendered})
        assert sale["status"] == "completed"
        return dict(sale)


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("manager") / "hub"
    port = free_port()
    log = open(data.parent / "hub.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub", "hub", "serve", "--port", str(port), "--data-dir",
         str(data), "--demo-data"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, "hub")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def staff(hub_url: str) -> Iterator[Staff]:
    """A small day: Erik sells three times on lane 1 and gives one milk back, Sara sells twice
    on lane 2 and closes its day (Z 1)."""
    s = Staff(hub_url)
    s.post("erik", "/lanes/1/shift/open", {"counted": 50000}, expect=201)
    s.post("sara", "/lanes/2/shift/open", {"counted": 50000}, expect=201)
    first = s.sell("erik", "1", [MILK, MILK], 5000)
    s.sell("erik", "1", [COFFEE], 7000)
    s.sell("erik", "1", [DISH], 3000)
    s.post("erik", f"/sales/{first['id']}/refunds",
           {"lane_id": "1", "lines": [{"line_id": first["lines"][0]["id"], "quantity": 1}]},
           expect=201)
    s.sell("sara", "2", [COFFEE, MILK], 10000)
    s.sell("sara", "2", [DISH], 3000)
    s.post("sara", "/lanes/2/z-report", {}, expect=201)
    yield s
    s.http.close()


TOTAL = 2 * 1695 + 6995 + 2995 + (6995 + 1695) + 2995  # five sales: 250,65 kr


@pytest.fixture
def page(browser: Any, hub_url: str, staff: Staff) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="sv-SE")
    errors: list[str] = []
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"{hub_url}/manager")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the manager's page: {errors}"


def log_in(page: Any, username: str) -> None:
    page.fill("#login-user", username)
    page.fill("#login-pin", PINS[username])
    page.click("#login-submit")


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_manager_sees_today_and_the_charts_load(page: Any, staff: Staff) -> None:
    log_in(page, "maria")
    page.wait_for_selector("#screen-dashboard", state="visible")
    page.wait_for_function("document.querySelector('#kpi-sales').textContent === '5'")
    assert page.text_content("#kpi-total") == kr(TOTAL)
    assert page.text_content("#kpi-refunds") == kr(1695)
    assert page.text_content("#kpi-net") == kr(TOTAL - 1695)
    assert page.text_content("#who") == "Maria Chef"

    page.wait_for_selector("body[data-charts='loaded']")
    widths = page.eval_on_selector_all(".charts img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 5 and all(w > 0 for w in widths), widths

    erik = page.locator("#cashiers tbody tr[data-name='Erik Kassör'] td")
    assert erik.nth(1).text_content() == "3"
    assert erik.nth(3).text_content() == f"1 · {kr(1695)}"
    assert page.locator("#flags li.none").count() == 1  # nobody stands out on a day this small
    lane2 = page.locator("#lanes tbody tr[data-lane='2']")
    assert lane2.locator(".latest-z").text_content().startswith("Z 1 ·")
    assert "ovisst" not in page.text_content("#in-doubt")
    assert page.text_content("#sync")  # the sync panel says something
    screenshot(page, "manager-dashboard")

    # A new sale shows without touching the page (the overview is polled every few seconds).
    staff.sell("sara", "2", [MILK], 2000)
    page.wait_for_function("document.querySelector('#kpi-sales').textContent === '6'",
                           timeout=12_000)
    assert page.text_content("#kpi-total") == kr(TOTAL + 1695)

    page.click("#logout")
    page.wait_for_selector("#screen-login", state="visible")
    assert page.evaluate("sessionStorage.getItem('kassa.manager.token')") is None


def test_a_cashier_is_refused(page: Any) -> None:
    log_in(page, "erik")
    page.wait_for_function("document.querySelector('#login-error').textContent.length > 0")
    assert "kassör" in page.text_content("#login-error")
    assert page.is_visible("#screen-login") and not page.is_visible("#screen-dashboard")
    assert page.evaluate("sessionStorage.getItem('kassa.manager.token')") is None
    screenshot(page, "manager-cashier-refused")


def test_a_wrong_pin_says_so(page: Any) -> None:
    page.fill("#login-user", "maria")
    page.fill("#login-pin", "0000")
    page.click("#login-submit")
    page.wait_for_function("document.querySelector('#login-error').textContent.length > 0")
    assert page.text_content("#login-error") == "Fel användarnamn eller PIN-kod."


def test_a_z_report_opens_from_its_register(page: Any) -> None:
    log_in(page, "maria")
    button = page.locator("#lanes tbody tr[data-lane='2'] button[data-action='z-html']")
    button.wait_for()
    with page.context.expect_page() as opened:
        button.click()
    report = opened.value
    report.wait_for_load_state()
    report.wait_for_function("document.body && document.body.innerText.includes('Z-dagrapport')")
    assert report.url.startswith("blob:")
