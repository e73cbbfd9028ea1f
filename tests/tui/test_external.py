"""F8: a card payment taken on a standalone terminal, keyed in at the till, against a real hub."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from terminal_client.app import KassaTerminal
from terminal_client.screens.external import ExternalCardDialog
from tests.conftest import HubProcess
from tests.tui.conftest import api, ring_up, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio


async def _open_dialog(pilot: Pilot[Any], typed: str = "") -> ExternalCardDialog:
    await pilot.press(*typed, "f8")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExternalCardDialog),
                   "the standalone card dialog")
    dialog = pilot.app.screen
    assert isinstance(dialog, ExternalCardDialog)
    return dialog


async def _key_in(pilot: Pilot[Any], amount: str | None, reference: str) -> None:
    """Amount (None keeps the prefilled one), Enter, reference, Enter: the question shows."""
    if amount is not None:
        await pilot.press("end", "ctrl+u")  # clear the field
        await pilot.press(*amount)
    await pilot.press("enter")
    await type_text(pilot, reference)
    await wait_for(pilot, lambda: "Godkänt på terminalen" in text_of(pilot, "#external-hint"),
                   "the question")


async def test_full_amount_on_the_standalone_terminal_completes_the_sale(
        hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "2")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, hub, "2")
        dialog = await _open_dialog(pilot)
        assert "Att betala: 16,95 kr" in text_of(pilot, "#external-due")
        assert dialog.query_one("#amount", Input).value == "16,95"  # what is due, prefilled
        box = dialog.query_one(".dialog").region
        assert box.right <= 80 and box.bottom <= 24

        await _key_in(pilot, None, "A1B2C3")
        assert "Kort 16,95 kr, ref A1B2C3" in text_of(pilot, "#dialog-message")
        await pilot.press("enter")  # yes, the terminal printed APPROVED
        await wait_for(pilot, lambda: "KLART" in text_of(pilot, "#dialog-message"), "the sale")
        shown = text_of(pilot, "#dialog-message")
        assert "BETALT 16,95 kr med kort" in shown and "Kvitto 2-" in shown
        receipt_no = dialog.result["receipt_no"] if dialog.result else None

        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert (f"Kvitto 2-{receipt_no:06d}: betalt med kort (fristående terminal)"
                in text_of(pilot, "#message"))
        assert "ATT BETALA 0,00 kr" in text_of(pilot, "#totals")

    with closing(api(hub, "maria")) as manager:
        newest = manager.get("/sales", params={"lane_id": "2", "limit": 1}).json()[0]
    assert newest["receipt_no"] == receipt_no and newest["status"] == "completed"
    assert [(t["method"], t["amount"], t["reference"]) for t in newest["tenders"]] == [
        ("card_external", 1695, "A1B2C3")]


async def test_bad_amounts_are_refused_in_words_and_nothing_is_paid(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, hub, "1")
        dialog = await _open_dialog(pilot)
        await pilot.press("end", "ctrl+u", *"tio", "enter", "enter")
        await wait_for(pilot, lambda: "Skriv beloppet" in text_of(pilot, "#dialog-message"),
                       "the amount hint")
        assert app.screen is dialog and not dialog.query_one("#amount", Input).disabled
        for bad in ("99", "0"):  # more than due, and nothing at all: the hub refuses both
            await _key_in(pilot, bad, "")
            await pilot.press("enter")
            await wait_for(pilot, lambda: text_of(pilot, "#dialog-message").startswith("! "),
                           f"the refusal of {bad}")
            assert "16,95" in text_of(pilot, "#dialog-message")  # the hub names what is due
            assert not dialog.query_one("#amount", Input).disabled  # correct it and go on
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert "ATT BETALA 16,95 kr" in text_of(pilot, "#totals")

    with closing(api(hub, "maria")) as manager:
        cart = manager.get("/lanes/1/cart").json()
    assert cart["status"] == "open" and cart["paid"] == 0 and cart["tenders"] == []


async def test_split_ten_kronor_on_the_standalone_card_then_cash(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "3")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, hub, "3")

        # "10" typed at the lane before F8: 10 kr on the standalone card, the rest in cash.
        dialog = await _open_dialog(pilot, "10")
        assert dialog.query_one("#amount", Input).value == "10,00"
        await _key_in(pilot, None, "")
        await pilot.press("escape")  # not approved after all: back to the fields
        assert not dialog.query_one("#amount", Input).disabled
        await _key_in(pilot, None, "778899")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Kvar att betala" in text_of(pilot, "#dialog-message"),
                       "the part payment")
        assert "Delbetalt 10,00 kr med kort" in text_of(pilot, "#dialog-message")
        assert "Kvar att betala 6,95 kr" in text_of(pilot, "#dialog-message")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert "Kvar att betala 6,95 kr" in text_of(pilot, "#message")

        with closing(api(hub, "erik")) as cashier:
            cash = cashier.post("/lanes/3/cart/tenders/cash",
                                json={"tendered": 700, "request_id": "split-rest"})
            assert cash.status_code == 200, cash.text
            sale = cash.json()
        await wait_for(pilot, lambda: "ATT BETALA 0,00 kr" in text_of(pilot, "#totals"),
                       "the lane to follow the completed sale")

    assert sale["status"] == "completed" and sale["total"] == 1695
    assert [(t["method"], t["amount"]) for t in sale["tenders"]] == [
        ("card_external", 1000), ("cash", 695)]
    assert sale["tenders"][0]["reference"] == "778899"
