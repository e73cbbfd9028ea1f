"""F7: the customer pays with the phone: a QR code of the pay page, its live status and the
time left, cancel while it waits, and the receipt number once it is paid."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money
from terminal_client.widgets.qr_code import QrCode

QR_OPEN = ("created", "presented", "pending")
# The hub's status → the word the cashier reads, and what to do about it.
STATUS_WORDS = {
    "created": ("VISAS", "Koden förbereds …"),
    "presented": ("VISAS", "Kunden skannar koden med mobilen."),
    "pending": ("BETALAS", "Väntar på kundens betalning i mobilen …"),
    "paid": ("BETALT", "Betalningen är klar."),
    "declined": ("NEKAT", "Ta betalt på annat sätt."),
    "expired": ("UTGÅNGEN", "Koden gick ut. F7 ger en ny."),
    "cancelled": ("AVBRUTEN", "Inget betalt. Ta betalt på annat sätt."),
}
SIDE_MIN = 30  # columns the words beside the code need
POLL_EVERY = 5  # seconds: a safety net should a websocket event go missing


def time_left(expires_at: str, now: datetime | None = None) -> str:
    """Minutes and seconds until `expires_at` (ISO 8601; naive means UTC), e.g. "4:05"."""
    try:
        expires = datetime.fromisoformat(expires_at)
    except ValueError:
        return "?"
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    seconds = max(0, int((expires - (now or datetime.now(UTC))).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


class QrDialog(ModalScreen[dict[str, Any] | None]):
    """A QR payment for what is due; dismisses with the completed sale, or None."""

    DEFAULT_CSS = """
    QrDialog { align: center middle; }
    #qr-box {
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: double $accent;
        background: $surface;
    }
    #qr-side { width: 1fr; height: auto; padding: 0 1; }
    #qr-side .dialog-title { text-style: bold reverse; padding: 0 1; margin-bottom: 1; }
    #qr-status, #qr-url { height: auto; }
    #qr-receipt { text-style: bold; }
    """

    BINDINGS = [Binding("escape", "cancel_or_close", "Avbryt/stäng"),
                Binding("enter", "close", "Stäng")]

    def __init__(self, hub: HubClient, due: int) -> None:
        super().__init__()
        self.hub, self.due = hub, due
        self.request_id = uuid.uuid4().hex  # one attempt: a resend shows the same QR
        self.qr: dict[str, Any] | None = None
        self.sale: dict[str, Any] | None = None
        self.failed = False
        self._cancel_when_shown = False
        self._early: list[dict[str, Any]] = []  # events that came before the hub's answer
        self._ticks = 0

    def compose(self) -> ComposeResult:
        """The code on the left; amount, status, time left and keys on the right."""
        with Horizontal(id="qr-box"):
            yield QrCode(id="qr-code")
            with Vertical(id="qr-side"):
                yield Label("QR-BETALNING", classes="dialog-title")
                yield Label(f"Att betala: {format_money(self.due)} kr", id="qr-amount")
                yield Static("Startar QR-betalningen …", id="qr-status")
                yield Static("", id="qr-time")
                yield Static("", id="qr-receipt")
                yield Static("", id="qr-url")
                yield Static("", id="dialog-message")
                yield Static("Esc: avbryt", classes="hint", id="qr-hint")

    def on_mount(self) -> None:
        """Start the QR payment at once and count down the time it is valid."""
        self.query_one(QrCode).display = False
        self.run_worker(self._start(), exclusive=True, group="qr")
        self.set_interval(1.0, self._tick)

    @property
    def is_open(self) -> bool:
        """True while the QR waits for the shopper."""
        return self.qr is not None and self.qr.get("status") in QR_OPEN

    async def _start(self) -> None:
        try:
            qr = await self.hub.pay_qr(self.request_id)
        except HubError as exc:
            self.failed = True
            self.say(f"! {exc.message}")
            self.query_one("#qr-status", Static).update("Ingen QR-kod visas.")
            self.query_one("#qr-hint", Static).update("Esc: stäng")
            return
        self.qr = qr
        self.query_one("#qr-amount", Label).update(
            f"Att betala: {format_money(int(qr['amount']))} kr")
        try:
            self.query_one(QrCode).show(str(qr["payload"]))
        except ValueError:
            self.say("! Länken är för lång för en QR-kod.")
        self._show(qr)
        early, self._early = self._early, []
        for event in early:
            self.hub_event(event)
        if self._cancel_when_shown:
            self.action_cancel_or_close()

    def hub_event(self, event: dict[str, Any]) -> None:
        """Follow this QR's status (qr.updated) and the sale it completes (sale.completed)."""
        kind = event.get("type")
        if kind not in ("qr.updated", "sale.completed"):
            return
        if self.failed:
            return
        if self.qr is None:
            self._early.append(event)
        elif kind == "qr.updated":
            self._show(event["qr"])
        else:
            self._completed(event["sale"])

    def _show(self, qr: dict[str, Any]) -> None:
        if self.qr is None or qr.get("id") != self.qr.get("id"):
            return
        if self.qr.get("status") not in QR_OPEN and qr.get("status") in QR_OPEN:
            return  # an older snapshot: an ended QR never waits again
        self.qr = qr
        status = str(qr.get("status", ""))
        word, detail = STATUS_WORDS.get(status, (status.upper(), ""))
        if qr.get("late_payment"):
            detail = "Pengar kom efter att koden stängts: en chef stämmer av."
        self.query_one("#qr-status", Static).update(f"Status: {word}\n{detail}")
        self._tick_time()
        self._fit()
        if not self.is_open:
            self.query_one("#qr-hint", Static).update("Enter/Esc: stäng")
        if status == "paid" and self.sale is None:
            self.run_worker(self._fetch_sale(str(qr["sale_id"])), group="sale")

    async def _fetch_sale(self, sale_id: str) -> None:
        # The sale.completed event usually brings it; this covers a missed event.
        try:
            sale = await self.hub.get(f"/sales/{sale_id}")
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self._completed(sale)

    def _completed(self, sale: dict[str, Any]) -> None:
        if self.qr is None or sale.get("id") != self.qr.get("sale_id"):
            return
        if sale.get("status") != "completed" or self.sale is not None:
            return
        self.sale = sale
        self.query_one("#qr-receipt", Static).update(
            f"Kvitto {sale['lane_id']}-{sale['receipt_no']}  KLART")

    def _fit(self) -> None:
        """Show the code while it can be paid and the screen has room; else say why in words."""
        code = self.query_one(QrCode)
        url = self.query_one("#qr-url", Static)
        if not self.is_open or self.qr is None:
            code.display = False  # a code that can no longer be paid is not left to scan
            url.update("")
            return
        need_w, need_h = code.columns + SIDE_MIN + 2, code.rows + 2
        width, height = self.app.size
        code.display = bool(code.lines) and width >= need_w and height >= need_h
        if code.display:
            url.update("")
            return
        why = (f"Fönstret är för litet för QR-koden (behöver {need_w}×{need_h})."
               if code.lines else "QR-koden kan inte ritas.")
        url.update(f"{why} Kunden kan öppna länken:\n{self.qr['pay_url']}")

    def on_resize(self, _: events.Resize) -> None:
        """The terminal changed size: draw the code, or the link, again."""
        self._fit()

    def _tick(self) -> None:
        self._tick_time()
        self._ticks += 1
        if self.is_open and self.qr and self._ticks % POLL_EVERY == 0:
            self.run_worker(self._poll(str(self.qr["id"])), group="poll", exclusive=True)

    def _tick_time(self) -> None:
        text = ""
        if self.is_open and self.qr:
            text = f"Tid kvar: {time_left(str(self.qr['expires_at']))}"
        self.query_one("#qr-time", Static).update(text)

    async def _poll(self, qr_id: str) -> None:
        # Offline: the status bar says so, and the next tick tries again.
        with contextlib.suppress(HubError):
            self._show(await self.hub.get(f"/qr/{qr_id}"))

    def say(self, text: str) -> None:
        """Show a problem (or a note) in the dialog."""
        self.query_one("#dialog-message", Static).update(text)

    def action_cancel_or_close(self) -> None:
        """Esc: take a waiting QR down at the hub, or close once it has ended."""
        if self.is_open and self.qr:
            self.say("Avbryter …")
            self.run_worker(self._cancel(str(self.qr["id"])), group="cancel", exclusive=True)
        elif self.qr is None and not self.failed:
            self._cancel_when_shown = True  # still starting: cancel as soon as it exists
            self.say("Avbryter …")
        else:
            self.dismiss(self.sale)

    async def _cancel(self, qr_id: str) -> None:
        try:
            qr = await self.hub.post(f"/qr/{qr_id}/cancel")
        except HubError as exc:
            self.say(f"! {exc.message}")  # e.g. paid meanwhile: the status shows it
            await self._poll(qr_id)
            return
        self.say("")
        self._show(qr)

    def action_close(self) -> None:
        """Enter: close once the QR has ended (or never started)."""
        if self.failed or (self.qr is not None and not self.is_open):
            self.dismiss(self.sale)
