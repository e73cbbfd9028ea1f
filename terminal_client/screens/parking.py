"""Parked carts: put a customer's cart aside (they went for their wallet) and serve the next
one; take a parked cart up again here, whichever lane parked it."""

from __future__ import annotations

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

# Other lanes' parking reaches this terminal by no event (it follows its own lane only), so
# the open list reads the store's parked carts again this often.
POLL_SECONDS = 3.0


def item_count(cart: dict[str, Any]) -> int:
    """Pieces in a cart, voided lines left out."""
    return sum(int(line.get("quantity", 0)) for line in cart.get("lines", [])
               if not line.get("voided"))


def goods_text(items: int, total: int) -> str:
    """"3 varor, 50,85 kr"."""
    return f"{items} {'vara' if items == 1 else 'varor'}, {format_money(total)} kr"


async def park(hub: HubClient, cart: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Park the lane's cart at the hub: the lane's empty cart, and the line for the cashier."""
    empty = await hub.park_cart()
    items, total = item_count(cart), int(cart.get("total") or 0)
    try:  # the hub's own count of what it parked, should the lane have missed a change
        parked = next((c for c in await hub.parked_carts() if c["id"] == cart.get("id")), None)
    except HubError:
        parked = None
    if parked is not None:
        items, total = int(parked["items"]), int(parked["total"])
    return empty, f"Köpet parkerat – {goods_text(items, total)}"


class ParkedCartsScreen(HubList):
    """The store's parked carts, oldest first; Enter takes the chosen one up on this lane.

    After a cart was taken up, `resumed` holds it (as the lane's cart) when the screen closes,
    and `outcome` the line for the cashier."""

    COLUMNS = (("Kassa", "lane", 6), ("Startat", "started", 16), ("Varor", "items", 6),
               ("Summa", "total", 11), ("", "training", 8))

    BINDINGS = [Binding("escape", "back", "Stäng"),
                Binding("u", "reload", "Uppdatera")]

    DEFAULT_CSS = """
    ParkedCartsScreen { align: center middle; }
    ParkedCartsScreen > .wide-dialog {
        width: 64; height: auto; max-height: 24; padding: 0 1;
        border: double $accent; background: $surface;
    }
    ParkedCartsScreen #parked-table { height: auto; max-height: 14; min-height: 3; }
    ParkedCartsScreen #dialog-message { max-height: 3; }
    """

    def __init__(self, hub: HubClient) -> None:
        super().__init__()
        self.hub = hub
        self.carts: list[dict[str, Any]] = []
        self.resumed: dict[str, Any] | None = None
        self.outcome = ""
        self.loaded = False
        self.taking = False  # a take-up is on its way to the hub
        self.closing = False  # a reading of the list that arrives after this is dropped

    def compose(self) -> ComposeResult:
        """Title, the carts, message, keys."""
        with Vertical(classes="wide-dialog"):
            yield Label("PARKERADE KÖP", classes="dialog-title")
            yield DataTable(id="parked-table", cursor_type="row")
            yield Static("Hämtar …", id="dialog-message")
            yield Static("↑↓ välj  Enter: ta upp här  U: uppdatera  Esc: stäng",
                         classes="hint")

    def on_mount(self) -> None:
        """Read the list again now and then: other lanes park and take up too (HubList's own
        on_mount reads it first)."""
        self.set_interval(POLL_SECONDS, self.action_reload)

    async def _load(self) -> None:
        try:
            carts = await self.hub.parked_carts()
        except HubError as exc:
            if not self.closing:
                self.say(f"! {exc.message}")
            return
        if self.closing:  # taken up or closed while the hub answered: the table is going
            return
        self.carts = carts
        self.show()
        if not self.loaded:
            self.loaded = True
            self.say("Inga parkerade köp." if not self.carts else
                     f"{len(self.carts)} {'parkerat' if len(self.carts) == 1 else 'parkerade'}"
                     " köp. Enter tar upp det valda här.")

    def show(self) -> None:
        """Render the table, staying on the highlighted cart wherever it moved."""
        table = self.query_one(DataTable)
        keep = (table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                if table.row_count else None), table.cursor_row
        table.clear()
        for c in self.carts:
            table.add_row(c["lane_id"], local_time(c.get("started_at")),
                          str(c["items"]).rjust(5), format_money(c["total"]).rjust(11),
                          "ÖVNING" if c.get("training") else "", key=c["id"])
        if table.row_count:
            row = (table.get_row_index(keep[0]) if keep[0] and keep[0] in table.rows else
                   min(max(keep[1], 0), table.row_count - 1))
            table.move_cursor(row=row)

    def selected(self) -> dict[str, Any] | None:
        """The highlighted cart."""
        row = self.query_one(DataTable).cursor_row
        return self.carts[row] if self.carts and 0 <= row < len(self.carts) else None

    def hub_event(self, event: dict[str, Any]) -> None:
        """This lane's cart changed (parked or taken up here, maybe by another device)."""
        if event.get("type") == "cart.updated":
            self.action_reload()

    @on(DataTable.RowSelected, "#parked-table")
    def _take_up(self) -> None:
        cart = self.selected()
        if cart is None:
            self.say("! Inget parkerat köp att ta upp.")
            return
        if self.taking:
            return
        self.taking = True
        self.say(f"Tar upp köpet från kassa {cart['lane_id']} …")
        self.run_worker(self._resume(cart), group="act", exclusive=True)

    async def _resume(self, parked: dict[str, Any]) -> None:
        try:
            cart = await self.hub.resume_cart(parked["id"])
        except HubError as exc:
            self.say(f"! {exc.message}")
            await self._load()
            return
        finally:
            self.taking = False
        self.resumed = cart
        self.outcome = (f"Köpet från kassa {parked['lane_id']} upptaget – "
                        f"{goods_text(item_count(cart), int(cart.get('total') or 0))}. "
                        "Skanna mer eller ta betalt.")
        self.close()

    def action_back(self) -> None:
        """Esc: back to the lane."""
        self.close()

    def close(self) -> None:
        """Back to the lane, dropping list readings still on their way."""
        self.closing = True
        self.dismiss(None)
