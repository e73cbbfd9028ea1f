"""The ZVT serial link: a line lost at any step ends the wait for the terminal at once."""

from __future__ import annotations

import asyncio

import pytest

from drivers.errors import ReaderDisconnected, ReaderTimeout
from drivers.zvt import codec
from drivers.zvt.codec import Apdu, frame
from drivers.zvt.transport import SerialLink


class LostOnAcknowledge:
    """A line that brings one frame from the terminal and is gone when the register answers it
    (the terminal lost power just after sending)."""

    def __init__(self, data: bytes) -> None:
        self._pending = [data]

    async def read(self, timeout: float) -> bytes:
        if self._pending:
            return self._pending.pop()
        await asyncio.sleep(timeout)
        raise ReaderTimeout(f"nothing received within {timeout:g} s")

    async def write(self, data: bytes) -> None:
        raise ReaderDisconnected("write failed: [Errno 5] Input/output error")

    async def close(self) -> None:
        pass


def test_a_line_lost_while_acknowledging_a_frame_ends_the_wait_at_once() -> None:
    # The pump acknowledges every good frame; that write failing used to end the pump without
    # a word, so the reader waited out its timer (up to the 180 s of T4 in a store) before
    # calling the payment unknown.
    status = Apdu(*codec.INTERMEDIATE_STATUS, b"\x0a")  # "insert card"

    async def go() -> None:
        link = SerialLink(LostOnAcknowledge(frame(bytes(status))),  # type: ignore[arg-type]
                          ack_timeout=0.4, inter_byte=0.2)
        try:
            with pytest.raises(ReaderDisconnected, match="write failed"):
                await link.receive(timeout=2)
            with pytest.raises(ReaderDisconnected):  # and every later wait, too
                await link.receive(timeout=2)
        finally:
            await link.close()

    asyncio.run(asyncio.wait_for(go(), 3))
