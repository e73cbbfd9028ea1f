"""A barcode scanner on a serial port (or USB CDC): an async iterator of barcodes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from drivers.errors import DriverError, InvalidRequest, ReaderDisconnected, ReaderTimeout
from drivers.printer.url import parse_device_url
from drivers.scanner.codec import BarcodeFramer, Rejected
from drivers.transport import LineSettings, SerialLine

log = logging.getLogger(__name__)

_POLL = 0.25  # how often a waiting iterator notices close()


class ScannerError(DriverError):
    """The scanner's port cannot be opened or was lost; the iterator ends with it."""


class SerialScanner:
    """Barcodes from `serial:/dev/ttyACM0?baud=9600` (or a bare path), prefix/suffix stripped."""

    def __init__(self, url: str, *, prefix: str = "", suffix: str = "",
                 max_length: int = 128) -> None:
        device = parse_device_url(url)
        if device.kind != "serial":
            raise InvalidRequest(f"a serial scanner needs a serial port, not {url!r}")
        device.check_options({"baud", "mode"})
        try:
            self._settings = LineSettings.from_mode(device.option("mode", "8N1"),
                                                    device.int_option("baud", 9600))
            self._framer = BarcodeFramer(prefix=prefix, suffix=suffix, max_length=max_length)
        except (ValueError, UnicodeEncodeError) as exc:
            raise InvalidRequest(f"scanner settings: {exc}") from None
        self.url = url
        self.port = device.target
        self.rejected = 0  # lines refused since start, for health pages
        self._line: SerialLine | None = None
        self._closed = False

    async def open(self) -> None:
        """Open the port; ScannerError when it is not there."""
        if self._line is None:
            try:
                self._line = await SerialLine.open(self.port, self._settings)
            except ReaderDisconnected as exc:
                raise ScannerError(f"scanner on {self.port} cannot be opened: {exc}") from None
            self._closed = False

    async def close(self) -> None:
        """Close the port; a running iterator ends without an error."""
        self._closed = True
        if self._line is not None:
            line, self._line = self._line, None
            await line.close()

    async def __aenter__(self) -> SerialScanner:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[str]:
        return self.barcodes()

    async def barcodes(self) -> AsyncIterator[str]:
        """Each barcode as it is scanned; raises ScannerError when the scanner goes away."""
        await self.open()
        while not self._closed and self._line is not None:
            try:
                data = await self._line.read(_POLL)
            except ReaderTimeout:
                continue
            except ReaderDisconnected as exc:
                if self._closed:
                    return
                await self.close()
                raise ScannerError(f"scanner on {self.port} disconnected: {exc}") from None
            for item in self._framer.feed(data):
                if isinstance(item, Rejected):
                    self.rejected += 1
                    log.warning("scanner on %s: ignored %r (%s)", self.port, item.raw,
                                item.reason)
                else:
                    yield item
            await asyncio.sleep(0)
