"""The lane's menu (F10), the key help (F1), a receipt on screen, and a yes/no question."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

MENU = [
    ("cart_percent", "Rabatt på hela köpet, procent"),
    ("cart_amount", "Rabatt på hela köpet, kronor"),
    ("cancel_cart", "Avbryt köpet"),
    ("park", "Parkera köp (F11)"),
    ("parked", "Parkerade köp (ta upp här)"),
    ("reprint", "Kvittokopia av senaste köpet"),
    ("price_check", "Prisfråga (F12)"),
    ("day_reports", "Dagrapporter: X, Z (stäng dagen), tidigare Z"),
    ("training", "Övningsläge på/av (chef godkänner)"),
    ("pickups", "Webbordrar att hämta"),
    ("in_doubt", "Osäkra kortbetalningar"),
    ("sync_now", "Synka med huvudkontoret nu"),
    ("lock", "Lås kassan (Ctrl+L)"),
    ("switch", "Byt kassör"),
    ("log_out", "Logga ut"),
]

HELP = """\
Skanna eller skriv streckkod + Enter (fältet har alltid fokus)
Pil upp/ner  välj rad i kvittot      F4  ändra vald rad
F1  den här hjälpen                  F2  skift; D: dagrapporter X/Z
F3  sök vara (även vägda varor)      F5  kontant
F6  kort på kassans terminal         F7  QR: kunden betalar med mobilen
F8  kort på fristående terminal      F9  retur
F10 meny: rabatt, avbryt köp, parkera, parkerade köp, kvittokopia,
    prisfråga, dagrapporter, övningsläge, webbordrar, osäkra kort,
    synk, byt kassör, logga ut
F11 parkera köpet; ta upp det igen: F10 Parkerade köp (valfri kassa)
F12 prisfråga (inget säljs)   Ctrl+L lås   Ctrl+Q avsluta

Delbetalning: skriv beloppet först, t.ex. 200 och sedan F6 eller F8.
Belopp skrivs i kronor: 50, 12,50. Procent: 10 eller 12,5."""


class MenuScreen(ModalScreen[str | None]):
    """Less common lane actions; dismisses with the chosen action's key."""

    BINDINGS = [Binding("escape", "cancel", "Tillbaka"), Binding("f10", "cancel", "Tillbaka")]

    def __init__(self, training: bool = False) -> None:
        super().__init__()
        self.training = training  # the training item says what choosing it will do

    def compose(self) -> ComposeResult:
        """The actions."""
        training = ("Övningsläge AV (chef godkänner)" if self.training
                    else "Övningsläge PÅ (chef godkänner)")
        with Vertical(classes="dialog"):
            yield Label("MENY", classes="dialog-title")
            yield OptionList(*[Option(training if key == "training" else text, id=key)
                               for key, text in MENU], id="menu")
            yield Static("Enter: välj   Esc: tillbaka", classes="hint")

    def on_mount(self) -> None:
        """Arrow keys choose."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#menu")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Nothing chosen."""
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """A block of fixed-width text (help, a receipt) to read; Esc or Enter closes."""

    BINDINGS = [Binding("escape", "close", "Stäng"), Binding("enter", "close", "Stäng"),
                Binding("f1", "close", "Stäng", show=False)]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        """Title and the text, scrollable."""
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="text-scroll"):
                yield Static(self.text, id="text-body")
            yield Static("Pil upp/ner: bläddra   Enter/Esc: stäng", classes="hint")

    def on_mount(self) -> None:
        """The scroll area takes the arrow keys."""
        self.query_one("#text-scroll").focus()

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)


def help_screen() -> TextScreen:
    """F1: every key on one page."""
    return TextScreen("HJÄLP", HELP)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; Enter (or J) is yes, Esc (or N) is no."""

    BINDINGS = [Binding("enter,j", "answer(True)", "Ja"),
                Binding("escape,n", "answer(False)", "Nej")]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text, self.question = title, question

    def compose(self) -> ComposeResult:
        """The question and the keys."""
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.question, id="question")
            yield Static("Enter: ja   Esc: nej", classes="hint")

    def action_answer(self, yes: bool) -> None:
        """Answer."""
        self.dismiss(yes)
