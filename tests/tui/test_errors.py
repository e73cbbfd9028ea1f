"""The hub's refusals reach the cashier as the hub words them, and change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input

from terminal_client.app import KassaTerminal
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.login import LoginScreen
from terminal_client.widgets.cart import CartTable
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio

UNKNOWN = "7310005999999"  # a valid EAN-13 that no product has


@pytest.fixture(scope="module")
def open_lane(hub: HubProcess) -> Iterator[HubProcess]:
    """Lane 1 with an open shift (opened through the API, not the terminal)."""
    cashier = api(hub, "erik")
    cashier.post("/lanes/1/shift/open", json={"counted": 50000}).raise_for_status()
    cashier.close()
    yield hub


async def test_wrong_pin_shows_the_hubs_message_and_stays_at_login(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "erik")
        await type_text(pilot, "9876")
        await wait_for(pilot, lambda: "PIN" in text_of(pilot, "#message"), "the hub's answer")
        assert "Wrong username or PIN." in text_of(pilot, "#message")
        assert isinstance(app.screen, LoginScreen)
        pin = app.screen.query_one("#pin", Input)
        assert pin.password and pin.value == ""
        assert app.focused is pin


async def test_unknown_barcode_shows_the_hubs_message_and_leaves_the_cart(
        open_lane: HubProcess) -> None:
    app = KassaTerminal(open_lane.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "erik", "1111")
        lane = app.screen
        assert isinstance(lane, LaneScreen)
        await type_text(pilot, MILK)
        await wait_for(pilot, lambda: "16,95" in text_of(pilot, "#totals"), "the milk")

        await type_text(pilot, UNKNOWN)
        await wait_for(pilot, lambda: UNKNOWN in text_of(pilot, "#message"), "the refusal")
        cashier = api(open_lane, "erik")
        expected = cashier.post("/lanes/1/cart/items", json={"code": UNKNOWN}).json()["message"]
        cart = cashier.get("/lanes/1/cart").json()
        cashier.close()
        assert expected in text_of(pilot, "#message")
        table = lane.query_one(CartTable)
        assert table.row_count == 1
        assert "ATT BETALA 16,95 kr" in text_of(pilot, "#totals")
        assert [line["gtin"] for line in cart["lines"]] == [MILK]
        assert app.focused is lane.query_one("#scan", Input)
