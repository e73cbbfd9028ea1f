"""An emulated serial barcode scanner on a pty: replays barcodes from a list or a file."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from drivers.emulators.line import PtyLine

TERMINATORS = {"cr": "\r", "lf": "\n", "crlf": "\r\n"}


def load_codes(path: Path | str) -> list[str]:
    """Barcodes from a text file: one a line; blank lines and # comments are skipped."""
    codes = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        text = raw.strip()
        if text and not text.startswith("#"):
            codes.append(text)
    return codes


class ScannerEmulator:
    """A scanner: start() gives the pty path; scan() or replay() send barcodes down the line."""

    def __init__(self, codes: Iterable[str] = (), *, delay: float = 1.0, terminator: str = "\r",
                 prefix: str = "", suffix: str = "", repeat: bool = False) -> None:
        if terminator not in TERMINATORS.values():
            raise ValueError("terminator must be CR, LF or CRLF")
        self.codes = list(codes)
        self.delay = delay
        self.terminator = terminator
        self.prefix, self.suffix = prefix, suffix
        self.repeat = repeat
        self.sent: list[str] = []
        self._stop = threading.Event()
        self._line: PtyLine | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Open the pty and return the path the scanner driver opens."""
        self._line = PtyLine(self._stop)
        return self._line.path

    @property
    def path(self) -> str:
        """The pty slave path (after start)."""
        assert self._line is not None
        return self._line.path

    def replay(self, start_after: float = 0.0) -> None:
        """Send the codes one by one, `delay` s apart, in a thread (forever when repeat)."""
        self._thread = threading.Thread(
            target=self._replay, args=(start_after,), name="scanner emulator", daemon=True
        )
        self._thread.start()

    def _replay(self, start_after: float) -> None:
        if self._stop.wait(start_after):
            return
        while True:
            for code in self.codes:
                self.scan(code)
                if self._stop.wait(self.delay):
                    return
            if not self.repeat:
                return

    def scan(self, code: str) -> None:
        """Send one barcode with the prefix, suffix and terminator, as the scanner does."""
        self.send(f"{self.prefix}{code}{self.suffix}{self.terminator}".encode("latin-1"))
        self.sent.append(code)

    def send(self, data: bytes) -> None:
        """Send raw bytes (noise, half lines, anything)."""
        if self._line is None:
            raise RuntimeError("start() the scanner emulator first")
        self._line.write(data)

    def wait_done(self, timeout: float = 10.0) -> None:
        """Wait for a replay without repeat to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self) -> None:
        """Stop and close the pty: the driver sees the scanner unplugged."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self._line is not None:
            self._line.close()

    def __enter__(self) -> ScannerEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
