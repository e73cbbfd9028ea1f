"""Refunds (F9): find the receipt, choose lines and quantities to give back, and a reason."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money
from terminal_client.screens.approval import with_approval
from terminal_client.screens.dialogs import PROGRESS
from terminal_client.screens.in_doubt import local_time

RECEIPT_HINT = ("! Skriv kvittonumret som på kvittot (t.ex. 1-000042) eller skanna "
                "kvittots QR-kod.")
TENDER_NAMES = {"cash": "Kontant", "card": "Kort", "card_external": "Kort (extern terminal)",
                "qr": "QR/mobil", "prepaid": "Förbetalt online"}
_SALE_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_RECEIPT_NO = re.compile(r"^([A-Za-z0-9]{1,32})-(\d{1,12})$")
_BARE_NO = re.compile(r"^\d{1,12}$")


def sale_path(text: str, lane: str) -> str | None:
    """The API path of the sale a cashier typed or scanned, or None if it is neither.

    "1-000042" is lane 1's receipt 42, "42" this lane's; a scanned digital receipt is a URL
    ending in /receipt/{sale_id}, and a bare sale id is taken as it is."""
    text = text.strip()
    if "/receipt/" in text:
        text = re.split(r"[/?#]", text.rsplit("/receipt/", 1)[1])[0]
    if _SALE_ID.match(text):
        return f"/sales/{text.lower()}"
    if match := _RECEIPT_NO.match(text):
        lane, number = match.group(1), int(match.group(2))
    elif _BARE_NO.match(text):
        number = int(text)
    else:
        return None
    return f"/sales/by-receipt/{lane}/{number}" if number >= 1 else None


def receipt_label(lane: str, number: int | None) -> str:
    """A receipt number as printed: 1-000042."""
    return f"{lane}-{number or 0:06d}"


def _div_half_up(a: int, b: int) -> int:
    return (2 * a + b) // (2 * b)


@dataclass
class RefundRow:
    """One sold line: what was sold, what went back already, what is chosen now."""

    line_id: int
    name: str
    sold: int
    net: int
    refunded: int = 0
    refunded_amount: int = 0
    chosen: int = 0

    @property
    def left(self) -> int:
        """Units that can still be given back."""
        return self.sold - self.refunded

    @property
    def amount(self) -> int:
        """What the chosen units give back, as the hub reckons it (the last units take the
        rest, so the parts always add up to the line)."""
        if self.chosen <= 0:
            return 0
        if self.chosen == self.left:
            return self.net - self.refunded_amount
        return _div_half_up(self.net * self.chosen, self.sold)


CARD_REFUND_SECONDS = 180.0  # a card refund waits for the customer at the terminal


class RefundLines(DataTable[str]):
    """The sale's lines; space, + and - choose what goes back on the highlighted line."""

    BINDINGS = [Binding("space", "pick('toggle')", "Välj/ta bort"),
                Binding("plus", "pick('more')", "+1"),
                Binding("minus", "pick('less')", "-1")]

    class Picked(Message):
        """The cashier changed the quantity to give back on a line."""

        def __init__(self, line_id: int, how: str) -> None:
            super().__init__()
            self.line_id, self.how = line_id, how

    def on_mount(self) -> None:
        """Columns."""
        self.cursor_type = "row"
        self.add_column("Vara", key="name", width=24)
        self.add_column("Sålt", key="sold", width=5)
        self.add_column("Retur", key="done", width=5)
        self.add_column("Tillbaka", key="chosen", width=8)
        self.add_column("Radbelopp", key="net", width=10)
        self.add_column("Att ge", key="amount", width=10)

    def show(self, rows: list[RefundRow]) -> None:
        """Show the lines, keeping the highlighted row."""
        keep = self.cursor_row
        self.clear()
        for row in rows:
            chosen = f"> {row.chosen}" if row.chosen else ("-" if row.left else "klar")
            self.add_row(row.name[:24], str(row.sold).rjust(4), str(row.refunded).rjust(4),
                         chosen.rjust(7), format_money(row.net).rjust(10),
                         format_money(row.amount).rjust(10) if row.chosen else "",
                         key=str(row.line_id))
        if self.row_count:
            self.move_cursor(row=min(max(keep, 0), self.row_count - 1))

    def action_pick(self, how: str) -> None:
        """Space / + / -: tell the screen which line and how."""
        if self.row_count:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
            self.post_message(self.Picked(int(key or 0), how))


