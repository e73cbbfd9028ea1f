"""Prisfråga: scan or key in a code and see the product's name and price; nothing is sold."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money, format_rate

UNITS = {"each": "st", "kg": "kg"}


class PriceCheckDialog(ModalScreen[None]):
    """A price check at the till: one code after another until Esc; the cart is not touched."""

    DEFAULT_CSS = "PriceCheckDialog #price-answer { height: 3; margin-top: 1; }"
    BINDINGS = [Binding("escape", "close", "Stäng")]

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub

    def compose(self) -> ComposeResult:
        """Title, the code field, the answer, keys."""
        with Vertical(classes="dialog"):
            yield Label("PRISFRÅGA (inget säljs)", classes="dialog-title")
            yield Label("Skanna eller skriv streckkod eller artikelnummer:")
            yield Input(placeholder="kod + Enter", id="price-code", max_length=64)
            yield Static("", id="price-answer")
            yield Static("Enter: fråga   Esc: tillbaka till köpet", classes="hint")

    def on_mount(self) -> None:
        """The scanner types into the code field."""
        self.query_one("#price-code", Input).focus()

    @on(Input.Submitted, "#price-code")
    def _asked(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        event.input.value = ""
        if code:
            self.run_worker(self._look_up(code), group="lookup", exclusive=True)

    async def _look_up(self, code: str) -> None:
        answer = self.query_one("#price-answer", Static)
        try:
            product = await self.hub.price_lookup(code)
        except HubError as exc:
            answer.update(f"! {code}: {exc.message}")
            return
        unit = UNITS.get(product["unit"], product["unit"])
        currency = "kr" if product["currency"] == "SEK" else product["currency"]
        answer.update(f"{product['name']}\n"
                      f"PRIS {format_money(product['price'])} {currency}/{unit}"
                      f"   moms {format_rate(product['vat_rate_bp'])}\n"
                      f"Art.nr {product['sku']}")

    def action_close(self) -> None:
        """Back to the sale."""
        self.dismiss(None)
