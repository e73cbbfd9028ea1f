"""Who may use the till: pairing with a manager's code, lock after inactivity, unlock, and
another cashier taking over — against a real hub."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest

from terminal_client.app import KassaTerminal
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.lock import LockScreen
from terminal_client.screens.login import LoginScreen
from terminal_client.screens.pair import PairScreen, TerminalState
from terminal_client.widgets.status import StatusBar
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio


def pairing_code(hub: HubProcess, lane: str, role: str = "terminal") -> str:
    """A code as `kassa pair` makes it (an admin asks the hub)."""
    with closing(api(hub, "admin")) as admin:
        r = admin.post("/devices/pairing-codes", json={"role": role, "lane_id": lane})
        r.raise_for_status()
        return str(r.json()["code"])


async def test_pairing_is_asked_once_and_kept(hub: HubProcess, tmp_path: Path) -> None:
    state_file = tmp_path / "terminal.json"
    app = KassaTerminal(hub.url, "2", state=TerminalState(state_file))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PairScreen), "the pairing")
        await type_text(pilot, pairing_code(hub, "K1", role="kiosk"))  # a kiosk's code
        await wait_for(pilot, lambda: "inte för en kassaterminal" in text_of(pilot, "#message"),
                       "the wrong code refused")
        assert isinstance(app.screen, PairScreen) and not state_file.exists()
        field = app.screen.query_one("#code")
        field.value = ""
        await type_text(pilot, pairing_code(hub, "2"))
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login")

    saved = json.loads(state_file.read_text())
    assert state_file.stat().st_mode & 0o077 == 0  # only the owner reads the token
    token = saved[f"{hub.url} 2"]["token"]
    with closing(api(hub, "admin")) as admin:
        device = next(d for d in admin.get("/devices").json()
                      if d["role"] == "terminal" and d["lane_id"] == "2")
    assert device["name"].startswith("Kassa 2")

    # Started again: straight to the login with the saved token.
    app = KassaTerminal(hub.url, "2", state=TerminalState(state_file))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        assert isinstance(app.screen, LoginScreen)
        assert app.hub.device_token == token

    # Unpaired at the hub (a stolen till): it must be paired again.
    with closing(api(hub, "admin")) as admin:
        admin.delete(f"/devices/{device['id']}").raise_for_status()
    app = KassaTerminal(hub.url, "2", state=TerminalState(state_file))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PairScreen), "pairing again")
        assert "avparad" in text_of(pilot, "#pair-reason")
    assert f"{hub.url} 2" not in json.loads(state_file.read_text())


async def test_idle_lock_then_unlock_and_another_cashier_takes_over(hub: HubProcess) -> None:
    open_shift(hub, "3")
    app = KassaTerminal(hub.url, "3", lock_after=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "erik", "1111")
        lane = app.screen
        assert isinstance(lane, LaneScreen)
        await type_text(pilot, MILK)
        await wait_for(pilot, lambda: "16,95" in text_of(pilot, "#totals"), "the scan")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#pin"),
                       "the idle lock", timeout=5)
        erik_token = app.hub.token

        await type_text(pilot, "0000")  # the PIN field has the focus; wrong PIN
        await wait_for(pilot, lambda: "PIN" in text_of(pilot, "#message"),
                       f"refused; shows {text_of(pilot, '#message')!r}")
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, "1111")
        await wait_for(pilot, lambda: app.screen is lane, "unlocked")
        assert app.hub.token != erik_token  # the old login was ended at the hub

        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen)
                       and app.focused is app.screen.query_one("#pin"), "locked by hand")
        username = app.screen.query_one("#username")
        username.value = "sara"
        await type_text(pilot, "2222")
        await wait_for(pilot, lambda: app.screen is lane, "sara at the till")
        status = lane.query_one(StatusBar)
        await wait_for(pilot, lambda: status.online, "the lane watched with sara's login")
        assert "Sara" in text_of(pilot, "#status")
        assert "16,95" in text_of(pilot, "#totals")  # the customer's cart stayed

    with closing(api(hub, "maria")) as manager:
        cart = manager.get("/lanes/3/cart").json()
    assert [line["gtin"] for line in cart["lines"]] == [MILK]
