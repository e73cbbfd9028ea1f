"""A card sale at the terminal on the emulated ZVT reader: live status, approved and declined."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from drivers.emulators.zvt import ZvtEmulator
from terminal_client.app import KassaTerminal
from terminal_client.screens.dialogs import CardDialog
from tests.conftest import HubProcess
from tests.tui.conftest import api, ring_up, text_of, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def reader() -> Iterator[ZvtEmulator]:
    emulator = ZvtEmulator(currency=752)
    emulator.start_tcp()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def card_hub(tmp_path_factory: pytest.TempPathFactory,
             reader: ZvtEmulator) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path_factory.mktemp("tui-card") / "hub",
                         {"KASSA_CARD_READERS": json.dumps({"1": f"zvt:{reader.url}"})})
    process.start()
    yield process
    process.stop()


async def test_card_payment_approved_on_the_terminal(card_hub: HubProcess,
                                                     reader: ZvtEmulator) -> None:
    app = KassaTerminal(card_hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, card_hub)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, CardDialog), "the card dialog")
        await wait_for(pilot, lambda: "KLART" in text_of(pilot, "#card-status"),
                       "the approval and the receipt", timeout=15)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert "betalt med kort" in text_of(pilot, "#message")
    newest = api(card_hub, "maria").get("/sales", params={"lane_id": "1", "limit": 1}).json()[0]
    assert [t["method"] for t in newest["tenders"]] == ["card"] and newest["total"] == 1695
    assert [t.amount_minor for t in reader.batch if t.result_code == 0][-1] == 1695


async def test_card_declined_leaves_the_cart_for_another_tender(card_hub: HubProcess,
                                                                reader: ZvtEmulator) -> None:
    reader.script.extend(["decline"])
    app = KassaTerminal(card_hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await ring_up(pilot, card_hub)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, CardDialog), "the card dialog")
        await wait_for(pilot, lambda: "NEKAT" in text_of(pilot, "#card-status"),
                       "the decline", timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert "16,95" in text_of(pilot, "#totals")  # still due: pay another way
