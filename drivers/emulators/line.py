"""Blocking byte lines for emulators: a pty master or a TCP socket, polled with timeouts."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import tty
from abc import ABC, abstractmethod


class LineClosed(Exception):
    """The other end went away, or the emulator is stopping."""


class Line(ABC):
    """A byte pipe with read timeouts; `stop` makes every wait end promptly."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._pending = bytearray()

    @abstractmethod
    def _raw_read(self, timeout: float) -> bytes | None:
        """Bytes within timeout; b"" for none yet; None when the peer closed the line."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send bytes to the register."""

    def close(self) -> None:  # noqa: B027 - a line with nothing to release keeps this
        """Release the line."""

    def read(self, timeout: float) -> bytes:
        """Bytes available within `timeout` s (b"" when none came)."""
        if self._pending:
            data, self._pending = bytes(self._pending), bytearray()
            return data
        deadline = time.monotonic() + timeout
        while not self.stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return b""
            chunk = self._raw_read(min(remaining, 0.05))
            if chunk is None:
                raise LineClosed("peer closed the line")
            if chunk:
                return chunk
        raise LineClosed("emulator stopping")

    def unread(self, data: bytes) -> None:
        """Return bytes to be read again first."""
        self._pending[:0] = data

    def sleep(self, seconds: float) -> bytes:
        """Wait `seconds`, collecting whatever the register sends meanwhile."""
        got = bytearray()
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            got += self.read(remaining)
        return bytes(got)


class PtyLine(Line):
    """The master side of a pty; the register opens the slave path."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__(stop)
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing, before the register opens it
        self.path = os.ttyname(self._slave)

    def _raw_read(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.master, 4096) or None
        except OSError:
            return None

    def write(self, data: bytes) -> None:
        """Write to the master side."""
        with contextlib.suppress(OSError):
            os.write(self.master, data)

    def close(self) -> None:
        """Close both sides: the register sees the line drop."""
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class SocketLine(Line):
    """One accepted TCP connection."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        super().__init__(stop)
        self.sock = sock

    def _raw_read(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return b""
        try:
            return self.sock.recv(4096) or None
        except OSError:
            return None

    def write(self, data: bytes) -> None:
        """Send on the socket; a vanished register is noticed on the next read."""
        with contextlib.suppress(OSError):
            self.sock.sendall(data)

    def close(self) -> None:
        """Close the connection."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.sock.close()
