"""Modal questions: an amount (the float), and cash handed over with the change to give."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money, parse_amount

AMOUNT_HINT = "Skriv ett belopp i kronor, t.ex. 1000 eller 12,50."


def parse_count(text: str) -> int | None:
    """A whole number of pieces (1–9999), or None."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < int(text) < 10_000 else None


def parse_grams(text: str) -> int | None:
    """A weight in kilograms as keyed on a scale-less till ("0,734" or "1.2"), in grams."""
    grams = parse_amount(text.replace(".", ","), decimals=3)
    return grams if grams and grams <= 100_000 else None


class AmountDialog(ModalScreen[int | None]):
    """Ask for one number (an amount in kronor unless told otherwise); dismisses with what
    `parse` made of it (minor units for amounts), or None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, title: str, prompt: str, *, placeholder: str = "kr",
                 parse: Callable[[str], int | None] = parse_amount,
                 hint: str = AMOUNT_HINT, value: str = "") -> None:
        super().__init__()
        self.title_text, self.prompt = title, prompt
        self.placeholder, self.parse, self.hint, self.value = placeholder, parse, hint, value

    def compose(self) -> ComposeResult:
        """Title, prompt, amount field, error line."""
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.prompt)
            yield Input(self.value, placeholder=self.placeholder, id="amount")
            yield Static("", id="dialog-message")
            yield Static("Enter: OK   Esc: avbryt", classes="hint")

    @on(Input.Submitted, "#amount")
    def _submit(self, event: Input.Submitted) -> None:
        amount = self.parse(event.value)
        if amount is None:
            self.query_one("#dialog-message", Static).update(f"! {self.hint}")
            return
        self.dismiss(amount)

    def action_cancel(self) -> None:
        """Close without an amount."""
        self.dismiss(None)


class CashDialog(ModalScreen[dict[str, Any] | None]):
    """Cash handed over: pays at the hub, then shows change and rounding of the sale."""

    BINDINGS = [Binding("escape", "close", "Stäng"), Binding("enter", "close", "Nästa kund")]

    def __init__(self, hub: HubClient, due: int) -> None:
        super().__init__()
        self.hub, self.due = hub, due
        self.result: dict[str, Any] | None = None
        # One request id per amount: resending after a lost answer cannot pay twice.
        self._request_ids: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        """Amount due, the amount handed over, then the outcome."""
        with Vertical(classes="dialog"):
            yield Label("KONTANT", classes="dialog-title")
            yield Label(f"Att betala: {format_money(self.due)} kr", id="cash-due")
            yield Label("Mottaget (kr)")
            yield Input(placeholder="kr", id="tendered")
            yield Static("", id="dialog-message")
            yield Static("Enter: betala   Esc: avbryt", classes="hint", id="cash-hint")

    @on(Input.Submitted, "#tendered")
    def _submit(self, event: Input.Submitted) -> None:
        amount = parse_amount(event.value)
        if amount is None or amount == 0:
            self.say(f"! {AMOUNT_HINT}")
            return
        request_id = self._request_ids.setdefault(amount, uuid.uuid4().hex)
        self.say("Betalar ...")
        self.run_worker(self._pay(amount, request_id), exclusive=True, group="pay")

    async def _pay(self, amount: int, request_id: str) -> None:
        try:
            sale = await self.hub.pay_cash(amount, request_id)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.result = sale
        field = self.query_one("#tendered", Input)
        field.disabled = True
        if sale["status"] == "completed":
            tender = sale["tenders"][-1] if sale["tenders"] else {}
            self.say("\n".join([
                f"Mottaget:      {format_money(tender.get('tendered', amount))} kr",
                f"Öresavrundning: {format_money(sale['rounding'])} kr",
                f"VÄXEL:         {format_money(sale['change'])} kr",
                f"Kvitto {sale['lane_id']}-{sale['receipt_no']}  KLART",
            ]))
        else:
            self.say(f"Delbetalt {format_money(amount)} kr; kvar att betala "
                     f"{format_money(sale['due'])} kr.")
        self.query_one("#cash-hint", Static).update("Enter: nästa kund")

    def say(self, text: str) -> None:
        """Show the outcome or a problem in the dialog."""
        self.query_one("#dialog-message", Static).update(text)

    def action_close(self) -> None:
        """Close, handing the paid cart (if any) back to the lane."""
        self.dismiss(self.result)


PROGRESS = {"insert_card": "Sätt i eller blippa kortet", "enter_pin": "Kunden slår PIN-kod",
            "remove_card": "Ta ut kortet", "please_wait": "Vänta …",
            "approved": "Godkänt", "declined": "Nekat", "cancelled": "Avbrutet"}
OUTCOMES = {"approved": "GODKÄNT", "declined": "NEKAT: ta betalt på annat sätt",
            "cancelled": "AVBRUTET", "failed": "Terminalen tog inte emot betalningen",
            "unknown": "OKLART: betalningen är osäker; en chef löser den (se hubben)"}


class CardDialog(ModalScreen[dict[str, Any] | None]):
    """Card on the lane's reader: live status from the terminal, cancel, then the outcome."""

    BINDINGS = [Binding("escape", "cancel_or_close", "Avbryt/stäng"),
                Binding("enter", "close", "Stäng")]

    def __init__(self, hub: HubClient, due: int) -> None:
        super().__init__()
        self.hub, self.due = hub, due
        self.request_id = uuid.uuid4().hex  # one attempt; a resend can never charge twice
        self.payment: dict[str, Any] | None = None
        self.sale: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        """Amount, the terminal's status, keys."""
        with Vertical(classes="dialog"):
            yield Label("KORT", classes="dialog-title")
            yield Label(f"Att betala: {format_money(self.due)} kr")
            yield Static("Startar kortterminalen …", id="card-status")
            yield Static("Esc: avbryt", classes="hint", id="card-hint")

    def on_mount(self) -> None:
        """Start the payment at once."""
        self.run_worker(self._start(), exclusive=True, group="card")

    async def _start(self) -> None:
        try:
            self.show(await self.hub.pay_card(self.request_id, self.due))
        except HubError as exc:
            self.query_one("#card-status", Static).update(f"! {exc.message}")
            self.query_one("#card-hint", Static).update("Esc: stäng")

    def hub_event(self, event: dict[str, Any]) -> None:
        """Follow this payment's progress and the sale it completes."""
        if event.get("type") == "payment.updated":
            self.show(event["payment"])
        elif event.get("type") == "sale.completed":
            self.completed(event["sale"])

    def show(self, payment: dict[str, Any]) -> None:
        """A payment.updated event (or the answer to starting it)."""
        if self.payment and payment.get("id") != self.payment.get("id"):
            return
        self.payment = payment
        status = payment.get("status", "")
        if status in OUTCOMES:
            text = OUTCOMES[status]
            if status == "approved" and payment.get("masked_pan"):
                text += f"  {payment.get('brand') or ''} {payment['masked_pan']}".rstrip()
            self.query_one("#card-hint", Static).update("Enter: stäng")
        else:
            text = PROGRESS.get(payment.get("progress", ""), "Följ kortterminalen …")
        self.query_one("#card-status", Static).update(text)

    def completed(self, sale: dict[str, Any]) -> None:
        """The sale this payment completed."""
        self.sale = sale
        self.query_one("#card-status", Static).update(
            f"GODKÄNT  Kvitto {sale['lane_id']}-{sale['receipt_no']}  KLART")

    def action_cancel_or_close(self) -> None:
        """Esc: cancel a running payment, or close when it has ended."""
        running = self.payment and self.payment.get("status") in ("created", "sent",
                                                                  "in_progress")
        if running and self.payment:
            self.run_worker(self._cancel(self.payment["id"]), group="cancel")
        else:
            self.dismiss(self.sale)

    async def _cancel(self, payment_id: str) -> None:
        try:
            await self.hub.cancel_payment(payment_id)
        except HubError as exc:
            self.query_one("#card-status", Static).update(f"! {exc.message}")

    def action_close(self) -> None:
        """Enter: close once the payment has ended."""
        if not self.payment or self.payment.get("status") not in ("created", "sent",
                                                                   "in_progress"):
            self.dismiss(self.sale)
