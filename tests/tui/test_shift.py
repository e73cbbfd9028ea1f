"""F2, the shift, at the terminal against a real hub: open, cash in and out, no-sale, X and Z."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input

from terminal_client.app import KassaTerminal
from terminal_client.screens.approval import ApprovalDialog
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.shift import (
    CashMoveDialog,
    CountDialog,
    NoSaleDialog,
    ReportScreen,
    ShiftScreen,
)
from terminal_client.widgets.status import StatusBar
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio


def _new_lane(hub: HubProcess, lane: str, float_amount: int | None = None) -> None:
    """A register lane of the test's own (so tests never share a drawer), maybe with a shift."""
    admin = api(hub, "admin")
    admin.post("/lanes", json={"id": lane, "kind": "register"}).raise_for_status()
    admin.close()
    if float_amount is not None:
        cashier = api(hub, "erik")
        cashier.post(f"/lanes/{lane}/shift/open", json={"counted": float_amount}
                     ).raise_for_status()
        cashier.close()


def _sell_milk_for_cash(hub: HubProcess, lane: str) -> None:
    """One Mellanmjölk (16,95) paid with a 20-kronor note: 17 kr stays in the drawer."""
    cashier = api(hub, "erik")
    cashier.post(f"/lanes/{lane}/cart/items", json={"code": MILK}).raise_for_status()
    sale = cashier.post(f"/lanes/{lane}/cart/tenders/cash", json={"tendered": 2000})
    assert sale.json()["status"] == "completed"
    cashier.close()


def _hub_get(hub: HubProcess, path: str) -> httpx.Response:
    manager = api(hub, "maria")
    try:
        return manager.get(path)
    finally:
        manager.close()


async def _shift_screen(pilot: Pilot[Any], app: KassaTerminal) -> ShiftScreen:
    """Log in as Erik, press F2 and wait for the shift screen with the hub's figures."""
    await log_in(pilot, "erik", "1111")
    lane = app.screen
    assert isinstance(lane, LaneScreen)
    await wait_for(pilot, lambda: lane.query_one(StatusBar).online, "the hub")
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen), "the shift screen")
    screen = app.screen
    assert isinstance(screen, ShiftScreen)
    await wait_for(pilot, lambda: not any(worker.group == "refresh" and worker.is_running
                                          for worker in app.workers), "the shift from the hub")
    return screen


def _report_lines(pilot: Pilot[Any]) -> list[str]:
    """The report's lines, spaces squeezed; every line fits a 42-column receipt."""
    lines = text_of(pilot, "#report-text").splitlines()
    assert max(len(line) for line in lines) <= 42
    return [" ".join(line.split()) for line in lines]


async def _press_send(pilot: Pilot[Any], dialog: CountDialog) -> None:
    """Enter on the count's send button, once it is up again (a button ignores a second press
    within 0,2 s, as a guard against a double Enter)."""
    send = dialog.query_one("#count-send", Button)
    assert pilot.app.focused is send
    await wait_for(pilot, lambda: not send.has_class("-active"), "the button to come up")
    await pilot.press("enter")


def _summary(pilot: Pilot[Any]) -> str:
    return " ".join(text_of(pilot, "#shift-summary").split())


