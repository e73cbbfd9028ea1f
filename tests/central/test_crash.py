"""Central killed with SIGKILL again and again while hubs push: nothing lost, nothing twice."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from sync.central.db import Database
from sync.central.models import utcnow
from sync.central.services.catalog import upsert_product
from sync.central.services.stores import create_store
from sync.schemas import CatalogItem
from tests.central.conftest import moved

ROOT = Path(__file__).resolve().parents[2]
CYCLES = 20
EVENTS = 3000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_central(url: str, port: int) -> subprocess.Popen[bytes]:
    """`python -m sync.central.cli serve` and wait until /healthz answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.central.cli", "serve", "--database-url", url,
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.03)
    proc.kill()
    raise AssertionError("central did not start")


class Pusher(threading.Thread):
    """A hub's pusher: sends from the last acknowledged seq, retries whatever fails."""

    def __init__(self, store_id: str, token: str, port: int, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.store_id, self.port = store_id, port
        self.headers = {"Authorization": f"Bearer {token}"}
        self.outbox = [moved(i, ("nuts", rng.randint(-3, 3) or 1)) for i in range(1, EVENTS + 1)]
        self.acked = 0
        self.stop = threading.Event()

    def push_once(self, client: httpx.Client, size: int) -> None:
        batch = self.outbox[self.acked:self.acked + size]
        r = client.post(f"http://127.0.0.1:{self.port}/sync/v1/push", headers=self.headers,
                        json={"hub_id": self.store_id, "events": batch})
        reply: dict[str, Any] = r.json()
        assert "last_seq" in reply or r.status_code == 503, r.text
        self.acked = max(self.acked, reply.get("last_seq", 0))

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self.stop.is_set() and self.acked < EVENTS:
                try:
                    self.push_once(client, 20)
                except (httpx.HTTPError, ValueError):
                    time.sleep(0.01)  # central is down: try again shortly

    def total(self) -> int:
        return sum(e["payload"]["items"][0]["delta"] for e in self.outbox)


@pytest.mark.slow
def test_sigkill_while_pushing_loses_nothing_and_applies_nothing_twice(db_url: str) -> None:
    rng = random.Random(7)
    db = Database(db_url)
    with db.transaction() as session:
        upsert_product(session, CatalogItem(sku="nuts", name="Nuts", price=100,
                                            vat_rate_bp=1200), utcnow())
        tokens = {s: create_store(session, s, s)[1] for s in ("north", "south")}
    port = free_port()
    hubs = [Pusher(s, t, port, rng) for s, t in tokens.items()]
    for hub in hubs:
        hub.start()
    progress = []
    try:
        for _ in range(CYCLES):
            proc = start_central(db_url, port)
            time.sleep(rng.uniform(0.02, 0.25))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            progress.append(sum(h.acked for h in hubs))
        for hub in hubs:
            hub.stop.set()
            hub.join()
        proc = start_central(db_url, port)
        try:
            with httpx.Client(timeout=10) as client:
                for hub in hubs:
                    while hub.acked < EVENTS:
                        hub.push_once(client, 500)
        finally:
            proc.kill()
            proc.wait()
    finally:
        for hub in hubs:
            hub.stop.set()
    assert progress[-1] > progress[0]  # the kills landed while work was going on
    with db.transaction() as s:
        for hub in hubs:
            applied, distinct, total = s.execute(text(
                "SELECT count(*), count(DISTINCT event_id), coalesce(sum(delta), 0) "
                "FROM stock_move WHERE store_id = :s"), {"s": hub.store_id}).one()
            assert (applied, distinct) == (EVENTS, EVENTS)  # zero lost, zero duplicated
            assert total == hub.total()
    db.dispose()
