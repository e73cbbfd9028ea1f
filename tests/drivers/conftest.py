"""Emulated terminals and short timers for the driver tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from drivers.concert import ConcertTimers
from drivers.emulators.concert import ConcertEmulator
from drivers.emulators.zvt import ZvtEmulator
from drivers.zvt import ZvtTimers

T = TypeVar("T")

CONCERT_TIMERS = ConcertTimers(control=0.4, enq_retry=0.2, enq_tries=3, answer=1.5)
ZVT_TIMERS = ZvtTimers(t3=1.0, t4=1.0, link_ack=0.4)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one async test body with a hard limit, so a hang fails instead of stalling."""
    return asyncio.run(asyncio.wait_for(coro, 20))


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition never became true")
        await asyncio.sleep(0.01)


@pytest.fixture
def concert_emulator() -> Iterator[ConcertEmulator]:
    emulator = ConcertEmulator(control_timeout=0.4)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(params=["tcp", "pty"])
def zvt_emulator(request: pytest.FixtureRequest) -> Iterator[ZvtEmulator]:
    """A ZVT terminal on loopback TCP (bare APDUs) and on a pty (serial framing)."""
    emulator = ZvtEmulator(ack_timeout=0.5, status_repeat=0.05)
    if request.param == "tcp":
        emulator.start_tcp()
    else:
        emulator.start_pty()
    yield emulator
    emulator.stop()