async def test_f2_opens_the_shift_with_a_float_counted_by_denomination(hub: HubProcess) -> None:
    _new_lane(hub, "S1")
    app = KassaTerminal(hub.url, "S1")
    async with app.run_test(size=(80, 24)) as pilot:
        await _shift_screen(pilot, app)
        assert "Inget öppet skift på kassa S1" in _summary(pilot)
        await pilot.press("i")  # no shift: nothing to pay in to
        assert "öppna skiftet först" in text_of(pilot, "#shift-message")

        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, CountDialog), "the count")
        dialog = app.screen
        await type_text(pilot, "")  # no amount: count by denomination instead
        for pieces in ["", "1", "", "2", "", "", "", "", "3", "4"]:  # 500 + 200 + 6 + 4 kr
            await type_text(pilot, pieces)
        assert "Totalt räknat: 710,00 kr" in text_of(pilot, "#count-total")
        assert " ".join(text_of(pilot, "#sum-10000").split()) == "200,00"
        assert isinstance(dialog, CountDialog)
        assert app.focused is dialog.query_one("#count-send", Button)
        # The tallest form still fits a 80x24 terminal, the send button included.
        box = dialog.query_one(".count-box").region
        assert box.bottom <= 24 and box.right <= 80
        assert dialog.query_one("#count-send").region.bottom < box.bottom

        await _press_send(pilot, dialog)
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen)
                       and "ÖPPET" in _summary(pilot), "the open shift")
        assert "Växelkassa 710,00 kr" in _summary(pilot)
        assert "FÖRVÄNTAT I LÅDAN 710,00 kr" in _summary(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LaneScreen), "the lane")
        await wait_for(pilot, lambda: "växel 710,00" in text_of(pilot, "#status"),
                       "the lane's status line")

    shift = _hub_get(hub, "/lanes/S1/shift").json()
    assert shift["status"] == "open" and shift["float_amount"] == 71000


async def test_float_keyed_as_one_amount_and_bad_amounts_are_explained(hub: HubProcess) -> None:
    _new_lane(hub, "S2")
    app = KassaTerminal(hub.url, "S2")
    async with app.run_test(size=(80, 24)) as pilot:
        await _shift_screen(pilot, app)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, CountDialog), "the count")
        await type_text(pilot, "tusen")
        assert "Skriv ett belopp i kronor" in text_of(pilot, "#count-message")
        amount = app.screen.query_one("#count-amount", Input)
        amount.value = ""
        await type_text(pilot, "1000")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen)
                       and "Växelkassa 1 000,00 kr" in _summary(pilot), "the open shift")
        await pilot.press("o")  # it is open now: not again
        assert "skiftet är redan öppet" in text_of(pilot, "#shift-message")
    assert _hub_get(hub, "/lanes/S2/shift").json()["float_amount"] == 100000


async def test_pay_in_and_pay_out_change_the_expected_cash(hub: HubProcess) -> None:
    _new_lane(hub, "S3", float_amount=50000)
    app = KassaTerminal(hub.url, "S3")
    async with app.run_test(size=(80, 24)) as pilot:
        await _shift_screen(pilot, app)
        assert "FÖRVÄNTAT I LÅDAN 500,00 kr" in _summary(pilot)

        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, CashMoveDialog), "pay-in")
        assert text_of(pilot, ".dialog-title") == "INSÄTTNING"
        await type_text(pilot, "100")
        await type_text(pilot, "")  # no reason: asked for one, nothing sent
        assert "Skriv varför" in text_of(pilot, "#dialog-message")
        await type_text(pilot, "växel från kassaskåpet")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen)
                       and "Insättningar 100,00 kr" in _summary(pilot), "the pay-in")
        assert text_of(pilot, "#shift-message") == "Insättningen är sparad."
        assert "FÖRVÄNTAT I LÅDAN 600,00 kr" in _summary(pilot)

        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, CashMoveDialog), "pay-out")
        await type_text(pilot, "700")  # more than the drawer holds: the hub says no
        await type_text(pilot, "bud")
        await wait_for(pilot, lambda: "!" in text_of(pilot, "#dialog-message"), "the refusal")
        assert "The drawer should hold only 600,00" in text_of(pilot, "#dialog-message")
        amount = app.screen.query_one("#move-amount", Input)
        amount.value = ""
        amount.focus()
        await type_text(pilot, "20")
        await type_text(pilot, "")  # the reason typed before is still there
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen)
                       and "Uttag -20,00 kr" in _summary(pilot), "the pay-out")
        assert "FÖRVÄNTAT I LÅDAN 580,00 kr" in _summary(pilot)

    cash = _hub_get(hub, "/lanes/S3/shift").json()["cash"]
    assert (cash["pay_ins"], cash["pay_outs"], cash["expected_cash"]) == (10000, 2000, 58000)


