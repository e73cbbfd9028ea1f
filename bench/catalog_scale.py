"""Catalogs and members at scale (issue 9, figures 1, 2 and 7).

A hub data directory holds the demo store plus a generated catalog of 10k / 100k / 1M products
and 50,000 members (bench/data.py; `--quick`: 10k products and 5,000 members). Against a real
`kassa hub serve` process on it:
- lane_ready_ms: process start → /healthz → cashier log-in → open a shift → scan a barcode →
  pay cash → sale completed; p50/p95 over several starts per size (hub_startup_ms: to /healthz).
- barcode_lookup_ms: GET /products/by-barcode/{code} (what the kiosk calls for a scan; the
  register's scan is the cart's add-item, which does the same indexed look-up); p50/p99.
- product_search_ms: GET /products?q= with a mix of till queries (word prefixes of 2–6 letters,
  whole words, two words, codes), ≤ 50 results; customer_search_ms: GET /customers?q= (name
  prefixes, surnames, phone digits, member numbers).
- raw limits, same run, same file: the same look-ups as bare sqlite3 queries.
- product_search_like_scan_ms: the search as it was before FTS (LIKE over every name), bare.
- hub_rss_mb: VmRSS of the hub idle after start-up and after a burst of concurrent requests.
The timed look-ups and searches run one after another on one keep-alive connection of
bench/_http.py, as checkout's requests do (httpx added 0.5–1 ms of its own to each).
Goals: lane ready ≤ 1.5 s p95 at 100k and flat in catalog size; barcode p99 ≤ 10 ms; searches
p99 ≤ 50 ms at 1M products / 50k members; RSS < 150 MB; start-up to /healthz < 2 s.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench._http import Connection, Reply
from bench._report import figure
from bench.data import (
    _BRAND_WORDS,
    _CATEGORIES,
    _FIRST_NAMES,
    _SURNAMES,
    _VARIANTS,
    bench_gtin,
    bench_member_no,
    store_at_scale,
)
from hub.services.search import match_expression

LANE_READY_GOAL_MS = 1500.0
BARCODE_GOAL_MS = 10.0
SEARCH_GOAL_MS = 50.0
RSS_GOAL_MB = 150.0
STARTUP_GOAL_MS = 2000.0

RAW_BARCODE = "SELECT * FROM product WHERE gtin = ?"
RAW_PRODUCT_SEARCH = """
SELECT * FROM product WHERE active AND (
  id IN (SELECT rowid FROM product_fts WHERE product_fts MATCH :match)
  OR (gtin >= :q AND gtin < :hi) OR (sku >= :q AND sku < :hi))
ORDER BY name LIMIT 50"""
RAW_CUSTOMER_SEARCH = """
SELECT * FROM customer WHERE active AND (
  id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH :match)
  OR (member_no >= :q AND member_no < :hi) OR (phone_digits >= :q AND phone_digits < :hi))
ORDER BY name, id LIMIT 50"""
LIKE_SCAN = """
SELECT * FROM product WHERE active AND (lower(name) LIKE lower(:q) || '%' ESCAPE '\\'
  OR lower(name) LIKE '% ' || lower(:q) || '%' ESCAPE '\\' OR gtin LIKE :q || '%'
  OR sku LIKE :q || '%') ORDER BY name LIMIT 50"""


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _cpu_ms(pid: int) -> float:
    """CPU time (user + system) a process has used, in ms: start-up work on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


# A deployed hub runs from compiled bytecode (pip compiles it on install). Where
# PYTHONDONTWRITEBYTECODE is set (as on the benchmark VM), every start would compile the project's
# ~160 modules again (~130 ms of CPU), so the hubs here keep bytecode outside the tree.
PYCACHE = Path(tempfile.gettempdir()) / "kassa-bench-pycache"


