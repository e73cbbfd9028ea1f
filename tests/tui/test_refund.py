"""Refunds at the terminal (F9) against a real hub: below the limit, with a manager, bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from drivers.emulators.zvt import ZvtEmulator
from terminal_client.app import KassaTerminal
from terminal_client.screens.approval import ApprovalDialog
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.refund import RefundLines, RefundScreen, sale_path
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio
LANE = "2"  # no card reader here; lane 1 has the emulated ZVT terminal


@pytest.fixture(scope="module")
def reader() -> Iterator[ZvtEmulator]:
    emulator = ZvtEmulator(currency=752)
    emulator.start_tcp()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, reader: ZvtEmulator) -> Iterator[HubProcess]:
    """This module's hub: demo data, and a card reader on lane 1 only."""
    process = HubProcess(tmp_path_factory.mktemp("tui-refund") / "hub",
                         {"KASSA_CARD_READERS": json.dumps({"1": f"zvt:{reader.url}"})})
    process.start()
    yield process
    process.stop()


def _sell(hub: HubProcess, items: list[tuple[str, int]], tendered: int | None,
          lane: str = LANE) -> dict[str, Any]:
    """Test setup: a sale rung up over the API as a cashier would, paid in cash (or on the
    lane's card reader when no cash is tendered)."""
    open_shift(hub, lane)
    with closing(api(hub, "erik")) as till:
        for name, quantity in items:
            code = MILK if name == "milk" else next(
                p["gtin"] for p in till.get("/products", params={"q": name}).json()
                if p["name"] == name)
            till.post(f"/lanes/{lane}/cart/items",
                      json={"code": code, "quantity": quantity}).raise_for_status()
        if tendered is not None:
            r = till.post(f"/lanes/{lane}/cart/tenders/cash", json={"tendered": tendered})
            r.raise_for_status()
            sale: dict[str, Any] = r.json()
        else:
            r = till.post(f"/lanes/{lane}/cart/tenders/card", json={})
            assert r.status_code == 202, r.text
            payment, deadline = r.json(), time.monotonic() + 15
            while payment["status"] != "approved":
                assert time.monotonic() < deadline, f"card payment {payment['status']}"
                time.sleep(0.05)
                payment = till.get(f"/payments/{payment['id']}").json()
            sale = till.get(f"/sales/{payment['sale_id']}").json()
    assert sale["status"] == "completed"
    return sale


def _refunds(hub: HubProcess, sale_id: str) -> list[dict[str, Any]]:
    with closing(api(hub, "maria")) as manager:
        return manager.get(f"/sales/{sale_id}/refunds").json()  # type: ignore[no-any-return]


async def _refund_screen(pilot: Pilot[Any], app: KassaTerminal) -> RefundScreen:
    await log_in(pilot, "erik", "1111")
    assert isinstance(app.screen, LaneScreen)
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, RefundScreen), "the refund screen")
    assert isinstance(app.screen, RefundScreen)
    return app.screen


def _cell(pilot: Pilot[Any], row: int, column: int) -> str:
    return str(pilot.app.screen.query_one(RefundLines).get_row_at(row)[column]).strip()


async def test_cashier_refunds_one_milk_of_a_cash_sale_below_the_limit(hub: HubProcess) -> None:
    sale = _sell(hub, [("milk", 3), ("Dagstidning", 1)], 10000)
    milk_line = sale["lines"][0]["id"]
    app = KassaTerminal(hub.url, LANE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _refund_screen(pilot, app)
        await type_text(pilot, f"{LANE}-{sale['receipt_no']:06d}")  # as printed
        await wait_for(pilot, lambda: len(screen.rows) == 2, "the sale's lines")
        assert "90,85 kr  Kontant" in text_of(pilot, "#refund-sale")  # 3 × 16,95 + 40,00
        assert app.focused is screen.query_one(RefundLines)
        assert (_cell(pilot, 0, 0), _cell(pilot, 0, 1), _cell(pilot, 0, 2)) == (
            "Mellanmjölk 1,5 % 1 l", "3", "0")

        await pilot.press("enter")  # nothing chosen yet
        assert "Välj minst en rad" in text_of(pilot, "#dialog-message")
        await pilot.press("+", "+", "-")  # one milk
        assert _cell(pilot, 0, 3) == "> 1"
        assert "ATT ÅTERBETALA 16,95 kr (1 st)" in text_of(pilot, "#refund-total")
        await pilot.press("enter")
        assert app.focused is screen.query_one("#reason")
        await pilot.press("enter")  # no reason
        assert "Skriv en orsak" in text_of(pilot, "#dialog-message")
        await type_text(pilot, "trasig förpackning")
        await wait_for(pilot, lambda: "RETUR KLAR" in text_of(pilot, "#dialog-message"),
                       "the refund")
        shown = text_of(pilot, "#dialog-message")
        assert f"retur av {LANE}-{sale['receipt_no']:06d}" in shown
        assert "Kontant: GE KUNDEN 17,00 kr (öresavrundning 0,05)" in shown  # whole kronor
        await wait_for(pilot, lambda: _cell(pilot, 0, 2) == "1", "the line's refunded count")
        assert "returnerat 16,95" in text_of(pilot, "#refund-sale")
        assert not isinstance(app.screen, ApprovalDialog)  # below 500 kr: no manager

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LaneScreen), "back at the lane")

    refunds = _refunds(hub, sale["id"])
    assert len(refunds) == 1
    refund = refunds[0]
    assert [(line["sale_line_id"], line["quantity"]) for line in refund["lines"]] == [
        (milk_line, 1)]
    assert (refund["total"], refund["reason"], refund["approved_by"]) == (
        1695, "trasig förpackning", None)
    assert refund["tenders"] == [{"method": "cash", "amount": 1695, "rounding": 5,
                                  "paid_out": 1700}]
    assert shown.startswith(f"RETUR KLAR  Kvitto {LANE}-{refund['receipt_no']:06d}")


