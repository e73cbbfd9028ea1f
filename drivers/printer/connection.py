"""Where print jobs go: a serial or TCP line (two-way), a USB printer, or a file/device node."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import select
import time
from abc import ABC, abstractmethod
from typing import Any

from drivers.errors import InvalidRequest, ReaderDisconnected, ReaderTimeout
from drivers.printer.errors import PrinterError, PrinterOffline
from drivers.printer.url import DeviceUrl
from drivers.transport import LineSettings, SerialLine

CHUNK = 512  # written piece by piece, so a lost printer is noticed mid-job


class Connection(ABC):
    """An open way to the printer; `two_way` when it can answer status requests."""

    two_way = False

    def __init__(self, label: str) -> None:
        self.label = label

    @abstractmethod
    async def open(self, timeout: float) -> None:
        """Open the way to the printer; PrinterOffline when it is not there."""

    @abstractmethod
    async def write(self, data: bytes, timeout: float) -> None:
        """Send bytes; PrinterOffline when the printer went away or stopped taking data."""

    async def ask(self, request: bytes, timeout: float) -> int:
        """Send a real-time request and return the one byte answered."""
        raise PrinterError(f"{self.label} cannot answer status requests")

    async def close(self) -> None:  # noqa: B027 - nothing to release for some connections
        """Release the connection."""


class LineConnection(Connection):
    """A serial port or TCP socket through `drivers.transport` (pyserial URLs)."""

    def __init__(self, label: str, port_url: str, settings: LineSettings, two_way: bool) -> None:
        super().__init__(label)
        self.port_url = port_url
        self.settings = settings
        self.two_way = two_way
        self._line: SerialLine | None = None

    async def open(self, timeout: float) -> None:
        """Open the port or connect the socket within `timeout` s."""
        try:
            self._line = await asyncio.wait_for(
                SerialLine.open(self.port_url, self.settings), timeout
            )
        except TimeoutError:
            raise PrinterOffline(f"{self.label} did not answer within {timeout:g} s") from None
        except ReaderDisconnected as exc:
            raise PrinterOffline(f"{self.label} is not reachable: {exc}") from None

    def _open_line(self) -> SerialLine:
        if self._line is None or not self._line.is_open:
            raise PrinterOffline(f"{self.label} is disconnected")
        return self._line

    async def write(self, data: bytes, timeout: float) -> None:
        """Send `data` in chunks, each within `timeout` s."""
        line = self._open_line()
        for start in range(0, len(data), CHUNK):
            try:
                await asyncio.wait_for(line.write(data[start : start + CHUNK]), timeout)
            except TimeoutError:
                raise PrinterOffline(f"{self.label} stopped taking data") from None
            except ReaderDisconnected as exc:
                raise PrinterOffline(f"{self.label} went away: {exc}") from None

    async def ask(self, request: bytes, timeout: float) -> int:
        """Send a DLE EOT request and return the first byte of the answer."""
        line = self._open_line()
        line.discard_input()
        await self.write(request, timeout)
        try:
            answer = await line.read(timeout)
        except ReaderTimeout:
            raise PrinterOffline(
                f"{self.label} did not answer a status request within {timeout:g} s"
            ) from None
        except ReaderDisconnected as exc:
            raise PrinterOffline(f"{self.label} went away: {exc}") from None
        return answer[0]

    async def close(self) -> None:
        """Close the port or socket."""
        if self._line is not None:
            line, self._line = self._line, None
            await line.close()


class FileConnection(Connection):
    """Append to a file or a device node such as /dev/usb/lp0 (one-way: no status)."""

    def __init__(self, label: str, path: str) -> None:
        super().__init__(label)
        self.path = path

    def _fd(self) -> int:
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK
        if not self.path.startswith("/dev/"):  # never create a plain file where a device belongs
            flags |= os.O_CREAT
        try:
            return os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise PrinterOffline(f"{self.label} cannot be opened: {exc.strerror}") from None

    async def open(self, timeout: float) -> None:
        """Check that the file or device can be opened for writing."""
        os.close(await asyncio.to_thread(self._fd))

    async def write(self, data: bytes, timeout: float) -> None:
        """Append `data`; a device that takes nothing for `timeout` s is offline."""
        await asyncio.to_thread(self._write_all, data, timeout)

    def _write_all(self, data: bytes, timeout: float) -> None:
        fd = self._fd()
        try:
            view, deadline = memoryview(data), time.monotonic() + timeout
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PrinterOffline(f"{self.label} took no data for {timeout:g} s")
                select.select([], [fd], [], remaining)
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    continue
                except OSError as exc:
                    if exc.errno == errno.EINTR:
                        continue
                    raise PrinterOffline(f"{self.label} went away: {exc.strerror}") from None
        finally:
            os.close(fd)


class UsbConnection(Connection):
    """A USB printer by vendor and product id, through python-escpos and pyusb (write only)."""

    def __init__(self, label: str, vendor: int, product: int) -> None:
        super().__init__(label)
        self.vendor, self.product = vendor, product
        self._usb: Any = None

    async def open(self, timeout: float) -> None:
        """Find and claim the USB device."""
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise PrinterError("USB printers need the pyusb package; or use file:/dev/usb/lp0")
        usb = Usb(self.vendor, self.product, timeout=int(timeout * 1000))
        try:
            await asyncio.to_thread(usb.open)
        except Exception as exc:  # pyusb and escpos raise several unrelated types here
            raise PrinterOffline(f"{self.label} not found: {exc}") from None
        self._usb = usb

    async def write(self, data: bytes, timeout: float) -> None:
        """Send `data` to the bulk-out endpoint."""
        if self._usb is None:
            raise PrinterOffline(f"{self.label} is disconnected")
        try:
            await asyncio.to_thread(self._usb._raw, data)
        except Exception as exc:  # pyusb's USBError, timeouts, a vanished device
            raise PrinterOffline(f"{self.label} went away: {exc}") from None

    async def close(self) -> None:
        """Release the USB device."""
        if self._usb is not None:
            usb, self._usb = self._usb, None
            with contextlib.suppress(Exception):
                await asyncio.to_thread(usb.close)


SERIAL_OPTIONS = {"baud", "mode", "status", "drawer"}


def connection_for(url: DeviceUrl) -> Connection:
    """The connection a printer URL asks for."""
    status = url.option("status", "on")
    if status not in ("on", "off"):
        raise InvalidRequest(f"printer option status={status!r}: use on or off")
    if url.kind == "socket":
        url.check_options({"status", "drawer"})
        return LineConnection(f"printer at {url.target}", f"socket://{url.target}",
                              LineSettings(), status == "on")
    if url.kind == "serial":
        url.check_options(SERIAL_OPTIONS)
        try:
            settings = LineSettings.from_mode(url.option("mode", "8N1"),
                                              url.int_option("baud", 9600))
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from None
        return LineConnection(f"printer on {url.target}", url.target, settings, status == "on")
    if url.kind == "file":
        url.check_options(set())
        return FileConnection(f"printer file {url.target}", url.target)
    if url.kind == "usb":
        url.check_options(set())
        vid, _, pid = url.target.partition(":")
        try:
            return UsbConnection(f"USB printer {url.target}", int(vid, 16), int(pid, 16))
        except ValueError:
            raise InvalidRequest(f"usb://{url.target} is not usb://VID:PID in hex") from None
    raise InvalidRequest(f"printers cannot use {url.kind} URLs")
