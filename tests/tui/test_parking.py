"""Parked carts at the terminal against a real hub: a cart parked with F11 leaves an empty lane,
the list of parked carts follows the store, another lane takes the cart up (not while it has
goods of its own: the hub says why) and is paid; an empty cart is not parked."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from terminal_client.app import KassaTerminal
from terminal_client.screens import parking
from terminal_client.screens.dialogs import CashDialog
from terminal_client.screens.in_doubt import local_time
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.menus import MENU, MenuScreen
from terminal_client.screens.parking import ParkedCartsScreen
from terminal_client.widgets.cart import CartTable
from terminal_client.widgets.status import StatusBar
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio
COFFEE = "7310005000558"  # Kaffe mellanrost 450 g, 69,95 kr


def _hub_get(hub: HubProcess, path: str, **params: Any) -> Any:
    with closing(api(hub, "maria")) as manager:
        response = manager.get(path, params=params)
        response.raise_for_status()
        return response.json()


async def _lane(pilot: Pilot[Any]) -> LaneScreen:
    """Log in as Erik and wait for the lane, online, its shift open."""
    await log_in(pilot, "erik", "1111")
    lane = pilot.app.screen
    assert isinstance(lane, LaneScreen)
    await wait_for(pilot, lambda: lane.query_one(StatusBar).online and lane.shift_open,
                   "the hub and the shift")
    return lane


async def _menu(pilot: Pilot[Any], choice: str) -> None:
    """F10, then the arrows down to the choice and Enter."""
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MenuScreen), "the menu")
    await pilot.press(*["down"] * [key for key, _ in MENU].index(choice), "enter")


async def _parked_list(pilot: Pilot[Any]) -> ParkedCartsScreen:
    """F10 Parkerade köp, loaded."""
    await _menu(pilot, "parked")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ParkedCartsScreen),
                   "the parked carts")
    screen = pilot.app.screen
    assert isinstance(screen, ParkedCartsScreen)
    await wait_for(pilot, lambda: screen.loaded, "the list from the hub")
    return screen


def _rows(screen: ParkedCartsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_parked_cart_is_taken_up_on_another_lane_and_paid(hub: HubProcess) -> None:
    open_shift(hub, "1")
    open_shift(hub, "2")
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        for code in (MILK, MILK, COFFEE):
            await type_text(pilot, code)
        await wait_for(pilot, lambda: "103,85" in text_of(pilot, "#totals"), "the scans")

        await pilot.press("f11")
        await wait_for(pilot, lambda: text_of(pilot, "#message").startswith("Köpet parkerat"),
                       "the cart parked")
        assert text_of(pilot, "#message") == "Köpet parkerat – 3 varor, 103,85 kr"
        assert lane.query_one(CartTable).row_count == 0
        assert "ATT BETALA 0,00 kr" in text_of(pilot, "#totals")

        screen = await _parked_list(pilot)
        parked = _hub_get(hub, "/parked-carts")
        assert len(parked) == 1
        assert _rows(screen) == [["1", local_time(parked[0]["started_at"]), "3", "103,85", ""]]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")

    app = KassaTerminal(hub.url, "2")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        await type_text(pilot, MILK)  # the next customer at lane 2
        await wait_for(pilot, lambda: "16,95" in text_of(pilot, "#totals"), "the scan")

        screen = await _parked_list(pilot)
        await pilot.press("enter")  # the hub refuses: this lane has goods
        await wait_for(pilot, lambda: text_of(pilot, "#dialog-message").startswith("!"),
                       "the refusal")
        assert text_of(pilot, "#dialog-message") == (
            "! This lane has a cart already: finish, park or cancel it first.")
        assert isinstance(app.screen, ParkedCartsScreen)
        await pilot.press("escape")

        await pilot.press("f11")  # lane 2 parks its own customer's milk …
        await wait_for(pilot, lambda: text_of(pilot, "#message") ==
                       "Köpet parkerat – 1 vara, 16,95 kr", "lane 2's cart parked")
        screen = await _parked_list(pilot)  # … oldest first
        assert [row[0] for row in _rows(screen)] == ["1", "2"]
        await pilot.press("enter")  # … and takes up lane 1's
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert text_of(pilot, "#message") == (
            "Köpet från kassa 1 upptaget – 3 varor, 103,85 kr. Skanna mer eller ta betalt.")
        assert "ATT BETALA 103,85 kr" in text_of(pilot, "#totals")
        assert lane.query_one(CartTable).row_count == 2

        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, CashDialog), "the cash dialog")
        await type_text(pilot, "110")
        await wait_for(pilot, lambda: "VÄXEL" in text_of(pilot, "#dialog-message"), "change")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is lane, "next customer")
        assert text_of(pilot, "#message").startswith("Kvitto 2-")

    sales = _hub_get(hub, "/sales", limit=50)
    completed = [s for s in sales if s["status"] == "completed"]
    assert len(completed) == 1
    sale = completed[0]
    assert (sale["lane_id"], sale["total"]) == ("2", 10385)
    assert [(line["gtin"], line["quantity"]) for line in sale["lines"]] == [(MILK, 2), (COFFEE, 1)]
    assert [(c["lane_id"], c["items"]) for c in _hub_get(hub, "/parked-carts")] == [("2", 1)]


async def test_an_empty_cart_or_one_with_a_payment_is_not_parked(hub: HubProcess) -> None:
    open_shift(hub, "3")
    app = KassaTerminal(hub.url, "3")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        before = _hub_get(hub, "/parked-carts")
        await pilot.press("f11")
        assert text_of(pilot, "#message") == "! Inget att parkera: kassan är tom."
        await _menu(pilot, "park")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        assert text_of(pilot, "#message") == "! Inget att parkera: kassan är tom."

        await type_text(pilot, MILK)
        await wait_for(pilot, lambda: "16,95" in text_of(pilot, "#totals"), "the scan")
        with closing(api(hub, "erik")) as till:  # 10 kr in cash taken at the lane already
            till.post("/lanes/3/cart/tenders/cash",
                      json={"tendered": 1000, "request_id": "part-cash"}).raise_for_status()
        await wait_for(pilot, lambda: "10,00" in text_of(pilot, "#totals"), "the part paid")
        await pilot.press("f11")
        await wait_for(pilot, lambda: text_of(pilot, "#message").startswith("!"), "the refusal")
        assert text_of(pilot, "#message") == (
            "! A payment was taken on this cart: finish it, or cancel it with a manager.")
        assert lane.query_one(CartTable).row_count == 1
    assert _hub_get(hub, "/parked-carts") == before


async def test_the_list_follows_other_lanes_and_a_cart_taken_elsewhere_is_refused(
        hub: HubProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    open_shift(hub, "1")
    open_shift(hub, "2")
    with closing(api(hub, "maria")) as till:
        for cart in _hub_get(hub, "/parked-carts"):  # what earlier tests left parked
            till.post(f"/lanes/1/parked/{cart['id']}/resume").raise_for_status()
            till.post("/lanes/1/cart/cancel", json={}).raise_for_status()
    monkeypatch.setattr(parking, "POLL_SECONDS", 0.5)
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await _lane(pilot)
        screen = await _parked_list(pilot)
        assert _rows(screen) == []
        assert text_of(pilot, "#dialog-message") == "Inga parkerade köp."

        with closing(api(hub, "erik")) as other_till:  # lane 2 parks a coffee
            other_till.post("/lanes/2/cart/items", json={"code": COFFEE}).raise_for_status()
            other_till.post("/lanes/2/cart/park").raise_for_status()
        await wait_for(pilot, lambda: len(_rows(screen)) == 1, "lane 2's parked cart")
        row = _rows(screen)[0]
        assert (row[0], row[2], row[3]) == ("2", "1", "69,95")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")

        monkeypatch.setattr(parking, "POLL_SECONDS", 3600)  # the list stays as it was read
        screen = await _parked_list(pilot)
        assert len(_rows(screen)) == 1
        with closing(api(hub, "erik")) as other_till:  # lane 2 takes it up just before Enter
            other_till.post(f"/lanes/2/parked/{screen.carts[0]['id']}/resume").raise_for_status()
        await pilot.press("enter")
        await wait_for(pilot, lambda: text_of(pilot, "#dialog-message").startswith("!"),
                       "the refusal")
        assert text_of(pilot, "#dialog-message") == (
            "! There is no parked cart with that id (it was taken up already?).")
        await wait_for(pilot, lambda: _rows(screen) == [], "the list read again")
        assert lane.query_one(CartTable).row_count == 0
