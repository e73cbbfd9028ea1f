"""The soak: mixed load on a real hub for MINUTES while a chaos loop kills the hub, the card
terminals and central with SIGKILL; then the guarantees are checked.

    python -m bench --soak 5

Three tills sell at once (lanes 1 and 2 with an emulated ZVT terminal each, on TCP; lane 3
cash only): cash and card sales, split tenders, refunds (card refunds credited on the
terminal), cancelled carts and pay-ins. Central runs on a throwaway PostgreSQL and the hub
syncs to it. At random intervals one process is killed with SIGKILL and started again on the
same port and data. After the time is up the tills finish their customer, everything is
started again, sync catches up, and the invariants are printed one JSON line each, then the
load figures. Exit code 0 only if every invariant holds.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench._soak_checks import Check, check, run_checks, stock_snapshot
from bench._soak_lane import RETRY_SECONDS, Ledger, Till
from bench._soak_procs import STORE, Central, Hub, Service, SoakError, Terminal, free_port

TILLS = [("1", "erik", "1111", True), ("2", "sara", "2222", True), ("3", "maria", "1234", False)]
SYNC_SECONDS = 90.0  # how long sync may take to catch up once traffic stops


def _emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


class Chaos:
    """Kills one process at a time with SIGKILL at random intervals and starts it again.

    The victims come in shuffled rounds of kinds (hub, central, terminal; a kind with several
    processes gives one at random), so any run with three kills has killed each kind once: a
    plain random pick over the four processes left central alive through all 9 kills of a
    two-minute soak on 2026-11-22.
    """

    def __init__(self, services: dict[str, Service], seed: int, gap: tuple[float, float]) -> None:
        self.services, self.gap = services, gap
        self.rng = random.Random(seed)
        self.quiet_end = gap[0]
        self.kills: dict[str, int] = {}
        self.recovery: dict[str, list[float]] = {}
        self._round: list[str] = []

    def victim(self) -> str:
        """The next process to kill: the next kind of this round, one of its processes."""
        if not self._round:
            self._round = sorted({name.split("-")[0] for name in self.services})
            self.rng.shuffle(self._round)
        kind = self._round.pop()
        return self.rng.choice(sorted(n for n in self.services if n.split("-")[0] == kind))

    def run(self, until: float, stop: threading.Event) -> None:
        """Kill and restart until the time is up or a till gave up."""
        while not stop.wait(self.rng.uniform(*self.gap)) and time.monotonic() < until:
            if until - time.monotonic() < self.quiet_end:
                continue  # too close to the end: its restart would only stretch the run
            name = self.victim()
            kind = name.split("-")[0]
            service = self.services[name]
            service.kill()
            self.kills[kind] = self.kills.get(kind, 0) + 1
            time.sleep(self.rng.uniform(0, 1.0))  # down for a moment, as after a real crash
            self.recovery.setdefault(kind, []).append(service.start())


def _start_all(services: list[Service]) -> None:
    """Start services side by side (none needs another to start)."""
    began = time.monotonic()
    for service in services:
        service.spawn()
    for service in services:
        service.wait_ready(began)
        print(f"soak: {service.what} ready after {time.monotonic() - began:.1f} s",
              file=sys.stderr, flush=True)


def _products(hub: Hub) -> list[dict[str, Any]]:
    """Products a till can sell by the piece."""
    with httpx.Client(base_url=hub.url + "/api/v1", timeout=10) as http:
        token = http.post("/auth/login", json={"username": "maria", "pin": "1234"}).json()
        http.headers["Authorization"] = f"Bearer {token['token']}"
        products = http.get("/products", params={"category": "Skafferi", "limit": 200})
        products.raise_for_status()
    return [p for p in products.json() if p["unit"] == "each" and p["price"] > 0
            and not p.get("age_limit")][:60]


def _catch_up(hub: Hub) -> float:
    """Wait until central has taken every event of the hub; returns the seconds it took."""
    began = time.monotonic()
    with httpx.Client(base_url=hub.url + "/api/v1", timeout=10) as http:
        token = http.post("/auth/login", json={"username": "maria", "pin": "1234"}).json()
        http.headers["Authorization"] = f"Bearer {token['token']}"
        while time.monotonic() - began < SYNC_SECONDS:
            status = http.post("/sync/now").json()  # no waiting out a back-off from the kills
            if status["waiting"] == 0 and status["acked_seq"] == status["last_seq"]:
                return time.monotonic() - began
            time.sleep(0.5)
    return time.monotonic() - began


def _journal(hub: Hub) -> tuple[bool, int, str]:
    """The journal's chain and signatures, as `kassa journal verify` checks them."""
    from hub.config import Settings
    from hub.db import Database
    from hub.services.journal import load_public_key, verify

    settings = Settings(data_dir=hub.data_dir)
    db = Database(settings.database_url)
    with db.read() as session:
        result = verify(session, load_public_key(settings.data_dir))  # type: ignore[arg-type]
    return result.ok, result.entries, f"entry {result.first_bad_seq}: {result.problem}"


