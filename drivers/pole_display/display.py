"""A 2×20 VFD customer pole display on a serial port."""

from __future__ import annotations

import asyncio

from drivers.errors import DriverError, InvalidRequest, ReaderDisconnected
from drivers.pole_display.codec import Dialect, dialect_for, fit
from drivers.printer.url import parse_device_url
from drivers.transport import LineSettings, SerialLine


class DisplayError(DriverError):
    """The display's port cannot be opened or was lost."""


class PoleDisplay:
    """`serial:/dev/ttyUSB1?dialect=epson&baud=9600`: show two lines of 20 characters."""

    def __init__(self, url: str, *, timeout: float = 2.0) -> None:
        device = parse_device_url(url)
        if device.kind != "serial":
            raise InvalidRequest(f"a pole display needs a serial port, not {url!r}")
        device.check_options({"baud", "mode", "dialect"})
        try:
            self._settings = LineSettings.from_mode(device.option("mode", "8N1"),
                                                    device.int_option("baud", 9600))
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from None
        self.dialect: Dialect = dialect_for(device.option("dialect", "epson"))
        self.url = url
        self.port = device.target
        self.timeout = timeout
        self.lines = ("", "")  # what the display shows, as far as the driver knows
        self._line: SerialLine | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Open the port and initialise the display; DisplayError when it is not there."""
        async with self._lock:
            await self._ensure_open()

    async def close(self) -> None:
        """Close the port (the display keeps showing the last lines)."""
        async with self._lock:
            await self._drop()

    async def __aenter__(self) -> PoleDisplay:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def show(self, line1: str, line2: str = "") -> None:
        """Show two lines; each is cut or padded to 20 columns."""
        await self._send(self.dialect.show(line1, line2))
        self.lines = (fit(line1).rstrip(), fit(line2).rstrip())

    async def clear(self) -> None:
        """Blank the display."""
        await self._send(self.dialect.clear())
        self.lines = ("", "")

    async def _send(self, data: bytes) -> None:
        async with self._lock:
            line = await self._ensure_open()
            try:
                await asyncio.wait_for(line.write(data), self.timeout)
            except (ReaderDisconnected, TimeoutError) as exc:
                await self._drop()
                raise DisplayError(f"pole display on {self.port} went away: {exc}") from None

    async def _ensure_open(self) -> SerialLine:
        if self._line is None or not self._line.is_open:
            await self._drop()
            try:
                self._line = await SerialLine.open(self.port, self._settings)
                await asyncio.wait_for(self._line.write(self.dialect.init()), self.timeout)
            except (ReaderDisconnected, TimeoutError) as exc:
                await self._drop()
                raise DisplayError(f"pole display on {self.port} cannot be opened: {exc}") from None
        return self._line

    async def _drop(self) -> None:
        if self._line is not None:
            line, self._line = self._line, None
            await line.close()
