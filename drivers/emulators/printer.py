"""An emulated ESC/POS network printer (port 9100): it prints receipts to text and PNG.

It parses what it receives with `drivers.printer.codec.JobParser`, answers DLE EOT with real
status bytes, counts drawer kicks, and ends a receipt at each cut. Paper, cover, drawer and
offline states can be set by a test or a person; `disconnect_after` pulls the plug mid-job.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from drivers.emulators.line import LineClosed, SocketLine
from drivers.printer import codec
from drivers.printer.codec import Command, JobParser, Text, Unknown

CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252",
              17: "cp866", 18: "cp852", 19: "cp858"}
DOTS = {"58mm": 384, "80mm": 576}
CHAR_W, CHAR_H, LINE_H = 12, 24, 30  # font A cell and default line spacing, in dots
QR_ERRORS = {48: "L", 49: "M", 50: "Q", 51: "H"}
PARTIAL_CUTS = {1, 49, 66}


@dataclass(frozen=True)
class PrintedQr:
    """A QR code as drawn on the PNG: its data, error level and where the modules are."""

    data: str
    error: str
    module: int  # dots per module
    left: int
    top: int
    size: int  # modules per side


@dataclass
class PrintedReceipt:
    """One receipt, from the first byte after the last cut up to this cut."""

    number: int
    text: str
    image: Image.Image
    qr_codes: list[PrintedQr]
    cut: str  # "partial" or "full"
    drawer_kicks: int
    raw: bytes
    text_path: Path | None = None
    png_path: Path | None = None


@dataclass
class _Glyph:
    char: str
    width: int
    height: int
    bold: bool


@dataclass
class _Row:
    align: int = 0
    glyphs: list[_Glyph] = field(default_factory=list)
    qr: tuple[str, str, int, list[list[bool]]] | None = None  # data, error, module, matrix


@functools.cache
def _font(bold: bool, scale: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    try:
        return ImageFont.truetype(name, 20 * scale)
    except OSError:
        return ImageFont.load_default(size=20 * scale)


class _Page:
    """The paper of one connection: print modes and the rows printed since the last cut."""

    def __init__(self, dots: int) -> None:
        self.dots = dots
        self.rows: list[_Row] = []
        self.raw = bytearray()
        self.kicks = 0
        self.reset()
        self._line: list[_Glyph] = []

    def reset(self) -> None:
        """ESC @: modes back to power-on defaults; the line being built is dropped."""
        self.kicks = 0  # a new job starts here: kicks before it are not on this receipt
        self.align, self.width, self.height, self.bold, self.font_b = 0, 1, 1, False, False
        self.code_page = "cp437"
        self.qr_module, self.qr_error, self.qr_data = 3, "L", b""
        self._line = []

    def columns(self) -> int:
        """Characters per line at single width in the current font."""
        return self.dots // (9 if self.font_b else CHAR_W)

    def text(self, data: bytes) -> None:
        """Printable bytes in the selected code page."""
        for char in data.decode(self.code_page, errors="replace"):
            self._line.append(_Glyph(char, self.width, self.height, self.bold))

    def newline(self, count: int = 1) -> None:
        """Print the line buffer (or an empty line) and feed."""
        for _ in range(count):
            self.rows.append(_Row(self.align, self._line))
            self._line = []

    def feed(self, count: int) -> None:
        """ESC d n: print what is buffered and feed n lines."""
        if self._line:
            self.newline()
            count -= 1
        self.newline(max(count, 0))

    def print_qr(self) -> None:
        """GS ( k 81: print the stored symbol with segno, the module size and error level set."""
        if self._line:
            self.newline()
        try:
            data = self.qr_data.decode("utf-8")
        except UnicodeDecodeError:
            data = self.qr_data.decode("latin-1")
        try:
            qr = segno.make_qr(data, error=self.qr_error, boost_error=False)
        except (ValueError, segno.DataOverflowError):
            return  # a printer prints nothing for data it cannot encode
        matrix = [[bool(v) for v in row] for row in qr.matrix]
        self.rows.append(_Row(self.align, qr=(data, self.qr_error, self.qr_module, matrix)))

    def physical_rows(self) -> list[_Row]:
        """Rows wrapped where the printed width exceeds the paper, as a printer does."""
        out: list[_Row] = []
        limit = self.dots // CHAR_W
        for row in self.rows:
            if row.qr is not None:
                out.append(row)
                continue
            current: list[_Glyph] = []
            for glyph in row.glyphs:
                if sum(g.width for g in current) + glyph.width > limit:
                    out.append(_Row(row.align, current))
                    current = []
                current.append(glyph)
            out.append(_Row(row.align, current))
        return out

    def as_text(self) -> str:
        """The receipt as text: alignment as spaces, QR codes as [QR data]."""
        lines = []
        limit = self.dots // CHAR_W
        for row in self.physical_rows():
            if row.qr is not None:
                lines.append(f"[QR {row.qr[0]}]")
                continue
            width = sum(g.width for g in row.glyphs)
            pad = {0: 0, 1: (limit - width) // 2, 2: limit - width}.get(row.align, 0)
            lines.append((" " * pad + "".join(g.char for g in row.glyphs)).rstrip())
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines) + "\n"

    def as_image(self) -> tuple[Image.Image, list[PrintedQr]]:
        """The receipt as a white strip of paper `dots` wide, with real QR codes."""
        rows = self.physical_rows()
        heights = [
            len(r.qr[3]) * r.qr[2] + 12 if r.qr else
            max((g.height for g in r.glyphs), default=1) * CHAR_H + LINE_H - CHAR_H
            for r in rows
        ]
        image = Image.new("L", (self.dots, sum(heights) + 20), 255)
        draw = ImageDraw.Draw(image)
        codes: list[PrintedQr] = []
        y = 10
        for row, height in zip(rows, heights, strict=True):
            if row.qr is not None:
                data, error, module, matrix = row.qr
                side = len(matrix) * module
                left = {0: 0, 1: (self.dots - side) // 2, 2: self.dots - side}.get(row.align, 0)
                for r, cells in enumerate(matrix):
                    for c, dark in enumerate(cells):
                        if dark:
                            x0, y0 = left + c * module, y + 6 + r * module
                            draw.rectangle((x0, y0, x0 + module - 1, y0 + module - 1), fill=0)
                codes.append(PrintedQr(data, error, module, left, y + 6, len(matrix)))
            else:
                width = sum(g.width for g in row.glyphs) * CHAR_W
                x = {0: 0, 1: (self.dots - width) // 2, 2: self.dots - width}.get(row.align, 0)
                base = y + height - (LINE_H - CHAR_H)
                for glyph in row.glyphs:
                    scale = glyph.height  # drawn at its height, then stretched to its width
                    tile = Image.new("L", (CHAR_W * scale, CHAR_H * scale), 255)
                    font = _font(glyph.bold, scale)
                    ImageDraw.Draw(tile).text((0, 0), glyph.char, font=font, fill=0)
                    size = (CHAR_W * glyph.width, CHAR_H * glyph.height)
                    image.paste(tile.resize(size), (x, base - size[1]))
                    x += size[0]
            y += height
        return image, codes


class PrinterEmulator:
    """An ESC/POS printer on TCP: start_tcp() gives the socket:// URL a Printer opens."""

    def __init__(self, out_dir: Path | str | None = None, *, paper: str = "80mm",
                 on_receipt: Callable[[PrintedReceipt], None] | None = None) -> None:
        if paper not in DOTS:
            raise ValueError(f"paper {paper!r} is not one of {', '.join(DOTS)}")
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.dots = DOTS[paper]
        self.on_receipt = on_receipt
        self.paper = "ok"  # "ok", "low" or "out"
        self.drawer_open = False  # a kick opens it; set False to close it again
        self.cover_open = False
        self.offline = False
        self.error = False
        self.mute = False  # True: status requests get no answer
        self.status_override: int | None = None  # answer this byte to every status request
        self.disconnect_after: int | None = None  # drop the next connection after N bytes
        self.receipts: list[PrintedReceipt] = []
        self.drawer_kicks = 0
        self.kicks: list[tuple[int, int, int]] = []  # (pin, on ms, off ms)
        self.status_requests: list[int] = []
        self.unknown: list[bytes] = []
        self.url = ""
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._lines: list[SocketLine] = []

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port) and return socket://host:port."""
        listener = socket.create_server((host, port), reuse_port=False)
        listener.settimeout(0.1)
        self._listener = listener
        self.url = f"socket://{host}:{listener.getsockname()[1]}"
        self._spawn(self._accept, "printer emulator")
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        return self.url

    def stop(self) -> None:
        """Stop listening and drop every connection, as if the printer was switched off."""
        self._stop.set()
        for line in list(self._lines):
            line.close()
        if self._listener is not None:
            self._listener.close()
        for thread in self._threads:
            thread.join(2.0)

    def __enter__(self) -> PrinterEmulator:
        if not self.url:
            self.start_tcp()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_receipts(self, count: int, timeout: float = 5.0) -> list[PrintedReceipt]:
        """Block until `count` receipts are printed; AssertionError after `timeout` s."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.receipts) >= count, timeout):
                raise AssertionError(f"{len(self.receipts)} of {count} receipts printed")
            return list(self.receipts)

    def status_byte(self, n: int) -> int:
        """What this printer answers to DLE EOT n right now."""
        if self.status_override is not None:
            return self.status_override
        stopped = self.offline or self.cover_open or self.paper == "out" or self.error
        return codec.status_byte(n, paper=self.paper, drawer_high=self.drawer_open,
                                 offline=stopped, cover_open=self.cover_open, error=self.error)

    # --- serving ------------------------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            line = SocketLine(sock, self._stop)
            self._lines.append(line)
            self._spawn(self._serve, "printer connection", line)

    def _serve(self, line: SocketLine) -> None:
        parser, page = JobParser(), _Page(self.dots)
        limit, self.disconnect_after = self.disconnect_after, None
        received = 0
        with contextlib.suppress(LineClosed):
            while True:
                data = line.read(3600.0)
                if limit is not None and received + len(data) >= limit:
                    data = data[: limit - received]
                    page.raw += data
                    for event in parser.feed(data):
                        self._handle(event, page, line)
                    break  # the plug is pulled: the job in progress is lost
                received += len(data)
                page.raw += data
                for event in parser.feed(data):
                    self._handle(event, page, line)
        line.close()
        with contextlib.suppress(ValueError):
            self._lines.remove(line)

    def _handle(self, event: Text | Command | Unknown, page: _Page, line: SocketLine) -> None:
        if isinstance(event, Text):
            page.text(event.data)
        elif isinstance(event, Unknown):
            self.unknown.append(event.data)
        else:
            self._command(event.name, event.args, page, line)

    def _command(self, name: str, args: bytes, page: _Page, line: SocketLine) -> None:
        arg = args[0] if args else 0
        if name == "LF":
            page.newline()
        elif name == "HT":
            page.text(b" " * (8 - len(page._line) % 8))
        elif name == "ESC @":
            page.reset()
        elif name == "ESC t":
            page.code_page = CODE_PAGES.get(arg, "cp437")
        elif name == "ESC !":
            page.font_b, page.bold = bool(arg & 0x01), bool(arg & 0x08)
            page.height, page.width = (2 if arg & 0x10 else 1), (2 if arg & 0x20 else 1)
        elif name == "GS !":
            page.width, page.height = (arg >> 4) + 1, (arg & 0x0F) + 1
        elif name in ("ESC E", "ESC G"):
            page.bold = bool(arg & 1)
        elif name == "ESC a":
            page.align = arg % 48 if arg >= 48 else arg
        elif name == "ESC M":
            page.font_b = arg in (1, 49)
        elif name == "ESC d":
            page.feed(arg)
        elif name == "ESC J":
            page.newline()
        elif name == "ESC p":
            self._kick(0 if args[0] in (0, 48) else 1, args[1] * 2, args[2] * 2)
            page.kicks += 1
        elif name == "DLE DC4" and args[0] == 1:
            self._kick(0 if args[1] == 0 else 1, args[2] * 100, args[2] * 100)
            page.kicks += 1
        elif name == "DLE EOT":
            self.status_requests.append(arg)
            if not self.mute:
                line.write(bytes([self.status_byte(arg)]))
        elif name == "GS ( k":
            self._qr(args, page)
        elif name == "GS V":
            if len(args) == 2:
                page.feed(args[1] // LINE_H)
            self._cut(page, "partial" if args[0] in PARTIAL_CUTS else "full")
        elif name not in ("CR", "FF", "ESC -", "ESC 2", "ESC 3", "ESC {", "ESC R", "ESC =",
                          "GS B", "GS b", "GS |", "DLE ENQ"):
            self.unknown.append(name.encode() + b" " + args)

    def _kick(self, pin_index: int, on_ms: int, off_ms: int) -> None:
        with self._changed:
            self.drawer_kicks += 1
            self.kicks.append((2 if pin_index == 0 else 5, on_ms, off_ms))
            self.drawer_open = True
            self._changed.notify_all()

    def _qr(self, args: bytes, page: _Page) -> None:
        if len(args) < 2 or args[0] != 49:  # cn 49: QR code
            self.unknown.append(b"GS ( k " + args)
            return
        fn, params = args[1], args[2:]
        if fn == 67 and params:
            page.qr_module = max(1, min(params[0], 16))
        elif fn == 69 and params:
            page.qr_error = QR_ERRORS.get(params[0], "L")
        elif fn == 80 and params:
            page.qr_data = bytes(params[1:])
        elif fn == 81:
            page.print_qr()

    def _cut(self, page: _Page, kind: str) -> None:
        image, codes = page.as_image()
        with self._changed:  # numbered and saved one at a time, whichever connection cuts
            receipt = PrintedReceipt(len(self.receipts) + 1, page.as_text(), image, codes, kind,
                                     page.kicks, bytes(page.raw))
            if self.out_dir is not None:
                stem = self.out_dir / f"receipt-{receipt.number:04d}"
                receipt.text_path = stem.with_suffix(".txt")
                receipt.png_path = stem.with_suffix(".png")
                receipt.text_path.write_text(receipt.text, encoding="utf-8")
                image.save(receipt.png_path)
            self.receipts.append(receipt)
            self._changed.notify_all()
        page.rows, page.raw, page.kicks = [], bytearray(), 0
        if self.on_receipt is not None:
            self.on_receipt(receipt)
