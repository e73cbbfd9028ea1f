"""Day reports, training mode and price checks at the terminal against a real hub: the X report,
closing the day with a numbered Z report only after a confirmation, earlier Z reports, printing
on a lane without a printer, övningsläge with a manager's approval, and a price check."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable

from terminal_client.app import KassaTerminal
from terminal_client.screens.approval import ApprovalDialog
from terminal_client.screens.day_reports import (
    CloseDayDialog,
    DayReportsScreen,
    DayReportView,
    ZReportList,
    figures_text,
)
from terminal_client.screens.dialogs import CashDialog
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.menus import MENU, MenuScreen
from terminal_client.screens.price_check import PriceCheckDialog
from terminal_client.screens.shift import ShiftScreen
from terminal_client.widgets.status import StatusBar
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio
NO_PRINTER = "has no receipt printer"


def _new_lane(hub: HubProcess, lane: str) -> None:
    """A register lane of the test's own (its own Z numbers), with an open shift."""
    with closing(api(hub, "admin")) as admin:
        admin.post("/lanes", json={"id": lane, "kind": "register"}).raise_for_status()
    with closing(api(hub, "erik")) as cashier:
        cashier.post(f"/lanes/{lane}/shift/open", json={"counted": 50000}).raise_for_status()


def _sell_milk_for_cash(hub: HubProcess, lane: str) -> None:
    """One Mellanmjölk (16,95) paid in cash."""
    with closing(api(hub, "erik")) as cashier:
        cashier.post(f"/lanes/{lane}/cart/items", json={"code": MILK}).raise_for_status()
        sale = cashier.post(f"/lanes/{lane}/cart/tenders/cash", json={"tendered": 2000})
        assert sale.json()["status"] == "completed"


def _hub_get(hub: HubProcess, path: str, **params: Any) -> Any:
    with closing(api(hub, "maria")) as manager:
        response = manager.get(path, params=params)
        response.raise_for_status()
        return response.json()


async def _lane(pilot: Pilot[Any]) -> LaneScreen:
    """Log in as Erik and wait for the lane, online."""
    await log_in(pilot, "erik", "1111")
    lane = pilot.app.screen
    assert isinstance(lane, LaneScreen)
    await wait_for(pilot, lambda: lane.query_one(StatusBar).online, "the hub")
    return lane


async def _menu(pilot: Pilot[Any], choice: str) -> None:
    """F10, then the arrows down to the choice and Enter."""
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MenuScreen), "the menu")
    await pilot.press(*["down"] * [key for key, _ in MENU].index(choice), "enter")


def _report(pilot: Pilot[Any]) -> str:
    """The report on screen, spaces squeezed; every line fits a 42-column receipt."""
    lines = text_of(pilot, "#report-text").splitlines()
    assert max(len(line) for line in lines) <= 42
    return "\n".join(" ".join(line.split()) for line in lines)


def _title(pilot: Pilot[Any]) -> str:
    return text_of(pilot, ".dialog-title")


