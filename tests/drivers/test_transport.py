"""The serial line survives a signal in the middle of draining its output (EINTR); over TCP
it sends each frame at once and hands a burst of bytes to the loop in one piece."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import termios

import pytest
import serial

from drivers.errors import ReaderDisconnected
from drivers.transport import SerialLine

LoopPort = type(serial.serial_for_url("loop://", do_not_open=True))


class InterruptedDrain(LoopPort):  # type: ignore[misc,valid-type]
    """A loop:// port whose flush (tcdrain on a real port) fails as told, then works."""

    failures: list[int]

    def flush(self) -> None:
        if self.failures:
            raise termios.error(self.failures.pop(0), "tcdrain failed")
        super().flush()


async def _line(failures: list[int]) -> SerialLine:
    port = InterruptedDrain("loop://", timeout=0.05)
    port.failures = failures
    return SerialLine(port, asyncio.get_running_loop())


def test_a_drain_interrupted_by_a_signal_is_retried_and_the_bytes_arrive() -> None:
    async def go() -> bytes:
        line = await _line([errno.EINTR, errno.EINTR])
        try:
            await line.write(b"\x06")
            return await line.read(timeout=1)
        finally:
            await line.close()

    assert asyncio.run(go()) == b"\x06"


def test_a_drain_that_fails_otherwise_is_a_lost_line() -> None:
    async def go() -> None:
        line = await _line([errno.EIO])
        try:
            await line.write(b"\x06")
        finally:
            await line.close()

    with pytest.raises(ReaderDisconnected, match="write failed"):
        asyncio.run(go())


def test_a_tcp_line_sends_at_once_and_hands_over_a_burst_whole() -> None:
    """Regression: Nagle's algorithm held each short frame back for the peer's delayed ACK
    (~40 ms an exchange with a ZVT terminal over TCP), and the socket:// port was handed to
    the loop one byte at a time."""
    burst = bytes(range(256)) * 2

    async def go() -> tuple[int, bytes, int]:
        with socket.create_server(("127.0.0.1", 0)) as server:
            port = server.getsockname()[1]
            line = await SerialLine.open(f"socket://127.0.0.1:{port}")
            peer, _ = server.accept()
            handed: list[int] = []
            feed = line._feed
            line._feed = lambda data: (handed.append(len(data)), feed(data))  # type: ignore[method-assign,func-returns-value]
            try:
                no_delay = line._port._socket.getsockopt(  # type: ignore[attr-defined]
                    socket.IPPROTO_TCP, socket.TCP_NODELAY)
                with peer:
                    peer.sendall(burst)
                    got = b""
                    while len(got) < len(burst):
                        got += await line.read(timeout=2)
                return no_delay, got, len(handed)
            finally:
                await line.close()

    no_delay, got, hand_overs = asyncio.run(go())
    assert no_delay != 0
    assert got == burst
    assert hand_overs <= 4  # one piece as it arrived, not 512 wake-ups of the loop


def test_a_frame_that_arrives_just_before_the_peer_hangs_up_is_read_first() -> None:
    """The terminal's last frame, then the connection closes: the frame is read, then the
    line is lost (the pump once dropped what it held when the port failed)."""
    frame = b"\x06\x0f\x00"

    async def go() -> tuple[bytes, BaseException | None]:
        with socket.create_server(("127.0.0.1", 0)) as server:
            line = await SerialLine.open(f"socket://127.0.0.1:{server.getsockname()[1]}")
            peer, _ = server.accept()
            peer.sendall(frame)
            peer.close()
            got, lost = b"", None
            try:
                while True:
                    got += await line.read(timeout=2)
            except ReaderDisconnected as exc:
                lost = exc
            await line.close()
            return got, lost

    got, lost = asyncio.run(go())
    assert got == frame and lost is not None


def test_a_peer_that_never_pauses_is_still_handed_over() -> None:
    """A device streaming without a pause: its bytes reach the reader in pieces while it
    streams, not after it stops."""
    import threading

    async def go() -> int:
        with socket.create_server(("127.0.0.1", 0)) as server:
            line = await SerialLine.open(f"socket://127.0.0.1:{server.getsockname()[1]}")
            peer, _ = server.accept()
            streaming = threading.Event()
            streaming.set()

            def stream() -> None:
                with contextlib.suppress(OSError):
                    while streaming.is_set():
                        peer.sendall(b"x" * 1024)

            sender = threading.Thread(target=stream)
            sender.start()
            try:
                return len(await line.read(timeout=2))  # ReaderTimeout if it never hands over
            finally:
                streaming.clear()
                peer.shutdown(socket.SHUT_RDWR)  # (the sender may wait on full buffers)
                sender.join()
                peer.close()
                await line.close()

    assert asyncio.run(go()) > 0
