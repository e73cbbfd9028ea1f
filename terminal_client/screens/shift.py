"""F2, the shift: open with the float, cash in and out, no-sale, X report, close with the count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money, format_rate, parse_amount
from terminal_client.screens.approval import with_approval
from terminal_client.screens.day_reports import DayReportsScreen
from terminal_client.screens.dialogs import AMOUNT_HINT

Json = dict[str, Any]
Submit = Callable[[Json], Awaitable[Json]]

# SEK in circulation, largest first: (face value in öre, what the cashier reads).
DENOMINATIONS = [
    (100000, "1000 kr sedel"), (50000, " 500 kr sedel"), (20000, " 200 kr sedel"),
    (10000, " 100 kr sedel"), (5000, "  50 kr sedel"), (2000, "  20 kr sedel"),
    (1000, "  10 kr mynt"), (500, "   5 kr mynt"), (200, "   2 kr mynt"), (100, "   1 kr mynt"),
]
TENDERS = {"cash": "Kontant", "card": "Kort", "card_external": "Kort, extern terminal",
           "qr": "QR", "prepaid": "Förbetalt"}
WIDTH = 42  # the report is as wide as a receipt, so the printer can take it as it is


def over_short_words(amount: int) -> str:
    """The count against what was expected, in words: ÖVER 5,00 / UNDER -10,00 / STÄMMER."""
    if amount > 0:
        return f"ÖVER {format_money(amount)}"
    if amount < 0:
        return f"UNDER {format_money(amount)}"
    return "STÄMMER 0,00"


def local_time(stamp: str | None) -> str:
    """A hub timestamp (UTC, ISO 8601) as the till's local date and time."""
    if not stamp:
        return "-"
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def row(label: str, value: str = "") -> str:
    """One report line: the label left, the value right, WIDTH wide."""
    room = WIDTH - len(value) - 1
    return f"{label[:room]:<{room}} {value}"


def _tender_rows(tenders: list[Json], indent: str = "") -> list[str]:
    return [row(f"{indent}{TENDERS.get(t['method'], t['method'])} ({t['count']})",
                format_money(t["amount"])) for t in tenders]


def _vat_rows(rows: list[Json]) -> list[str]:
    lines = [f"{'Moms':<6}{'Brutto':>12}{'Moms':>12}{'Netto':>12}"]
    lines += [f"{format_rate(r['rate_bp']):<6}{format_money(r['gross']):>12}"
              f"{format_money(r['vat']):>12}{format_money(r['net']):>12}" for r in rows]
    return lines


def report_text(report: Json, now: datetime | None = None) -> str:
    """The shift report as fixed-width text: the X report while open, the Z report once closed."""
    final = report["status"] == "closed"
    rule = "-" * WIDTH
    cash = report["cash"]
    receipts = ""
    if report["first_receipt_no"] is not None:
        receipts = f" nr {report['first_receipt_no']}-{report['last_receipt_no']}"
    lines = [
        "Z-RAPPORT (skiftet är stängt)" if final else "X-RAPPORT (skiftet är öppet)",
        f"Kassa {report['lane_id']}   Skift {report['shift_id']}   {report['currency']}",
        row("Öppnat", f"{local_time(report['opened_at'])} {report['opened_by']}"),
    ]
    if final:
        lines.append(row("Stängt", f"{local_time(report['closed_at'])} "
                                   f"{report['closed_by'] or ''}".rstrip()))
    lines.append(row("Rapport tagen", (now or datetime.now()).strftime("%Y-%m-%d %H:%M")))
    lines += [
        rule, "FÖRSÄLJNING",
        row(f"Kvitton{receipts}", str(report["sales_count"])),
        row("Försäljning inkl. moms", format_money(report["sales_total"])),
        row("  varav rabatter", format_money(report["discount_total"])),
        row("Öresavrundning kontant", format_money(report["rounding_total"])),
        row("Makulerade rader", str(report["voided_lines"])),
        row(f"Avbrutna köp ({report['cancelled_carts']})",
            format_money(report["cancelled_total"])),
        rule, "BETALSÄTT", *(_tender_rows(report["tenders"]) or ["  inga betalningar"]),
        rule, "MOMS PÅ FÖRSÄLJNINGEN", *_vat_rows(report["vat"]),
        rule, "RETURER",
        row(f"Returer ({report['refunds_count']})", format_money(report["refunds_total"])),
        *_tender_rows(report["refund_tenders"], "  "),
    ]
    if report["refund_vat"]:
        lines += _vat_rows(report["refund_vat"])
    lines += [
        row("Nettoförsäljning", format_money(report["net_sales"])),
        rule, "KONTANTER I LÅDAN",
        row("Växelkassa", format_money(cash["float_amount"])),
        row("Kontant försäljning", format_money(cash["cash_sales"])),
        row("Kontant returer", format_money(-cash["cash_refunds"])),
        row(f"Insättningar ({report['pay_ins']['count']})", format_money(cash["pay_ins"])),
        row(f"Uttag ({report['pay_outs']['count']})", format_money(-cash["pay_outs"])),
        row("Förväntat i lådan", format_money(report["expected_cash"])),
        row("Lådan öppnad utan köp", f"{report['no_sales']} ggr"),
    ]
    if final and report["counted_cash"] is not None:
        lines += [rule, "RÄKNAT",
                  row("Räknat", format_money(report["counted_cash"])),
                  row("Differens", over_short_words(report["over_short"] or 0))]
        for face, pieces in sorted((report["counted_detail"] or {}).items(),
                                   key=lambda item: -int(item[0])):
            lines.append(row(f"  {int(face) // 100} kr x {pieces}",
                             format_money(int(face) * pieces)))
    return "\n".join(lines)


