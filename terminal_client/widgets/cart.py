"""The cart as the cashier sees it: lines in a table, totals with VAT per rate."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Static

from terminal_client.money import format_money, format_rate


class CartTable(DataTable[str]):
    """The cart's lines: name, quantity, amount. Never takes focus from the scan field."""

    can_focus = False

    def on_mount(self) -> None:
        """Set up the columns."""
        self.cursor_type = "none"
        self.zebra_stripes = True
        self.add_column("Vara", key="name", width=44)
        self.add_column("Antal", key="qty", width=7)
        self.add_column("Belopp", key="amount", width=12)

    def show(self, cart: dict[str, Any]) -> None:
        """Show the cart's live lines (voided lines are left out)."""
        self.clear()
        for line in cart.get("lines", []):
            if line.get("voided"):
                continue
            qty = f"{line['weight_g']} g" if line.get("weight_g") else str(line["quantity"])
            self.add_row(line["name"], qty.rjust(5), format_money(line["net"]).rjust(10),
                         key=str(line["id"]))
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


class Totals(Static):
    """Total, VAT per rate, paid and due."""

    def show(self, cart: dict[str, Any]) -> None:
        """Render the totals of a cart."""
        vat = "  ".join(f"Moms {format_rate(row['rate_bp'])}: {format_money(row['vat'])}"
                        for row in cart.get("vat", []))
        parts = [f"ATT BETALA {format_money(cart.get('total', 0))} kr"]
        if cart.get("paid"):
            parts.append(f"Betalt {format_money(cart['paid'])}  Kvar {format_money(cart['due'])}")
        self.update("\n".join([" | ".join(parts), vat or "Moms: -"]))
