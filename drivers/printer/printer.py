"""A receipt printer: print jobs, the cash drawer and real-time status, over any connection."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from drivers.errors import InvalidRequest
from drivers.printer import codec
from drivers.printer.connection import Connection, connection_for
from drivers.printer.errors import PrinterError, PrinterOffline
from drivers.printer.layout import drawer_kick, paper_for, render
from drivers.printer.receipt import Receipt
from drivers.printer.url import parse_device_url

PaperLevel = Literal["ok", "low", "out", "unknown"]


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer reports; None / "unknown" where the connection is one-way."""

    online: bool
    paper: PaperLevel = "unknown"
    drawer_open: bool | None = None
    cover_open: bool | None = None
    error: str | None = None  # for staff, e.g. "Out of paper: load a new roll"

    @property
    def ready(self) -> bool:
        """True when a receipt can be printed now."""
        return self.online and self.paper != "out" and not self.cover_open and self.error is None


def decode_status(printer: int, offline_cause: int, paper: int,
                  drawer_open_level: str = "high") -> PrinterStatus:
    """PrinterStatus from the answers to DLE EOT 1, 2 and 4."""
    for n, value in ((1, printer), (2, offline_cause), (4, paper)):
        if not codec.is_status_byte(value):
            raise PrinterError(
                f"the printer answered 0x{value:02X} to status request {n}; "
                "is it an ESC/POS printer?"
            )
    level: PaperLevel = "ok"
    if paper & codec.PAPER_END or offline_cause & codec.STOPPED_PAPER_END:
        level = "out"
    elif paper & codec.PAPER_NEAR_END:
        level = "low"
    cover = bool(offline_cause & codec.COVER_OPEN)
    online = not printer & codec.OFFLINE
    pin_high = bool(printer & codec.DRAWER_PIN3_HIGH)
    error = None
    if level == "out":
        error = "Out of paper: load a new roll"
    elif cover:
        error = "Printer cover open: close it"
    elif offline_cause & codec.ERROR_OCCURRED:
        error = "Printer error (cutter or mechanism): check the printer, then switch it off and on"
    elif not online:
        error = "Printer offline"
    return PrinterStatus(online, level, pin_high == (drawer_open_level == "high"), cover, error)


class Printer:
    """An ESC/POS receipt printer chosen by URL; one job or status request at a time."""

    def __init__(self, url: str, *, paper: str = "80mm", drawer_pin: int = 2,
                 timeout: float = 3.0, connect_timeout: float = 5.0) -> None:
        self.url = url
        self.paper = paper_for(paper).name
        if drawer_pin not in (2, 5):
            raise InvalidRequest(f"cash drawer pin must be 2 or 5, not {drawer_pin}")
        self.drawer_pin = drawer_pin
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        device = parse_device_url(url)
        self._drawer_level = device.option("drawer", "high")
        if self._drawer_level not in ("high", "low"):
            raise InvalidRequest("printer option drawer= must be high or low (pin 3 when open)")
        self._connection: Connection = connection_for(device)
        self._connected = False
        self._lock = asyncio.Lock()

    @property
    def two_way(self) -> bool:
        """True when the printer can report paper, cover and drawer status."""
        return self._connection.two_way

    async def connect(self) -> None:
        """Open the connection now (otherwise it opens on first use)."""
        async with self._lock:
            await self._ensure_connected()

    async def close(self) -> None:
        """Close the connection; the next call opens it again."""
        async with self._lock:
            await self._drop()

    async def __aenter__(self) -> Printer:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def print_receipt(self, receipt: Receipt, *, open_drawer: bool = False) -> PrinterStatus:
        """Print one receipt; PrinterOffline means print the same receipt again later."""
        return await self.print_job(render(receipt, self.paper, open_drawer=open_drawer,
                                           drawer_pin=self.drawer_pin))

    async def print_job(self, job: bytes) -> PrinterStatus:
        """Send ready-made ESC/POS bytes; on a two-way line, checked before and confirmed after."""
        async with self._lock:
            await self._ensure_connected()
            try:
                if self.two_way:
                    before = await self._query()
                    if not before.ready:
                        raise PrinterOffline(before.error or "Printer not ready", before)
                await self._connection.write(job, self.timeout)
                if not self.two_way:
                    return await self._one_way_status()
                return await self._query()  # answered only once every byte before it arrived
            except PrinterOffline as exc:
                if exc.status is None:
                    await self._drop()
                    raise PrinterOffline(
                        f"{exc} — the receipt may be incomplete: print it again"
                    ) from None
                raise

    async def kick_drawer(self, pin: int | None = None) -> None:
        """Pulse the cash drawer connected to the printer (ESC p)."""
        data = drawer_kick(pin or self.drawer_pin)
        async with self._lock:
            await self._ensure_connected()
            try:
                await self._connection.write(data, self.timeout)
            except PrinterOffline:
                await self._drop()
                raise

    async def status(self) -> PrinterStatus:
        """Ask the printer (DLE EOT 1, 2, 4); one-way connections give "unknown" paper."""
        async with self._lock:
            await self._ensure_connected()
            if not self.two_way:
                return await self._one_way_status()
            try:
                return await self._query()
            except PrinterOffline:
                await self._drop()
                raise

    async def _query(self) -> PrinterStatus:
        ask, timeout = self._connection.ask, self.timeout
        printer = await ask(codec.status_request(codec.STATUS_PRINTER), timeout)
        cause = await ask(codec.status_request(codec.STATUS_OFFLINE_CAUSE), timeout)
        paper = await ask(codec.status_request(codec.STATUS_PAPER), timeout)
        return decode_status(printer, cause, paper, self._drawer_level)

    async def _one_way_status(self) -> PrinterStatus:
        return PrinterStatus(online=self._connected)

    async def _ensure_connected(self) -> None:
        if not self._connected:
            await self._connection.open(self.connect_timeout)
            self._connected = True

    async def _drop(self) -> None:
        self._connected = False
        await self._connection.close()