async def test_no_sale_needs_a_manager_and_a_wrong_pin_is_refused(hub: HubProcess) -> None:
    _new_lane(hub, "S4", float_amount=50000)
    app = KassaTerminal(hub.url, "S4")
    async with app.run_test(size=(80, 24)) as pilot:
        await _shift_screen(pilot, app)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, NoSaleDialog), "no-sale")
        no_sale = app.screen
        await type_text(pilot, "växla åt kund")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
        assert "A manager must approve opening the drawer" in text_of(pilot, "#approval-reason")
        await type_text(pilot, "maria")
        await type_text(pilot, "0000")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog)
                       and "Wrong" in text_of(pilot, "#approval-reason"), "the refusal")
        refusal = "Wrong manager username or PIN: opening the drawer is not approved."
        assert text_of(pilot, "#approval-reason") == refusal
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is no_sale, "back at no-sale")
        assert text_of(pilot, "#dialog-message") == f"! Lådan öppnades inte: {refusal}"
        report = _hub_get(hub, "/lanes/S4/shift/report").json()
        assert report["no_sales"] == 0

        await pilot.press("enter")  # the reason is still there: ask again
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
        await type_text(pilot, "maria")
        await type_text(pilot, "1234")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen)
                       and "Lådan öppnad utan köp" in text_of(pilot, "#shift-message"),
                       "the drawer to open")

    assert _hub_get(hub, "/lanes/S4/shift/report").json()["no_sales"] == 1
    audit = _hub_get(hub, "/audit?action=no_sale").json()
    mine = [entry for entry in audit if entry["lane_id"] == "S4"]
    assert len(mine) == 1 and mine[0]["detail"]["reason"] == "växla åt kund"
    users = {u["username"]: u["id"] for u in _hub_get(hub, "/users").json()}
    assert (mine[0]["user_id"], mine[0]["approved_by"]) == (users["erik"], users["maria"])


async def test_x_report_shows_the_running_figures_after_a_cash_sale(hub: HubProcess) -> None:
    _new_lane(hub, "S5", float_amount=50000)
    app = KassaTerminal(hub.url, "S5")
    async with app.run_test(size=(80, 24)) as pilot:
        await _shift_screen(pilot, app)
        assert "Kvitton 0" in _summary(pilot)
        _sell_milk_for_cash(hub, "S5")  # on the lane, while the shift screen is up
        await wait_for(pilot, lambda: "Kvitton 1" in _summary(pilot), "the sale to show")
        assert "Kontant försäljning 17,00 kr" in _summary(pilot)
        assert "FÖRVÄNTAT I LÅDAN 517,00 kr" in _summary(pilot)

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the X report")
        assert text_of(pilot, ".dialog-title") == "X-RAPPORT - KASSA S5"
        lines = _report_lines(pilot)
        assert lines[0] == "X-RAPPORT (skiftet är öppet)"
        for line in [
            "Kvitton nr 1-1 1",
            "Försäljning inkl. moms 16,95",
            "Öresavrundning kontant 0,05",
            "Kontant (1) 16,95",
            "12 % 16,95 1,82 15,13",
            "Växelkassa 500,00",
            "Kontant försäljning 17,00",
            "Förväntat i lådan 517,00",
        ]:
            assert line in lines, f"{line!r} not in the X report"
        assert not any(line.startswith(("Räknat", "Differens")) for line in lines)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen), "back at the shift")
        assert "ÖPPET" in _summary(pilot)  # an X report closes nothing

    assert _hub_get(hub, "/lanes/S5/shift").json()["status"] == "open"


