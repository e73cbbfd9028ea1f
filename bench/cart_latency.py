"""Cart to screen: an item scanned on a lane → `cart.updated` on the lane's customer display.

A real hub process; per lane a cashier (a keep-alive connection, bench/_http.py) and a
customer display paired to the lane as the display page pairs (a `display` device token on
/api/v1/ws, which watches its own lane).
Each lane scans 5 items and pays cash, again and again; every scan is timed from just before
its POST until the display's websocket delivers the cart at that scan's version. Levels:
1, 8 and 32 lanes scanning back to back at once, with no pause (`--quick`: 1 and 8): a stress
figure, where each scan waits behind the other lanes' work; and 8 and 32 lanes at store pace
(`--quick`: 8), each scanning an item every 0.25 s on average (jittered, so the lanes do not
march in step), four times what the fastest cashier manages. Figures:
- cart_to_screen_p50_ms_<n>_lanes / cart_to_screen_p99_ms_<n>_lanes (back to back)
- cart_to_screen_p50_ms_<n>_lanes_paced / cart_to_screen_p99_ms_<n>_lanes_paced
- cart_raw_ws_relay_p50_ms / _p99_: the raw limit, a bare `websockets` server in this run
  relaying a message of the same size from one client to a second one
Goal (issue 9): p99 < 15 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve

from bench._http import Connection
from bench._hub import (
    Hub,
    Lane,
    display_tokens,
    free_port,
    running_hub,
    scan_codes,
    selling_lanes,
)
from bench._report import figure
from bench.checkout import percentile

GOAL_P99_MS = 15.0
PACE_S = 0.25  # store pace: the mean pause before each scan and each payment on a lane


async def raw_relay_ms(messages: int, size: int) -> list[float]:
    """Send → receive times through a bare websocket server that relays to a second client."""
    watchers: set[ServerConnection] = set()

    async def handler(conn: ServerConnection) -> None:
        if conn.request is not None and conn.request.path == "/watch":
            watchers.add(conn)
            await conn.wait_closed()
            return
        async for message in conn:
            for watcher in list(watchers):
                await watcher.send(message)

    port = free_port()
    times = []
    async with serve(handler, "127.0.0.1", port), \
            connect(f"ws://127.0.0.1:{port}/watch") as watcher, \
            connect(f"ws://127.0.0.1:{port}/send") as sender:
        while not watchers:
            await asyncio.sleep(0.01)
        body = "x" * size
        for n in range(messages):
            start = time.perf_counter()
            await sender.send(json.dumps({"n": n, "body": body}))
            await watcher.recv()
            times.append((time.perf_counter() - start) * 1000)
    return times


class Display:
    """A customer display's websocket: when each cart version of its lane arrived."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.arrived: dict[int, float] = {}
        self.changed = asyncio.Event()

    async def listen(self) -> None:
        """Note the arrival time of every cart.updated."""
        async for text in self.ws:
            now = time.perf_counter()
            event = json.loads(text)
            if event["type"] == "cart.updated":
                self.arrived[int(event["cart"]["version"])] = now
                self.changed.set()

    async def seen(self, version: int, timeout: float = 30) -> float:
        """When the display received this cart version."""
        deadline = time.perf_counter() + timeout
        while version not in self.arrived:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(0.001, deadline - time.perf_counter()))
        return self.arrived.pop(version)


async def _lane(hub: Hub, lane: Lane, ws: ClientConnection, codes: list[str], start: float,
                stop: float, times: list[float], pace: float) -> None:
    """Scan and pay on one lane until `stop`, timing each scan to its display; with a pace,
    pause 0.5–1.5 × pace seconds before each request."""
    async with Connection(hub.api, {"Authorization": f"Bearer {lane.token}"}) as http:
        display = Display(ws)
        listener = asyncio.create_task(display.listen())
        try:
            while time.perf_counter() < stop:
                due = 0
                for code in codes:
                    await _pause(pace)
                    t0 = time.perf_counter()
                    r = await http.post(f"/lanes/{lane.id}/cart/items", json={"code": code})
                    if r.status != 200:
                        raise RuntimeError(f"scan on lane {lane.id}: {r.status} {r.text}")
                    cart = r.json()
                    arrived = await display.seen(int(cart["version"]))
                    if t0 >= start and arrived <= stop:
                        times.append((arrived - t0) * 1000)
                    due = int(cart["due"])
                await _pause(pace)
                r = await http.post(f"/lanes/{lane.id}/cart/tenders/cash",
                                    json={"tendered": (due // 10000 + 1) * 10000})
                if r.status != 200:
                    raise RuntimeError(f"cash on lane {lane.id}: {r.status} {r.text}")
                display.arrived.clear()
        finally:
            listener.cancel()


async def _pause(pace: float) -> None:
    if pace:
        await asyncio.sleep(random.uniform(0.5, 1.5) * pace)


async def _level(hub: Hub, lanes: list[Lane], tokens: list[str], codes: list[str],
                 warmup: float, seconds: float, pace: float = 0.0) -> list[float]:
    """Connect every display first, then scan on every lane at once; the scans' times."""
    times: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(connect(f"{hub.ws}?token={token}"))
                   for token in tokens]
        now = time.perf_counter()
        start, stop = now + warmup, now + warmup + seconds
        await asyncio.gather(*(_lane(hub, lane, ws, codes, start, stop, times, pace)
                               for lane, ws in zip(lanes, sockets, strict=True)))
    return times


def run(quick: bool = False) -> None:
    """Time scan → customer display at 1, 8 (and 32) lanes back to back and at store pace,
    and the bare websocket relay."""
    levels = [(1, 0.0), (8, 0.0), (8, PACE_S)] if quick else [
        (1, 0.0), (8, 0.0), (32, 0.0), (8, PACE_S), (32, PACE_S)]
    warmup, seconds = (0.2, 1.0) if quick else (2.0, 15.0)
    raw = asyncio.run(raw_relay_ms(300 if quick else 3000, 2000))
    raw_p50, raw_p99 = statistics.median(raw), percentile(raw, 99)
    figure("cart_raw_ws_relay_p50_ms", raw_p50, "ms", messages=len(raw))
    figure("cart_raw_ws_relay_p99_ms", raw_p99, "ms", messages=len(raw))
    with running_hub() as hub:
        lanes = selling_lanes(hub, max(n for n, _ in levels), prefix="C")
        tokens = display_tokens(hub, [lane.id for lane in lanes])
        codes = scan_codes(hub)
        for n, pace in levels:
            times = asyncio.run(_level(hub, lanes[:n], tokens[:n], codes, warmup, seconds, pace))
            p50, p99 = statistics.median(times), percentile(times, 99)
            suffix = f"{n}_lanes_paced" if pace else f"{n}_lanes"
            common = {"lanes": n, "scans": len(times), "pace_s": pace}
            low, high = max(round(raw_p50, 4), 0.0001), max(round(raw_p99, 4), 0.0001)
            figure(f"cart_to_screen_p50_ms_{suffix}", p50, "ms", limit=low,
                   ratio=round(p50 / low, 3), **common)
            figure(f"cart_to_screen_p99_ms_{suffix}", p99, "ms", limit=high,
                   ratio=round(p99 / high, 3), goal=GOAL_P99_MS, goal_met=p99 < GOAL_P99_MS,
                   **common)
