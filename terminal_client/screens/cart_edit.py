"""Changing the cart by hand: product search (keyed-in and weighed articles) and line actions
(quantity, void, discount, price), with a manager's approval where the hub asks for one."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money
from terminal_client.screens.approval import with_approval
from terminal_client.screens.dialogs import AmountDialog, parse_count, parse_grams

Json = dict[str, Any]


def _percent_hint() -> str:
    return "Skriv procent, t.ex. 10 eller 12,5."


class SearchDialog(ModalScreen[Json | None]):
    """Find a product by name or code and put it in the cart; weighed articles ask for the
    weight. Dismisses with the cart after the item was added, or None."""

    BINDINGS = [Binding("escape", "cancel", "Avbryt"),
                Binding("down", "results", "Träffar", show=False)]

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.products: dict[str, Json] = {}

    def compose(self) -> ComposeResult:
        """Search field, results, message."""
        with Vertical(classes="dialog wide"):
            yield Label("SÖK VARA", classes="dialog-title")
            yield Input(placeholder="namn eller början av koden", id="query")
            yield DataTable(id="results", cursor_type="row")
            yield Static("", id="dialog-message")
            yield Static("Enter: sök / lägg i   Pil ner: träffar   Esc: avbryt", classes="hint")

    def on_mount(self) -> None:
        """Columns; start typing at once."""
        table = self.query_one("#results", DataTable)
        table.add_column("Vara", width=36)
        table.add_column("Pris", width=14)
        table.add_column("Kod", width=14)
        self.query_one("#query", Input).focus()

    def say(self, text: str) -> None:
        """One line for the cashier."""
        self.query_one("#dialog-message", Static).update(text)

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        if len(event.value.strip()) >= 2:
            self._search(event.value.strip())

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:  # Enter in the field takes the first (or chosen) hit
            self._choose(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        elif event.value.strip():
            self._search(event.value.strip())

    @work(exclusive=True, group="search")
    async def _search(self, query: str) -> None:
        try:
            found = await self.hub.get("/products", q=query, limit=50)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        table = self.query_one("#results", DataTable)
        table.clear()
        self.products = {str(p["id"]): p for p in found}
        for product in found:
            unit = "/kg" if product["unit"] == "kg" else ""
            table.add_row(product["name"], f"{format_money(product['price'])}{unit}".rjust(13),
                          product.get("gtin") or product["sku"], key=str(product["id"]))
        self.say(f"{len(found)} träffar" if found else "Inga träffar.")

    def action_results(self) -> None:
        """Down: move into the hits."""
        table = self.query_one("#results", DataTable)
        if table.row_count:
            table.focus()

    @on(DataTable.RowSelected, "#results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._choose(event.row_key.value)

    def _choose(self, key: str | None) -> None:
        product = self.products.get(key or "")
        if product is not None:
            self._add(product)

    @work(exclusive=True, group="add")
    async def _add(self, product: Json) -> None:
        weight_g = None
        if product["unit"] == "kg":
            weight_g = await self.app.push_screen_wait(AmountDialog(
                product["name"].upper(), "Vikt i kg (t.ex. 0,734)", placeholder="kg",
                parse=parse_grams, hint="Skriv vikten i kg med högst tre decimaler."))
            if weight_g is None:
                return
        try:
            cart = await self.hub.add_product(int(product["id"]), weight_g=weight_g)
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.dismiss(cart)

    def action_cancel(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)


LINE_ACTIONS = [
    ("quantity", "Ändra antal"),
    ("void", "Ta bort raden"),
    ("percent", "Rabatt i procent"),
    ("amount", "Rabatt i kronor"),
    ("price", "Nytt styckpris"),
    ("no_discount", "Ta bort rabatten"),
]


class LineDialog(ModalScreen[Json | None]):
    """What to do with one cart line. Dismisses with the changed cart, or None."""

    BINDINGS = [Binding("escape", "cancel", "Avbryt")]

    def __init__(self, hub: HubClient, line: Json) -> None:
        super().__init__()
        self.hub, self.line = hub, line

    def compose(self) -> ComposeResult:
        """The line, the actions."""
        line = self.line
        with Vertical(classes="dialog"):
            yield Label("RAD", classes="dialog-title")
            yield Static(f"{line['name']}\n{_quantity_text(line)}   "
                         f"{format_money(line['net'])} kr", id="line-text")
            yield OptionList(*[Option(text, id=key) for key, text in LINE_ACTIONS],
                             id="line-actions")
            yield Static("", id="dialog-message")
            yield Static("Enter: välj   Esc: tillbaka", classes="hint")

    def on_mount(self) -> None:
        """Choose with the arrow keys."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#line-actions")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._do(event.option.id or "")

    @work(exclusive=True, group="line")
    async def _do(self, action: str) -> None:
        line_id, hub, value = int(self.line["id"]), self.hub, 0
        if action not in ("void", "no_discount"):
            asked = await self.app.push_screen_wait(_value_dialog(action, self.line))
            if asked is None:
                return
            value = asked

        async def call(approval: dict[str, str] | None) -> Json:
            if action == "void":
                return await hub.void_line(line_id, approval)
            if action == "no_discount":
                return await hub.discount_line(line_id, None, 0, approval)
            if action == "quantity":
                return await hub.set_quantity(line_id, value, approval)
            if action == "price":
                return await hub.override_price(line_id, value, approval)
            return await hub.discount_line(line_id, action, value, approval)

        try:
            cart = await with_approval(self.app, call)
        except HubError as exc:
            self.query_one("#dialog-message", Static).update(f"! {exc.message}")
            return
        if cart is not None:
            self.dismiss(cart)

    def action_cancel(self) -> None:
        """Back to the lane unchanged."""
        self.dismiss(None)


def _quantity_text(line: Json) -> str:
    if line.get("weight_g"):
        return f"{line['weight_g']} g à {format_money(line['unit_price'])}/kg"
    return f"{line['quantity']} st à {format_money(line['unit_price'])}"


def _value_dialog(action: str, line: Json) -> AmountDialog:
    """The question an action asks: a quantity, a percent or an amount."""
    if action == "quantity":
        return AmountDialog("ANTAL", line["name"], placeholder="st", parse=parse_count,
                            hint="Skriv ett antal, 1–9999.", value=str(line["quantity"]))
    if action == "percent":  # 12,5 % is 1250 basis points: the same digits as 12,50 kr in öre
        return AmountDialog("RABATT %", line["name"], placeholder="%", hint=_percent_hint())
    if action == "price":
        return AmountDialog("NYTT PRIS", f"{line['name']}: pris per styck (kr)")
    return AmountDialog("RABATT KR", f"{line['name']}: rabatt på raden (kr)")


def cart_discount_dialog(percent: bool) -> AmountDialog:
    """The question for a discount on the whole cart."""
    if percent:
        return AmountDialog("RABATT PÅ KÖPET %", "Rabatt på hela köpet (procent)",
                            placeholder="%", hint=_percent_hint())
    return AmountDialog("RABATT PÅ KÖPET KR", "Rabatt på hela köpet (kr)")
