"""Day reports of the register (SKVFS 2014:9): the X report, closing the day with a numbered Z
report (after a confirmation in words), earlier Z reports; each on screen and on paper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money, format_rate
from terminal_client.screens.in_doubt import local_time
from terminal_client.screens.listing import HubList

Json = dict[str, Any]
Print = Callable[[], Awaitable[None]]

MENU = [("x", "X  X-dagrapport (dagen fortsätter)"),
        ("z", "Z  Z-dagrapport: stäng dagen"),
        ("t", "T  Tidigare Z-dagrapporter")]


def row(label: str, value: str = "") -> str:
    """One report line as wide as a receipt (42): the label left, the value right."""
    room = 41 - len(value)
    return f"{label[:room]:<{room}} {value}"


def figures_text(figures: Json) -> str:
    """The main figures of a day report from its JSON, for when the hub cannot give the text
    (a hub without the text export)."""
    number = f" nr {figures['z_no']}" if figures.get("z_no") else ""
    lines = [f"{figures['title']}{number}",
             f"{figures['company_name']}  {figures['org_number']}",
             f"Kassa {figures['register_id']}   {figures['currency']}",
             row("Från", local_time(figures.get("period_start"))),
             row("Till", local_time(figures.get("period_end"))),
             "-" * 42,
             row(f"Försäljning ({figures['receipts']} kvitton)",
                 format_money(figures["sales_total"])),
             *(row(f"  {p['name']} ({p['count']})", format_money(p["amount"]))
               for p in figures["payments"]),
             *(row(f"  Moms {format_rate(v['rate_bp'])}", format_money(v["vat"]))
               for v in figures["vat"]),
             row(f"Returer ({figures['returns']['count']})",
                 format_money(figures["returns"]["amount"])),
             row("Netto", format_money(figures["net_total"])),
             row(f"Övningsköp ({figures['training']['count']})",
                 format_money(figures["training"]["amount"])),
             row("Grand total netto", format_money(figures["grand_total_net"]))]
    lines += ["", "Hubben kunde inte ge hela rapporten som", "text; detta är huvudsiffrorna."]
    return "\n".join(lines)


class DayReportView(ModalScreen[None]):
    """A day report as fixed-width text; P prints it on the lane's printer, Esc goes back."""

    DEFAULT_CSS = """
    DayReportView { align: center middle; }
    DayReportView .report-box {
        width: 50; height: 23; padding: 0 1; border: double $accent; background: $surface;
    }
    DayReportView #report-scroll { height: 1fr; }
    DayReportView #report-print { margin-top: 1; min-width: 20; }
    DayReportView #report-message { height: auto; max-height: 3; }
    """
    BINDINGS = [Binding("escape", "close", "Tillbaka"), Binding("p", "print", "Skriv ut")]

    def __init__(self, title: str, text: str, print_report: Print) -> None:
        super().__init__()
        self.title_text, self.text, self.print_report = title, text, print_report
        self._printing = False

    def compose(self) -> ComposeResult:
        """Title, the scrollable report, the print button, message, keys."""
        with Vertical(classes="report-box"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="report-scroll"):
                yield Static(self.text, id="report-text", markup=False)
            yield Button("Skriv ut (P)", id="report-print", compact=True)
            yield Static("", id="report-message")
            yield Static("Pil, PgUp, PgDn: bläddra   P: skriv ut   Esc: tillbaka",
                         classes="hint")

    def on_mount(self) -> None:
        """The arrow keys scroll the report."""
        self.query_one("#report-scroll").focus()

    def say(self, text: str) -> None:
        """Show how printing went."""
        self.query_one("#report-message", Static).update(text)

    @on(Button.Pressed, "#report-print")
    def action_print(self) -> None:
        """P: print the report on the lane's printer (once at a time)."""
        if self._printing:
            return
        self._printing = True
        self.say("Skickar till skrivaren ...")
        self.run_worker(self._print(), group="print", exclusive=True)

    async def _print(self) -> None:
        try:
            await self.print_report()
            self.say("Utskriften är skickad till kassans skrivare.")
        except HubError as exc:
            self.say(f"! {exc.message}")
        finally:
            self._printing = False

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)


