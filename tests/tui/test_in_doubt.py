"""Card payments in doubt at the terminal, against a real hub and emulated ZVT terminals that
lose power mid-payment: the terminal is asked once it is back, or a manager decides."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList

from drivers.emulators.zvt import ZvtEmulator
from terminal_client.app import KassaTerminal
from terminal_client.screens.approval import ApprovalDialog
from terminal_client.screens.in_doubt import InDoubtScreen
from terminal_client.screens.menus import MENU, MenuScreen
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def readers() -> Iterator[dict[str, ZvtEmulator]]:
    """One emulated ZVT terminal on lane 1 and one on lane 3 (each test has its own)."""
    emulators = {lane: ZvtEmulator(currency=752) for lane in ("1", "3")}
    for emulator in emulators.values():
        emulator.start_tcp()
    yield emulators
    for emulator in emulators.values():
        emulator.stop()


@pytest.fixture(scope="module")
def card_hub(tmp_path_factory: pytest.TempPathFactory,
             readers: dict[str, ZvtEmulator]) -> Iterator[HubProcess]:
    """A hub whose terminal answers within 1 s and whose idle readers are polled rarely, so
    that an in-doubt payment waits for the person at the till instead of the health check."""
    process = HubProcess(tmp_path_factory.mktemp("tui-doubt") / "hub", {
        "KASSA_CARD_READERS": json.dumps({lane: f"zvt:{e.url}" for lane, e in readers.items()}),
        "KASSA_CARD_ANSWER_SECONDS": "1", "KASSA_READER_POLL_SECONDS": "300"})
    process.start()
    yield process
    process.stop()


def _until(what: str, check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _payment_in_doubt(hub: HubProcess, lane: str, reader: ZvtEmulator) -> dict[str, Any]:
    """Test setup: a milk on the lane paid by card; the terminal takes the money and loses
    power before it answers, so the hub cannot know the outcome."""
    open_shift(hub, lane)
    with closing(api(hub, "erik")) as till:
        till.post(f"/lanes/{lane}/cart/items", json={"code": MILK}).raise_for_status()
        reader.script.extend(["power_loss:60"])
        r = till.post(f"/lanes/{lane}/cart/tenders/card", json={})
        assert r.status_code == 202, r.text
        payment_id = r.json()["id"]

        def status() -> str:
            return str(till.get(f"/payments/{payment_id}").json()["status"])

        _until("the payment to be in doubt", lambda: status() == "unknown")
        payment: dict[str, Any] = till.get(f"/payments/{payment_id}").json()
    return payment


def _reader(client: httpx.Client, lane: str) -> dict[str, Any]:
    return next(r for r in client.get("/devices/card-readers").json() if r["lane_id"] == lane)


async def _in_doubt_screen(pilot: Pilot[Any], app: KassaTerminal) -> InDoubtScreen:
    await log_in(pilot, "erik", "1111")
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen), "the lane's menu")
    app.screen.query_one(OptionList).highlighted = [key for key, _ in MENU].index("in_doubt")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, InDoubtScreen), "the in-doubt screen")
    screen = app.screen
    assert isinstance(screen, InDoubtScreen)
    await wait_for(pilot, lambda: screen.loaded, "the in-doubt list")
    return screen


def _row(screen: InDoubtScreen, payment_id: str) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(c).strip() for c in table.get_row(payment_id)]


def _shows(screen: InDoubtScreen, payment_id: str, status: str) -> bool:
    table = screen.query_one(DataTable)
    return payment_id in table.rows and _row(screen, payment_id)[-1] == status


async def test_asking_the_terminal_settles_an_unknown_payment(
        card_hub: HubProcess, readers: dict[str, ZvtEmulator]) -> None:
    reader = readers["1"]
    payment = _payment_in_doubt(card_hub, "1", reader)
    with closing(api(card_hub, "erik")) as till:
        # Right after the timeout the hub asks the terminal itself, which is still without
        # power: the payment stays in doubt and the reader is marked unavailable.
        _until("the hub's own try to fail", lambda: not _reader(till, "1")["available"])
        assert till.get(f"/payments/{payment['id']}").json()["status"] == "unknown"
    reader.go_silent(0)  # power is back on the terminal

    app = KassaTerminal(card_hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _in_doubt_screen(pilot, app)
        await wait_for(pilot, lambda: _shows(screen, payment["id"], "OSÄKER"), "the payment")
        lane, kind, amount, when, terminal, _ = _row(screen, payment["id"])
        assert (lane, kind, amount) == ("1", "Köp", "16,95")
        assert terminal.startswith("ZVT") and when.startswith("20")
        assert payment["reference"] in text_of(pilot, "#doubt-detail")

        await pilot.press("t")
        await wait_for(pilot, lambda: _shows(screen, payment["id"], "GODKÄNT"),
                       "the terminal's answer", timeout=10)
        assert text_of(pilot, "#dialog-message") == (
            "Kassa 1, 16,95 kr: GODKÄNT: betalningen gäller och är bokförd på köpet "
            "(enligt terminalen)")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, InDoubtScreen), "closed")

    with closing(api(card_hub, "maria")) as manager:
        settled = manager.get(f"/payments/{payment['id']}").json()
        assert (settled["status"], settled["resolved_how"]) == ("approved", "terminal")
        sale = manager.get(f"/sales/{payment['sale_id']}").json()
        assert sale["status"] == "completed"
        assert [(t["method"], t["amount"]) for t in sale["tenders"]] == [("card", 1695)]
        assert manager.get("/payments/in-doubt").json() == []
    assert len([t for t in reader.batch if t.kind == "payment"]) == 1  # never charged twice


async def test_a_manager_decides_from_the_terminals_printout(
        card_hub: HubProcess, readers: dict[str, ZvtEmulator]) -> None:
    reader = readers["3"]
    payment = _payment_in_doubt(card_hub, "3", reader)  # the terminal stays without power
    try:
        app = KassaTerminal(card_hub.url, "3")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _in_doubt_screen(pilot, app)
            await wait_for(pilot, lambda: _shows(screen, payment["id"], "OSÄKER"),
                           "the payment")
            await pilot.press("g")
            note = screen.query_one("#note", Input)
            assert app.focused is note
            assert "blir GODKÄNT" in text_of(pilot, "#dialog-message")
            await pilot.press("enter")
            assert "Skriv vad terminalens kvitto visar" in text_of(pilot, "#dialog-message")
            await type_text(pilot, "kvittot visar GODKÄNT")
            # Erik is a cashier: a manager keys in username and PIN.
            await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
            await type_text(pilot, "maria")
            await type_text(pilot, "1234")
            await wait_for(pilot, lambda: _shows(screen, payment["id"], "GODKÄNT"),
                           "the decision")
            assert text_of(pilot, "#dialog-message").endswith("(chefens beslut)")
            assert note.value == "" and not screen.deciding
    finally:
        reader.go_silent(0)

    with closing(api(card_hub, "maria")) as manager:
        maria = manager.get("/auth/me").json()["user_id"]
        settled = manager.get(f"/payments/{payment['id']}").json()
        assert (settled["status"], settled["resolved_how"], settled["resolved_by"]) == (
            "approved", "operator", maria)
        assert manager.get(f"/sales/{payment['sale_id']}").json()["status"] == "completed"
        audit = manager.get("/audit", params={"action": "payment_resolved"}).json()
        assert any(a["ref"] == payment["id"] and a["approved_by"] == maria for a in audit)