async def test_refund_above_the_limit_needs_a_manager(hub: HubProcess) -> None:
    sale = _sell(hub, [("Kaffe mellanrost 450 g", 8)], 60000)  # 559,60 kr: above 500 kr
    app = KassaTerminal(hub.url, LANE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _refund_screen(pilot, app)
        # The digital receipt's QR code as a keyboard-wedge scanner enters it (set at once:
        # Pilot takes ~0.1 s a key, and test 1 types a receipt number key by key).
        receipt = screen.query_one("#receipt", Input)
        receipt.value = f"{hub.url}/receipt/{sale['id']}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.rows) == 1, "the sale's line")
        await pilot.press("space", "enter")  # all eight
        assert "ATT ÅTERBETALA 559,60 kr (8 st)" in text_of(pilot, "#refund-total")
        await type_text(pilot, "fel sort")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
        assert "refund" in text_of(pilot, "#approval-reason")
        await type_text(pilot, "maria")
        await type_text(pilot, "1234")
        await wait_for(pilot, lambda: app.screen is screen, "back at the refund")
        await wait_for(pilot, lambda: "RETUR KLAR" in text_of(pilot, "#dialog-message"),
                       "the refund")
        assert "GE KUNDEN 560,00 kr" in text_of(pilot, "#dialog-message")
        await wait_for(pilot, lambda: _cell(pilot, 0, 3) == "klar", "the line fully refunded")

        # Nothing is left to give back: the screen says so instead of refunding twice.
        assert app.focused is screen.query_one("#receipt")  # ready for the next receipt
        await type_text(pilot, f"{LANE}-{sale['receipt_no']}")
        await wait_for(pilot, lambda: "redan återlämnat" in text_of(pilot, "#dialog-message"),
                       "nothing left")

    refunds = _refunds(hub, sale["id"])
    with closing(api(hub, "maria")) as manager:
        maria = manager.get("/auth/me").json()["user_id"]
    assert [(r["total"], r["approved_by"]) for r in refunds] == [(55960, maria)]


async def test_wrong_receipt_number_shows_the_hubs_message(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, LANE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _refund_screen(pilot, app)
        await type_text(pilot, f"{LANE}-999999")
        await wait_for(pilot, lambda: "999999" in text_of(pilot, "#dialog-message"),
                       "the hub's answer")
        assert text_of(pilot, "#dialog-message") == (
            f"! No sale has receipt number {LANE}-999999.")
        assert screen.rows == []

        receipt = screen.query_one("#receipt", Input)
        receipt.value = ""
        await type_text(pilot, "kvitto?")
        assert "t.ex. 1-000042" in text_of(pilot, "#dialog-message")
        receipt.value = f"{hub.url}/receipt/{'0' * 32}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no sale" in text_of(pilot, "#dialog-message"),
                       "the hub's answer to an unknown digital receipt")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LaneScreen), "back at the lane")


def test_receipt_codes_map_to_the_sale() -> None:
    assert sale_path("1-000042", "2") == "/sales/by-receipt/1/42"
    assert sale_path(" K1-7 ", "2") == "/sales/by-receipt/K1/7"
    assert sale_path("42", "2") == "/sales/by-receipt/2/42"
    sale_id = "ab" * 16
    assert sale_path(f"https://kassa.example/receipt/{sale_id}?x=1", "1") == f"/sales/{sale_id}"
    assert sale_path(sale_id.upper(), "1") == f"/sales/{sale_id}"
    for junk in ("", "1-", "-42", "1-0", "abc", "1/2", "1-42-x"):
        assert sale_path(junk, "1") is None, junk


async def test_card_refund_goes_back_on_the_lanes_card_terminal(hub: HubProcess,
                                                               reader: ZvtEmulator) -> None:
    sale = _sell(hub, [("milk", 1)], None, lane="1")
    receipt = f"1-{sale['receipt_no']:06d}"
    # At a lane without a card reader the hub refuses, and the screen says why.
    app = KassaTerminal(hub.url, LANE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _refund_screen(pilot, app)
        await type_text(pilot, receipt)
        await wait_for(pilot, lambda: len(screen.rows) == 1, "the sale's line")
        assert "Kort" in text_of(pilot, "#refund-sale")
        await pilot.press("space", "enter")
        await type_text(pilot, "ångrat köp")
        await wait_for(pilot, lambda: "card reader" in text_of(pilot, "#dialog-message"),
                       "the hub's refusal")
        assert text_of(pilot, "#dialog-message") == (
            "! Lane 2 has no card reader: refund the card payment at a lane that has one.")
    assert _refunds(hub, sale["id"]) == []

    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _refund_screen(pilot, app)
        await type_text(pilot, receipt)
        await wait_for(pilot, lambda: len(screen.rows) == 1, "the sale's line")
        await pilot.press("space", "enter")
        await type_text(pilot, "ångrat köp")
        await wait_for(pilot, lambda: "RETUR KLAR" in text_of(pilot, "#dialog-message"),
                       "the credit on the card terminal", timeout=15)
        assert "Kort: 16,95 kr tillbaka på kortet" in text_of(pilot, "#dialog-message")
    refunds = _refunds(hub, sale["id"])
    assert [t["method"] for t in refunds[0]["tenders"]] == ["card"]
    assert [(t.kind, t.amount_minor) for t in reader.batch][-1] == ("refund", 1695)
