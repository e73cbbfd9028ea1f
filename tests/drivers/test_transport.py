"""The serial line survives a signal in the middle of draining its output (EINTR)."""

from __future__ import annotations

import asyncio
import errno
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
