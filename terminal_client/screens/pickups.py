"""Pick-up orders from the online shop: mark them picked, hand them over at this lane."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from terminal_client.hub_client import HubClient, HubError
from terminal_client.money import format_money
from terminal_client.screens.in_doubt import local_time
from terminal_client.screens.listing import HubList

STATUS_WORDS = {"reserved": "VÄNTAR", "picked": "PLOCKAD", "handed_over": "UTLÄMNAD",
                "cancelled": "AVBRUTEN", "expired": "UTGÅNGEN"}


def is_past(iso: str | None) -> bool:
    """Whether a hub timestamp (ISO) lies in the past."""
    if not iso:
        return False
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return False
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) < datetime.now(UTC)


class PickupsScreen(HubList):
    """Online orders waiting at this store: pick them, then hand them over to the customer."""

    COLUMNS = (("Order", "no", 9), ("Kund", "customer", 17), ("Varor", "items", 5),
               ("Summa", "total", 10), ("Status", "status", 9), ("Senast", "until", 11))

    BINDINGS = [Binding("escape", "back", "Stäng"),
                Binding("p", "pick", "Plockad"),
                Binding("l", "hand_over", "Lämna ut"),
                Binding("u", "reload", "Uppdatera")]

    DEFAULT_CSS = """
    PickupsScreen { align: center middle; }
    PickupsScreen > .wide-dialog {
        width: 80; height: 24; padding: 0 1;
        border: double $accent; background: $surface;
    }
    PickupsScreen #pickup-table { height: 1fr; min-height: 4; }
    PickupsScreen #pickup-detail { height: 4; }
    PickupsScreen #dialog-message { max-height: 3; }
    """

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.orders: list[dict[str, Any]] = []
        self.done: dict[str, dict[str, Any]] = {}  # handed over here while the screen is open
        self.handing: dict[str, Any] | None = None  # the order waiting for Enter
        self.loaded = False

    def compose(self) -> ComposeResult:
        """Title, the orders, the highlighted one's lines, message, keys."""
        with Vertical(classes="wide-dialog"):
            yield Label("WEBBORDRAR ATT HÄMTA", classes="dialog-title")
            yield DataTable(id="pickup-table", cursor_type="row")
            yield Static("", id="pickup-detail")
            yield Static("Hämtar …", id="dialog-message")
            yield Static("↑↓ välj  P: plockad  L: lämna ut  U: uppdatera  Esc: stäng",
                         classes="hint")

    async def _load(self) -> None:
        try:
            self.orders = await self.hub.get("/pickups")
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.show()
        if self.handing and all(o["order_id"] != self.handing["order_id"]
                                for o in self.orders):
            self.say(f"! Order {self.handing['order_no']} väntar inte längre: utlämnad eller "
                     "avbruten någon annanstans.")
            self.handing = None
        if not self.loaded:
            self.loaded = True
            self.say("Inga hämtordrar väntar." if not self.orders else
                     f"{len(self.orders)} order(s) väntar. P: plockad, L: lämna ut.")

    def rows(self) -> list[dict[str, Any]]:
        """Orders waiting, then the ones handed over here while the screen was open."""
        waiting = {o["order_id"] for o in self.orders}
        return self.orders + [o for o in self.done.values() if o["order_id"] not in waiting]

    def show(self) -> None:
        """Render the table and the highlighted order's lines."""
        table = self.query_one(DataTable)
        keep = (table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                if table.row_count else None), table.cursor_row
        table.clear()
        for o in self.rows():
            items = sum(int(line.get("quantity", 0)) for line in o["lines"])
            table.add_row(o["order_no"][:9], o["customer_name"][:17], str(items).rjust(4),
                          format_money(o["total"]).rjust(10),
                          STATUS_WORDS.get(o["status"], o["status"].upper()),
                          local_time(o.get("reserved_until"))[5:], key=o["order_id"])
        if table.row_count:  # stay on the same one, wherever it moved
            row = (table.get_row_index(keep[0]) if keep[0] and keep[0] in table.rows else
                   min(max(keep[1], 0), table.row_count - 1))
            table.move_cursor(row=row)
        self._detail()

    def selected(self) -> dict[str, Any] | None:
        """The highlighted order."""
        rows = self.rows()
        row = self.query_one(DataTable).cursor_row
        return rows[row] if rows and 0 <= row < len(rows) else None

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        o = self.selected()
        if o is None:
            self.query_one("#pickup-detail", Static).update("")
            return
        lines = ", ".join(f"{line['quantity']} × {line['name']}" for line in o["lines"])
        late = (" PASSERAD" if o["status"] in ("reserved", "picked")
                and is_past(o.get("reserved_until")) else "")
        self.query_one("#pickup-detail", Static).update(
            f"Order {o['order_no']}  {o['customer_name']}  betald online "
            f"{format_money(o['total'])} kr\nReserverad till "
            f"{local_time(o.get('reserved_until'))}{late}\n{lines}"[:300])

    def hub_event(self, event: dict[str, Any]) -> None:
        """Orders arrived or changed (here, at another till or from central): read again."""
        if event.get("type") == "pickup.updated":
            self.action_reload()

    # Picking and handing over

    def _waiting_one(self) -> dict[str, Any] | None:
        o = self.selected()
        if o is None:
            self.say("! Ingen order att välja.")
            return None
        if o["status"] not in ("reserved", "picked"):
            self.say(f"! Order {o['order_no']} är {STATUS_WORDS.get(o['status'], o['status'])}.")
            return None
        return o

    def action_pick(self) -> None:
        """P: the goods are collected and wait at the counter."""
        self.handing = None
        if (o := self._waiting_one()) is None:
            return
        if o["status"] == "picked":
            self.say(f"Order {o['order_no']} är redan plockad. L: lämna ut.")
            return
        self.run_worker(self._pick(o), group="act", exclusive=True)

    async def _pick(self, o: dict[str, Any]) -> None:
        try:
            await self.hub.post(f"/pickups/{o['order_id']}/pick", {})
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.say(f"Order {o['order_no']} PLOCKAD: väntar på kunden.")
        await self._load()

    def action_hand_over(self) -> None:
        """L: ask to confirm handing the order to the customer at this lane."""
        if (o := self._waiting_one()) is None:
            return
        self.handing = o
        unpicked = "" if o["status"] == "picked" else " (inte markerad som plockad)"
        self.say(f"Lämna ut order {o['order_no']} till {o['customer_name']}{unpicked}, "
                 f"betald online {format_money(o['total'])} kr? Enter: ja  Esc: nej")

    @on(DataTable.RowSelected, "#pickup-table")
    def _confirmed(self) -> None:
        o = self.selected()
        if self.handing is None or o is None or o["order_id"] != self.handing["order_id"]:
            self.handing = None
            return
        self.handing = None
        self.say(f"Lämnar ut order {o['order_no']} …")
        self.run_worker(self._hand_over(o), group="act", exclusive=True)

    async def _hand_over(self, o: dict[str, Any]) -> None:
        try:
            sale = await self.hub.post(f"/pickups/{o['order_id']}/hand-over",
                                       {"lane_id": self.hub.lane})
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        self.done[o["order_id"]] = {**o, "status": "handed_over", "sale_id": sale["id"]}
        self.say(f"Order {o['order_no']} UTLÄMNAD: kvitto "
                 f"{sale['lane_id']}-{sale['receipt_no'] or 0:06d}, förbetalt "
                 f"{format_money(sale['total'])} kr. Inget att ta betalt.")
        await self._load()

    def action_back(self) -> None:
        """Esc: drop a pending hand-over, or close."""
        if self.handing is not None:
            self.handing = None
            self.say("Inte utlämnad.")
        else:
            self.dismiss(None)