class RefundScreen(ModalScreen[dict[str, Any] | None]):
    """Give money back for lines of an earlier receipt, on the tenders it was paid with."""

    BINDINGS = [Binding("escape", "close", "Stäng")]

    DEFAULT_CSS = """
    RefundScreen { align: center middle; }
    RefundScreen > .wide-dialog {
        width: 80; height: 24; padding: 0 1;
        border: double $accent; background: $surface;
    }
    RefundScreen .field { height: 1; margin-top: 1; }
    RefundScreen #receipt-field { margin-top: 0; }
    RefundScreen .field Label { width: 8; }
    RefundScreen .field Input { width: 1fr; }
    RefundScreen #refund-lines { height: 1fr; min-height: 4; }
    RefundScreen #refund-sale, RefundScreen #refund-total { height: 1; }
    RefundScreen #dialog-message { max-height: 6; }
    """

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.sale: dict[str, Any] | None = None
        self.rows: list[RefundRow] = []
        self.result: dict[str, Any] | None = None
        self.busy = False
        # One request id per chosen refund: a resend after a lost answer cannot refund twice.
        self._request_ids: dict[tuple[Any, ...], str] = {}

    def compose(self) -> ComposeResult:
        """Receipt field, the sale, its lines, reason, message, keys."""
        with Vertical(classes="wide-dialog"):
            yield Label("RETUR", classes="dialog-title")
            with Horizontal(classes="field", id="receipt-field"):
                yield Label("Kvitto:")
                yield Input(placeholder="t.ex. 1-000042, eller skanna kvittots QR-kod",
                            id="receipt", compact=True)
            yield Static("Inget kvitto valt.", id="refund-sale")
            yield RefundLines(id="refund-lines")
            yield Static("", id="refund-total")
            with Horizontal(classes="field"):
                yield Label("Orsak:")
                yield Input(placeholder="t.ex. trasig förpackning", id="reason", max_length=200,
                            compact=True)
            yield Static("", id="dialog-message")
            yield Static("↑↓ rad  Mellanslag: allt/inget  +/-: antal  Enter: vidare  "
                         "Tab: fält  Esc: stäng", classes="hint")

    def on_mount(self) -> None:
        """Start at the receipt field (a scanner types where the focus is)."""
        self.query_one("#receipt", Input).focus()

    def say(self, text: str) -> None:
        """Show the outcome or a problem."""
        self.query_one("#dialog-message", Static).update(text)

    # Finding the sale

    @on(Input.Submitted, "#receipt")
    def _receipt_entered(self, event: Input.Submitted) -> None:
        path = sale_path(event.value, self.hub.lane)
        if path is None:
            self.say(RECEIPT_HINT)
            return
        self.say("Söker kvittot …")
        self.run_worker(self._load(path), group="load", exclusive=True)

    async def _load(self, path: str) -> None:
        try:
            sale = await self.hub.get(path)
            if sale.get("status") != "completed":
                self.say("! Det köpet är inte avslutat, så det finns inget att lämna tillbaka.")
                return
            refunds = await self.hub.get(f"/sales/{sale['id']}/refunds")
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.show_sale(sale, refunds)
        self.query_one("#receipt", Input).value = receipt_label(sale["lane_id"],
                                                                sale["receipt_no"])
        if any(row.left for row in self.rows):
            self.say("Välj vad kunden lämnar tillbaka, sedan Enter.")
            self.query_one(RefundLines).focus()
        else:
            self.say("Allt på det här kvittot är redan återlämnat.")

    def show_sale(self, sale: dict[str, Any], refunds: list[dict[str, Any]]) -> None:
        """Show a sale's lines with what its earlier refunds gave back."""
        if self.sale is None or self.sale["id"] != sale["id"]:
            self._request_ids.clear()
        self.sale = sale
        done: dict[int, tuple[int, int]] = {}
        for refund in refunds:
            for line in refund["lines"]:
                qty, amount = done.get(line["sale_line_id"], (0, 0))
                done[line["sale_line_id"]] = (qty + line["quantity"], amount + line["amount"])
        self.rows = []
        for line in sale["lines"]:
            if line.get("voided"):
                continue
            name = line["name"] + (f" {line['weight_g']} g" if line.get("weight_g") else "")
            qty, amount = done.get(line["id"], (0, 0))
            self.rows.append(RefundRow(line["id"], name, line["quantity"], line["net"], qty,
                                       amount))
        tenders = ", ".join(TENDER_NAMES.get(t["method"], t["method"])
                            for t in sale.get("tenders", []))
        back = sum(r["total"] for r in refunds)
        self.query_one("#refund-sale", Static).update(
            f"Kvitto {receipt_label(sale['lane_id'], sale['receipt_no'])}  "
            f"{local_time(sale.get('completed_at'))}  {format_money(sale['total'])} kr  "
            f"{tenders}" + (f"  (returnerat {format_money(back)} kr)" if back else ""))
        self._refresh_lines()

    def _refresh_lines(self) -> None:
        self.query_one(RefundLines).show(self.rows)
        chosen = [row for row in self.rows if row.chosen]
        total = sum(row.amount for row in chosen)
        self.query_one("#refund-total", Static).update(
            f"ATT ÅTERBETALA {format_money(total)} kr ({sum(r.chosen for r in chosen)} st)"
            if chosen else "Inget valt att lämna tillbaka.")

    # Choosing lines

    @on(RefundLines.Picked)
    def _picked(self, event: RefundLines.Picked) -> None:
        row = next((r for r in self.rows if r.line_id == event.line_id), None)
        if row is None or self.busy:
            return
        if not row.left:
            self.say(f"! {row.name}: allt är redan återlämnat.")
            return
        if event.how == "toggle":
            row.chosen = 0 if row.chosen else row.left
        elif event.how == "more":
            row.chosen = min(row.left, row.chosen + 1)
        else:
            row.chosen = max(0, row.chosen - 1)
        self.say("")
        self._refresh_lines()

    @on(DataTable.RowSelected, "#refund-lines")
    def _to_reason(self) -> None:
        if not any(row.chosen for row in self.rows):
            self.say("! Välj minst en rad: mellanslag tar hela raden, + och - ändrar antal.")
            return
        self.say("Skriv orsaken och tryck Enter för att återbetala.")
        self.query_one("#reason", Input).focus()

    # Refunding

    @on(Input.Submitted, "#reason")
    def _confirmed(self, event: Input.Submitted) -> None:
        chosen = [row for row in self.rows if row.chosen]
        if self.sale is None:
            self.say("! Skriv eller skanna kvittot först.")
            self.query_one("#receipt", Input).focus()
        elif not chosen:
            self.say("! Välj minst en rad att lämna tillbaka.")
            self.query_one(RefundLines).focus()
        elif not event.value.strip():
            self.say("! Skriv en orsak till returen.")
        elif not self.busy:
            lines = [{"line_id": row.line_id, "quantity": row.chosen} for row in chosen]
            key = (self.sale["id"], *((r.line_id, r.chosen) for r in chosen))
            request_id = self._request_ids.setdefault(key, uuid.uuid4().hex)
            body = {"lane_id": self.hub.lane, "lines": lines, "reason": event.value.strip(),
                    "request_id": request_id}
            self.busy = True
            self.say(f"Återbetalar {format_money(sum(r.amount for r in chosen))} kr …")
            self.run_worker(self._refund(self.sale["id"], body, key), group="refund",
                            exclusive=True)

    async def _refund(self, sale_id: str, body: dict[str, Any], key: tuple[Any, ...]) -> None:
        try:
            refund = await with_approval(self.app, lambda approval: self.hub.post(
                f"/sales/{sale_id}/refunds", {**body, "approval": approval},
                timeout=CARD_REFUND_SECONDS))
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        finally:
            self.busy = False
        if refund is None:
            self.say("Avbrutet: ingen chef godkände, inget återbetalades.")
            return
        self.result = refund
        self._request_ids.pop(key, None)
        self.say(self.outcome(refund))
        self.query_one("#reason", Input).value = ""
        try:  # the lines now show what went back
            sale = await self.hub.get(f"/sales/{sale_id}")
            self.show_sale(sale, await self.hub.get(f"/sales/{sale_id}/refunds"))
        except HubError as exc:
            self.query_one("#refund-total", Static).update(f"! {exc.message}")
        receipt = self.query_one("#receipt", Input)
        receipt.value = ""
        receipt.focus()

    @staticmethod
    def outcome(refund: dict[str, Any]) -> str:
        """What the cashier gives back, per tender, and the refund's receipt number."""
        text = [f"RETUR KLAR  Kvitto {receipt_label(refund['lane_id'], refund['receipt_no'])}"
                f" (retur av {receipt_label(refund['sale_lane_id'], refund['sale_receipt_no'])})"
                f"  Totalt {format_money(refund['total'])} kr"]
        for tender in refund["tenders"]:
            name = TENDER_NAMES.get(tender["method"], tender["method"])
            if tender["method"] == "cash":
                rounding = (f" (öresavrundning {format_money(tender['rounding'])})"
                            if tender["rounding"] else "")
                text.append(f"  {name}: GE KUNDEN {format_money(tender['paid_out'])} kr"
                            + rounding)
            elif tender["method"] == "card":
                text.append(f"  {name}: {format_money(tender['amount'])} kr tillbaka på kortet"
                            " (godkänt i kortterminalen)")
            elif tender["method"] == "card_external":
                text.append(f"  {name}: {format_money(tender['amount'])} kr: gör returen på "
                            "den fristående terminalen")
            else:
                text.append(f"  {name}: {format_money(tender['amount'])} kr")
        return "\n".join(text)

    def hub_event(self, event: dict[str, Any]) -> None:
        """While a card refund runs, show what the card terminal asks the customer to do."""
        payment = event.get("payment") or {}
        if (event.get("type") == "payment.updated" and self.busy
                and payment.get("kind") == "credit" and payment.get("progress") in PROGRESS):
            self.say(f"Kortterminalen: {PROGRESS[payment['progress']]}")

    def action_close(self) -> None:
        """Esc: close (a running refund finishes at the hub either way)."""
        self.dismiss(self.result)