def _hub_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class Hub:
    """A `kassa hub serve` process on a prepared data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = open(data_dir.parent / f"hub-{self.port}.log", "ab")  # noqa: SIM115
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "hub", "serve", "--port", str(self.port),
             "--data-dir", str(data_dir)],
            stdout=log, stderr=subprocess.STDOUT, env=_hub_env())
        log.close()

    def wait_healthy(self, client: httpx.Client, seconds: float = 60) -> float:
        """Milliseconds from process start to the first 200 from /healthz."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if client.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return _ms(self.started)
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited during start-up (see {self.data_dir.parent})")
            time.sleep(0.005)
        raise TimeoutError("the hub did not become ready")

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def _bytecode_compiled() -> Iterator[None]:
    """While the body runs (a catalog is generated), a hub starts on an empty data directory:
    it compiles into PYCACHE what is not there yet (or changed), so that no timed start does."""
    with tempfile.TemporaryDirectory(prefix="kassa-bench-warm-") as tmp:
        hub = Hub(Path(tmp) / "hub")
        try:
            yield
            with httpx.Client() as client:
                hub.wait_healthy(client, 120)
        finally:
            hub.stop()


@contextmanager
def _running(data_dir: Path) -> Iterator[tuple[Hub, httpx.Client, dict[str, str]]]:
    """A started hub, a client and a cashier's auth header."""
    hub = Hub(data_dir)
    try:
        with httpx.Client(base_url=f"{hub.url}/api/v1", timeout=30) as client:
            hub.wait_healthy(client)
            yield hub, client, _login(client)
    finally:
        hub.stop()


