"""The status bar: hub connection, who and where, the shift, card reader, printer and sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.reactive import reactive
from textual.widgets import Static


def reader_text(reader: dict[str, Any] | None) -> str:
    """The lane's card reader in words."""
    if reader is None:
        return "Kort: ingen terminal"
    if not reader.get("available"):
        return "Kort: UR FUNKTION"
    return "Kort: UPPTAGEN" if reader.get("busy") else "Kort: klar"


def printer_text(printer: dict[str, Any] | None) -> str:
    """The lane's receipt printer in words: paper and receipts waiting."""
    if printer is None:
        return "Skrivare: ingen"
    waiting = f", {printer['waiting']} kvitton väntar" if printer.get("waiting") else ""
    if printer.get("paper") == "out":
        return f"Skrivare: PAPPER SLUT{waiting}"
    if not printer.get("available"):
        return f"Skrivare: UR FUNKTION{waiting}"
    low = " (papper snart slut)" if printer.get("paper") == "low" else ""
    return f"Skrivare: klar{low}{waiting}"


def sync_text(status: dict[str, Any] | None) -> str:
    """How the hub stands with central, in words: online/offline, events waiting, last sync."""
    if status is None:
        return "Synk: ?"
    if not status.get("enabled"):
        return "Synk: av"
    state = "online" if status.get("online") else "OFFLINE"
    last = status.get("last_push_at") or status.get("last_pull_at")
    when = ""
    if last:
        try:
            when = " " + datetime.fromisoformat(str(last)).astimezone().strftime("%H:%M")
        except ValueError:
            when = ""
    return f"Synk: {state}, {status.get('waiting', 0)} väntar{when}"


class StatusBar(Static):
    """Two lines of facts the cashier needs at a glance; words, not only colours."""

    online: reactive[bool] = reactive(False)
    user: reactive[str] = reactive("")
    lane: reactive[str] = reactive("")
    shift: reactive[str] = reactive("")
    reader: reactive[str] = reactive("Kort: ?")
    printer: reactive[str] = reactive("Skrivare: ingen")
    sync: reactive[str] = reactive("Synk: ?")

    def render(self) -> str:
        """Hub ONLINE/OFFLINE · user · lane · shift, then reader · printer · sync."""
        hub = "Hub: ONLINE" if self.online else "Hub: OFFLINE"
        return (f"{hub} | {self.user} | Kassa {self.lane} | {self.shift}\n"
                f"{self.reader} | {self.printer} | {self.sync}")

    def watch_online(self, online: bool) -> None:
        """Mark the bar so the stylesheet can colour it, too."""
        self.set_class(not online, "-offline")
