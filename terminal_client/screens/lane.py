"""The lane: a scan field that keeps focus, the cart, totals, status and function keys."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from terminal_client.hub_client import CartTracker, HubClient, HubError
from terminal_client.money import format_money, parse_amount
from terminal_client.screens.approval import with_approval
from terminal_client.screens.cart_edit import LineDialog, SearchDialog, cart_discount_dialog
from terminal_client.screens.day_reports import DayReportsScreen
from terminal_client.screens.dialogs import CardDialog, CashDialog
from terminal_client.screens.external import ExternalCardDialog
from terminal_client.screens.in_doubt import InDoubtScreen
from terminal_client.screens.lock import LockScreen
from terminal_client.screens.menus import ConfirmDialog, MenuScreen, TextScreen, help_screen
from terminal_client.screens.parking import ParkedCartsScreen, park
from terminal_client.screens.pickups import PickupsScreen
from terminal_client.screens.price_check import PriceCheckDialog
from terminal_client.screens.qr import QrDialog
from terminal_client.screens.refund import RefundScreen
from terminal_client.screens.shift import ShiftScreen
from terminal_client.widgets.cart import CartTable, Totals
from terminal_client.widgets.status import StatusBar, printer_text, reader_text, sync_text


class LaneScreen(Screen[None]):
    """Where the cashier scans and takes payment."""

    BINDINGS = [
        Binding("f1", "help", "Hjälp", show=False),  # said on the message line
        Binding("f2", "shift", "Skift"),
        Binding("f3", "search", "Sök"),
        Binding("f4", "line", "Rad"),
        Binding("f5", "pay_cash", "Kontant"),
        Binding("f6", "pay_card", "Kort"),
        Binding("f7", "pay_qr", "QR"),
        Binding("f8", "pay_external", "Extern"),
        Binding("f9", "refund", "Retur"),
        Binding("f10", "menu", "Meny"),
        Binding("f11", "park", "Parkera", show=False),  # no room left: help and menu say it
        Binding("f12", "price_check", "Prisfråga", show=False),  # in the help and the menu
        Binding("ctrl+l", "lock", "Lås", show=False),
        Binding("up", "cursor(-1)", "Rad upp", show=False),
        Binding("down", "cursor(1)", "Rad ner", show=False),
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
        self.shift: dict[str, Any] | None = None
        self._shift_changes = 0  # shift.changed events seen: a load older than one is stale
        self.last_sale_id: str | None = None
        self.training = False  # training mode (övningsläge): nothing sold here is real
        # Cart changes go to the hub one at a time, in the order they were scanned.
        self._cart_lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        """Status, scan field, cart, totals, message line, function keys."""
        yield StatusBar(id="status")
        yield Static("ÖVNINGSLÄGE - övningsköp, inget säljs på riktigt", id="training")
        yield Input(placeholder="Skanna eller skriv streckkod + Enter", id="scan",
                    restrict=r"[0-9,.]*")
        yield CartTable(id="cart")
        yield Totals(id="totals")
        yield Static("F1: hjälp med alla tangenter.", id="message")
        yield Footer(compact=True, show_command_palette=False)

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
            seen = self._shift_changes
            shift = await self.hub.current_shift()
            if seen == self._shift_changes:  # else a shift.changed came meanwhile: it is newer
                self._show_shift(shift)
            self.show_cart(await self.hub.cart())
            self.show_training(await self.hub.training())
            readers = await self.hub.get("/devices/card-readers")
            self._show_reader(next((r for r in readers if r["lane_id"] == self.hub.lane), None))
            self.query_one(StatusBar).sync = sync_text(await self.hub.get("/sync/status"))
            devices = await self.hub.get("/devices/status")
            self._show_printer(next((d for d in devices
                                     if d["id"] == f"printer:{self.hub.lane}"), None))
        except HubError as exc:
            self.say(f"! {exc.message}")
        except NoMatches:  # the screen was closed while the hub answered (a logout, quitting)
            return

    def _show_printer(self, printer: dict[str, Any] | None) -> None:
        self.query_one(StatusBar).printer = printer_text(printer)

    def _show_reader(self, reader: dict[str, Any] | None) -> None:
        status = self.query_one(StatusBar)
        status.reader = reader_text(reader)
        if reader and not reader.get("available") and reader.get("last_error"):
            self.say(f"! Kortterminalen: {reader['last_error']}")

    def _show_shift(self, shift: dict[str, Any] | None) -> None:
        self.shift = shift if shift and shift.get("status") == "open" else None
        self.shift_open = self.shift is not None
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
        if "training" in cart:
            self.show_training(bool(cart["training"]))

    def show_training(self, on: bool) -> None:
        """Mark the lane unmissably while it is in training mode."""
        self.training = on
        self.query_one("#training", Static).set_class(on, "-on")

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
            self._shift_changes += 1
            self._show_shift(event["shift"])
        elif kind == "reader.changed":
            self._show_reader(event["reader"])
        elif kind == "device.changed" and event["device"]["kind"] == "printer":
            self._show_printer(event["device"])
        elif kind == "scan.rejected":
            self.say(f"! {event['code']}: {event['message']}")
        elif kind == "sync.changed":
            self.query_one(StatusBar).sync = sync_text(event["status"])
        elif kind == "error":
            self.say(f"! {event.get('message', '')}")
        # The dialog on top (card, QR, pick-ups …) follows the events it cares about.
        handler = getattr(self.app.screen, "hub_event", None)
        if self.app.screen is not self and handler is not None:
            handler(event)

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

    def action_shift(self) -> None:
        """F2: the shift: open it, cash in and out, no-sale, X report, close with the count."""
        self.app.push_screen(ShiftScreen(self.hub, self.shift))

    def action_refund(self) -> None:
        """F9: give money back for lines of an earlier receipt."""
        self.app.push_screen(RefundScreen(self.hub))

    def action_help(self) -> None:
        """F1: every key on one page."""
        self.app.push_screen(help_screen())

    def action_search(self) -> None:
        """F3: find a product by name or code (keyed-in and weighed articles)."""
        self.app.push_screen(SearchDialog(self.hub), self._changed)

    def action_line(self) -> None:
        """F4: quantity, void, discount or price of the chosen line."""
        line = self._chosen_line()
        if line is None:
            self.say("! Ingen rad att ändra: skanna en vara först.")
            return
        self.app.push_screen(LineDialog(self.hub, line), self._changed)

    def _chosen_line(self) -> dict[str, Any] | None:
        table = self.query_one(CartTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((x for x in self.cart.get("lines", []) if str(x["id"]) == key), None)

    def _changed(self, cart: dict[str, Any] | None) -> None:
        if cart is not None:
            self.say("")
            self.show_cart(cart)

    def action_menu(self) -> None:
        """F10: the less common actions."""
        self.app.push_screen(MenuScreen(self.training), self._menu_chosen)

    def action_price_check(self) -> None:
        """F12: the price of a product, selling nothing."""
        self.app.push_screen(PriceCheckDialog(self.hub))

    def action_park(self) -> None:
        """F11: put the cart aside; the next customer gets an empty lane."""
        if not self.cart.get("lines"):
            self.say("! Inget att parkera: kassan är tom.")
            return
        self.run_worker(self._park(), group="park", exclusive=True)

    async def _park(self) -> None:
        async with self._cart_lock:  # scans on their way reach the cart before it is parked
            try:
                empty, text = await park(self.hub, self.cart)
            except HubError as exc:
                self.say(f"! {exc.message}")
                return
        self.show_cart(empty)
        self.say(text)

    def show_parked(self) -> None:
        """The store's parked carts; Enter takes one up on this lane."""
        screen = ParkedCartsScreen(self.hub)

        def closed(_: None) -> None:
            if screen.resumed is not None:
                self.show_cart(screen.resumed)
                self.say(screen.outcome)
        self.app.push_screen(screen, closed)

    def _menu_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        screens = {"pickups": lambda: PickupsScreen(self.hub),
                   "in_doubt": lambda: InDoubtScreen(self.hub),
                   "price_check": lambda: PriceCheckDialog(self.hub),
                   "day_reports": lambda: DayReportsScreen(self.hub)}
        if choice in screens:
            self.app.push_screen(screens[choice]())
        elif choice == "park":
            self.action_park()
        elif choice == "parked":
            self.show_parked()
        elif choice == "lock":
            self.action_lock()
        elif choice == "switch":
            self.show_lock(switch=True)
        elif choice == "log_out":
            self.action_log_out()
        else:
            self.run_worker(self._menu_action(choice), group="menu", exclusive=True)

    async def _menu_action(self, choice: str) -> None:
        hub = self.hub
        try:
            if choice in ("cart_percent", "cart_amount"):
                kind = "percent" if choice == "cart_percent" else "amount"
                value = await self.app.push_screen_wait(cart_discount_dialog(kind == "percent"))
                if value is not None:
                    self._changed(await with_approval(
                        self.app, lambda approval: hub.discount_cart(kind, value, approval)))
            elif choice == "cancel_cart":
                if await self.app.push_screen_wait(ConfirmDialog(
                        "AVBRYT KÖPET", "Töm kassan och avbryt köpet? Betalningar som redan "
                        "gjorts ges tillbaka (chefen godkänner).")):
                    self._changed(await with_approval(self.app, hub.cancel_cart))
            elif choice == "reprint":
                await self._reprint()
            elif choice == "training":
                await self._switch_training(not self.training)
            elif choice == "sync_now":
                self.query_one(StatusBar).sync = sync_text(await hub.post("/sync/now"))
                self.say("Synkar med huvudkontoret …")
        except HubError as exc:
            self.say(f"! {exc.message}")

    async def _switch_training(self, on: bool) -> None:
        """Training mode on or off, as a manager approves."""
        state = await with_approval(self.app, lambda approval: self.hub.set_training(on, approval))
        if state is None:
            self.say("! Övningsläget är oförändrat: ingen chef godkände.")
            return
        self.show_training(state)
        self.say("Övningsläge PÅ: köpen är övning och räknas inte som försäljning." if state
                 else "Övningsläge AV: kassan säljer på riktigt igen.")

    async def _reprint(self) -> None:
        if self.last_sale_id is None:
            newest = await self.hub.get("/sales", lane_id=self.hub.lane, limit=1)
            if not newest:
                self.say("! Inget köp på den här kassan att ta en kopia av.")
                return
            self.last_sale_id = str(newest[0]["id"])
        text = await self.hub.get_text(f"/sales/{self.last_sale_id}/receipt", copy="true")
        self.app.push_screen(TextScreen("KVITTOKOPIA", text))
        try:  # and on paper, where the lane has a printer
            await self.hub.post(f"/sales/{self.last_sale_id}/print", {"lane_id": self.hub.lane})
        except HubError as exc:
            if exc.status != 409:  # 409: this lane has no printer; the copy is on screen
                raise

    def action_lock(self) -> None:
        """Ctrl+L: lock the till; the cashier's PIN (or another cashier's login) opens it."""
        self.show_lock(switch=False)

    def show_lock(self, switch: bool) -> None:
        """Cover the lane with the lock screen; watch the lane again with the new login."""
        def unlocked(_: bool | None) -> None:
            self.query_one(StatusBar).user = str(self.hub.me.get("name", ""))
            self.run_worker(self.hub.watch_lane(self._on_hub_event, self._on_connection),
                            group="events", exclusive=True)
            self.focus_scan()
        self.app.push_screen(LockScreen(self.hub, switch=switch), unlocked)

    def action_cursor(self, step: int) -> None:
        """Up/Down: choose the cart line F4 works on (the scan field keeps the focus)."""
        table = self.query_one(CartTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def _typed_amount(self) -> int | None:
        """An amount keyed into the scan field before a tender key (split tender: "200" F6
        puts 200 kr on the card). Barcodes are longer than any amount and are not taken."""
        scan = self.query_one("#scan", Input)
        text = scan.value.strip()
        if not text or len(text) > 7:
            return None
        scan.value = ""
        return parse_amount(text)

    def _due(self) -> int | None:
        due = int(self.cart.get("due") or 0)
        if due <= 0:
            self.say("! Inget att betala: skanna varor först.")
            return None
        return due

    def _sold(self, sale: dict[str, Any] | None, how: str) -> None:
        """A tender dialog closed: show the receipt number, or what is still due."""
        if sale is None:
            return
        self.show_cart(sale)
        if sale.get("status") == "completed":
            change = f"växel {format_money(sale['change'])} kr. " if sale.get("change") else ""
            how = f"{how} (ÖVNINGSKÖP)" if sale.get("training") else how
            self.say(f"Kvitto {sale['lane_id']}-{sale['receipt_no']:06d}: betalt med {how}, "
                     f"{change}Nästa kund.")
            self.last_sale_id = str(sale["id"])
        elif sale.get("due"):
            self.say(f"Delbetalt. Kvar att betala {format_money(sale['due'])} kr.")

    def action_pay_cash(self) -> None:
        """F5: take cash for what is due."""
        self._typed_amount()  # cash asks for what was handed over anyway
        if (due := self._due()) is not None:
            self.app.push_screen(CashDialog(self.hub, due), lambda s: self._sold(s, "kontant"))

    def action_pay_card(self) -> None:
        """F6: the customer pays on the lane's card reader (an amount typed first: part of it)."""
        amount = self._typed_amount()
        if (due := self._due()) is not None:
            self.app.push_screen(CardDialog(self.hub, min(amount or due, due)),
                                 lambda s: self._sold(s, "kort"))

    def action_pay_qr(self) -> None:
        """F7: the customer pays with the phone by scanning a QR code."""
        self._typed_amount()
        if (due := self._due()) is not None:
            self.app.push_screen(QrDialog(self.hub, due), lambda s: self._sold(s, "QR"))

    def action_pay_external(self) -> None:
        """F8: a card payment taken on a standalone terminal, keyed in by the cashier."""
        amount = self._typed_amount()
        if (due := self._due()) is not None:
            self.app.push_screen(ExternalCardDialog(self.hub, due, amount),
                                 lambda s: self._sold(s, "kort (fristående terminal)"))

    def action_log_out(self) -> None:
        """Log out and go back to the login screen."""
        self.run_worker(self._log_out(), group="logout", exclusive=True)

    async def _log_out(self) -> None:
        with contextlib.suppress(HubError):  # the token is forgotten here either way
            await self.hub.logout()
        self.post_message(self.LoggedOut())