def _login(client: httpx.Client) -> dict[str, str]:
    r = client.post("/auth/login", json={"username": "erik", "pin": "1111"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _ok(r: httpx.Response) -> Any:
    if r.status_code >= 300:
        raise RuntimeError(f"{r.request.method} {r.request.url}: {r.status_code} {r.text}")
    return r.json()


def _active_code(rng: random.Random, products: int) -> str:
    """The barcode of a random generated product that is still sold (see bench/data.catalog)."""
    while True:
        n = rng.randrange(products)
        if n % 50 != 7:
            return bench_gtin(n)


def lane_ready(data_dir: Path, products: int,
               starts: int) -> tuple[list[float], list[float], list[float]]:
    """Cold starts to a completed cash sale: lane ready ms, start-up to /healthz ms and the
    hub's CPU ms to /healthz, per start."""
    rng = random.Random(products)
    codes = [_active_code(rng, products) for _ in range(starts)]
    ready, healthy, cpu = [], [], []
    for code in codes:
        hub = Hub(data_dir)
        try:
            with httpx.Client(base_url=f"{hub.url}/api/v1", timeout=30) as client:
                healthy.append(hub.wait_healthy(client))
                cpu.append(_cpu_ms(hub.proc.pid))
                auth = _login(client)
                _ok(client.post("/lanes/1/shift/open", json={"counted": 100000}, headers=auth))
                cart = _ok(client.post("/lanes/1/cart/items", headers=auth,
                                       json={"code": code}))
                paid = _ok(client.post("/lanes/1/cart/tenders/cash", headers=auth,
                                       json={"tendered": -(-cart["total"] // 100) * 100}))
                ready.append(_ms(hub.started))
                assert paid["status"] == "completed", paid
                _ok(client.post("/lanes/1/shift/close", headers=auth,
                                json={"counted": 100000 + paid["total"] + paid["rounding"]}))
        finally:
            hub.stop()
    return ready, healthy, cpu


def product_queries(rng: random.Random, n: int, products: int) -> list[str]:
    """What cashiers type into product search: word prefixes, words, two words, codes."""
    kinds = [kind for _, goods in _CATEGORIES.values() for kind in goods]
    words = kinds + _BRAND_WORDS + [v for v in _VARIANTS if v]
    queries = []
    for _ in range(n):
        word = rng.choice(words).split()[0].lower()
        roll = rng.random()
        if roll < 0.35:
            queries.append(word[:rng.randint(2, 6)])
        elif roll < 0.65:
            queries.append(word)
        elif roll < 0.85:
            queries.append(f"{rng.choice(_BRAND_WORDS).split()[0]} {rng.choice(kinds)[:4]}")
        else:
            queries.append(_active_code(rng, products)[:rng.randint(6, 13)])
    return queries


def customer_queries(rng: random.Random, n: int, members: int) -> list[str]:
    """What staff type to find a member: names, name prefixes, phone digits, member numbers."""
    queries = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.3:
            queries.append(rng.choice(_FIRST_NAMES)[:rng.randint(2, 5)])
        elif roll < 0.5:
            queries.append(rng.choice(_SURNAMES))
        elif roll < 0.7:
            queries.append(f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)[:3]}")
        elif roll < 0.85:
            queries.append(f"07{rng.choice('02369')}{rng.randrange(10**4):04d}")
        else:
            queries.append(bench_member_no(rng.randrange(members)))
    return queries


def _time_calls(call: Callable[[str], object], args: list[str]) -> list[float]:
    times = []
    for arg in args:
        start = time.perf_counter()
        call(arg)
        times.append(_ms(start))
    return times


async def _timed_requests(api: str, auth: dict[str, str],
                          paths: dict[str, list[str]]) -> dict[str, list[float]]:
    """Each kind's requests one after another on one keep-alive connection, timed from the
    request's first byte to the whole answer. The client is bench/_http.py, as for checkout:
    httpx added 0.5–1 ms of its own to every figure (side by side at 100k products)."""
    async with Connection(api, auth) as http:
        for path in paths["barcode"][:10]:  # warm up
            _reply_ok(await http.get(path), path)
        times: dict[str, list[float]] = {}
        for kind, kind_paths in paths.items():
            times[kind] = []
            for path in kind_paths:
                start = time.perf_counter()
                reply = await http.get(path)
                times[kind].append(_ms(start))
                _reply_ok(reply, path)
    return times


def _reply_ok(reply: Reply, path: str) -> None:
    if reply.status >= 300:
        raise RuntimeError(f"GET {path}: {reply.status} {reply.text[:200]}")


def _raw_params(q: str) -> dict[str, str]:
    return {"match": match_expression(q) or '""', "q": q,
            "hi": q[:-1] + chr(ord(q[-1]) + 1)}


def measure_lookups(data_dir: Path, products: int, members: int, reps: int,
                    size: str) -> None:
    """Barcode, product and member search over HTTP against their bare sqlite3 limits; RSS."""
    rng = random.Random(7)
    codes = [_active_code(rng, products) for _ in range(reps)]
    pqueries = product_queries(rng, reps, products)
    cqueries = customer_queries(rng, reps, members)
    database = data_dir / "hub.sqlite3"
    with _running(data_dir) as (hub, client, auth):
        time.sleep(0.5)
        idle = _rss_mb(hub.proc.pid)

        def lookup(code: str) -> None:
            _ok(client.get(f"/products/by-barcode/{code}", headers=auth))

        def search(q: str) -> None:
            _ok(client.get("/products", params={"q": q, "limit": 50}, headers=auth))

        def find_member(q: str) -> None:
            _ok(client.get("/customers", params={"q": q}, headers=auth))

        api = asyncio.run(_timed_requests(f"{hub.url}/api/v1", auth, {
            "barcode": [f"/products/by-barcode/{code}" for code in codes],
            "product": [f"/products?{urlencode({'q': q, 'limit': 50})}" for q in pqueries],
            "customer": [f"/customers?{urlencode({'q': q})}" for q in cqueries]}))
        with ThreadPoolExecutor(8) as pool:  # a burst: eight lanes searching and scanning
            mixed: list[tuple[Callable[[str], None], str]] = [
                *((lookup, c) for c in codes), *((search, q) for q in pqueries),
                *((find_member, q) for q in cqueries)] * 2
            list(pool.map(lambda job: job[0](job[1]), mixed))
        loaded = _rss_mb(hub.proc.pid)

    con = sqlite3.connect(database)
    try:
        raw = {"barcode": _time_calls(lambda c: con.execute(RAW_BARCODE, (c,)).fetchall(),
                                      codes),
               "product": _time_calls(lambda q: con.execute(RAW_PRODUCT_SEARCH,
                                                            _raw_params(q)).fetchall(), pqueries),
               "customer": _time_calls(lambda q: con.execute(RAW_CUSTOMER_SEARCH,
                                                             _raw_params(q)).fetchall(),
                                       cqueries)}
        scans = _time_calls(lambda q: con.execute(LIKE_SCAN, {"q": q}).fetchall(),
                            pqueries[:max(3, reps // 20)])
    finally:
        con.close()

    goals = {"barcode": BARCODE_GOAL_MS, "product": SEARCH_GOAL_MS, "customer": SEARCH_GOAL_MS}
    names = {"barcode": "barcode_lookup_ms", "product": "product_search_ms",
             "customer": "customer_search_ms"}
    for kind, times in api.items():
        p50, p99 = statistics.median(times), _pct(times, 99)
        limit = _pct(raw[kind], 99)
        judged = {"goal_ms": goals[kind], "goal_met": p99 <= goals[kind]} \
            if kind != "product" or products >= 1_000_000 else {}
        if kind == "customer":
            judged = {"goal_ms": goals[kind], "goal_met": p99 <= goals[kind]} \
                if members >= 50_000 else {}
        figure(names[kind], p99, "ms", limit=round(limit, 3), ratio=round(p99 / limit, 3),
               p50=round(p50, 3), raw_p50=round(statistics.median(raw[kind]), 3),
               percentile=99, requests=len(times), products=products, members=members,
               size=size, **judged)
    figure("product_search_like_scan_ms", statistics.median(scans), "ms",
           note="the search before FTS: LIKE over every name, bare sqlite3, median",
           products=products, size=size)
    for when, (rss, peak) in (("idle", idle), ("after_burst", loaded)):
        figure(f"hub_rss_{when}_mb", rss, "MB", peak_mb=round(peak, 1), goal_mb=RSS_GOAL_MB,
               goal_met=rss < RSS_GOAL_MB, products=products, size=size)


def run(quick: bool = False) -> None:
    """Generate each size, then time lane ready, look-ups and searches; print the figures."""
    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    members = 5_000 if quick else 50_000
    starts, reps = (2, 20) if quick else (7, 300)
    ready_p95: dict[int, float] = {}
    for products in sizes:
        size = f"{products // 1000}k" if products < 1_000_000 else f"{products // 10**6}M"
        with _bytecode_compiled():
            start = time.perf_counter()
            data_dir = store_at_scale(products, members)
            figure("catalog_generate_s", _ms(start) / 1000, "s", products=products,
                   members=members, size=size)
        ready, healthy, cpu = lane_ready(data_dir, products, starts)
        ready_p95[products] = _pct(ready, 95)
        judged: dict[str, object] = {}
        if products == 100_000:
            judged = {"goal_ms": LANE_READY_GOAL_MS,
                      "goal_met": ready_p95[products] <= LANE_READY_GOAL_MS}
        figure("lane_ready_ms", statistics.median(ready), "ms", p95=round(ready_p95[products], 3),
               starts=starts, products=products, members=members, size=size, **judged)
        figure("hub_startup_ms", statistics.median(healthy), "ms",
               p95=round(_pct(healthy, 95), 3), goal_ms=STARTUP_GOAL_MS,
               goal_met=_pct(healthy, 95) < STARTUP_GOAL_MS, products=products, size=size,
               cpu_p50=round(statistics.median(cpu), 1),
               load_average=round(os.getloadavg()[0], 1))
        measure_lookups(data_dir, products, members, reps, size)
    if len(sizes) > 1:
        growth = ready_p95[sizes[-1]] / ready_p95[sizes[0]]
        figure("lane_ready_growth", growth, "x",
               note=f"lane ready p95 at {sizes[-1]:,} products over {sizes[0]:,}",
               goal="flat (≤ 1.2x)", goal_met=growth <= 1.2)


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
