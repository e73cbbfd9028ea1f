"""The lane screen fits a small 80x24 terminal, function keys included."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from terminal_client.app import KassaTerminal
from terminal_client.screens.lane import LaneScreen
from tests.conftest import HubProcess
from tests.tui.conftest import log_in

pytestmark = pytest.mark.anyio


async def test_lane_screen_fits_80x24_with_function_keys_in_the_footer(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "erik", "1111")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LaneScreen)
        footer = screen.query_one(Footer)
        assert footer.region.y == 23 and footer.region.width == 80
        visible = {key.key: key for key in footer.query(FooterKey)}
        keys = [("f2", "Skift"), ("f3", "Sök"), ("f4", "Rad"),
                ("f5", "Kontant"), ("f6", "Kort"), ("f7", "QR"), ("f8", "Extern"),
                ("f9", "Retur"), ("f10", "Meny")]
        for key, label in keys:
            footer_key = visible[key]
            assert footer_key.description == label
            assert footer_key.region.right <= 80 and footer_key.region.width > 0
        for part in ["#status", "#scan", "#cart", "#totals", "#message"]:
            region = screen.query_one(part).region
            assert region.height > 0 and region.bottom <= 23 and region.right <= 80, part
        # Readable without colour: the state is in words, not only in a colour.
        assert "Hub: " in str(screen.query_one("#status").render())


async def test_closing_the_terminal_while_the_lane_screen_loads_is_no_crash(
        hub: HubProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (seen on CI): the lane screen's start-up load was still waiting for the
    hub when the terminal closed; its answer found the status bar gone and the worker's
    error ended the app with a crash."""
    import asyncio

    from terminal_client.hub_client import HubClient

    answered = asyncio.Event()
    waiting = asyncio.Event()
    get = HubClient.get

    async def slow_status(self: HubClient, path: str, **params: object) -> object:
        if path == "/devices/status":
            waiting.set()
            await answered.wait()  # the hub answers only once the screen is gone
        return await get(self, path, **params)

    monkeypatch.setattr(HubClient, "get", slow_status)
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "erik", "1111")
        await asyncio.wait_for(waiting.wait(), 10)
        screen = app.screen
        assert isinstance(screen, LaneScreen)
        await screen.remove_children()  # (as the app does when it closes the screen)
        answered.set()
        await pilot.pause(0.2)
    assert app.return_code in (None, 0)
