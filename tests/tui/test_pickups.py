"""Pick-up orders at the terminal against a real hub: picked, followed live, handed over."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList

from hub.config import Settings
from hub.db import Database
from hub.services import sync as sync_db
from hub.services.context import Shop
from hub.services.journal import load_or_create_key
from sync.schemas import Change, PickupLine, PickupOrder
from terminal_client.app import KassaTerminal
from terminal_client.screens.menus import MENU, MenuScreen
from terminal_client.screens.pickups import PickupsScreen
from tests.conftest import HubProcess
from tests.tui.conftest import api, log_in, text_of, wait_for

pytestmark = pytest.mark.anyio
LANE = "2"


def order_arrives_from_central(hub: HubProcess, order: PickupOrder) -> None:
    """Test setup: put an online order into the hub's database the way a pull from central
    does (the same feed item, applied by hub.services.sync), without running central."""
    db = Database(f"sqlite:///{hub.data_dir / 'hub.sqlite3'}")
    shop = Shop(Settings(data_dir=hub.data_dir), load_or_create_key(hub.data_dir))
    try:
        with db.write() as s:
            cursor = sync_db.state(s).pull_cursor
            sync_db.apply_changes(s, [Change(seq=cursor + 1, kind="pickup_order",
                                             key=order.order_id, version=1,
                                             data=order.model_dump(mode="json"))], cursor + 1, shop)
    finally:
        db.dispose()


def _order(hub: HubProcess, no: str, customer: str, items: list[tuple[str, int]],
           hours: int) -> PickupOrder:
    lines = []
    with closing(api(hub, "erik")) as till:
        for name, quantity in items:
            product = next(p for p in till.get("/products", params={"q": name}).json()
                           if p["name"] == name)
            lines.append(PickupLine(sku=product["sku"], name=name, quantity=quantity,
                                    unit_price=product["price"]))
    now = datetime.now(UTC)
    order = PickupOrder(order_id=f"order-{no}", order_no=no, store_id="demo-store",
                        status="reserved", customer_name=customer, lines=lines,
                        total=sum(line.unit_price * line.quantity for line in lines),
                        reserved_until=now + timedelta(hours=hours), created_at=now)
    order_arrives_from_central(hub, order)
    return order


def _status(screen: PickupsScreen, order_id: str) -> str:
    table = screen.query_one(DataTable)
    if order_id not in table.rows:
        return ""
    return str(table.get_row(order_id)[4]).strip()


async def _pickups_screen(pilot: Pilot[Any], app: KassaTerminal) -> PickupsScreen:
    await log_in(pilot, "erik", "1111")
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(app.screen, MenuScreen), "the lane's menu")
    app.screen.query_one(OptionList).highlighted = [key for key, _ in MENU].index("pickups")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PickupsScreen), "the pick-ups screen")
    screen = app.screen
    assert isinstance(screen, PickupsScreen)
    await wait_for(pilot, lambda: screen.loaded, "the pick-up queue")
    return screen


async def test_an_order_is_picked_followed_live_and_handed_over(hub: HubProcess) -> None:
    anna = _order(hub, "W-1001", "Anna Andersson",
                  [("Mellanmjölk 1,5 % 1 l", 2), ("Kaffe mellanrost 450 g", 1)], hours=2)
    bo = _order(hub, "W-1002", "Bo Berg", [("Dagstidning", 1)], hours=3)
    assert anna.total == 2 * 1695 + 6995

    app = KassaTerminal(hub.url, LANE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _pickups_screen(pilot, app)
        table = screen.query_one(DataTable)
        assert [str(c).strip() for c in table.get_row(anna.order_id)][:5] == [
            "W-1001", "Anna Andersson", "3", "103,85", "VÄNTAR"]
        assert _status(screen, bo.order_id) == "VÄNTAR"
        assert "2 × Mellanmjölk 1,5 % 1 l, 1 × Kaffe mellanrost 450 g" in text_of(
            pilot, "#pickup-detail")  # the soonest to expire is first

        await pilot.press("p")
        await wait_for(pilot, lambda: _status(screen, anna.order_id) == "PLOCKAD", "picked")
        assert "W-1001 PLOCKAD" in text_of(pilot, "#dialog-message")

        # Someone at another till picks Bo's order: the hub's pickup.updated reaches this screen.
        with closing(api(hub, "sara")) as other_till:
            other_till.post(f"/pickups/{bo.order_id}/pick", json={}).raise_for_status()
        await wait_for(pilot, lambda: _status(screen, bo.order_id) == "PLOCKAD",
                       "the other till's change")

        await pilot.press("l")
        assert "Lämna ut order W-1001 till Anna Andersson" in text_of(pilot, "#dialog-message")
        await pilot.press("escape")  # not yet
        assert text_of(pilot, "#dialog-message") == "Inte utlämnad."
        assert isinstance(app.screen, PickupsScreen)
        await pilot.press("l", "enter")
        await wait_for(pilot, lambda: _status(screen, anna.order_id) == "UTLÄMNAD",
                       "the hand-over")
        shown = text_of(pilot, "#dialog-message")
        assert shown.startswith(f"Order W-1001 UTLÄMNAD: kvitto {LANE}-")
        assert "förbetalt 103,85 kr" in shown

        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PickupsScreen), "closed")

    with closing(api(hub, "maria")) as manager:
        queue = manager.get("/pickups").json()
        assert [(o["order_no"], o["status"]) for o in queue] == [("W-1002", "picked")]
        sale = manager.get("/sales", params={"lane_id": LANE, "limit": 1}).json()[0]
    assert shown.startswith(f"Order W-1001 UTLÄMNAD: kvitto {LANE}-{sale['receipt_no']:06d}")
    assert [(t["method"], t["amount"]) for t in sale["tenders"]] == [("prepaid", 10385)]
    assert [(line["name"], line["quantity"]) for line in sale["lines"]] == [
        ("Mellanmjölk 1,5 % 1 l", 2), ("Kaffe mellanrost 450 g", 1)]


async def test_an_order_handed_over_at_another_till_leaves_the_queue(hub: HubProcess) -> None:
    order = _order(hub, "W-2001", "Cecilia Ek", [("Dagstidning", 2)], hours=1)
    app = KassaTerminal(hub.url, LANE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _pickups_screen(pilot, app)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(order.order_id))
        await pilot.press("l")
        assert "Lämna ut order W-2001 till Cecilia Ek" in text_of(pilot, "#dialog-message")
        # Before Enter, the customer got the order at another till.
        with closing(api(hub, "sara")) as other_till:
            other_till.post(f"/pickups/{order.order_id}/hand-over",
                            json={"lane_id": "3"}).raise_for_status()
        await wait_for(pilot, lambda: _status(screen, order.order_id) == "", "the queue")
        assert text_of(pilot, "#dialog-message") == (
            "! Order W-2001 väntar inte längre: utlämnad eller avbruten någon annanstans.")
        await pilot.press("enter")  # nothing is handed over twice
        await pilot.pause(0.2)
    with closing(api(hub, "maria")) as manager:
        sales = manager.get("/sales", params={"limit": 50}).json()
    assert len([s for s in sales if any(t["reference"] == "online order W-2001"
                                        for t in s["tenders"])]) == 1
