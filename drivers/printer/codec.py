"""ESC/POS bytes without I/O: real-time status (DLE EOT n) and a parser of print jobs.

Status bytes follow Epson's DLE EOT: every answer has bits 1 and 4 set and bits 0 and 7 clear,
which is how a status byte is told apart from noise.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, DLE, EOT, FS, LF, CR, HT = 0x1B, 0x1D, 0x10, 0x04, 0x1C, 0x0A, 0x0D, 0x09

STATUS_PRINTER, STATUS_OFFLINE_CAUSE, STATUS_ERROR_CAUSE, STATUS_PAPER = 1, 2, 3, 4
FIXED_MASK, FIXED_BITS = 0x93, 0x12

# n=1 printer status
DRAWER_PIN3_HIGH = 0x04
OFFLINE = 0x08
# n=2 offline cause
COVER_OPEN = 0x04
FEED_BUTTON = 0x08
STOPPED_PAPER_END = 0x20
ERROR_OCCURRED = 0x40
# n=4 roll paper sensor
PAPER_NEAR_END = 0x0C
PAPER_END = 0x60


def status_request(n: int) -> bytes:
    """DLE EOT n: ask for status n (1 printer, 2 offline cause, 3 error cause, 4 paper)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT {n} is not a status request")
    return bytes([DLE, EOT, n])


def is_status_byte(value: int) -> bool:
    """True when `value` has the fixed bits every DLE EOT answer carries."""
    return value & FIXED_MASK == FIXED_BITS


def status_byte(n: int, *, paper: str = "ok", drawer_high: bool = False, offline: bool = False,
                cover_open: bool = False, error: bool = False) -> int:
    """The answer a printer in this state gives to DLE EOT n (the emulator's side)."""
    value = FIXED_BITS
    if n == STATUS_PRINTER:
        value |= (DRAWER_PIN3_HIGH if drawer_high else 0) | (OFFLINE if offline else 0)
    elif n == STATUS_OFFLINE_CAUSE:
        value |= COVER_OPEN if cover_open else 0
        value |= STOPPED_PAPER_END if paper == "out" else 0
        value |= ERROR_OCCURRED if error else 0
    elif n == STATUS_PAPER:
        value |= {"ok": 0, "low": PAPER_NEAR_END, "out": PAPER_NEAR_END | PAPER_END}[paper]
    return value


# --- parsing a print job ----------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Printable bytes, in the code page selected at the time."""

    data: bytes


@dataclass(frozen=True)
class Command:
    """A command with its parameter bytes: name is e.g. "ESC a", "GS V", "GS ( k"."""

    name: str
    args: bytes = b""


@dataclass(frozen=True)
class Unknown:
    """Bytes the parser does not know; skipped so the rest of the job still prints."""

    data: bytes


Event = Text | Command | Unknown

# parameter bytes after ESC x / GS x; None: handled specially
_ESC_ARGS = {
    "@": 0, "!": 1, "-": 1, "2": 0, "3": 1, "a": 1, "d": 1, "E": 1, "G": 1, "J": 1, "M": 1,
    "p": 3, "R": 1, "t": 1, "V": 1, "{": 1, "r": 1, "=": 1, "U": 1, " ": 1, "B": 2, "e": 1,
    "c": 2, "$": 2, "\\": 2, "i": 0, "m": 0,
}
_GS_ARGS = {
    "!": 1, "B": 1, "b": 1, "|": 1, "H": 1, "h": 1, "w": 1, "f": 1, "L": 2, "W": 2, "a": 1,
    "I": 1, "r": 1,
}
_LF_LIKE = {LF, CR, HT, 0x0C}


class JobParser:
    """Feed it bytes as they arrive; it returns whole events and keeps partial commands."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Event]:
        """Parse as much of the received bytes as forms whole commands."""
        self._buffer += data
        events: list[Event] = []
        while self._buffer:
            taken = self._next(events)
            if taken == 0:
                break
            del self._buffer[:taken]
        return events

    @property
    def pending(self) -> bytes:
        """Bytes of a command not yet complete."""
        return bytes(self._buffer)

    def _next(self, events: list[Event]) -> int:
        buf = self._buffer
        first = buf[0]
        if first >= 0x20 and first != 0x7F:
            end = 1
            while end < len(buf) and buf[end] >= 0x20 and buf[end] != 0x7F:
                end += 1
            events.append(Text(bytes(buf[:end])))
            return end
        if first in _LF_LIKE:
            events.append(Command({LF: "LF", CR: "CR", HT: "HT", 0x0C: "FF"}[first]))
            return 1
        if first == ESC:
            if len(buf) >= 2 and buf[1] == ord("*"):  # ESC * m nL nH d…: column bit image
                if len(buf) < 5:
                    return 0
                size = 5 + (buf[3] + 256 * buf[4]) * (1 if buf[2] in (0, 1) else 3)
                if len(buf) < size:
                    return 0
                events.append(Command("ESC *", bytes(buf[2:size])))
                return size
            return self._fixed(events, "ESC", _ESC_ARGS)
        if first == GS:
            return self._gs(events)
        if first == DLE:
            return self._dle(events)
        events.append(Unknown(bytes([first])))
        return 1

    def _fixed(self, events: list[Event], prefix: str, table: dict[str, int]) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        letter = chr(buf[1])
        count = table.get(letter)
        if count is None:
            events.append(Unknown(bytes(buf[:2])))
            return 2
        if len(buf) < 2 + count:
            return 0
        events.append(Command(f"{prefix} {letter}", bytes(buf[2 : 2 + count])))
        return 2 + count

    def _gs(self, events: list[Event]) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        letter = chr(buf[1])
        if letter == "V":  # GS V m, or GS V m n for m = 65, 66
            if len(buf) < 3:
                return 0
            size = 4 if buf[2] in (65, 66) else 3
            if len(buf) < size:
                return 0
            events.append(Command("GS V", bytes(buf[2:size])))
            return size
        if letter == "(":  # GS ( x pL pH data
            if len(buf) < 5:
                return 0
            size = 5 + buf[3] + 256 * buf[4]
            if len(buf) < size:
                return 0
            events.append(Command(f"GS ( {chr(buf[2])}", bytes(buf[5:size])))
            return size
        if letter == "v" and len(buf) >= 3 and buf[2] == 0x30:  # GS v 0 m xL xH yL yH d…
            if len(buf) < 8:
                return 0
            size = 8 + (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
            if len(buf) < size:
                return 0
            events.append(Command("GS v 0", bytes(buf[3:size])))
            return size
        if letter == "v" and len(buf) < 3:
            return 0
        return self._fixed(events, "GS", _GS_ARGS)

    def _dle(self, events: list[Event]) -> int:
        buf = self._buffer
        if len(buf) < 2:
            return 0
        if buf[1] not in (EOT, 0x14, 0x05):
            events.append(Unknown(bytes(buf[:2])))
            return 2
        if len(buf) < 3:
            return 0
        if buf[1] == EOT:
            events.append(Command("DLE EOT", bytes(buf[2:3])))
            return 3
        if buf[1] == 0x14:  # DLE DC4 fn m t: real-time drawer pulse when fn = 1
            if len(buf) < 5:
                return 0
            events.append(Command("DLE DC4", bytes(buf[2:5])))
            return 5
        if buf[1] == 0x05:  # DLE ENQ n: real-time request to the printer
            events.append(Command("DLE ENQ", bytes(buf[2:3])))
            return 3
        events.append(Unknown(bytes(buf[:2])))
        return 2
