"""The only module that opens ports: pyserial's `serial_for_url`, made usable from asyncio.

A helper thread reads the port with a short timeout and hands the bytes to the event loop,
so `/dev/ttyUSB0`, a pty path, `socket://host:port` and `loop://` all behave the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import termios
import threading
from dataclasses import dataclass

import serial

from drivers.errors import ReaderDisconnected, ReaderTimeout

_POLL_SECONDS = 0.05
_PIECE = 4096  # bytes handed to the event loop at once, at most


@dataclass(frozen=True)
class LineSettings:
    """Serial parameters; ignored by socket:// and loop:// ports."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1

    @classmethod
    def from_mode(cls, mode: str, baudrate: int = 9600) -> LineSettings:
        """Build settings from a mode string such as "7E1" or "8N2"."""
        if len(mode) != 3 or mode[0] not in "5678" or mode[1].upper() not in "NEOMS":
            raise ValueError(f"serial mode {mode!r} is not like '8N1' or '7E1'")
        if mode[2] not in "12":
            raise ValueError(f"serial mode {mode!r} has {mode[2]} stop bits")
        return cls(baudrate, int(mode[0]), mode[1].upper(), int(mode[2]))


def _send_at_once(port: serial.SerialBase) -> None:
    """A TCP port (pyserial's socket:// handler) sends each frame at once.

    With Nagle's algorithm on, a short write waited for the terminal's delayed ACK of the one
    before: ~40 ms an exchange (a ZVT status enquiry took 44 ms over TCP against 3 ms on a
    serial line, a payment 60 ms against 16)."""
    sock = getattr(port, "_socket", None)  # pyserial has no public handle on it
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # (a peer already gone: the first read says so)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class SerialLine:
    """An open port, read by a helper thread and written from asyncio."""

    def __init__(self, port: serial.SerialBase, loop: asyncio.AbstractEventLoop) -> None:
        self._port = port
        self._loop = loop
        self._buffer = bytearray()
        self._arrived = asyncio.Event()
        self._failure: BaseException | None = None
        self._stop = threading.Event()
        self._write_lock = asyncio.Lock()
        self._thread = threading.Thread(target=self._pump, name=f"line {port.name}", daemon=True)
        self._thread.start()

    @classmethod
    async def open(cls, url: str, settings: LineSettings | None = None) -> SerialLine:
        """Open `url` with `settings`; raises ReaderDisconnected when the port is unavailable."""
        s = settings or LineSettings()
        try:
            port = await asyncio.to_thread(
                serial.serial_for_url,
                url,
                baudrate=s.baudrate,
                bytesize=s.bytesize,
                parity=s.parity,
                stopbits=s.stopbits,
                timeout=_POLL_SECONDS,
                write_timeout=5,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ReaderDisconnected(f"cannot open {url}: {exc}") from exc
        _send_at_once(port)
        return cls(port, asyncio.get_running_loop())

    @property
    def is_open(self) -> bool:
        """True until the line is closed or lost."""
        return self._failure is None and not self._stop.is_set()

    def _pump(self) -> None:
        while not self._stop.is_set():
            data = bytearray()
            try:
                data += self._port.read(max(1, self._port.in_waiting))
                # what has arrived, in one hand-over to the loop (a socket:// port counts at
                # most 1 byte waiting, and a wake-up of the loop per byte cost a ZVT payment
                # over TCP ~17 ms); a piece at most, so a streaming peer is still handed over
                while data and len(data) < _PIECE and (waiting := self._port.in_waiting):
                    data += self._port.read(min(waiting, _PIECE - len(data)))
            except Exception as exc:  # the port is gone: tell the loop once, then stop
                if data:  # what came before the line went (a terminal's last frame) counts
                    self._call_loop(self._feed, bytes(data))
                if not self._stop.is_set():
                    self._call_loop(self._fail, exc)
                return
            if data:
                self._call_loop(self._feed, bytes(data))

    def _call_loop(self, fn: object, arg: object) -> None:
        with contextlib.suppress(RuntimeError):  # loop already closed
            self._loop.call_soon_threadsafe(fn, arg)  # type: ignore[arg-type]

    def _feed(self, data: bytes) -> None:
        self._buffer.extend(data)
        self._arrived.set()

    def _fail(self, exc: BaseException) -> None:
        self._failure = exc
        self._arrived.set()

    async def read(self, timeout: float) -> bytes:
        """Return the bytes received so far, waiting up to `timeout` s for at least one."""
        if not self._buffer:
            if self._failure is not None:
                raise ReaderDisconnected(f"line lost: {self._failure}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout)
            except TimeoutError:
                raise ReaderTimeout(f"nothing received within {timeout:g} s") from None
            if not self._buffer:
                raise ReaderDisconnected(f"line lost: {self._failure}")
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def unread(self, data: bytes) -> None:
        """Put bytes back in front of the buffer (a reader took more than it needed)."""
        self._buffer[:0] = data
        if data:
            self._arrived.set()

    def discard_input(self) -> None:
        """Forget bytes received but not yet read."""
        self._buffer.clear()

    async def write(self, data: bytes) -> None:
        """Send `data`; raises ReaderDisconnected when the line is gone."""
        if self._failure is not None:
            raise ReaderDisconnected(f"line lost: {self._failure}")
        try:
            async with self._write_lock:  # frames from two tasks must not interleave
                await asyncio.to_thread(self._write_all, data)
        except (serial.SerialException, OSError) as exc:
            raise ReaderDisconnected(f"write failed: {exc}") from exc

    def _write_all(self, data: bytes) -> None:
        self._port.write(data)
        while True:  # a serial port's flush waits in tcdrain, which a signal interrupts
            try:
                self._port.flush()
                return
            except termios.error as exc:  # (errno, text), and not an OSError
                if exc.args[:1] != (errno.EINTR,):
                    raise OSError(*exc.args) from exc

    async def close(self) -> None:
        """Stop the reader thread and close the port."""
        self._stop.set()
        await asyncio.to_thread(self._thread.join, 1.0)
        with contextlib.suppress(Exception):
            self._port.close()
