"""Card payments in doubt: ask the terminal, or a manager decides from its printout."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money
from terminal_client.screens.approval import with_approval
from terminal_client.screens.listing import HubList

STATUS_WORDS = {"unknown": "OSÄKER", "approved": "GODKÄNT", "declined": "NEKAT",
                "failed": "EJ GENOMFÖRD", "cancelled": "ÅNGRAD", "sent": "PÅGÅR",
                "in_progress": "PÅGÅR", "created": "PÅGÅR"}
SETTLED_TEXT = {"approved": "GODKÄNT: betalningen gäller och är bokförd på köpet",
                "credit": "GODKÄNT: kortet fick pengarna tillbaka; gör returen (F9) igen med "
                          "samma rader så bokförs den",
                "declined": "NEKAT: inga pengar drogs; ta betalt på annat sätt",
                "failed": "EJ GENOMFÖRD: terminalen körde den aldrig, inget drogs",
                "cancelled": "ÅNGRAD: beloppet återfördes i terminalen eller drogs aldrig"}
DECISIONS = {"approved": "GODKÄNT", "declined": "NEKAT"}


def local_time(iso: str | None) -> str:
    """A hub timestamp (ISO, UTC) in the till's local time: 2025-01-03 14:22."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class InDoubtScreen(HubList):
    """Card payments whose outcome is unknown, and settling them one by one."""

    COLUMNS = (("Kassa", "lane", 5), ("Typ", "kind", 5), ("Belopp", "amount", 10),
               ("Tid", "when", 16), ("Terminal", "reader", 14), ("Status", "status", 12))

    BINDINGS = [Binding("escape", "back", "Stäng"),
                Binding("t", "ask_terminal", "Fråga terminalen"),
                Binding("g", "decide('approved')", "Godkänt"),
                Binding("n", "decide('declined')", "Nekat"),
                Binding("u", "reload", "Uppdatera")]

    DEFAULT_CSS = """
    InDoubtScreen { align: center middle; }
    InDoubtScreen > .wide-dialog {
        width: 80; height: 24; padding: 0 1;
        border: double $accent; background: $surface;
    }
    InDoubtScreen #doubt-table { height: 1fr; min-height: 4; }
    InDoubtScreen #doubt-detail { height: 2; }
    InDoubtScreen .field { height: 1; margin-top: 1; }
    InDoubtScreen .field Label { width: 13; }
    InDoubtScreen .field Input { width: 1fr; }
    InDoubtScreen #dialog-message { max-height: 4; }
    """

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.doubts: list[dict[str, Any]] = []
        self.settled: dict[str, dict[str, Any]] = {}  # settled while this screen is open
        self.readers: dict[str, str] = {}
        self.deciding: tuple[str, str] | None = None  # (payment id, outcome) awaiting a note
        self.loaded = False

    def compose(self) -> ComposeResult:
        """Title, the payments, the highlighted one's details, note field, message, keys."""
        with Vertical(classes="wide-dialog"):
            yield Label("OSÄKRA KORTBETALNINGAR", classes="dialog-title")
            yield DataTable(id="doubt-table", cursor_type="row")
            yield Static("", id="doubt-detail")
            with Horizontal(classes="field"):
                yield Label("Anteckning:", id="note-label")
                yield Input(placeholder="tryck G eller N först", id="note", max_length=200,
                            compact=True)
            yield Static("Hämtar …", id="dialog-message")
            yield Static("↑↓ välj  T: fråga terminalen  G: godkänt  N: nekat  U: uppdatera  "
                         "Esc: stäng", classes="hint")

    async def _load(self) -> None:
        try:
            self.doubts = await self.hub.get("/payments/in-doubt")
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        with contextlib.suppress(HubError):  # without it the terminal column stays empty
            self.readers = {r["lane_id"]: f"{r['protocol'].upper()} {r.get('terminal_id') or ''}"
                            for r in await self.hub.get("/devices/card-readers")}
        for payment in self.doubts:
            self.settled.pop(payment["id"], None)
        self.show()
        if not self.loaded:
            self.loaded = True
            self.say("Inga osäkra kortbetalningar." if not self.doubts else
                     f"{len(self.doubts)} osäker/osäkra. Välj en: T frågar terminalen; G/N "
                     "avgör efter terminalens kvitto.")

    def rows(self) -> list[dict[str, Any]]:
        """Payments in doubt, then the ones settled while the screen was open."""
        return self.doubts + [p for p in self.settled.values()
                              if all(d["id"] != p["id"] for d in self.doubts)]

    def show(self) -> None:
        """Render the table and the highlighted payment's details."""
        table = self.query_one(DataTable)
        keep = (table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                if table.row_count else None), table.cursor_row
        table.clear()
        for p in self.rows():
            table.add_row(p["lane_id"], "Retur" if p.get("kind") == "credit" else "Köp",
                          format_money(p["amount"]).rjust(10), local_time(p.get("created_at")),
                          self.readers.get(p["lane_id"], "")[:14],
                          STATUS_WORDS.get(p["status"], p["status"].upper()), key=p["id"])
        if table.row_count:  # stay on the same one, wherever it moved
            row = (table.get_row_index(keep[0]) if keep[0] and keep[0] in table.rows else
                   min(max(keep[1], 0), table.row_count - 1))
            table.move_cursor(row=row)
        self._detail()

    def selected(self) -> dict[str, Any] | None:
        """The highlighted payment."""
        table = self.query_one(DataTable)
        rows = self.rows()
        if not rows or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        p = self.selected()
        self.query_one("#doubt-detail", Static).update(
            "" if p is None else
            f"Ref {p['reference']}  kvitto {p.get('terminal_receipt_no') or '-'}  "
            f"{p.get('brand') or ''} {p.get('masked_pan') or ''}\n{p.get('message') or ''}"[:160])

    def hub_event(self, event: dict[str, Any]) -> None:
        """A card payment moved (settled by the terminal, or newly in doubt): read again."""
        if event.get("type") != "payment.updated":
            return
        payment = event.get("payment") or {}
        shown = {p["id"] for p in self.doubts}
        if payment.get("id") in shown and payment.get("status") != "unknown":
            self.settled[payment["id"]] = payment
        if payment.get("id") in shown or payment.get("status") == "unknown":
            self.action_reload()

    # Settling one

    def _open_one(self) -> dict[str, Any] | None:
        p = self.selected()
        if p is None:
            self.say("! Det finns ingen osäker betalning att välja.")
            return None
        if p["status"] != "unknown":
            self.say(f"! Den betalningen är redan {STATUS_WORDS.get(p['status'], p['status'])}.")
            return None
        return p

    def action_ask_terminal(self) -> None:
        """T: the hub reads the terminal's last transaction (ZVT repeat receipt)."""
        if (p := self._open_one()) is not None:
            self.say(f"Frågar terminalen om {format_money(p['amount'])} kr …")
            self.run_worker(self._resolve(p, {}), group="resolve", exclusive=True)

    def action_decide(self, outcome: str) -> None:
        """G / N: a manager settles it from the terminal's printout; a note says why."""
        if (p := self._open_one()) is not None:
            self.deciding = (p["id"], outcome)
            self.query_one("#note-label", Label).update(f"{DECISIONS[outcome]}, för:")
            note = self.query_one("#note", Input)
            note.placeholder = "vad terminalens kvitto visar, sedan Enter"
            note.focus()
            self.say(f"Kassa {p['lane_id']}, {format_money(p['amount'])} kr blir "
                     f"{DECISIONS[outcome]}. Skriv en anteckning + Enter (Esc: ångra).")

    @on(Input.Submitted, "#note")
    def _noted(self, event: Input.Submitted) -> None:
        if self.deciding is None:
            self.say("! Välj en betalning och tryck G (godkänt) eller N (nekat) först.")
            self.query_one(DataTable).focus()
            return
        if not event.value.strip():
            self.say("! Skriv vad terminalens kvitto visar.")
            return
        payment_id, outcome = self.deciding
        p = next((d for d in self.doubts if d["id"] == payment_id), None)
        if p is None:
            self._end_decision()
            self.say("! Betalningen är inte längre osäker.")
            return
        self.run_worker(self._resolve(p, {"outcome": outcome, "note": event.value.strip()}),
                        group="resolve", exclusive=True)

    def _end_decision(self) -> None:
        self.deciding = None
        self.query_one("#note-label", Label).update("Anteckning:")
        note = self.query_one("#note", Input)
        note.value, note.placeholder = "", "tryck G eller N först"
        self.query_one(DataTable).focus()

    async def _resolve(self, p: dict[str, Any], body: dict[str, Any]) -> None:
        try:
            answer = await with_approval(self.app, lambda approval: self.hub.post(
                f"/payments/{p['id']}/resolve",
                {**body, "approval": approval} if body else {}))
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        if answer is None:
            self.say("Avbrutet: ingen chef godkände; betalningen är fortfarande OSÄKER.")
            return
        if body:
            self._end_decision()
        what = f"Kassa {answer['lane_id']}, {format_money(answer['amount'])} kr: "
        if answer["status"] == "unknown":
            self.say(what + "fortfarande OSÄKER: terminalen svarade inte eller visar ett annat "
                     "belopp. Avgör efter terminalens kvitto (G/N).")
        else:
            self.settled[answer["id"]] = answer
            how = {"terminal": " (enligt terminalen)", "operator": " (chefens beslut)"}
            status = answer["status"]
            if status == "approved" and answer.get("kind") == "credit":
                status = "credit"
            self.say(what + SETTLED_TEXT.get(status, status)
                     + how.get(answer.get("resolved_how") or "", ""))
        await self._load()

    def action_back(self) -> None:
        """Esc: leave a half-made decision, or close."""
        if self.deciding is not None:
            self._end_decision()
            self.say("Inget beslut togs.")
        else:
            self.dismiss(None)