class ReportScreen(ModalScreen[None]):
    """A report as fixed-width text; arrows and PgUp/PgDn scroll, Esc goes back."""

    DEFAULT_CSS = """
    ReportScreen { align: center middle; }
    ReportScreen .report-box {
        width: 50; height: 22; padding: 0 1; border: double $accent; background: $surface;
    }
    ReportScreen #report-scroll { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "close", "Tillbaka")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        """Title, the scrollable text, keys."""
        with Vertical(classes="report-box"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="report-scroll"):
                yield Static(self.text, id="report-text", markup=False)
            yield Static("Pil, PgUp, PgDn: bläddra   Esc: tillbaka", classes="hint")

    def on_mount(self) -> None:
        """The arrow keys scroll the report."""
        self.query_one("#report-scroll").focus()

    def action_close(self) -> None:
        """Back to the shift."""
        self.dismiss(None)


class CashCount(Vertical):
    """Pieces per SEK note and coin, each line's sum, and the running total as the cashier types."""

    class Done(Message):
        """Enter on the last denomination: the count is complete."""

    def compose(self) -> ComposeResult:
        """One row per denomination, then the total."""
        for face, name in DENOMINATIONS:
            with Horizontal(classes="count-row"):
                yield Label(name, classes="count-name")
                yield Input(id=f"count-{face}", restrict=r"[0-9]*", max_length=5,
                            placeholder="0", classes="count-pieces")
                yield Static("0,00", id=f"sum-{face}", classes="count-sum")
        yield Static(self._total_text(), id="count-total")

    def pieces(self) -> dict[str, int]:
        """What was counted: face value in öre (as text) → pieces, rows left empty or 0 left out."""
        counted = {}
        for face, _ in DENOMINATIONS:
            value = self.query_one(f"#count-{face}", Input).value
            if value.isdigit() and int(value) > 0:
                counted[str(face)] = int(value)
        return counted

    def untouched(self) -> bool:
        """Whether nothing at all was keyed in (an empty drawer is counted as a typed 0)."""
        return not any(field.value for field in self.query(".count-pieces").results(Input))

    def total(self) -> int:
        """The counted cash in öre."""
        return sum(int(face) * pieces for face, pieces in self.pieces().items())

    def _total_text(self) -> str:
        return f"Totalt räknat: {format_money(self.total() if self.is_mounted else 0)} kr"

    @on(Input.Changed, ".count-pieces")
    def _recount(self, event: Input.Changed) -> None:
        face = int((event.input.id or "count-0").removeprefix("count-"))
        pieces = int(event.value) if event.value.isdigit() else 0
        self.query_one(f"#sum-{face}", Static).update(format_money(face * pieces))
        self.query_one("#count-total", Static).update(self._total_text())

    @on(Input.Submitted, ".count-pieces")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        fields = list(self.query(".count-pieces").results(Input))
        position = fields.index(event.input)
        if position + 1 < len(fields):
            fields[position + 1].focus()
        else:
            self.post_message(self.Done())

    def start(self) -> None:
        """Put the cursor on the largest note."""
        self.query_one(".count-pieces", Input).focus()


