"""The hub's own overhead per card payment, against the line time of the bytes exchanged.

A ZVT emulator (`kassa emulator zvt`, a process of its own, as a terminal is a device of its own)
serves serial framing on a pty; the hub's ZvtReader is configured at 9600 and at 115200 baud
(`--quick`: 115200 only, 5 payments).
A pty moves bytes at memory speed, so what a payment takes here is the work of the hub, the
driver and the emulator, not of the wire. Every byte both sides write is counted, and
the line time those bytes would need on a real 8N2 serial line (11 bits per byte) is computed
in the same run: the raw limit the overhead is compared against. (The bytes are counted on a
few payments against an emulator in this process; the timed runs use the emulator process.)

Figures (medians over the runs):
- card_payment_hub_ms: POST .../tenders/card → sale.completed on the websocket, against a
  real hub process (hub + driver + emulator)
- card_payment_driver_ms: ZvtReader.pay alone against an emulator process of its own (driver
  + emulator), one after each payment through the hub, so both see the same moments
- card_payment_hub_overhead_ms: the difference — what the hub itself adds
- card_payment_line_time_ms: the bytes of one payment × bit time, at each baud rate
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench._http import Connection, Reply
from bench._report import figure
from drivers.card import CardReader
from drivers.emulators import line as emulator_line
from drivers.emulators.zvt import ZvtEmulator
from drivers.zvt import ZvtReader

BITS_PER_BYTE = 11  # 8N2: start + 8 data + 2 stop


class ByteCounter:
    """Counts the bytes the emulator writes to and reads from its pty (both directions)."""

    def __init__(self) -> None:
        self.total = 0
        self._write = emulator_line.PtyLine.write
        self._read = emulator_line.PtyLine._raw_read

    def __enter__(self) -> ByteCounter:
        counter = self

        def write(line: Any, data: bytes) -> None:
            counter.total += len(data)
            counter._write(line, data)

        def read(line: Any, timeout: float) -> bytes | None:
            data = counter._read(line, timeout)
            counter.total += len(data or b"")
            return data

        emulator_line.PtyLine.write = write  # type: ignore[method-assign,assignment]
        emulator_line.PtyLine._raw_read = read  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        emulator_line.PtyLine.write = self._write  # type: ignore[method-assign]
        emulator_line.PtyLine._raw_read = self._read  # type: ignore[method-assign]


def _driver_ms(url: str, baud: int, runs: int) -> list[float]:
    async def go() -> list[float]:
        async with ZvtReader(url, currency="SEK", baudrate=baud) as reader:
            return [await _driver_payment(reader, i) for i in range(runs)]

    return asyncio.run(go())


async def _driver_payment(reader: CardReader, i: int) -> float:
    start = time.perf_counter()
    result = await reader.pay(1995, "SEK", f"B{i}")
    elapsed = (time.perf_counter() - start) * 1000
    assert result.outcome.value == "approved", result
    return elapsed


def _hub_and_driver_ms(hub_url: str, driver_url: str, baud: int,
                       runs: int) -> tuple[list[float], list[float]]:
    """Payments through a real hub process, timed from the POST to the sale.completed event,
    each followed by one of the driver alone against an emulator process of its own: the two
    alternate, so that both figures see the same moment of a noisy machine.

    The client is one asyncio loop (bench/_http.py and a websockets connection), no threads:
    what is timed is the hub's work, not the client's GIL hand-overs.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="kassa-bench-"))
    port = _free_port()
    env = {**os.environ, "KASSA_CARD_READERS": json.dumps({"1": f"zvt:{hub_url}"}),
           "KASSA_CARD_READER_BAUD": str(baud), "KASSA_READER_POLL_SECONDS": "3600"}
    hub = subprocess.Popen([sys.executable, "-m", "hub", "hub", "serve", "--port", str(port),
                            "--data-dir", str(data_dir), "--demo-data"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        return asyncio.run(_alternate(port, driver_url, baud, runs))
    finally:
        hub.terminate()
        hub.wait(10)


async def _alternate(port: int, driver_url: str, baud: int,
                     runs: int) -> tuple[list[float], list[float]]:
    from websockets.asyncio.client import connect

    api = f"http://127.0.0.1:{port}/api/v1"
    async with Connection(api) as http:
        login = await http.post("/auth/login", {"username": "erik", "pin": "1111"})
        token = login.json()["token"]
    hub_ms: list[float] = []
    driver_ms: list[float] = []
    posted: list[float] = []
    async with Connection(api, {"Authorization": f"Bearer {token}"}) as http, \
            connect(f"ws://127.0.0.1:{port}/api/v1/ws?token={token}") as ws, \
            ZvtReader(driver_url, currency="SEK", baudrate=baud) as reader:
        _ok(await http.post("/lanes/1/shift/open", {"counted": 0}))
        await ws.send(json.dumps({"type": "subscribe", "lanes": ["1"]}))
        for i in range(runs):
            _ok(await http.post("/lanes/1/cart/items", {"product_id": 5}))
            start = time.perf_counter()
            _ok(await http.post("/lanes/1/cart/tenders/card", {}))
            posted.append((time.perf_counter() - start) * 1000)
            while json.loads(await ws.recv())["type"] != "sale.completed":
                pass
            hub_ms.append((time.perf_counter() - start) * 1000)
            driver_ms.append(await _driver_payment(reader, i))
    figure("card_payment_start_request_ms", statistics.median(posted), "ms", baud=baud,
           runs=runs)
    return hub_ms, driver_ms


def _ok(reply: Reply) -> None:
    if reply.status >= 400:
        raise RuntimeError(f"the hub answered {reply.status}: {reply.text[:200]}")


@contextlib.contextmanager
def _emulator_process() -> Iterator[str]:
    """A ZVT emulator in a process of its own, as a terminal is a device of its own; its pty."""
    proc = subprocess.Popen([sys.executable, "-m", "hub", "emulator", "zvt", "--pty",
                             "--currency", "752"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url:
            raise RuntimeError(f"the ZVT emulator did not start (exit code {proc.poll()})")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise TimeoutError("the hub did not start")


def run(quick: bool = False) -> None:
    """Measure and print the card payment figures."""
    runs = 5 if quick else 40
    for baud in (115200,) if quick else (9600, 115200):
        with ByteCounter() as counter, ZvtEmulator(currency=752) as emulator:
            _driver_ms(emulator.start_pty(), baud, 5)  # the bytes of a payment, counted
            bytes_per_payment = counter.total / 5
        with _emulator_process() as hub_url, _emulator_process() as driver_url:
            hub, driver = _hub_and_driver_ms(hub_url, driver_url, baud, runs)
        line_ms = bytes_per_payment * BITS_PER_BYTE / baud * 1000
        hub_med, driver_med = statistics.median(hub), statistics.median(driver)
        overhead = hub_med - driver_med
        common = {"baud": baud, "runs": runs}
        figure("card_payment_bytes", bytes_per_payment, "bytes", **common)
        figure("card_payment_line_time_ms", line_ms, "ms", **common)
        figure("card_payment_driver_ms", driver_med, "ms", **common)
        figure("card_payment_hub_ms", hub_med, "ms", limit=line_ms,
               ratio=round(hub_med / line_ms, 3), **common)
        figure("card_payment_hub_overhead_ms", overhead, "ms", goal=5.0, limit=line_ms,
               ratio=round(overhead / line_ms, 3), **common)
