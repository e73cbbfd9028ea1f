"""The status bar: hub connection, who is logged in, which lane, the shift."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    """One line of facts the cashier needs at a glance; words, not only colours."""

    online: reactive[bool] = reactive(False)
    user: reactive[str] = reactive("")
    lane: reactive[str] = reactive("")
    shift: reactive[str] = reactive("")

    def render(self) -> str:
        """Hub ONLINE/OFFLINE · user · lane · shift."""
        hub = "Hub: ONLINE" if self.online else "Hub: OFFLINE"
        return f"{hub} | {self.user} | Kassa {self.lane} | {self.shift}"

    def watch_online(self, online: bool) -> None:
        """Mark the bar so the stylesheet can colour it, too."""
        self.set_class(not online, "-offline")