async def _report_shown(pilot: Pilot[Any], title: str) -> None:
    """Wait until the report view with this title is on screen, its text composed."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DayReportView)
                   and _title(pilot) == title and bool(text_of(pilot, "#report-text")), title)


async def test_x_report_shows_the_days_sales_and_printing_without_a_printer_says_why(
        hub: HubProcess) -> None:
    _new_lane(hub, "D1")
    _sell_milk_for_cash(hub, "D1")
    app = KassaTerminal(hub.url, "D1")
    async with app.run_test(size=(80, 24)) as pilot:
        await _lane(pilot)
        await _menu(pilot, "day_reports")
        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen), "day reports")
        await pilot.press("x")
        await _report_shown(pilot, "X-DAGRAPPORT - KASSA D1")
        report = _report(pilot)
        assert "X-dagrapport" in report
        assert "16,95" in report

        await pilot.press("p")
        await wait_for(pilot, lambda: "!" in text_of(pilot, "#report-message"), "the refusal")
        assert NO_PRINTER in text_of(pilot, "#report-message")
        assert isinstance(app.screen, DayReportView)  # the report stays on screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen), "day reports")
    assert _hub_get(hub, "/z-reports", lane_id="D1") == []  # an X report closes nothing


async def test_z_report_needs_a_confirmation_and_days_are_numbered(hub: HubProcess) -> None:
    _new_lane(hub, "D2")
    _sell_milk_for_cash(hub, "D2")
    app = KassaTerminal(hub.url, "D2")
    async with app.run_test(size=(80, 24)) as pilot:
        await _lane(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen), "the shift")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen), "day reports")
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, CloseDayDialog), "the question")
        assert ("Stänga dagen för kassa D2? Detta kan inte ångras."
                in text_of(pilot, "#close-day-question"))

        await pilot.press("enter")  # a stray Enter closes nothing
        await type_text(pilot, "D1")  # nor another lane's id
        await pilot.pause(0.3)
        assert isinstance(app.screen, CloseDayDialog)
        assert "Skriv D2 för att stänga dagen" in text_of(pilot, "#dialog-message")
        assert _hub_get(hub, "/z-reports", lane_id="D2") == []

        await type_text(pilot, "D2")
        await _report_shown(pilot, "Z-DAGRAPPORT NR 1 - KASSA D2")
        report = _report(pilot)
        assert "Z-dagrapport nr 1" in report
        assert "16,95" in report
        await pilot.press("p")
        await wait_for(pilot, lambda: NO_PRINTER in text_of(pilot, "#report-message"),
                       "the hub's refusal")
        await pilot.press("escape")

        # The next day, confirmed with the labelled button instead.
        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen), "day reports")
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, CloseDayDialog), "the question")
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#close-day-confirm", Button)
        await pilot.press("enter")
        await _report_shown(pilot, "Z-DAGRAPPORT NR 2 - KASSA D2")
        assert "Z-dagrapport nr 2" in _report(pilot)
        await pilot.press("escape")

        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen), "day reports")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ZReportList)
                       and app.screen.query_one("#z-table", DataTable).row_count == 2,
                       "earlier Z")
        table = app.screen.query_one("#z-table", DataTable)
        assert [table.get_row_at(i)[0].strip() for i in range(2)] == ["2", "1"]  # newest first
        assert table.get_row_at(1)[3].strip() == "16,95"
        await pilot.press("down", "enter")
        await _report_shown(pilot, "Z-DAGRAPPORT NR 1 - KASSA D2")
        assert "16,95" in _report(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ZReportList), "the list")
        await pilot.press("p")
        await wait_for(pilot, lambda: NO_PRINTER in text_of(pilot, "#dialog-message"),
                       "the hub's refusal")

    assert [r["z_no"] for r in _hub_get(hub, "/z-reports", lane_id="D2")] == [2, 1]


async def test_z_report_with_a_sale_unfinished_shows_the_hubs_refusal(hub: HubProcess) -> None:
    _new_lane(hub, "D3")
    app = KassaTerminal(hub.url, "D3")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        await type_text(pilot, MILK)
        await wait_for(pilot, lambda: len(lane.cart["lines"]) == 1, "the scan")
        await _menu(pilot, "day_reports")
        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen), "day reports")
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, CloseDayDialog), "the question")
        await type_text(pilot, "D3")
        await wait_for(pilot, lambda: isinstance(app.screen, DayReportsScreen)
                       and "!" in text_of(pilot, "#day-message"), "the refusal")
        assert "is not finished" in text_of(pilot, "#day-message")
    assert _hub_get(hub, "/z-reports", lane_id="D3") == []


async def test_training_mode_with_a_managers_approval_marks_the_lane_and_its_sales(
        hub: HubProcess) -> None:
    _new_lane(hub, "D4")
    app = KassaTerminal(hub.url, "D4")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        banner = lane.query_one("#training")
        assert not banner.display

        await _menu(pilot, "training")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
        await type_text(pilot, "maria")
        await type_text(pilot, "1234")
        await wait_for(pilot, lambda: banner.display, "the training marker")
        assert "ÖVNINGSLÄGE" in str(banner.render())
        assert banner.region.height == 1 and banner.region.width == 80
        assert _hub_get(hub, "/lanes/D4/training")["training"] is True

        await type_text(pilot, MILK)
        await wait_for(pilot, lambda: len(lane.cart["lines"]) == 1, "the scan")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CashDialog), "cash")
        await type_text(pilot, "20")
        await wait_for(pilot, lambda: "KLART" in text_of(pilot, "#dialog-message"), "paid")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "ÖVNINGSKÖP" in text_of(pilot, "#message"), "the sale")
        assert banner.display

        await _menu(pilot, "training")  # and off again, with a manager
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
        await type_text(pilot, "maria")
        await type_text(pilot, "1234")
        await wait_for(pilot, lambda: not banner.display, "the marker gone")

    sale = _hub_get(hub, "/sales", lane_id="D4", limit=1)[0]
    assert sale["training"] is True
    assert _hub_get(hub, "/lanes/D4/training")["training"] is False


async def test_price_check_shows_the_price_and_sells_nothing(hub: HubProcess) -> None:
    _new_lane(hub, "D5")
    app = KassaTerminal(hub.url, "D5")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, PriceCheckDialog), "price check")
        await type_text(pilot, MILK)
        await wait_for(pilot, lambda: "PRIS" in text_of(pilot, "#price-answer"), "the price")
        answer = text_of(pilot, "#price-answer")
        assert "Mellanmjölk" in answer and "16,95 kr/st" in answer
        await type_text(pilot, "0000")
        await wait_for(pilot, lambda: "!" in text_of(pilot, "#price-answer"), "a refusal")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LaneScreen), "the lane")
        assert lane.cart.get("lines") == []
    assert _hub_get(hub, "/lanes/D5/cart")["lines"] == []


def test_the_main_figures_stand_in_when_the_hub_gives_no_text(hub: HubProcess) -> None:
    _new_lane(hub, "D6")
    _sell_milk_for_cash(hub, "D6")
    lines = figures_text(_hub_get(hub, "/lanes/D6/x-report", format="json")).splitlines()
    assert max(len(line) for line in lines) <= 42
    squeezed = [" ".join(line.split()) for line in lines]
    assert squeezed[0] == "X-dagrapport"
    assert "Försäljning (1 kvitton) 16,95" in squeezed
    assert "Netto 16,95" in squeezed
