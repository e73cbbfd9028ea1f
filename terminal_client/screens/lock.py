"""The locked till: the same cashier unlocks with their PIN, or another cashier takes over."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.screens.login import PIN_HINT


class LockScreen(Screen[bool]):
    """Covers the lane until a PIN is keyed in; dismisses with True once someone is logged in
    (the same cashier, or whoever took over: their login replaces the old one at the hub)."""

    BINDINGS = [Binding("escape", "clear", "Rensa", show=False)]

    def __init__(self, hub: HubClient, switch: bool = False) -> None:
        super().__init__()
        self.hub, self.switch = hub, switch

    def compose(self) -> ComposeResult:
        """Who holds the till, username, PIN."""
        name = self.hub.me.get("name", "")
        title = "BYT KASSÖR" if self.switch else "KASSAN ÄR LÅST"
        with Vertical(id="login-box"):
            yield Label(f"KASSA {self.hub.lane} - {title}", id="login-title")
            yield Static(f"Inloggad: {name}. Lås upp med din PIN, eller logga in som "
                         "en annan kassör.", id="lock-who")
            yield Label("Användare")
            yield Input("" if self.switch else self.hub.username, id="username")
            yield Label("PIN")
            yield Input(placeholder="****", password=True, id="pin", restrict=r"[0-9]*")
            yield Static("", id="message")

    def on_mount(self) -> None:
        """PIN first when unlocking; the username first when switching cashier."""
        self.query_one("#username" if self.switch else "#pin", Input).focus()

    @on(Input.Submitted, "#username")
    def _to_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not username:
            self.query_one("#username", Input).focus()
            return
        if not 4 <= len(pin) <= 12:
            self.query_one("#message", Static).update(f"! {PIN_HINT}")
            return
        self.run_worker(self._unlock(username, pin), exclusive=True, group="unlock")

    async def _unlock(self, username: str, pin: str) -> None:
        pin_field = self.query_one("#pin", Input)
        try:
            await self.hub.login(username, pin)
        except HubError as exc:
            self.query_one("#message", Static).update(f"! {exc.message}")
            pin_field.value = ""
            pin_field.focus()
            return
        self.dismiss(True)

    def action_clear(self) -> None:
        """Esc: start over."""
        self.query_one("#pin", Input).value = ""
        self.query_one("#message", Static).update("")