class CountDialog(ModalScreen[Json | None]):
    """Count the drawer (open: the float, also as one amount; close: by denomination), then send
    it with `submit`; a refusal is shown here and the count stays for another try."""

    DEFAULT_CSS = """
    CountDialog { align: center middle; }
    CountDialog .count-box {
        width: 56; height: auto; padding: 0 2; border: double $accent; background: $surface;
    }
    CountDialog CashCount { height: auto; }
    CountDialog .count-row { height: 1; }
    CountDialog .count-name { width: 16; }
    CountDialog Input.count-pieces, CountDialog #count-amount {
        width: 9; height: 1; border: none; padding: 0 1;
    }
    CountDialog .count-row:focus-within .count-name { text-style: bold reverse; }
    CountDialog .count-sum { width: 14; text-align: right; }
    CountDialog #count-total { margin-top: 1; text-style: bold; }
    CountDialog #amount-row { height: 1; }
    CountDialog #amount-label { width: 16; }
    CountDialog #count-send { min-width: 20; margin-top: 1; }
    CountDialog #count-send:focus { text-style: bold reverse; }
    CountDialog #count-message { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, title: str, action: str, submit: Submit, *,
                 allow_amount: bool = False) -> None:
        super().__init__()
        self.title_text, self.action, self.submit = title, action, submit
        self.allow_amount = allow_amount
        self._busy = False

    def compose(self) -> ComposeResult:
        """Title, (an amount,) the denominations, the send button, message, keys."""
        with Vertical(classes="count-box"):
            yield Label(self.title_text, classes="dialog-title")
            if self.allow_amount:
                with Horizontal(id="amount-row"):
                    yield Label("Belopp (kr):", id="amount-label")
                    yield Input(id="count-amount", placeholder="kr", max_length=10)
                yield Label("eller per valör (Enter på tom rad):")
            yield CashCount()
            yield Button(f"{self.action} (Enter)", id="count-send", compact=True)
            yield Static("", id="count-message")
            yield Static("Enter: nästa rad   Esc: avbryt", classes="hint")

    def on_mount(self) -> None:
        """Start at the amount, or at the largest note."""
        if self.allow_amount:
            self.query_one("#count-amount", Input).focus()
        else:
            self.query_one(CashCount).start()

    def say(self, text: str) -> None:
        """Show a problem or progress."""
        self.query_one("#count-message", Static).update(text)

    @on(Input.Submitted, "#count-amount")
    def _amount(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one(CashCount).start()
            return
        amount = parse_amount(event.value)
        if amount is None:
            self.say(f"! {AMOUNT_HINT}")
            return
        self._send({"counted": amount})

    @on(CashCount.Done)
    def _counted(self) -> None:
        self.query_one("#count-send", Button).focus()

    @on(Button.Pressed, "#count-send")
    def _pressed(self) -> None:
        count = self.query_one(CashCount)
        amount_text = self.query_one("#count-amount", Input).value if self.allow_amount else ""
        pieces = count.pieces()
        if count.untouched() and not amount_text.strip():
            self.say("! Skriv antal på minst en rad (0 om lådan är tom).")
            count.start()
        elif not pieces and amount_text.strip():
            amount = parse_amount(amount_text)
            if amount is None:
                self.say(f"! {AMOUNT_HINT}")
                return
            self._send({"counted": amount})
        else:
            self._send({"denominations": pieces} if pieces else {"counted": 0})

    def _send(self, body: Json) -> None:
        if self._busy:  # one request at a time: a double Enter must not send twice
            return
        self._busy = True
        self.say("Skickar ...")
        self.run_worker(self._submit(body), exclusive=True, group="count")

    async def _submit(self, body: Json) -> None:
        try:
            result = await self.submit(body)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        finally:
            self._busy = False
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Leave without sending anything."""
        self.dismiss(None)


