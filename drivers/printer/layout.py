"""Receipt layout for 58 mm and 80 mm paper, encoded to ESC/POS through python-escpos.

Which bytes (here, tested byte-for-byte against `escpos.printer.Dummy`) is kept apart from where
they go (`drivers.printer.connection`). Text is sent in code page CP858 (ESC t 19): PC850 plus
the euro sign, so åäöÅÄÖé print on every Epson-compatible printer.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from drivers.errors import InvalidRequest
from drivers.printer.receipt import ItemLine, Receipt, ReceiptLabels, VatRow

CODEPAGE = "CP858"  # ESC t 19
QR_MAX_BYTES = 2331  # byte-mode capacity of QR version 40 at error correction M


@dataclass(frozen=True)
class Paper:
    """A paper width: characters per line in font A (12 dots each), printable dots, QR module."""

    name: str
    columns: int
    dots: int
    qr_module: int


PAPERS = {
    "58mm": Paper("58mm", 32, 384, 4),
    "80mm": Paper("80mm", 48, 576, 6),
}


@dataclass(frozen=True)
class PrintLine:
    """One line of the layout; big means double width and height."""

    text: str
    align: str = "left"
    big: bool = False
    bold: bool = False


@dataclass(frozen=True)
class PrintQr:
    """A QR code printed by the printer itself (GS ( k), centred."""

    data: str


Block = PrintLine | PrintQr


def paper_for(name: str) -> Paper:
    """The paper called `name` ("58mm" or "80mm")."""
    try:
        return PAPERS[name]
    except KeyError:
        raise InvalidRequest(f"paper {name!r} is not one of {', '.join(PAPERS)}") from None


def printable(text: str) -> str:
    """Text with control characters replaced, so a product name can never carry a command."""
    return "".join(" " if ord(c) < 0x20 or ord(c) == 0x7F else c for c in text)


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    text = printable(text)
    if not text.strip():
        return [""]
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent, drop_whitespace=True
    ) or [""]


def _row(left: str, right: str, cols: int, indent: str = "") -> list[str]:
    """Left text wrapped beside a right-aligned amount that is never cut."""
    right = printable(right).strip()
    if not right:
        return _wrap(left, cols, indent)
    if len(right) > cols:
        raise InvalidRequest(f"amount text {right!r} is wider than the paper ({cols} columns)")
    room = cols - len(right) - 1
    if room < 8:
        return [*_wrap(left, cols, indent), right.rjust(cols)]
    lines = _wrap(left, room, indent)
    lines[0] = lines[0].ljust(room) + " " + right
    return lines


def _vat_table(rows: tuple[VatRow, ...], labels: ReceiptLabels, cols: int) -> list[str]:
    width = cols // 4
    raw = [(labels.vat_rate, labels.vat, labels.net, labels.gross)]
    raw += [(r.rate, r.vat, r.net, r.gross) for r in rows]
    cells = [[printable(c).strip() for c in row] for row in raw]
    if all(len(c) < width for row in cells for c in row):
        return [
            "".join([row[0].ljust(width), *(c.rjust(width) for c in row[1:])]).rstrip()
            for row in cells
        ]
    out: list[str] = []  # too wide for four columns: one small block per rate
    for r in rows:
        out += _row(f"{labels.vat} {r.rate}", "", cols)
        for label, amount in ((labels.vat, r.vat), (labels.net, r.net), (labels.gross, r.gross)):
            out += _row(label, amount, cols, indent="  ")
    return out


def _item(item: ItemLine, cols: int) -> list[str]:
    out = _row(item.name, item.amount, cols)
    if item.detail:
        out += _wrap(item.detail, cols, "  ")
    if item.discount:
        out += _row(item.discount_label, item.discount, cols, indent="  ")
    return out


def layout(receipt: Receipt, paper: Paper) -> list[Block]:
    """The receipt as lines for `paper`, top to bottom (shared by the bytes and the text)."""
    cols, r, labels = paper.columns, receipt, receipt.labels
    out: list[Block] = []

    def plain(lines: list[str], bold: bool = False) -> None:
        out.extend(PrintLine(text, bold=bold) for text in lines)

    for i, text in enumerate(r.store_lines):
        out += [PrintLine(t, "center", bold=i == 0) for t in _wrap(text, cols)]
    out.append(PrintLine(""))
    for mark in r.markings:
        out += [PrintLine(t, "center", big=True) for t in _wrap(mark, cols // 2)]
    if r.title:
        out += [PrintLine(t, "center", bold=True) for t in _wrap(r.title, cols)]
    if r.register or r.receipt_no:
        plain(_row(f"{labels.register} {r.register}" if r.register else "",
                   f"{labels.receipt_no} {r.receipt_no}" if r.receipt_no else "", cols))
    if r.cashier or r.time:
        plain(_row(f"{labels.cashier}: {r.cashier}" if r.cashier else "", r.time, cols))
    for text in r.info_lines:
        plain(_wrap(text, cols))
    for text in r.body_lines:  # laid out by the caller; only cut where too wide
        clean = printable(text).rstrip()
        plain([clean[i : i + cols] for i in range(0, len(clean), cols)] or [""])
    if r.items or r.totals or not r.body_lines:
        out.append(PrintLine("-" * cols))
    for item in r.items:
        plain(_item(item, cols))
    if r.items or r.totals or not r.body_lines:
        out.append(PrintLine("-" * cols))
    for total in r.totals:
        plain(_row(total.label, total.amount, cols), bold=total.bold)
    if r.rounding:
        plain(_row(labels.rounding, r.rounding, cols))
    for tender in r.tenders:
        plain(_row(tender.name, tender.amount, cols))
        if tender.reference:
            plain(_wrap(tender.reference, cols, "  "))
    if r.change:
        plain(_row(labels.change, r.change, cols))
    if r.vat:
        out.append(PrintLine(""))
        plain(_vat_table(r.vat, labels, cols))
    if r.terminal_lines:
        out.append(PrintLine(""))
        for text in r.terminal_lines:  # as the terminal sent them; only cut where too wide
            clean = printable(text).rstrip()
            plain([clean[i : i + cols] for i in range(0, len(clean), cols)] or [""])
    if r.footer_lines:
        out.append(PrintLine(""))
        for text in r.footer_lines:
            out += [PrintLine(t, "center") for t in _wrap(text, cols)]
    if r.qr_url:
        if len(r.qr_url.encode()) > QR_MAX_BYTES:
            raise InvalidRequest(f"QR content is {len(r.qr_url.encode())} bytes; at most 2331 fit")
        out += [PrintLine(""), PrintQr(r.qr_url), PrintLine("")]
    return out


def line_text(line: PrintLine, columns: int) -> str:
    """How a printed line reads as plain text (alignment done with spaces)."""
    width = len(line.text) * (2 if line.big else 1)
    pad = {"left": 0, "center": (columns - width) // 2, "right": columns - width}[line.align]
    return (" " * max(pad, 0) + line.text).rstrip()


def as_text(receipt: Receipt, paper: str = "80mm") -> str:
    """The receipt as plain text, exactly as the emulated printer reads the printed bytes."""
    p = paper_for(paper)
    lines = [
        f"[QR {b.data}]" if isinstance(b, PrintQr) else line_text(b, p.columns)
        for b in layout(receipt, p)
    ]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def drawer_kick(pin: int = 2, on_ms: int = 100, off_ms: int = 100) -> bytes:
    """ESC p m t1 t2: pulse drawer pin 2 (m=0) or 5 (m=1); times in 2 ms steps, at most 510 ms."""
    if pin not in (2, 5):
        raise InvalidRequest(f"cash drawer pin must be 2 or 5, not {pin}")
    if not (2 <= on_ms <= 510 and 2 <= off_ms <= 510):
        raise InvalidRequest("drawer pulse times must be between 2 and 510 ms")
    # Imported here: escpos.printer loads python-escpos's capability table (~0.15 s of CPU),
    # which the hub need not pay at start-up before anything is printed.
    from escpos.printer import Dummy

    printer = Dummy()
    printer.cashdraw([0x1B, 0x70, 0 if pin == 2 else 1, on_ms // 2, off_ms // 2])
    return bytes(printer.output)


def render(
    receipt: Receipt, paper: str = "80mm", *, open_drawer: bool = False, drawer_pin: int = 2
) -> bytes:
    """The whole print job: init, code page, optional drawer kick, the lines, QR, partial cut."""
    p = paper_for(paper)
    blocks = layout(receipt, p)
    from escpos.constants import QR_ECLEVEL_M  # not at module level: see drawer_kick
    from escpos.printer import Dummy

    out = Dummy()
    out.hw("INIT")  # ESC @: a known state whatever the last job left behind
    out.charcode(CODEPAGE)  # ESC t 19, and every later text is encoded in CP858
    if open_drawer:
        out._raw(drawer_kick(drawer_pin))
    align, big, bold = "left", False, False
    for block in blocks:
        if isinstance(block, PrintQr):
            if align != "center":
                out.set(align="center")
                align = "center"
            out.qr(block.data, ec=QR_ECLEVEL_M, size=p.qr_module, native=True)
            continue
        if block.align != align:
            out.set(align=block.align)
            align = block.align
        if block.big != big:  # GS ! n: leaves bold alone, unlike ESC !
            out.set(custom_size=True, width=2 if block.big else 1, height=2 if block.big else 1)
            big = block.big
        if block.bold != bold:
            out.set(bold=block.bold)
            bold = block.bold
        out.text(block.text + "\n")
    if align != "left" or big or bold:
        out.set(align="left", bold=False)
        if big:
            out.set(custom_size=True, width=1, height=1)
    out.cut(mode="PART")  # ESC d 6 (feed past the cutter), GS V 1
    return bytes(out.output)