class CloseDayDialog(ModalScreen[bool]):
    """The Z report closes the day for good: the cashier types the lane's id (or presses the
    labelled button) to confirm, so a stray Enter never closes a day."""

    DEFAULT_CSS = """
    CloseDayDialog #close-day-lane { width: 16; }
    CloseDayDialog #close-day-confirm { margin-top: 1; }
    CloseDayDialog #close-day-confirm:focus { text-style: bold reverse; }
    """
    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, lane: str) -> None:
        super().__init__()
        self.lane = lane

    def compose(self) -> ComposeResult:
        """The question in words, the lane id to type, the confirm button, keys."""
        with Vertical(classes="dialog"):
            yield Label("Z-DAGRAPPORT: STÄNG DAGEN", classes="dialog-title")
            yield Static(f"Stänga dagen för kassa {self.lane}? Detta kan inte ångras.",
                         id="close-day-question")
            yield Static("Z-dagrapporten blir slutgiltig och numreras.")
            yield Label(f"Bekräfta: skriv kassans nummer ({self.lane}) + Enter")
            yield Input(id="close-day-lane", max_length=32)
            yield Button(f"Stäng dagen för kassa {self.lane}", id="close-day-confirm",
                         variant="error", compact=True)
            yield Static("", id="dialog-message")
            yield Static("Enter: bekräfta   Tab: knappen   Esc: avbryt", classes="hint")

    def on_mount(self) -> None:
        """The cursor waits in the lane field."""
        self.query_one("#close-day-lane", Input).focus()

    @on(Input.Submitted, "#close-day-lane")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.lane:
            self.dismiss(True)
            return
        event.input.value = ""
        self.query_one("#dialog-message", Static).update(
            f"! Skriv {self.lane} för att stänga dagen, eller Esc för att låta bli.")

    @on(Button.Pressed, "#close-day-confirm")
    def _confirmed(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        """The day stays open."""
        self.dismiss(False)


class ZReportList(HubList):
    """The lane's earlier Z reports: number, date, receipts, net; Enter shows one, P prints it."""

    COLUMNS = (("Nr", "z_no", 5), ("Datum", "date", 16), ("Kvitton", "receipts", 8),
               ("Netto", "net", 13))
    DEFAULT_CSS = """
    ZReportList .z-box {
        width: 60; height: 20; padding: 0 1; border: double $accent; background: $surface;
    }
    ZReportList #z-table { height: 1fr; }
    ZReportList #dialog-message { height: auto; max-height: 3; }
    """
    BINDINGS = [Binding("escape", "close", "Tillbaka"), Binding("p", "print", "Skriv ut"),
                Binding("u", "reload", "Uppdatera")]

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.numbers: dict[int, int] = {}  # report id → Z number

    def compose(self) -> ComposeResult:
        """Title, the reports, message, keys."""
        with Vertical(classes="z-box"):
            yield Label(f"TIDIGARE Z-DAGRAPPORTER - KASSA {self.hub.lane}",
                        classes="dialog-title")
            yield DataTable(id="z-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="dialog-message")
            yield Static("Enter: visa   P: skriv ut   U: uppdatera   Esc: tillbaka",
                         classes="hint")

    async def _load(self) -> None:
        try:
            reports = await self.hub.z_reports()
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        table = self.query_one(DataTable)
        table.clear()
        self.numbers = {report["id"]: report["z_no"] for report in reports}
        for report in reports:
            table.add_row(str(report["z_no"]).rjust(3), local_time(report["period_end"]),
                          str(report["receipts"]).rjust(6),
                          format_money(report["net_total"]).rjust(12), key=str(report["id"]))
        self.say("" if reports else f"Kassa {self.hub.lane} har ingen Z-dagrapport ännu.")

    def _chosen(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    @on(DataTable.RowSelected, "#z-table")
    def _show(self) -> None:
        report_id = self._chosen()
        if report_id is not None:
            self.run_worker(self._open(report_id), group="open", exclusive=True)

    async def _open(self, report_id: int) -> None:
        try:
            view = await z_report_view(self.hub, report_id, self.numbers[report_id])
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        await self.app.push_screen(view)

    def action_print(self) -> None:
        """P: print the chosen Z report on this lane's printer."""
        report_id = self._chosen()
        if report_id is not None:
            self.say("Skickar till skrivaren ...")
            self.run_worker(self._print(report_id), group="print", exclusive=True)

    async def _print(self, report_id: int) -> None:
        try:
            await self.hub.print_z_report(report_id)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.say("Utskriften är skickad till kassans skrivare.")

    def action_close(self) -> None:
        """Back to the day reports."""
        self.dismiss(None)


def is_refusal(exc: HubError) -> bool:
    """A 4xx: the hub said no in words; anything else may be a hub without the text export
    (it fails the request), so the JSON figures are asked for instead."""
    return 400 <= exc.status < 500


async def z_report_view(hub: HubClient, report_id: int, z_no: int,
                        figures: Json | None = None) -> DayReportView:
    """A Z report on screen, with P printing it; the JSON figures stand in if the hub cannot
    give the text."""
    try:
        text = await hub.z_report_text(report_id)
    except HubError as exc:
        if is_refusal(exc):
            raise
        figures = figures or await hub.get(f"/z-reports/{report_id}", format="json")
        text = figures_text(figures or {})
    return DayReportView(f"Z-DAGRAPPORT NR {z_no} - KASSA {hub.lane}", text,
                         lambda: hub.print_z_report(report_id))


class DayReportsScreen(ModalScreen[None]):
    """The register's day reports: X (nothing is closed), Z (closes the day), earlier Z."""

    DEFAULT_CSS = """
    DayReportsScreen .day-box {
        width: 60; height: auto; padding: 0 2; border: double $accent; background: $surface;
    }
    DayReportsScreen #day-menu { height: auto; border: none; padding: 0; }
    DayReportsScreen #day-menu > .option-list--option-highlighted { text-style: bold reverse; }
    DayReportsScreen #day-message { height: auto; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "leave", "Tillbaka"),
                *(Binding(key, f"choose('{key}')", show=False) for key, _ in MENU)]

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self._busy = False

    def compose(self) -> ComposeResult:
        """Title, the three reports, message, keys."""
        with Vertical(classes="day-box"):
            yield Label(f"DAGRAPPORTER - KASSA {self.hub.lane}", classes="dialog-title")
            yield OptionList(*[Option(text, id=key) for key, text in MENU], id="day-menu")
            yield Static("", id="day-message")
            yield Static("Pil + Enter eller bokstaven: välj   Esc: tillbaka", classes="hint")

    def on_mount(self) -> None:
        """Arrow keys choose."""
        self.query_one("#day-menu", OptionList).focus()

    def say(self, text: str) -> None:
        """One line to the cashier."""
        self.query_one("#day-message", Static).update(text)

    @on(OptionList.OptionSelected, "#day-menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id or "")

    def action_choose(self, key: str) -> None:
        """X, Z or T."""
        if self._busy:
            return
        self.say("")
        if key == "x":
            self._run(self._x_report())
        elif key == "z":
            self.app.push_screen(CloseDayDialog(self.hub.lane), self._close_confirmed)
        elif key == "t":
            self.app.push_screen(ZReportList(self.hub))

    def _run(self, work: Awaitable[None]) -> None:
        self._busy = True  # one report at a time: a double key must not close two days
        self.say("Hämtar från hubben ...")
        self.run_worker(work, group="report", exclusive=True)

    async def _x_report(self) -> None:
        try:
            try:
                text = await self.hub.x_report_text()
            except HubError as exc:
                if is_refusal(exc):
                    raise
                text = figures_text(await self.hub.get(f"{self.hub.lane_path}/x-report",
                                                       format="json"))
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        finally:
            self._busy = False
        self.say("")
        await self.app.push_screen(DayReportView(f"X-DAGRAPPORT - KASSA {self.hub.lane}", text,
                                                 self.hub.print_x_report))

    def _close_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self._run(self._close_day())
        else:
            self.say("Dagen är inte stängd.")

    async def _close_day(self) -> None:
        try:
            report = await self.hub.close_day()
        except HubError as exc:
            self._busy = False
            self.say(f"! {exc.message}")
            return
        self.say(f"Dagen är stängd: Z-dagrapport nr {report['z_no']}.")
        try:
            view = await z_report_view(self.hub, report["id"], report["z_no"],
                                       report.get("figures"))
        except HubError as exc:
            self.say(f"Dagen är stängd: Z-dagrapport nr {report['z_no']}. ! {exc.message}")
            return
        finally:
            self._busy = False
        await self.app.push_screen(view)

    def action_leave(self) -> None:
        """Back."""
        self.dismiss(None)