class CashMoveDialog(ModalScreen[Json | None]):
    """Pay-in or pay-out: an amount and a reason, sent to the hub; dismisses with the shift."""

    DEFAULT_CSS = "CashMoveDialog { align: center middle; }"
    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, hub: HubClient, direction: str) -> None:
        super().__init__()
        self.hub, self.direction = hub, direction  # "in" or "out"
        self._busy = False

    def compose(self) -> ComposeResult:
        """Title, amount, reason, message, keys."""
        with Vertical(classes="dialog"):
            yield Label("INSÄTTNING" if self.direction == "in" else "UTTAG",
                        classes="dialog-title")
            yield Label("Belopp (kr)")
            yield Input(placeholder="kr", id="move-amount", max_length=12)
            yield Label("Orsak")
            yield Input(placeholder="t.ex. växel från kassaskåpet" if self.direction == "in"
                        else "t.ex. betalt bud", id="move-reason", max_length=200)
            yield Static("", id="dialog-message")
            yield Static("Enter: nästa / spara   Esc: avbryt", classes="hint")

    def say(self, text: str) -> None:
        """Show a problem or progress."""
        self.query_one("#dialog-message", Static).update(text)

    @on(Input.Submitted, "#move-amount")
    def _amount(self, event: Input.Submitted) -> None:
        if self._amount_or_say() is not None:
            self.query_one("#move-reason", Input).focus()

    def _amount_or_say(self) -> int | None:
        amount = parse_amount(self.query_one("#move-amount", Input).value)
        if amount is None or amount == 0:
            self.say(f"! {AMOUNT_HINT}")
            self.query_one("#move-amount", Input).focus()
            return None
        return amount

    @on(Input.Submitted, "#move-reason")
    def _reason(self, event: Input.Submitted) -> None:
        amount = self._amount_or_say()
        if amount is None or self._busy:
            return
        if not event.value.strip():
            self.say("! Skriv varför kontanter " +
                     ("sätts in." if self.direction == "in" else "tas ut."))
            return
        self._busy = True
        self.say("Sparar ...")
        self.run_worker(self._send(amount, event.value.strip()), exclusive=True, group="move")

    async def _send(self, amount: int, reason: str) -> None:
        try:
            call = self.hub.pay_in if self.direction == "in" else self.hub.pay_out
            shift = await call(amount, reason)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        finally:
            self._busy = False
        self.dismiss(shift)

    def action_cancel(self) -> None:
        """Leave without moving cash."""
        self.dismiss(None)


class NoSaleDialog(ModalScreen[Json | None]):
    """Open the drawer without a sale: a reason, then a manager's approval if a cashier asks."""

    DEFAULT_CSS = "NoSaleDialog { align: center middle; }"
    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.refusal = ""
        self._busy = False

    def compose(self) -> ComposeResult:
        """Title, reason, message, keys."""
        with Vertical(classes="dialog"):
            yield Label("ÖPPNA LÅDAN UTAN KÖP", classes="dialog-title")
            yield Label("Orsak")
            yield Input(placeholder="t.ex. växla åt kund", id="no-sale-reason", max_length=200)
            yield Static("", id="dialog-message")
            yield Static("Enter: öppna (chef godkänner)   Esc: avbryt", classes="hint")

    def say(self, text: str) -> None:
        """Show a problem or progress."""
        self.query_one("#dialog-message", Static).update(text)

    @on(Input.Submitted, "#no-sale-reason")
    def _submit(self, event: Input.Submitted) -> None:
        if self._busy:  # one request at a time: a double Enter must not open it twice
            return
        self._busy = True
        self.say("Frågar hubben ...")
        self.run_worker(self._open(event.value.strip()), group="no-sale")

    async def _open(self, reason: str) -> None:
        self.refusal = ""

        async def attempt(approval: dict[str, str] | None) -> Json:
            try:
                return await self.hub.no_sale(reason, approval)
            except HubError as exc:  # remembered: the approval dialog shows it only once
                self.refusal = exc.message if exc.code == "approval_denied" else ""
                raise

        try:
            shift = await with_approval(self.app, attempt)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        finally:
            self._busy = False
        if shift is None:
            self.say("! Lådan öppnades inte" + (f": {self.refusal}" if self.refusal
                                                else ": ingen chef godkände."))
            return
        self.dismiss(shift)

    def action_cancel(self) -> None:
        """Leave with the drawer shut."""
        self.dismiss(None)