def soak(minutes: float) -> int:
    """Run the soak for `minutes`, print invariants and figures; 0 if every invariant holds."""
    from tests.pg import PostgresCluster

    t0 = time.monotonic()

    def phase(what: str) -> None:
        print(f"soak: {what} at {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)

    root = Path(tempfile.mkdtemp(prefix="kassa-soak-"))
    cluster = PostgresCluster.start()
    services: dict[str, Service] = {}
    ok = False
    try:
        phase("postgres up")
        central = Central(root, free_port(), cluster.create_database("central"))
        token = central.set_up()
        phase("central set up")
        terminals = {lane: Terminal(root, free_port(), lane) for lane, *_, card in TILLS if card}
        hub = Hub(root, free_port(), {
            "KASSA_CARD_READERS": json.dumps({k: f"zvt:{t.url}" for k, t in terminals.items()}),
            "KASSA_HUB_ID": STORE, "KASSA_CENTRAL_URL": f"http://127.0.0.1:{central.port}",
            "KASSA_CENTRAL_TOKEN": token, "KASSA_SYNC_INTERVAL_SECONDS": "0.5",
            "KASSA_CARD_ANSWER_SECONDS": "10", "KASSA_READER_POLL_SECONDS": "0.5"})
        services = {"hub": hub, "central": central,
                    **{f"terminal-{k}": t for k, t in terminals.items()}}
        _start_all(list(services.values()))
        phase("all started")
        opening = stock_snapshot(hub.data_dir / "hub.sqlite3")
        products = _products(hub)
        ledger, stop = Ledger(), threading.Event()
        tills = [Till(hub.url, lane, user, pin, card, products, ledger, stop, seed=i)
                 for i, (lane, user, pin, card) in enumerate(TILLS)]
        threads = [threading.Thread(target=t.run, name=f"till {t.lane}") for t in tills]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        chaos = Chaos(services, seed=int(began), gap=(2.0, 5.0) if minutes < 2 else (4.0, 12.0))
        chaos.quiet_end = min(20.0, minutes * 60 * 0.3)  # a late restart only stretches the run
        chaos.run(began + minutes * 60, stop)
        stop.set()
        for thread in threads:
            thread.join(RETRY_SECONDS + 30)
        selling = time.monotonic() - began
        phase("tills stopped")
        _start_all([s for s in services.values()  # anything the last kill left down
                    if s.proc is None or s.proc.poll() is not None])
        synced = _catch_up(hub)
        phase("synced")
        hub.stop()
        phase("hub stopped")
        checks: list[Check] = run_checks(
            hub.data_dir / "hub.sqlite3", cluster.url("central").replace("+psycopg", ""),
            STORE, ledger, opening, {t.url: t.state for t in terminals.values()}, _journal(hub))
        checks.append(check("tills_kept_going", {"tills": len(tills)}, ledger.errors))
        phase("checked")
        for result in checks:
            print(result.line(), flush=True)
        sales = ledger.counts.get("sales", 0)
        recovery = {k: v for k, v in chaos.recovery.items()}
        _emit({"figure": "soak_load", "minutes": round(selling / 60, 2), "sales": sales,
               "sales_per_minute": round(sales / (selling / 60), 1), **dict(sorted(
                   ledger.counts.items()))})
        _emit({"figure": "soak_kills", **{f"{k}_kills": n for k, n in chaos.kills.items()},
               **{f"{k}_restart_s_median": round(statistics.median(v), 2)
                  for k, v in recovery.items()},
               **{f"{k}_restart_s_max": round(max(v), 2) for k, v in recovery.items()},
               "sync_catch_up_s": round(synced, 2)})
        ok = all(c.ok for c in checks)
        return 0 if ok else 1
    except SoakError as exc:
        print(json.dumps({"invariant": "soak_ran", "pass": False, "problems": [str(exc)]}))
        return 2
    finally:
        for service in services.values():
            service.kill()  # everything is checked: no need to wait for a polite stop
        cluster.destroy()
        if ok:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"soak data and logs kept in {root}", file=sys.stderr)
