"""Changing the cart at the terminal: search and weighed items, line actions, approvals, the
menu's cart discount and cancel — each checked at the real hub."""

from __future__ import annotations

from contextlib import closing

import pytest

from terminal_client.app import KassaTerminal
from terminal_client.screens.approval import ApprovalDialog
from terminal_client.screens.cart_edit import LineDialog, SearchDialog
from terminal_client.screens.dialogs import AmountDialog
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.menus import ConfirmDialog, MenuScreen, TextScreen
from terminal_client.widgets.cart import CartTable
from terminal_client.widgets.status import StatusBar
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, log_in, open_shift, text_of, type_text, wait_for

pytestmark = pytest.mark.anyio

COFFEE = "7310005000558"  # Kaffe mellanrost 450 g, 69,95 kr


def hub_cart(hub: HubProcess, lane: str) -> dict:
    """The lane's cart as the hub holds it."""
    with closing(api(hub, "maria")) as client:
        return client.get(f"/lanes/{lane}/cart").json()


async def at_lane(pilot, hub: HubProcess, lane_id: str) -> LaneScreen:
    open_shift(hub, lane_id)
    await log_in(pilot, "erik", "1111")
    lane = pilot.app.screen
    assert isinstance(lane, LaneScreen)
    await wait_for(pilot, lambda: lane.query_one(StatusBar).online, "the hub")
    return lane


async def choose(pilot, screen_type: type, option_id: str) -> None:
    """Pick an option of the OptionList on the dialog on top."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen_type), str(screen_type))
    options = pilot.app.screen.query_one("OptionList")
    options.highlighted = next(i for i, o in enumerate(options.options) if o.id == option_id)
    await pilot.press("enter")


async def test_search_adds_a_weighed_item_by_its_weight(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "3")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await at_lane(pilot, hub, "3")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchDialog), "the search")
        await pilot.press(*"banan")
        table = app.screen.query_one("#results")
        await wait_for(pilot, lambda: table.row_count >= 1, "search hits")
        assert "Bananer" in str(table.get_row_at(0)[0])
        await pilot.press("enter")  # the first hit
        await wait_for(pilot, lambda: isinstance(app.screen, AmountDialog), "the weight")
        await type_text(pilot, "1,2.5")  # not a weight: asked again
        assert "kg" in text_of(pilot, "#dialog-message")
        await pilot.press(*["backspace"] * 5)
        await type_text(pilot, "0,734")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        await wait_for(pilot, lambda: lane.query_one(CartTable).row_count == 1, "the line")

    line = hub_cart(hub, "3")["lines"][-1]
    assert (line["name"], line["weight_g"]) == ("Bananer", 734)
    assert line["net"] == 1831  # 0,734 kg x 24,95 kr/kg = 18,3133 → 18,31


async def test_quantity_then_a_discount_over_the_limit_needs_a_manager(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "2")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await at_lane(pilot, hub, "2")
        await type_text(pilot, COFFEE)
        await wait_for(pilot, lambda: "69,95" in text_of(pilot, "#totals"), "the scan")

        await pilot.press("f4")
        await choose(pilot, LineDialog, "quantity")
        await wait_for(pilot, lambda: isinstance(app.screen, AmountDialog), "the quantity")
        await pilot.press("backspace")
        await type_text(pilot, "3")
        await wait_for(pilot, lambda: "209,85" in text_of(pilot, "#totals"), "3 x 69,95")

        await pilot.press("f4")
        await choose(pilot, LineDialog, "percent")
        await wait_for(pilot, lambda: isinstance(app.screen, AmountDialog), "the percent")
        await type_text(pilot, "30")  # over the demo's 20 % limit
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog), "a manager")
        assert "manager must approve" in text_of(pilot, "#approval-reason")
        await type_text(pilot, "maria")
        await type_text(pilot, "0000")  # wrong PIN: asked again with the hub's reason
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalDialog)
                       and "Wrong manager" in text_of(pilot, "#approval-reason"), "refusal")
        await type_text(pilot, "maria")
        await type_text(pilot, "1234")
        await wait_for(pilot, lambda: app.screen is lane, "back at the lane")
        await wait_for(pilot, lambda: "ATT BETALA 146,89" in text_of(pilot, "#totals"),
                       "30 % off")

    with closing(api(hub, "maria")) as client:
        cart = client.get("/lanes/2/cart").json()
        audit = client.get("/audit").json()
    line = cart["lines"][0]
    assert (line["quantity"], line["gross"]) == (3, 20985)
    assert line["line_discount"] == 20985 * 30 // 100 + 1  # 62,955 rounds half up to 62,96
    assert cart["total"] == 20985 - line["line_discount"]
    assert any(entry["action"] == "discount_over_limit" for entry in audit)


async def test_void_cart_discount_and_cancel_from_the_menu(hub: HubProcess) -> None:
    app = KassaTerminal(hub.url, "1")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await at_lane(pilot, hub, "1")
        await type_text(pilot, MILK)
        await type_text(pilot, COFFEE)
        table = lane.query_one(CartTable)
        await wait_for(pilot, lambda: table.row_count == 2, "two lines")
        await pilot.press("up")  # the milk
        await pilot.press("f4")
        await choose(pilot, LineDialog, "void")
        await wait_for(pilot, lambda: table.row_count == 1, "the milk voided")
        assert "69,95" in text_of(pilot, "#totals")

        await pilot.press("f10")
        await choose(pilot, MenuScreen, "cart_amount")
        await wait_for(pilot, lambda: isinstance(app.screen, AmountDialog), "the amount")
        await type_text(pilot, "10")
        await wait_for(pilot, lambda: "59,95" in text_of(pilot, "#totals"), "10 kr off")
        assert hub_cart(hub, "1")["cart_discount_value"] == 1000

        await pilot.press("f10")
        await choose(pilot, MenuScreen, "cancel_cart")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "are you sure")
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.row_count == 0, "an empty lane")
    assert hub_cart(hub, "1")["lines"] == []


async def test_help_and_a_receipt_copy(hub: HubProcess) -> None:
    open_shift(hub, "3")
    with closing(api(hub, "erik")) as cashier:  # a sale on lane 3 rung up elsewhere
        cashier.post("/lanes/3/cart/items", json={"code": MILK}).raise_for_status()
        due = cashier.get("/lanes/3/cart").json()["due"]
        cashier.post("/lanes/3/cart/tenders/cash", json={"tendered": due + 100 - due % 100}
                     ).raise_for_status()
        receipt_no = cashier.get("/sales", params={"lane_id": "3", "limit": 1}
                                 ).json()[0]["receipt_no"]
    app = KassaTerminal(hub.url, "3")
    async with app.run_test(size=(80, 24)) as pilot:
        lane = await at_lane(pilot, hub, "3")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen), "the help")
        assert "F9  retur" in text_of(pilot, "#text-body")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is lane, "back")

        await pilot.press("f10")
        await choose(pilot, MenuScreen, "reprint")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen), "the copy")
        body = text_of(pilot, "#text-body")
        assert "KOPIA" in body and f"3-{receipt_no:06d}" in body
        assert "Mellanmjölk" in body
