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
