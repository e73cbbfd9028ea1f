"""A QR code drawn with Unicode half blocks: one character cell holds two modules, one above
the other, so a phone can scan the code off a real terminal."""

from __future__ import annotations

import segno
from textual.widgets import Static

QUIET_ZONE = 2  # modules of light margin around the symbol; phones cope with 2 on a screen
# (upper dark, lower dark) → the character that draws them in the foreground colour.
CELLS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def make_qr(payload: str) -> segno.QRCode:
    """The payload's QR symbol: the smallest version (level L), raised to M when M fits it too."""
    smallest = segno.make(payload, error="L", micro=False, boost_error=False)
    try:
        return segno.make(payload, error="M", version=smallest.version, micro=False,
                          boost_error=False)
    except segno.DataOverflowError:
        return smallest


def qr_matrix(payload: str, border: int = QUIET_ZONE) -> list[list[bool]]:
    """The modules of the payload's symbol with its quiet zone, row by row (True = dark)."""
    return [[bool(module) for module in row]
            for row in make_qr(payload).matrix_iter(scale=1, border=border)]


def half_blocks(matrix: list[list[bool]]) -> list[str]:
    """Two module rows per text line; an odd last row gets a light row below it."""
    rows = [list(row) for row in matrix]
    if len(rows) % 2:
        rows.append([False] * (len(rows[0]) if rows else 0))
    return ["".join(CELLS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
            for upper, lower in zip(rows[0::2], rows[1::2], strict=True)]


class QrCode(Static):
    """A QR code, dark modules drawn black on white whatever the terminal's theme."""

    DEFAULT_CSS = """
    QrCode {
        width: auto;
        height: auto;
        color: black;
        background: white;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__("", markup=False, id=id, classes=classes)
        self.payload = ""
        self.lines: list[str] = []

    def show(self, payload: str) -> None:
        """Draw the code of `payload`; raises ValueError when it is too long for any QR code."""
        lines = half_blocks(qr_matrix(payload))
        self.payload, self.lines = payload, lines
        self.update("\n".join(lines))

    @property
    def columns(self) -> int:
        """Character cells the code needs across (0 before it is drawn)."""
        return len(self.lines[0]) if self.lines else 0

    @property
    def rows(self) -> int:
        """Text lines the code needs down (0 before it is drawn)."""
        return len(self.lines)
