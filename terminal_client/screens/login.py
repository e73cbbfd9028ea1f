"""Log in with username and PIN."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from terminal_client.hub_client import HubClient, HubError

PIN_HINT = "PIN-koden har 4–12 siffror."


class LoginScreen(Screen[None]):
    """Username, then a masked PIN; the hub's answer is shown as it is."""

    class LoggedIn(Message):
        """The hub accepted the PIN."""

        def __init__(self, me: dict[str, Any]) -> None:
            super().__init__()
            self.me = me

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        """The login form."""
        with Vertical(id="login-box"):
            yield Label(f"KASSA {self.hub.lane} - logga in", id="login-title")
            yield Label("Användare")
            yield Input(placeholder="t.ex. erik", id="username")
            yield Label("PIN")
            yield Input(placeholder="****", password=True, id="pin", restrict=r"[0-9]*")
            yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        """Start with the username."""
        self.query_one("#username", Input).focus()

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
            self.say(f"! {PIN_HINT}")
            return
        self.say("Loggar in ...")
        self.run_worker(self._log_in(username, pin), exclusive=True, group="login")

    async def _log_in(self, username: str, pin: str) -> None:
        try:
            me = await self.hub.login(username, pin)
        except HubError as exc:
            self.say(f"! {exc.message}")
            pin_field = self.query_one("#pin", Input)
            pin_field.value = ""
            pin_field.focus()
            return
        self.post_message(self.LoggedIn(me))

    def say(self, text: str) -> None:
        """Show a line to the cashier under the form."""
        self.query_one("#message", Static).update(text)
