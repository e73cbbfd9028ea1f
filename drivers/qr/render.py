"""QR images of a payload with segno: byte mode always, ECI 26 (UTF-8) for non-ASCII text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno

# Terminal blocks: two matrix rows per text line (upper, lower) → one character.
_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


@dataclass(frozen=True)
class QrSymbol:
    """A QR symbol of one payload, with the encoding choices made for it."""

    payload: str
    qr: segno.QRCode
    eci: bool
    encoding: str

    @property
    def mode(self) -> str:
        """The segment mode segno used: always "byte" here."""
        return str(self.qr.mode)

    @property
    def version(self) -> int:
        """QR version 1–40 (never a Micro QR here)."""
        return int(self.qr.version)

    @property
    def size(self) -> int:
        """Modules per side, without the quiet zone."""
        return 17 + 4 * self.version

    @property
    def error(self) -> str:
        """Error correction level ("L", "M", "Q", "H")."""
        return str(self.qr.error)


def make_symbol(payload: str, *, error: str | None = None) -> QrSymbol:
    """Encode `payload` in byte mode; EPC payloads (BCD…) get level M as EPC069-12 asks."""
    is_epc = payload.startswith("BCD\n")
    eci = not payload.isascii()
    qr = segno.make(
        payload,
        mode="byte",
        encoding="utf-8",
        eci=eci,
        error=error or "M",
        micro=False,
        # EPC readers expect exactly level M; elsewhere a free higher level helps scanning.
        boost_error=not is_epc and error is None,
    )
    return QrSymbol(payload, qr, eci, "utf-8")


def write_png(payload: str, path: str | Path, *, scale: int = 8) -> QrSymbol:
    """Write a PNG of the payload's QR code."""
    symbol = make_symbol(payload)
    symbol.qr.save(str(path), kind="png", scale=scale, border=4)
    return symbol


def write_svg(payload: str, path: str | Path, *, scale: int = 8) -> QrSymbol:
    """Write an SVG of the payload's QR code."""
    symbol = make_symbol(payload)
    symbol.qr.save(str(path), kind="svg", scale=scale, border=4, xmldecl=True)
    return symbol


def text_blocks(payload: str, *, border: int = 2, invert: bool = True) -> str:
    """The QR as lines of half-block characters; `invert` lights the light modules (dark UI)."""
    matrix = make_symbol(payload).qr.matrix_iter(scale=1, border=border)
    rows = [[bool(dark) != invert for dark in row] for row in matrix]
    if len(rows) % 2:
        rows.append([invert] * len(rows[0]))  # one more row of quiet zone
    return "\n".join(
        "".join(_BLOCKS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[0::2], rows[1::2], strict=True)
    )