MENU_OPEN = [("i", "I  Insättning"), ("u", "U  Uttag"), ("l", "L  Öppna lådan utan köp"),
             ("x", "X  X-rapport (löpande, skiftet fortsätter)"),
             ("s", "S  Stäng skiftet (räkna kassan)")]
MENU_CLOSED = [("o", "O  Öppna skift (räkna in växelkassan)")]
MENU_AFTER_CLOSE = [*MENU_CLOSED, ("z", "Z  Visa Z-rapporten igen")]
DAY_REPORTS = ("d", "D  Dagrapporter: X, Z (stäng dagen), tidigare Z")


class ShiftScreen(ModalScreen[None]):
    """The lane's shift: its cash at a glance and what the cashier can do with it."""

    DEFAULT_CSS = """
    ShiftScreen { align: center middle; }
    ShiftScreen .shift-box {
        width: 64; height: auto; max-height: 24; padding: 0 2;
        border: double $accent; background: $surface;
    }
    ShiftScreen #shift-summary { height: auto; margin-bottom: 1; }
    ShiftScreen #shift-menu { height: auto; max-height: 7; border: none; padding: 0; }
    ShiftScreen #shift-menu > .option-list--option-highlighted { text-style: bold reverse; }
    ShiftScreen #shift-message { height: auto; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "leave", "Tillbaka"),
                *(Binding(key, f"choose('{key}')", show=False) for key in "iulxsozd")]

    def __init__(self, hub: HubClient, shift: Json | None) -> None:
        super().__init__()
        self.hub = hub
        self.shift = shift  # the lane's open shift, or the one just closed here
        self.just_closed = False

    def compose(self) -> ComposeResult:
        """What the shift holds, the menu, message, keys."""
        with Vertical(classes="shift-box"):
            yield Label(f"SKIFT - KASSA {self.hub.lane}", classes="dialog-title")
            yield Static("", id="shift-summary")
            yield OptionList(id="shift-menu")
            yield Static("", id="shift-message")
            yield Static("Pil + Enter eller bokstaven: välj   Esc: tillbaka", classes="hint")

    def on_mount(self) -> None:
        """Show what the lane knew, then ask the hub for the current figures."""
        self.show_shift(self.shift)
        self.query_one("#shift-menu", OptionList).focus()
        self.run_worker(self._refresh(), group="refresh", exclusive=True)

    @property
    def is_open(self) -> bool:
        """Whether the lane's shift is open."""
        return bool(self.shift and self.shift.get("status") == "open")

    def say(self, text: str) -> None:
        """One line to the cashier."""
        self.query_one("#shift-message", Static).update(text)

    async def _refresh(self) -> None:
        try:
            shift = await self.hub.current_shift()
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        if shift is not None or not self.just_closed:
            self.show_shift(shift)

    def show_shift(self, shift: Json | None) -> None:
        """Show a shift (open, or closed with its count) and the menu that fits it."""
        self.shift = shift
        self.query_one("#shift-summary", Static).update(self._summary())
        menu = self._menu()
        options = self.query_one("#shift-menu", OptionList)
        if [option.id for option in options.options] != [key for key, _ in menu]:
            options.clear_options()
            options.add_options([Option(text, id=key) for key, text in menu])
            options.highlighted = 0

    def _menu(self) -> list[tuple[str, str]]:
        if self.is_open:
            return [*MENU_OPEN, DAY_REPORTS]
        return [*(MENU_AFTER_CLOSE if self.just_closed else MENU_CLOSED), DAY_REPORTS]

    def _summary(self) -> str:
        shift = self.shift
        if shift is None:
            return f"Inget öppet skift på kassa {self.hub.lane}.\nÖppna det med växelkassan."
        cash = shift["cash"]
        if shift["status"] != "open":
            return "\n".join([
                f"Skift {shift['id']} STÄNGT {local_time(shift.get('closed_at'))}",
                row("Förväntat i lådan", f"{format_money(cash['expected_cash'])} kr"),
                row("Räknat", f"{format_money(shift['counted_cash'] or 0)} kr"),
                row("Differens", f"{over_short_words(shift['over_short'] or 0)} kr"),
            ])
        return "\n".join([
            f"Skift {shift['id']} ÖPPET sedan {local_time(shift.get('opened_at'))}",
            row("Växelkassa", f"{format_money(cash['float_amount'])} kr"),
            row("Kontant försäljning", f"{format_money(cash['cash_sales'])} kr"),
            row("Kontant returer", f"{format_money(-cash['cash_refunds'])} kr"),
            row("Insättningar", f"{format_money(cash['pay_ins'])} kr"),
            row("Uttag", f"{format_money(-cash['pay_outs'])} kr"),
            row("FÖRVÄNTAT I LÅDAN", f"{format_money(cash['expected_cash'])} kr"),
            row("Kvitton", str(shift["sales_count"])),
        ])

    def hub_event(self, event: Json) -> None:
        """Follow the lane's shift while this screen is on top."""
        kind = event.get("type")
        if kind == "shift.changed":
            shift = event["shift"]
            if shift.get("status") == "open" or (self.shift and self.shift["id"] == shift["id"]):
                self.show_shift(shift)
        elif kind in ("sale.completed", "refund.completed") and self.is_open:
            self.run_worker(self._refresh(), group="refresh", exclusive=True)

    @on(OptionList.OptionSelected, "#shift-menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id or "")

    def action_choose(self, key: str) -> None:
        """Do what the menu offers under this letter (others are refused in words)."""
        if key not in {k for k, _ in self._menu()}:
            self.say("! Det går inte nu: " + ("skiftet är redan öppet." if self.is_open
                                              else "öppna skiftet först (O)."))
            return
        self.say("")
        if key == "o":
            self.app.push_screen(CountDialog("ÖPPNA SKIFT: VÄXELKASSA", "Öppna skiftet",
                                             self._open, allow_amount=True), self._opened)
        elif key in ("i", "u"):
            what = "Insättningen är sparad." if key == "i" else "Uttaget är sparat."
            self.app.push_screen(CashMoveDialog(self.hub, "in" if key == "i" else "out"),
                                 lambda shift: self._moved(shift, what))
        elif key == "l":
            self.app.push_screen(NoSaleDialog(self.hub), self._drawer_opened)
        elif key == "x":
            self.run_worker(self._report(f"{self.hub.lane_path}/shift/report"), group="report")
        elif key == "s":
            self.app.push_screen(CountDialog("STÄNG SKIFTET: RÄKNA KASSAN", "Stäng skiftet",
                                             self._close), self._shift_closed)
        elif key == "d":
            self.app.push_screen(DayReportsScreen(self.hub))
        elif key == "z" and self.shift:
            self.run_worker(self._report(f"/shifts/{self.shift['id']}/report"), group="report")

    async def _open(self, body: Json) -> Json:
        return await self.hub.post(f"{self.hub.lane_path}/shift/open", body)  # type: ignore[no-any-return]

    def _opened(self, shift: Json | None) -> None:
        if shift is not None:
            self.just_closed = False
            self.show_shift(shift)
            self.say(f"Skiftet är öppet med växelkassa {format_money(shift['float_amount'])} kr.")

    def _moved(self, shift: Json | None, what: str) -> None:
        if shift is not None:
            self.show_shift(shift)
            self.say(what)

    def _drawer_opened(self, shift: Json | None) -> None:
        if shift is not None:
            self.show_shift(shift)
            self.say("Lådan öppnad utan köp (registrerat).")

    async def _close(self, body: Json) -> Json:
        if "denominations" in body:
            return await self.hub.close_shift(body["denominations"])
        return await self.hub.post(f"{self.hub.lane_path}/shift/close", body)  # type: ignore[no-any-return]

    def _shift_closed(self, shift: Json | None) -> None:
        if shift is None:
            return
        self.just_closed = True
        self.show_shift(shift)
        self.say(f"Skiftet är stängt: {over_short_words(shift['over_short'] or 0)} kr.")
        self.run_worker(self._report(f"/shifts/{shift['id']}/report"), group="report")

    async def _report(self, path: str) -> None:
        try:
            report = await self.hub.get(path)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        title = "Z-RAPPORT" if report["status"] == "closed" else "X-RAPPORT"
        await self.app.push_screen(ReportScreen(f"{title} - KASSA {report['lane_id']}",
                                                report_text(report)))

    def action_leave(self) -> None:
        """Back to the lane (its status line follows the shift by itself)."""
        self.dismiss(None)
