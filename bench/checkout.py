"""Checkout: many lanes completing 5-item cash sales over the HTTP API of a real hub process.

Every lane has its own cashier, open shift and keep-alive connection (bench/_http.py); each
scans 5 barcodes and pays cash (the cash tender is the request that completes the sale), again
and again, all lanes at once on one asyncio loop. Figures per level (1, 8 and 32 lanes;
`--quick`: 1 and 8):
- checkout_sales_per_s_<n>_lanes: completed sales per second (median of 1-second windows'
  rates is noisy; this is completed sales / measured seconds)
- checkout_complete_p50_ms_<n>_lanes / _p99_: the sale-completing request (cash tender)
Beside them:
- checkout_raw_sales_per_s: the raw limit, the same rows a cash sale writes (sale, 5 lines,
  tender, lane, 5 product stock updates + 5 stock movements, 2 outbox events, a journal
  entry, a register event) committed straight to SQLite, WAL + synchronous=FULL, one
  transaction per sale, one writer, in the same run
- checkout_loadgen_trivial_rps_<n>_clients: the load generator against the hub's trivial
  /healthz endpoint with as many clients: how many requests per second it can drive at all
- checkout_http_limit_sales_per_s: the HTTP limit, that trivial rate (most clients) divided by
  the 6 requests of a sale: sales/s if checkout cost the hub no more than /healthz; and
  checkout_http_cpu_ms_per_request, the hub's CPU per trivial request behind it
- checkout_loadgen_cpu_share_<n>_lanes: the CPU the load generator itself used during a
  level, as a share of one core (the hub runs in its own process)
Goals (issue 9): ≥ 300 sales/s at 8 lanes, p99 of the completing request < 25 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench._http import Connection
from bench._hub import Hub, Lane, running_hub, scan_codes, selling_lanes
from bench._report import figure

GOAL_SALES_PER_S = 300.0  # at 8 lanes
GOAL_P99_MS = 25.0
ITEMS = 5


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Tally:
    """What the lanes did during the measured window."""

    sales: int = 0
    sold: int = 0  # including the warm-up and the sales that ended after the window
    complete_ms: list[float] = field(default_factory=list)
    scan_ms: list[float] = field(default_factory=list)
    errors: int = 0


async def _sell(lane: Lane, api: str, codes: list[str], start: float, stop: float,
                tally: Tally) -> None:
    """Sell 5-item cash sales on one lane until `stop`; count those begun after `start`."""
    async with Connection(api, {"Authorization": f"Bearer {lane.token}"}) as http:
        while time.perf_counter() < stop:
            counted = time.perf_counter() >= start
            cart: dict[str, object] = {}
            for code in codes:
                t0 = time.perf_counter()
                r = await http.post(f"/lanes/{lane.id}/cart/items", json={"code": code})
                if counted:
                    tally.scan_ms.append((time.perf_counter() - t0) * 1000)
                if r.status != 200:
                    tally.errors += 1
                    raise RuntimeError(f"scan on lane {lane.id}: {r.status} {r.text}")
                cart = r.json()
            due = int(cart["due"])  # type: ignore[call-overload]
            tendered = (due // 10000 + 1) * 10000  # a note that covers it
            t0 = time.perf_counter()
            r = await http.post(f"/lanes/{lane.id}/cart/tenders/cash",
                                json={"tendered": tendered})
            done = time.perf_counter()
            if r.status != 200 or r.json()["status"] != "completed":
                tally.errors += 1
                raise RuntimeError(f"cash on lane {lane.id}: {r.status} {r.text}")
            tally.sold += 1
            if counted and done <= stop:
                tally.sales += 1
                tally.complete_ms.append((done - t0) * 1000)


def hub_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sell_level(hub: Hub, lanes: list[Lane], codes: list[str], warmup: float,
                     seconds: float) -> tuple[Tally, float, float]:
    """Sell on the lanes; the tally, the generator's CPU share and the hub's CPU seconds."""
    tally = Tally()
    now = time.perf_counter()
    start, stop = now + warmup, now + warmup + seconds
    cpu0, wall0, hub0 = time.process_time(), time.perf_counter(), hub_cpu_seconds(hub.pid)
    await asyncio.gather(*(_sell(lane, hub.api, codes, start, stop, tally) for lane in lanes))
    cpu_share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return tally, cpu_share, hub_cpu_seconds(hub.pid) - hub0


async def _trivial_rps(hub: Hub, clients: int, seconds: float) -> float:
    """Requests per second the generator drives against /healthz with this many clients."""
    count = 0
    stop = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal count
        async with Connection(hub.url) as http:
            while time.perf_counter() < stop:
                if (await http.get("/healthz")).status != 200:
                    raise RuntimeError("/healthz failed")
                count += 1

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    return count / (time.perf_counter() - start)


def raw_sales_per_s(seconds: float) -> float:
    """Cash sales' rows committed straight to SQLite (WAL, synchronous=FULL), one per
    transaction: the raw limit."""
    from hub.db import upgrade

    with tempfile.TemporaryDirectory(prefix="kassa-bench-raw-") as tmp:
        path = Path(tmp) / "hub.sqlite3"
        upgrade(f"sqlite:///{path}")
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("INSERT INTO lane (id, kind, name, last_receipt_no, cart_version, training)"
                    " VALUES ('R', 'register', 'R', 0, 0, 0)")
        for pid in range(1, ITEMS + 1):
            con.execute("INSERT INTO product (id, sku, gtin, name, category, price, currency,"
                        " vat_rate_bp, unit, on_hand, active, version, service) VALUES"
                        " (?, ?, ?, ?, 'bench', 1990, 'SEK', 1200, 'each', 1000000, 1, 1, 0)",
                        (pid, f"SKU{pid}", f"731000000000{pid}", f"Item {pid}"))
        payload = json.dumps({"lines": [{"name": f"Item {n}", "net": 1990} for n in range(5)],
                              "total": 9950, "pad": "x" * 1500})
        signature, digest = "ab" * 64, "cd" * 32
        n, stop = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < stop:
            n += 1
            sale_id, at = secrets.token_hex(16), datetime.now(UTC).isoformat()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO sale (id, lane_id, status, currency, receipt_no,"
                        " cart_discount_value, total, rounding, change, version, created_at,"
                        " completed_at, training, copies) VALUES"
                        " (?, 'R', 'completed', 'SEK', ?, 0, 9950, 0, 50, ?, ?, ?, 0, 0)",
                        (sale_id, n, n, at, at))
            for pid in range(1, ITEMS + 1):
                con.execute("INSERT INTO saleline (sale_id, product_id, name, gtin, quantity,"
                            " unit_price, price_overridden, vat_rate_bp, gross, discount_value,"
                            " line_discount, cart_discount_share, net, vat, voided, sku,"
                            " category, service) VALUES (?, ?, ?, ?, 1, 1990, 0, 1200, 1990,"
                            " 0, 0, 0, 1990, 213, 0, ?, 'bench', 0)",
                            (sale_id, pid, f"Item {pid}", f"731000000000{pid}", f"SKU{pid}"))
                con.execute("UPDATE product SET on_hand = on_hand - 1 WHERE id = ?", (pid,))
                con.execute("INSERT INTO stockmovement (product_id, delta, reason, ref, at)"
                            " VALUES (?, -1, 'sale', ?, ?)", (pid, sale_id, at))
            con.execute("INSERT INTO tender (sale_id, method, amount, tendered, change,"
                        " rounding, created_at) VALUES (?, 'cash', 9950, 10000, 50, 0, ?)",
                        (sale_id, at))
            con.execute("UPDATE lane SET last_receipt_no = ?, cart_version = ? WHERE id = 'R'",
                        (n, n))
            con.execute("INSERT INTO journalentry (seq, kind, ref, at, payload, prev_hash,"
                        " hash, signature) VALUES (?, 'sale', ?, ?, ?, ?, ?, ?)",
                        (n, f"R-{n}", at, payload, digest, digest, signature))
            for kind in ("sale.completed", "stock.moved"):
                con.execute("INSERT INTO outboxevent (event_id, type, payload, occurred_at,"
                            " hub_clock) VALUES (?, ?, ?, ?, ?)",
                            (secrets.token_hex(16), kind, payload, at, at))
            con.execute("INSERT INTO registerevent (lane_id, kind, at, user_id, ref, amount,"
                        " detail) VALUES ('R', 'drawer_open', ?, NULL, ?, 0, '{}')",
                        (at, sale_id))
            con.execute("COMMIT")
        rate = n / (time.perf_counter() - start)
        con.close()
        return rate


def run(quick: bool = False) -> None:
    """Drive 1, 8 (and 32) lanes of cash sales against a real hub; print the figures."""
    levels = (1, 8) if quick else (1, 8, 32)
    warmup, seconds = (0.2, 1.0) if quick else (2.0, 20.0)
    raw = raw_sales_per_s(0.5 if quick else 5.0)
    figure("checkout_raw_sales_per_s", raw, "sales/s", items=ITEMS)
    with running_hub() as hub:
        lanes = selling_lanes(hub, max(levels))
        codes = scan_codes(hub, ITEMS)
        for clients in sorted({1, max(levels)}):
            cpu0, wall0 = hub_cpu_seconds(hub.pid), time.perf_counter()
            rps = asyncio.run(_trivial_rps(hub, clients, 0.5 if quick else 3.0))
            requests = rps * (time.perf_counter() - wall0)
            figure(f"checkout_loadgen_trivial_rps_{clients}_clients", rps, "requests/s")
        http_limit = rps / (ITEMS + 1)
        figure("checkout_http_limit_sales_per_s", http_limit, "sales/s",
               requests_per_sale=ITEMS + 1)
        figure("checkout_http_cpu_ms_per_request",
               (hub_cpu_seconds(hub.pid) - cpu0) * 1000 / max(1.0, requests), "ms")
        for n in levels:
            tally, cpu_share, hub_cpu = asyncio.run(sell_level(hub, lanes[:n], codes, warmup,
                                                               seconds))
            rate = tally.sales / seconds
            p50 = statistics.median(tally.complete_ms)
            p99 = percentile(tally.complete_ms, 99)
            common = {"lanes": n, "sales": tally.sales, "seconds": seconds}
            goal = {"goal": GOAL_SALES_PER_S, "goal_met": rate >= GOAL_SALES_PER_S} if n == 8 \
                else {}
            figure(f"checkout_sales_per_s_{n}_lanes", rate, "sales/s", limit=round(raw, 3),
                   ratio=round(rate / round(raw, 3), 4), http_limit=round(http_limit, 3),
                   http_ratio=round(rate / round(http_limit, 3), 3), **goal, **common)
            figure(f"checkout_complete_p50_ms_{n}_lanes", p50, "ms", **common)
            figure(f"checkout_complete_p99_ms_{n}_lanes", p99, "ms", goal=GOAL_P99_MS,
                   goal_met=p99 < GOAL_P99_MS, **common)
            figure(f"checkout_scan_p50_ms_{n}_lanes", statistics.median(tally.scan_ms), "ms",
                   **common)
            figure(f"checkout_loadgen_cpu_share_{n}_lanes", cpu_share, "cores", **common)
            # whole level incl. warm-up, against every sale sold in it (counted or not)
            figure(f"checkout_hub_cpu_ms_per_sale_{n}_lanes",
                   hub_cpu * 1000 / max(1, tally.sold), "ms", **common)
