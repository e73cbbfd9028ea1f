"""An emulated 2×20 VFD pole display on a pty: it interprets Epson or CD5220 bytes."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from drivers.emulators.line import LineClosed, PtyLine
from drivers.pole_display.codec import CODEPAGE, WIDTH, dialect_for

ESC, US, FF, CR, LF, BS, HT, CAN = 0x1B, 0x1F, 0x0C, 0x0D, 0x0A, 0x08, 0x09, 0x18


class DisplayScreen:
    """Two rows of 20 cells and a cursor, driven by the bytes of one command set."""

    def __init__(self, dialect: str = "epson") -> None:
        self.dialect = dialect_for(dialect).name
        self.unknown: list[bytes] = []
        self._pending = bytearray()
        self._target: int | None = None  # CD5220 ESC Q A/B: the row being written until CR
        self.reset()

    def reset(self) -> None:
        """Power-on state: blank, cursor home."""
        self.cells = [[" "] * WIDTH for _ in range(2)]
        self.row = self.col = 0

    @property
    def lines(self) -> tuple[str, str]:
        """What a customer reads, right-hand blanks dropped."""
        first, second = ("".join(row).rstrip() for row in self.cells)
        return first, second

    def feed(self, data: bytes) -> None:
        """Interpret bytes; an incomplete command waits for the rest."""
        self._pending += data
        while self._pending:
            used = self._step(self._pending)
            if used == 0:
                return
            del self._pending[:used]

    def _step(self, buf: bytearray) -> int:
        byte = buf[0]
        if self._target is not None:
            if byte == CR:
                self._target = None
            elif byte >= 0x20:
                self._put(byte)
            return 1
        if byte == ESC:
            return self._escape(buf)
        if byte == US and self.dialect == "epson":
            return self._unit_separator(buf)
        if byte == FF:
            self.reset()
        elif byte == CR:
            self.col = 0
        elif byte == LF:
            self.row = min(self.row + 1, 1)
        elif byte == BS:
            self.col = max(self.col - 1, 0)
        elif byte == HT:
            self._advance()
        elif byte == CAN:
            self.cells[self.row] = [" "] * WIDTH
            self.col = 0
        elif byte in (0x11, 0x12, 0x13) and self.dialect == "cd5220":
            pass  # overwrite / vertical / horizontal scroll mode: overwrite is all we show
        elif byte >= 0x20:
            self._put(byte)
        else:
            self.unknown.append(bytes([byte]))
        return 1

    def _escape(self, buf: bytearray) -> int:
        if len(buf) < 2:
            return 0
        letter = chr(buf[1])
        if letter == "@":
            self.reset()
            return 2
        if letter == "t" and self.dialect == "epson":
            return 3 if len(buf) >= 3 else 0
        if self.dialect == "cd5220" and letter == "Q":
            if len(buf) < 3:
                return 0
            if buf[2] in (0x41, 0x42):  # A: upper line, B: lower line, text until CR
                row = buf[2] - 0x41
                self.cells[row] = [" "] * WIDTH
                self.row, self.col, self._target = row, 0, row
                return 3
        if self.dialect == "cd5220" and letter == "l":
            if len(buf) < 4:
                return 0
            self._cursor(buf[2], buf[3])
            return 4
        self.unknown.append(bytes(buf[:2]))
        return 2

    def _unit_separator(self, buf: bytearray) -> int:
        if len(buf) < 2:
            return 0
        if buf[1] == 0x24:  # US $ x y
            if len(buf) < 4:
                return 0
            self._cursor(buf[2], buf[3])
            return 4
        if buf[1] in (0x01, 0x02, 0x03):  # US MD1/2/3: display modes
            return 2
        if buf[1] in (0x43, 0x58):  # US C n cursor, US X n brightness
            return 3 if len(buf) >= 3 else 0
        self.unknown.append(bytes(buf[:2]))
        return 2

    def _cursor(self, x: int, y: int) -> None:
        if 1 <= x <= WIDTH and 1 <= y <= 2:
            self.col, self.row = x - 1, y - 1
        else:
            self.unknown.append(bytes([x, y]))

    def _put(self, byte: int) -> None:
        if self.col >= WIDTH:
            if self._target is not None:
                return  # ESC Q A/B: extra characters do not spill to the other line
            self.col, self.row = 0, 1 - self.row
        self.cells[self.row][self.col] = bytes([byte]).decode(CODEPAGE)
        self._advance()

    def _advance(self) -> None:
        self.col += 1
        if self.col >= WIDTH and self._target is None:
            self.col, self.row = 0, (self.row + 1) % 2  # overwrite mode wraps to the top


class PoleDisplayEmulator:
    """A pole display on a pty: start() gives the path; `lines` is what the customer sees."""

    def __init__(self, dialect: str = "epson", *,
                 on_change: Callable[[tuple[str, str]], None] | None = None) -> None:
        self.screen = DisplayScreen(dialect)
        self.on_change = on_change
        self.received = bytearray()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._line: PtyLine | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Open the pty, serve it in a thread and return its path."""
        self._line = PtyLine(self._stop)
        self._thread = threading.Thread(target=self._serve, name="pole display", daemon=True)
        self._thread.start()
        return self._line.path

    @property
    def path(self) -> str:
        """The pty slave path (after start)."""
        assert self._line is not None
        return self._line.path

    @property
    def lines(self) -> tuple[str, str]:
        """The two visible lines."""
        with self._lock:
            return self.screen.lines

    def wait_for(self, lines: tuple[str, str], timeout: float = 3.0) -> None:
        """Block until the display shows `lines`; AssertionError with what it shows instead."""
        deadline = time.monotonic() + timeout
        while self.lines != lines:
            if time.monotonic() > deadline:
                raise AssertionError(f"display shows {self.lines}, not {lines}")
            time.sleep(0.01)

    def _serve(self) -> None:
        assert self._line is not None
        with contextlib.suppress(LineClosed):
            while True:
                data = self._line.read(3600.0)
                with self._lock:
                    before = self.screen.lines
                    self.received += data
                    self.screen.feed(data)
                    after = self.screen.lines
                if after != before and self.on_change is not None:
                    self.on_change(after)

    def stop(self) -> None:
        """Stop and close the pty, as if the display was unplugged."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self._line is not None:
            self._line.close()

    def __enter__(self) -> PoleDisplayEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
