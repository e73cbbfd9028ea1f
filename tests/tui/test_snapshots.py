"""Snapshots of the key screens at 80×24 (pytest-textual-snapshot): a change to what the cashier
sees shows up as a picture to review. Update with `pytest tests/tui/test_snapshots.py
--snapshot-update` after looking at the differences (the report links them)."""

from __future__ import annotations

from contextlib import closing
from typing import Any

from textual.pilot import Pilot

from terminal_client.app import KassaTerminal
from terminal_client.screens.approval import ApprovalDialog
from terminal_client.screens.day_reports import CloseDayDialog
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.menus import MENU, MenuScreen, TextScreen
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, type_text, wait_for

COFFEE = "7310005000558"
BANANAS_734G = "2300101007341"  # a scale label: 0,734 kg of bananas


def fresh_lane(hub: HubProcess, lane: str) -> None:
    """The lane open with a 500 kr float and an empty cart, whatever ran before."""
    open_shift(hub, lane)
    with closing(api(hub, "maria")) as manager:
        if manager.get(f"/lanes/{lane}/cart").json()["lines"]:
            manager.post(f"/lanes/{lane}/cart/cancel", json={}).raise_for_status()


async def ring_up(pilot: Pilot[Any], *codes: str) -> LaneScreen:
    """Log in as Erik and scan the codes; wait until the hub's cart shows them all."""
    await log_in(pilot, "erik", "1111")
    lane = pilot.app.screen
    assert isinstance(lane, LaneScreen)
    await wait_for(pilot, lambda: "ONLINE" in str(lane.query_one("#status").render()),
                   "the hub")
    for code in codes:
        await type_text(pilot, code)
    await wait_for(pilot, lambda: len(lane.cart.get("lines", [])) == len(set(codes)),
                   "the scans")
    await pilot.pause(0.2)
    return lane


def test_login_screen(hub: HubProcess, snap_compare: Any) -> None:
    assert snap_compare(KassaTerminal(hub.url, "1"), terminal_size=(80, 24))


def test_lane_with_a_cart(hub: HubProcess, snap_compare: Any) -> None:
    fresh_lane(hub, "1")

    async def run_before(pilot: Pilot[Any]) -> None:
        await ring_up(pilot, MILK, COFFEE, BANANAS_734G, MILK)

    assert snap_compare(KassaTerminal(hub.url, "1"), run_before=run_before)


def test_help(hub: HubProcess, snap_compare: Any) -> None:
    fresh_lane(hub, "2")

    async def run_before(pilot: Pilot[Any]) -> None:
        await ring_up(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextScreen), "the help")

    assert snap_compare(KassaTerminal(hub.url, "2"), run_before=run_before)


def test_menu(hub: HubProcess, snap_compare: Any) -> None:
    fresh_lane(hub, "2")

    async def run_before(pilot: Pilot[Any]) -> None:
        await ring_up(pilot, COFFEE)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MenuScreen), "the menu")

    assert snap_compare(KassaTerminal(hub.url, "2"), run_before=run_before)


def test_manager_approval(hub: HubProcess, snap_compare: Any) -> None:
    fresh_lane(hub, "3")

    async def run_before(pilot: Pilot[Any]) -> None:
        await ring_up(pilot, COFFEE)
        await pilot.press("f4")
        await pilot.pause(0.2)
        await pilot.press("down", "down", "enter")  # Rabatt i procent
        await pilot.pause(0.2)
        await type_text(pilot, "50")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApprovalDialog),
                       "the approval")
        await pilot.pause(0.2)

    assert snap_compare(KassaTerminal(hub.url, "3"), run_before=run_before)


def test_close_day_question(hub: HubProcess, snap_compare: Any) -> None:
    """The Z report's confirmation (the report itself carries the clock, so it is not kept)."""
    fresh_lane(hub, "3")

    async def run_before(pilot: Pilot[Any]) -> None:
        await ring_up(pilot)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MenuScreen), "the menu")
        await pilot.press(*["down"] * [key for key, _ in MENU].index("day_reports"), "enter")
        await pilot.pause(0.2)
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CloseDayDialog),
                       "the question")
        await pilot.press("enter")  # a stray Enter: asked again, in words
        await pilot.pause(0.2)

    assert snap_compare(KassaTerminal(hub.url, "3"), run_before=run_before)
