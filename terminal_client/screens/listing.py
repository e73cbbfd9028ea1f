"""A modal list the hub keeps up to date (pick-up orders, in-doubt payments): a table with its
columns, a message line, and U to read the list again."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HubList(ModalScreen[None]):
    """Subclasses give COLUMNS (label, key, width) and `_load()`, which reads the hub."""

    COLUMNS: tuple[tuple[str, str, int], ...] = ()

    def on_mount(self) -> None:
        """Columns, then the list from the hub."""
        table = self.query_one(DataTable)
        for label, key, width in self.COLUMNS:
            table.add_column(label, key=key, width=width)
        table.focus()
        self.action_reload()

    def say(self, text: str) -> None:
        """Show an outcome or a problem."""
        self.query_one("#dialog-message", Static).update(text)

    def action_reload(self) -> None:
        """U: read the list again."""
        self.run_worker(self._load(), group="load", exclusive=True)

    async def _load(self) -> None:
        raise NotImplementedError
