"""A cashier's sale at the terminal, end to end against a real hub."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from terminal_client.app import KassaTerminal
from terminal_client.screens.dialogs import CashDialog
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.login import LoginScreen
from terminal_client.widgets.cart import CartTable
from terminal_client.widgets.status import StatusBar
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio


async def test_open_shift_scan_two_items_and_pay_cash(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "erik", "1111")
        lane = app.screen
        assert isinstance(lane, LaneScreen)
        status = lane.query_one(StatusBar)
        await wait_for(pilot, lambda: status.online, "the hub to be online")
        assert "Erik Kassör" in text_of(pilot, "#status")
        assert "Kassa 1" in text_of(pilot, "#status")

        open_shift(hub, float_amount=100000)
        await wait_for(pilot, lambda: lane.shift_open, "the shift to open")
        assert "1 000,00" in text_of(pilot, "#status")
        assert app.focused is lane.query_one("#scan", Input)

        await type_text(pilot, MILK)
        await type_text(pilot, MILK)
        table = lane.query_one(CartTable)
        # The hub adds the same article to its line: one line, quantity 2.
        await wait_for(pilot, lambda: "33,90" in text_of(pilot, "#totals"), "the second scan")
        assert table.row_count == 1
        assert [str(c).strip() for c in table.get_row_at(0)] == [
            "Mellanmjölk 1,5 % 1 l", "2", "33,90"]
        assert "ATT BETALA 33,90 kr" in text_of(pilot, "#totals")
        assert "Moms 12 %: 3,63" in text_of(pilot, "#totals")

        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CashDialog), "the cash dialog")
        dialog = app.screen
        assert "33,90" in text_of(pilot, "#cash-due")
        await type_text(pilot, "50")
        await wait_for(pilot, lambda: "VÄXEL" in text_of(pilot, "#dialog-message"), "change")
        shown = text_of(pilot, "#dialog-message")
        assert "Mottaget:      50,00 kr" in shown
        assert "Öresavrundning: 0,10 kr" in shown  # 33,90 is paid in cash as 34 kr
        assert "VÄXEL:         16,00 kr" in shown

        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert dialog is not app.screen
        assert table.row_count == 0
        assert "ATT BETALA 0,00 kr" in text_of(pilot, "#totals")
        assert app.focused is lane.query_one("#scan", Input)

        lane.action_log_out()
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")

    manager = api(hub, "maria")
    newest = manager.get("/sales", params={"lane_id": "1", "limit": 1}).json()[0]
    manager.close()
    assert newest["status"] == "completed"
    assert newest["total"] == 3390
    assert [(line["gtin"], line["quantity"]) for line in newest["lines"]] == [(MILK, 2)]
    assert (newest["tenders"][0]["tendered"], newest["change"]) == (5000, 1600)