async def test_close_with_a_count_ten_kronor_short_shows_under_and_the_z_report(
        hub: HubProcess) -> None:
    _new_lane(hub, "S6", float_amount=50000)
    _sell_milk_for_cash(hub, "S6")  # expected in the drawer: 500 + 17 = 517 kr
    cashier = api(hub, "erik")
    cashier.post("/lanes/S6/cart/items", json={"code": MILK}).raise_for_status()  # unfinished
    app = KassaTerminal(hub.url, "S6")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _shift_screen(pilot, app)
        lane = app.screen_stack[-2]
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, CountDialog), "the count")
        dialog = app.screen
        assert isinstance(dialog, CountDialog)
        assert app.focused is dialog.query_one("#count-100000")  # the largest note first
        await pilot.press(*["enter"] * 10)  # nothing counted: not sent
        await _press_send(pilot, dialog)
        assert "Skriv antal på minst en rad" in text_of(pilot, "#count-message")
        assert app.focused is dialog.query_one("#count-100000")
        for pieces in ["", "1", "", "", "", "", "", "", "", "7"]:  # 500 + 7 kr: 10 kr short
            await type_text(pilot, pieces)
        assert "Totalt räknat: 507,00 kr" in text_of(pilot, "#count-total")
        await _press_send(pilot, dialog)
        await wait_for(pilot, lambda: "not finished" in text_of(pilot, "#count-message"),
                       "the refusal")
        assert "A sale on this lane is not finished" in text_of(pilot, "#count-message")
        assert dialog.is_current  # the count is kept for another try

        cashier.post("/lanes/S6/cart/cancel", json={}).raise_for_status()
        cashier.close()
        await _press_send(pilot, dialog)
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the Z report")
        assert text_of(pilot, ".dialog-title") == "Z-RAPPORT - KASSA S6"
        lines = _report_lines(pilot)
        assert lines[0] == "Z-RAPPORT (skiftet är stängt)"
        for line in [
            "Förväntat i lådan 517,00",
            "Räknat 507,00",
            "Differens UNDER -10,00",
            "500 kr x 1 500,00",
            "1 kr x 7 7,00",
            "Avbrutna köp (1) 16,95",
        ]:
            assert line in lines, f"{line!r} not in the Z report"
        assert any(line.startswith("Stängt") and "Erik Kassör" in line for line in lines)

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftScreen), "back at the shift")
        assert "STÄNGT" in _summary(pilot)  # shown before the report was fetched
        assert "Differens UNDER -10,00 kr" in _summary(pilot)
        assert "UNDER -10,00" in text_of(pilot, "#shift-message")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "the lane")
        await wait_for(pilot, lambda: "Skift STÄNGT" in text_of(pilot, "#status"),
                       "the lane's status line")

        assert screen.shift is not None
        shift_id = screen.shift["id"]

    assert _hub_get(hub, "/lanes/S6/shift").status_code == 404
    closed = _hub_get(hub, f"/shifts/{shift_id}/report").json()
    assert (closed["status"], closed["expected_cash"], closed["counted_cash"]) == (
        "closed", 51700, 50700)
    assert closed["over_short"] == -1000
    assert closed["counted_detail"] == {"50000": 1, "100": 7}


async def test_a_shift_opened_while_the_lane_loads_is_not_shown_closed(hub: HubProcess) -> None:
    """The lane's load asks for the shift, the shift opens at another device, its event shows
    it open, and only then does the load's (older) answer arrive: the lane stays open."""
    _new_lane(hub, "S9")
    app = KassaTerminal(hub.url, "S9")
    ask_hub, release = app.hub.current_shift, asyncio.Event()
    answers_held: list[dict[str, Any] | None] = []
    answers_given: list[dict[str, Any] | None] = []

    async def slow_current_shift() -> dict[str, Any] | None:
        shift = await ask_hub()
        if not release.is_set():
            answers_held.append(shift)
            await release.wait()
            answers_given.append(shift)
        return shift

    app.hub.current_shift = slow_current_shift  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "erik", "1111")
        lane = app.screen
        assert isinstance(lane, LaneScreen)
        await wait_for(pilot, lambda: lane.query_one(StatusBar).online, "the hub")
        await wait_for(pilot, lambda: bool(answers_held), "the load's question")
        assert answers_held[0] is None  # the hub said: no shift (yet)
        cashier = api(hub, "erik")
        cashier.post("/lanes/S9/shift/open", json={"counted": 50000}).raise_for_status()
        cashier.close()
        await wait_for(pilot, lambda: lane.shift_open, "the shift.changed event")
        release.set()
        await wait_for(pilot, lambda: len(answers_given) == len(answers_held) and not any(
            worker.group == "load" and worker.is_running for worker in app.workers),
            "the held loads to end")
        assert lane.shift_open
        assert "Skift öppet" in lane.query_one(StatusBar).shift
