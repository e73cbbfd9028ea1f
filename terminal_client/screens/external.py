"""F8: a card payment the customer made on a standalone (not connected) card terminal, keyed
in by the cashier once the terminal printed APPROVED."""

from __future__ import annotations

import uuid
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money, parse_amount

AMOUNT_HINT = "Skriv beloppet från terminalens kvitto i kronor, t.ex. 16,95."
CONFIRM = "Godkänt på terminalen? Enter = ja   Esc = nej"


class ExternalCardDialog(ModalScreen[dict[str, Any] | None]):
    """Amount and reference from the standalone terminal, confirmed, then recorded at the hub;
    dismisses with the cart or completed sale the hub returned, or None."""

    DEFAULT_CSS = """
    ExternalCardDialog { align: center middle; }
    ExternalCardDialog .dialog { width: 60; max-height: 100%; }
    """

    BINDINGS = [Binding("escape", "back", "Avbryt"), Binding("enter", "confirm", "OK")]

    def __init__(self, hub: HubClient, due: int, amount: int | None = None) -> None:
        super().__init__()
        self.hub, self.due = hub, due
        self.amount = amount if amount is not None else due
        self.stage = "edit"  # edit → confirm → paying → done
        self.result: dict[str, Any] | None = None
        self._pending: tuple[int, str] = (0, "")
        # One request id per amount and reference: resending after a lost answer cannot pay
        # twice, while a corrected amount is a new payment.
        self._request_ids: dict[tuple[int, str], str] = {}

    def compose(self) -> ComposeResult:
        """What is due, the amount and reference from the terminal, the outcome, keys."""
        with Vertical(classes="dialog"):
            yield Label("KORT PÅ EXTERN TERMINAL", classes="dialog-title")
            yield Label(f"Att betala: {format_money(self.due)} kr", id="external-due")
            yield Label("Belopp på terminalen (kr)")
            yield Input(format_money(self.amount), placeholder="kr", id="amount")
            yield Label("Referens/godkännandekod (frivilligt)")
            yield Input(placeholder="t.ex. 123456", id="reference", max_length=64)
            yield Static("", id="dialog-message")
            yield Static("Enter: nästa   Esc: avbryt", classes="hint", id="external-hint")

    def on_mount(self) -> None:
        """The amount field first (prefilled; typing replaces it)."""
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#amount")
    def _amount_entered(self, _: Input.Submitted) -> None:
        self.query_one("#reference", Input).focus()

    @on(Input.Submitted, "#reference")
    def _reference_entered(self, _: Input.Submitted) -> None:
        amount = parse_amount(self.query_one("#amount", Input).value)
        if amount is None:
            self.say(f"! {AMOUNT_HINT}")
            self.query_one("#amount", Input).focus()
            return
        reference = self.query_one("#reference", Input).value.strip()
        self._pending = (amount, reference)
        self._set_editable(False)
        self.stage = "confirm"
        self.say(f"Kort {format_money(amount)} kr" + (f", ref {reference}" if reference else "")
                 + ".")
        self.query_one("#external-hint", Static).update(CONFIRM)

    def _set_editable(self, editable: bool) -> None:
        for field in self.query(Input):
            field.disabled = not editable
        if editable:
            self.query_one("#amount", Input).focus()

    def action_confirm(self) -> None:
        """Enter (with no field to type in): record the payment, or close when it is done."""
        if self.stage == "confirm":
            self.stage = "paying"
            amount, reference = self._pending
            request_id = self._request_ids.setdefault(self._pending, uuid.uuid4().hex)
            self.say("Registrerar …")
            self.run_worker(self._pay(amount, reference, request_id), exclusive=True,
                            group="pay")
        elif self.stage == "done":
            self.dismiss(self.result)

    async def _pay(self, amount: int, reference: str, request_id: str) -> None:
        try:
            sale = await self.hub.pay_card_external(amount, reference or None, request_id)
        except HubError as exc:
            self.stage = "edit"
            self._set_editable(True)
            self.say(f"! {exc.message}")
            self.query_one("#external-hint", Static).update("Enter: nästa   Esc: avbryt")
            return
        self.result, self.stage = sale, "done"
        if sale.get("status") == "completed":
            self.say(f"BETALT {format_money(amount)} kr med kort\n"
                     f"Kvitto {sale['lane_id']}-{sale['receipt_no']}  KLART")
            self.query_one("#external-hint", Static).update("Enter: nästa kund")
        else:
            self.say(f"Delbetalt {format_money(amount)} kr med kort.\n"
                     f"Kvar att betala {format_money(int(sale['due']))} kr.")
            self.query_one("#external-hint", Static).update("Enter: stäng")

    def action_back(self) -> None:
        """Esc: back from the question to the fields, else close (with what was paid)."""
        if self.stage == "confirm":
            self.stage = "edit"
            self._set_editable(True)
            self.say("")
            self.query_one("#external-hint", Static).update("Enter: nästa   Esc: avbryt")
        elif self.stage != "paying":
            self.dismiss(self.result)

    def say(self, text: str) -> None:
        """Show the question, the outcome or a problem in the dialog."""
        self.query_one("#dialog-message", Static).update(text)
