"""The lane: a scan field that keeps focus, the cart, totals, status and function keys."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from terminal_client.hub_client import CartTracker, HubClient, HubError
from terminal_client.money import format_money
from terminal_client.screens.dialogs import AmountDialog, CardDialog, CashDialog
from terminal_client.widgets.cart import CartTable, Totals
from terminal_client.widgets.status import StatusBar


class LaneScreen(Screen[None]):
    """Where the cashier scans and takes payment."""

    BINDINGS = [
        Binding("f2", "open_shift", "Öppna kassa"),
        Binding("f5", "pay_cash", "Kontant"),
        Binding("f6", "pay_card", "Kort"),
        Binding("f10", "log_out", "Logga ut"),
    ]

    class LoggedOut(Message):
        """The cashier logged out."""

    class HubEvent(Message):
        """An event from the hub's websocket."""

        def __init__(self, event: dict[str, Any]) -> None:
            super().__init__()
            self.event = event

    class Connection(Message):
        """The websocket to the hub came up or went down."""

        def __init__(self, online: bool, reason: str) -> None:
            super().__init__()
            self.online, self.reason = online, reason

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.tracker = CartTracker()
        self.cart: dict[str, Any] = {"lines": [], "total": 0, "due": 0, "vat": []}
        self.shift_open = False
        # Cart changes go to the hub one at a time, in the order they were scanned.
        self._cart_lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        """Status, scan field, cart, totals, message line, function keys."""
        yield StatusBar(id="status")
        yield Input(placeholder="Skanna eller skriv streckkod + Enter", id="scan",
                    restrict=r"[0-9]*")
        yield CartTable(id="cart")
        yield Totals(id="totals")
        yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        """Show who and where, load shift and cart, follow the lane's events."""
        status = self.query_one(StatusBar)
        status.user = str(self.hub.me.get("name", ""))
        status.lane = self.hub.lane
        status.shift = "Skift: ?"
        self.query_one(Totals).show(self.cart)
        self.focus_scan()
        self.run_worker(self._load(), group="load")
        self.run_worker(self.hub.watch_lane(self._on_hub_event, self._on_connection),
                        group="events", exclusive=True)

    def on_screen_resume(self) -> None:
        """Back from a dialog: the scanner types into the scan field again."""
        self.focus_scan()

    def focus_scan(self) -> None:
        """Give the scan field the focus (a keyboard-wedge scanner types where focus is)."""
        self.query_one("#scan", Input).focus()

    def say(self, text: str) -> None:
        """Show one line to the cashier."""
        self.query_one("#message", Static).update(text)

    async def _load(self) -> None:
        try:
            shift = await self.hub.current_shift()
            self._show_shift(shift)
            self.show_cart(await self.hub.cart())
        except HubError as exc:
            self.say(f"! {exc.message}")

    def _show_shift(self, shift: dict[str, Any] | None) -> None:
        self.shift_open = bool(shift and shift.get("status") == "open")
        status = self.query_one(StatusBar)
        if self.shift_open and shift:
            status.shift = f"Skift öppet, växel {format_money(shift['float_amount'])}"
        else:
            status.shift = "Skift STÄNGT (F2)"

    def show_cart(self, cart: dict[str, Any]) -> None:
        """Show a cart if it is newer than the one shown; a completed sale leaves an empty lane."""
        if not self.tracker.is_newer(cart):
            return
        if cart.get("status") == "completed":
            cart = {**cart, "lines": [], "total": 0, "paid": 0, "due": 0, "vat": []}
        self.cart = cart
        self.query_one(CartTable).show(cart)
        self.query_one(Totals).show(cart)

    async def _on_hub_event(self, event: dict[str, Any]) -> None:
        self.post_message(self.HubEvent(event))

    async def _on_connection(self, online: bool, reason: str) -> None:
        self.post_message(self.Connection(online, reason))

    def on_lane_screen_hub_event(self, message: HubEvent) -> None:
        """Apply what happened on the lane (maybe at another device)."""
        event = message.event
        kind = event.get("type")
        if event.get("lane_id") not in (None, self.hub.lane):
            return
        if kind == "cart.updated":
            self.show_cart(event["cart"])
        elif kind == "shift.changed":
            self._show_shift(event["shift"])
        elif kind == "payment.updated" and isinstance(self.app.screen, CardDialog):
            self.app.screen.show(event["payment"])
        elif kind == "sale.completed" and isinstance(self.app.screen, CardDialog):
            self.app.screen.completed(event["sale"])
        elif kind == "error":
            self.say(f"! {event.get('message', '')}")

    def on_lane_screen_connection(self, message: Connection) -> None:
        """Show whether the hub is reachable."""
        self.query_one(StatusBar).online = message.online
        if message.online:
            self.run_worker(self._load(), group="load")

    @on(Input.Submitted, "#scan")
    def _scanned(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        event.input.value = ""
        if code:
            self.run_worker(self._scan(code), group="scan")

    async def _scan(self, code: str) -> None:
        async with self._cart_lock:
            try:
                cart = await self.hub.scan(code)
            except HubError as exc:
                self.say(f"! {code}: {exc.message}")
                return
        self.say("")
        self.show_cart(cart)

    def action_open_shift(self) -> None:
        """F2: ask for the float counted into the drawer and open the shift."""
        def opened(amount: int | None) -> None:
            if amount is not None:
                self.run_worker(self._open_shift(amount), group="shift")
        self.app.push_screen(AmountDialog("ÖPPNA KASSA", "Växelkassa i lådan (kr)"), opened)

    async def _open_shift(self, counted: int) -> None:
        try:
            shift = await self.hub.open_shift(counted)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self._show_shift(shift)
        self.say(f"Kassan är öppen med {format_money(counted)} kr i växel.")

    def action_pay_cash(self) -> None:
        """F5: take cash for what is due."""
        if not self.cart.get("due"):
            self.say("! Inget att betala: skanna varor först.")
            return

        def paid(sale: dict[str, Any] | None) -> None:
            if sale is not None:
                self.show_cart(sale)
                if sale.get("status") == "completed":
                    self.say(f"Kvitto {sale['lane_id']}-{sale['receipt_no']}: "
                             f"växel {format_money(sale['change'])} kr. Nästa kund.")
        self.app.push_screen(CashDialog(self.hub, int(self.cart["due"])), paid)

    def action_pay_card(self) -> None:
        """F6: the customer pays on the lane's card reader."""
        if not self.cart.get("due"):
            self.say("! Inget att betala: skanna varor först.")
            return

        def ended(sale: dict[str, Any] | None) -> None:
            if sale is not None:
                self.say(f"Kvitto {sale['lane_id']}-{sale['receipt_no']}: betalt med kort. "
                         "Nästa kund.")
        self.app.push_screen(CardDialog(self.hub, int(self.cart["due"])), ended)

    def action_log_out(self) -> None:
        """F10: log out and go back to the login screen."""
        self.run_worker(self._log_out(), group="logout", exclusive=True)

    async def _log_out(self) -> None:
        with contextlib.suppress(HubError):  # the token is forgotten here either way
            await self.hub.logout()
        self.post_message(self.LoggedOut())
