"""Bytes for 2×20 VFD pole displays, without I/O: the Epson (DM-D) and CD5220 command sets.

Text is sent in code page 437, the power-on table of practically every such display; åäöÅÄÖé
sit at the same bytes in PC850/858, so a display set to either of those shows them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import InvalidRequest

WIDTH = 20
CODEPAGE = "cp437"
ESC, US, FF, CR, DC1 = 0x1B, 0x1F, 0x0C, 0x0D, 0x11


def fit(text: str, width: int = WIDTH) -> str:
    """Exactly `width` columns: control characters blanked, cut or padded on the right."""
    clean = "".join(" " if ord(c) < 0x20 or ord(c) == 0x7F else c for c in text)
    return clean[:width].ljust(width)


def encode(text: str) -> bytes:
    """One display line in CP437; characters it lacks show as "?"."""
    return fit(text).encode(CODEPAGE, errors="replace")


def two_columns(left: str, right: str, width: int = WIDTH) -> str:
    """Left text and a right-aligned amount in `width` columns; the amount is never cut."""
    right = right.strip()
    if len(right) > width:
        raise InvalidRequest(f"{right!r} does not fit a {width}-column display")
    room = width - len(right)
    left = fit(left, room) if room else ""
    if room and right and left[-1] != " ":  # keep a gap between a long name and its price
        left = left[:-1] + " "
    return left + right


def item_line(name: str, price: str) -> str:
    """The article and its price in 20 columns: "Mjölk 1 l      15,90"."""
    return two_columns(name, price)


def total_line(amount: str, label: str = "TOTAL") -> str:
    """The label and the amount in 20 columns: "TOTAL      249,00 kr"."""
    return two_columns(label, amount)


@dataclass(frozen=True)
class Dialect:
    """How one command set initialises, clears and writes both lines."""

    name: str

    def init(self) -> bytes:
        """Reset, code table 437, overwrite mode and no blinking cursor."""
        if self.name == "epson":  # ESC @, ESC t 0, US MD1, US C 0
            return bytes([ESC, 0x40, ESC, 0x74, 0, US, 0x01, US, 0x43, 0])
        return bytes([ESC, 0x40, DC1])  # CD5220: ESC @, DC1 overwrite mode

    def clear(self) -> bytes:
        """Blank both lines (FF / CLR in both sets)."""
        return bytes([FF])

    def show(self, line1: str, line2: str) -> bytes:
        """Both lines, each padded to 20 columns so nothing old is left behind."""
        if self.name == "epson":  # US $ x y: cursor to column x, row y (1-based)
            return (bytes([US, 0x24, 1, 1]) + encode(line1)
                    + bytes([US, 0x24, 1, 2]) + encode(line2))
        return (bytes([ESC, 0x51, 0x41]) + encode(line1) + bytes([CR])  # ESC Q A … CR
                + bytes([ESC, 0x51, 0x42]) + encode(line2) + bytes([CR]))  # ESC Q B … CR


DIALECTS = {name: Dialect(name) for name in ("epson", "cd5220")}


def dialect_for(name: str) -> Dialect:
    """The command set called `name` ("epson" or "cd5220")."""
    try:
        return DIALECTS[name.lower()]
    except KeyError:
        raise InvalidRequest(
            f"pole display dialect {name!r} is not one of {', '.join(DIALECTS)}"
        ) from None
