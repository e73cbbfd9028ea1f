"""F7: a QR payment at the terminal against a real hub, paid through the sandbox PSP the way
a shopper's phone would, and cancelled by the cashier."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot

from terminal_client.app import KassaTerminal
from terminal_client.screens.qr import QrDialog
from terminal_client.widgets.qr_code import QrCode, make_qr
from tests.conftest import HubProcess
from tests.tui.conftest import api, ring_up, text_of, wait_for
from tests.unit.test_tui_qr_widget import decode_blocks, segno_matrix

pytestmark = pytest.mark.anyio


async def _show_qr(pilot: Pilot[Any]) -> QrDialog:
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QrDialog), "the QR dialog")
    dialog = pilot.app.screen
    assert isinstance(dialog, QrDialog)
    await wait_for(pilot, lambda: "VISAS" in text_of(pilot, "#qr-status"), "the code shown")
    return dialog


async def test_qr_sale_paid_on_the_phone_through_the_sandbox(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "2")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, hub, "2")
        dialog = await _show_qr(pilot)
        qr = dialog.qr
        assert qr is not None and qr["amount"] == 1695
        assert qr["payload"] == f"{hub.url}/pay/{qr['id']}"
        assert "Att betala: 16,95 kr" in text_of(pilot, "#qr-amount")
        assert "Tid kvar: 4:5" in text_of(pilot, "#qr-time")  # 5 minutes, counting down

        # The code on screen is exactly segno's symbol of the payload, wholly visible.
        code = dialog.query_one(QrCode)
        await pilot.pause()
        lines = str(code.render()).split("\n")
        expected = segno_matrix(make_qr(qr["payload"]))
        assert decode_blocks(lines)[:len(expected)] == expected
        assert code.display and code.region.size == (len(lines[0]), len(lines))
        assert code.region.right <= 80 and code.region.bottom <= 24
        side = dialog.query_one("#qr-side").region
        assert side.x >= code.region.right and side.right <= 80 and side.bottom <= 24

        # The shopper opens the link, goes on to the sandbox PSP's pay step and pays.
        async with httpx.AsyncClient(base_url=hub.url, timeout=10) as phone:
            status = (await phone.get(f"/pay/{qr['id']}/status")).json()
            assert status["status"] == "presented" and status["provider_url"]
            paid = await phone.post(status["provider_url"], data={"action": "pay"})
            assert paid.status_code == 303
        await wait_for(pilot, lambda: "BETALT" in text_of(pilot, "#qr-status"), "the payment")
        await wait_for(pilot, lambda: "KLART" in text_of(pilot, "#qr-receipt"), "the receipt")
        assert not code.display  # a settled code is taken off the screen
        assert "Enter" in text_of(pilot, "#qr-hint")

        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert "QR" in text_of(pilot, "#message") and "Kvitto 2-" in text_of(pilot, "#message")
        assert "ATT BETALA 0,00 kr" in text_of(pilot, "#totals")

    with closing(api(hub, "maria")) as manager:
        newest = manager.get("/sales", params={"lane_id": "2", "limit": 1}).json()[0]
        assert newest["id"] == qr["sale_id"] and newest["status"] == "completed"
        assert [(t["method"], t["amount"]) for t in newest["tenders"]] == [("qr", 1695)]
        assert manager.get(f"/qr/{qr['id']}").json()["status"] == "paid"


async def test_qr_cancelled_with_escape_leaves_the_cart(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "3")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, hub, "3")
        dialog = await _show_qr(pilot)
        qr = dialog.qr
        assert qr is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: "AVBRUTEN" in text_of(pilot, "#qr-status"), "cancelled")
        assert not dialog.query_one(QrCode).display
        assert app.screen is dialog  # the cashier reads what happened, then closes

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert "ATT BETALA 16,95 kr" in text_of(pilot, "#totals")

    with closing(api(hub, "maria")) as manager:
        assert manager.get(f"/qr/{qr['id']}").json()["status"] == "cancelled"
        cart = manager.get("/lanes/3/cart").json()
        assert cart["status"] == "open" and cart["paid"] == 0 and cart["due"] == 1695
        # The sandbox closed the payment too: the phone page offers no pay step any more.
        status = httpx.get(f"{hub.url}/pay/{qr['id']}/status", timeout=10).json()
        assert status["status"] == "cancelled" and status["provider_url"] == ""


async def test_too_small_for_the_code_shows_the_link_in_words(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(64, 20)) as pilot:
        await ring_up(pilot, hub, "1")
        dialog = await _show_qr(pilot)
        assert dialog.qr is not None
        assert not dialog.query_one(QrCode).display
        shown = text_of(pilot, "#qr-url")
        assert "för litet" in shown
        assert dialog.qr["pay_url"] in shown.replace("\n", "")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "AVBRUTEN" in text_of(pilot, "#qr-status"), "cancelled")
