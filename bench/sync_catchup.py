"""Catch-up of a hub's offline backlog at central, against plain batched SQL of the same rows.

A throwaway PostgreSQL (tests/pg.py) and a real central process (`python -m sync.central.cli
serve`). Figures:
- sync_catchup_events_per_s: one hub pushes N offline sales (sale.completed with 5 lines plus
  its stock.moved) in gzip batches of BATCH events (the hub's default), through the hub's own
  push loop (`Syncer.push_all`: reading each batch from a real hub SQLite outbox, encoding it,
  sending it, storing the reply) — limit: the same rows (sales, lines, ledger, applied
  events) inserted with plain batched SQL in the same run. hub_cpu_us_per_event is the hub's
  CPU (all its threads: this process runs only the hub's push loop meanwhile) per event.
- sync_many_hubs_events_per_s: H hubs drain S sales each at once; errors must be 0. These hubs
  are a cheaper stand-in (json.dumps of prepared dicts, gzip level 1, one asyncio client), so
  the figure is central's under load, not a hub's.

The clocks time the pushes (or the INSERTs), not what comes before them: the outbox is filled
and the HTTP client and the raw side's connection are made first (an httpx client alone takes
~0.1–0.2 s to build, more than a quick run's whole catch-up), and central has taken one small
push from another store, as a central that has been running has.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench._report import figure
from hub.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SKUS = [f"sku-{i}" for i in range(50)]
# Events per push and per raw transaction: what a hub sends by default (hub/config.py).
BATCH = int(Settings.model_fields["sync_batch_events"].default)
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).isoformat()


def _uuid7() -> str:
    """A time-ordered event id, made as the hub makes its outbox ids (hub/models/base.py)."""
    value = (time.time_ns() // 1_000_000 & ((1 << 48) - 1)) << 80 | 0x7 << 76
    rand = int.from_bytes(os.urandom(10), "big")
    value |= ((rand >> 62) & 0xFFF) << 64 | 0b10 << 62 | rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def _outbox(sales: int) -> list[dict[str, Any]]:
    """A hub's offline backlog: per sale its sale.completed and its stock.moved."""
    events: list[dict[str, Any]] = []
    for n in range(sales):
        skus = [SKUS[(n + i) % len(SKUS)] for i in range(5)]
        lines = [{"sku": s, "name": s, "quantity": 1, "net": 1000, "vat": 107,
                  "vat_rate_bp": 1200, "voided": False} for s in skus]
        for type_, payload in (
            ("sale.completed", {"id": f"S{n}", "lane_id": "1", "receipt_no": n + 1,
                                "currency": "SEK", "total": 5000, "completed_at": AT,
                                "lines": lines, "tenders": []}),
            ("stock.moved", {"reason": "sale", "ref": f"S{n}",
                             "items": [{"sku": s, "delta": -1} for s in skus]}),
        ):
            events.append({"seq": len(events) + 1, "event_id": _uuid7(),
                           "type": type_, "payload": payload, "occurred_at": AT,
                           "hub_clock": AT})
    return events


def _hub_catch_up(base: str, store_id: str, token: str,
                  outbox: list[dict[str, Any]]) -> tuple[int, float, float]:
    """A real hub database holding the outbox, pushed by the hub's own push loop; returns
    events sent, seconds and the hub's CPU seconds (its thread) for the push."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hub.config import Settings
    from hub.db import Database, upgrade
    from hub.services.context import Shop
    from hub.services.records import emit
    from hub.sync_runner import Syncer

    with tempfile.TemporaryDirectory(prefix="kassa-catchup-") as directory:
        data_dir = Path(directory)
        settings = Settings(data_dir=data_dir, hub_id=store_id, central_url=base,
                            central_token=token)
        upgrade(settings.database_url)
        db = Database(settings.database_url)
        with db.write() as s:
            for event in outbox:  # as the hub queues them: its own ids and clock
                emit(s, event["type"], event["payload"])
        syncer = Syncer(db, Shop(settings, Ed25519PrivateKey.generate()))
        try:
            start, cpu = time.perf_counter(), time.process_time()
            sent = syncer.push_all()
            return sent, time.perf_counter() - start, time.process_time() - cpu
        finally:
            syncer.close()
            db.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _setup(url: str, stores: int) -> dict[str, str]:
    """Migrate, add the products and stores; returns store id → token."""
    from sync.central.db import Database, upgrade
    from sync.central.models import utcnow
    from sync.central.services.catalog import upsert_product
    from sync.central.services.stores import create_store
    from sync.schemas import CatalogItem

    upgrade(url)
    db = Database(url)
    with db.transaction() as session:
        for sku in SKUS:
            upsert_product(session, CatalogItem(sku=sku, name=sku, price=1000,
                                                vat_rate_bp=1200), utcnow())
        tokens = {f"hub-{i}": create_store(session, f"hub-{i}", f"Hub {i}")[1]
                  for i in range(stores)}
    db.dispose()
    return tokens


async def _drain(client: httpx.AsyncClient, base: str, store_id: str, token: str,
                 outbox: list[dict[str, Any]]) -> int:
    """Push the whole outbox in batches of BATCH from the last acknowledged seq; errors seen."""
    acked, errors = 0, 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Content-Encoding": "gzip"}
    while acked < len(outbox):
        body = gzip.compress(json.dumps({"hub_id": store_id,
                                         "events": outbox[acked:acked + BATCH]}).encode(), 1)
        r = await client.post(f"{base}/sync/v1/push", content=body, headers=headers)
        if r.status_code != 200:
            errors += 1
            await asyncio.sleep(0.05)
        acked = max(acked, r.json().get("last_seq", acked))
    return errors


def _raw_sql(dsn: str, outbox: list[dict[str, Any]]) -> float:
    """The same rows with plain batched INSERTs, one transaction per BATCH events; seconds."""
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        start = time.perf_counter()
        for i in range(0, len(outbox), BATCH):
            sales, lines, moves, applied = [], [], [], []
            for e in outbox[i:i + BATCH]:
                applied.append((e["event_id"], "raw", e["seq"], e["type"], "applied", AT, AT))
                p = e["payload"]
                if e["type"] == "sale.completed":
                    sales.append(("raw", p["id"], e["event_id"], "1", str(p["receipt_no"]),
                                  "SEK", p["total"], 535, AT))
                    lines += [("raw", p["id"], ln["sku"], ln["name"], 1, ln["net"], ln["vat"],
                               1200, False) for ln in p["lines"]]
                else:
                    moves += [("raw", it["sku"], it["delta"], "sale", p["ref"], e["event_id"],
                               AT) for it in p["items"]]
            cur.executemany("INSERT INTO applied_event (event_id, store_id, hub_seq, type, "
                            "outcome, occurred_at, received_at) VALUES (%s,%s,%s,%s,%s,%s,%s)",
                            applied)
            cur.executemany("INSERT INTO sale (store_id, sale_id, event_id, lane_id, receipt_no,"
                            " currency, total, vat, completed_at) VALUES "
                            "(%s,%s,%s,%s,%s,%s,%s,%s,%s)", sales)
            cur.executemany("INSERT INTO sale_line (store_id, sale_id, sku, name, quantity, net,"
                            " vat, vat_rate_bp, voided) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                            lines)
            cur.executemany("INSERT INTO stock_move (store_id, sku, delta, reason, ref, "
                            "event_id, created_at) VALUES (%s,%s,%s,%s,%s,%s,%s)", moves)
            conn.commit()
        return time.perf_counter() - start


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.central.cli", "serve", "--database-url", url,
         "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("central did not start")


def run(quick: bool) -> None:
    """Print the catch-up figures as JSON lines."""
    sys.path.insert(0, str(ROOT))
    from tests.pg import PostgresCluster

    sales, hubs, hub_sales = (500, 10, 50) if quick else (10_000, 100, 1_000)
    cluster = PostgresCluster.start()
    try:
        url = cluster.create_database("catchup")
        tokens = _setup(url, hubs + 2)
        port = _free_port()
        proc = _serve(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            outbox = _outbox(sales)
            warm = f"hub-{hubs + 1}"

            async def warm_up() -> None:
                async with httpx.AsyncClient(timeout=120) as client:
                    await _drain(client, base, warm, tokens[warm], _outbox(10))

            asyncio.run(warm_up())
            sent, central_s, hub_cpu_s = _hub_catch_up(base, "hub-0", tokens["hub-0"], outbox)
            errors = len(outbox) - sent  # push_all raises on a failed push
            raw_url = cluster.create_database("raw")
            _setup(raw_url, 0)
            raw_s = _raw_sql(raw_url.replace("postgresql+psycopg", "postgresql"), outbox)
            rate, limit = len(outbox) / central_s, len(outbox) / raw_s
            figure("sync_catchup_events_per_s", rate, "events/s", limit=round(limit, 3),
                   ratio=round(rate / limit, 3), sales=sales, events=len(outbox), errors=errors,
                   batch=BATCH, hub_cpu_us_per_event=round(hub_cpu_s * 1e6 / len(outbox), 1))

            backlogs = {f"hub-{i}": _outbox(hub_sales) for i in range(1, hubs + 1)}

            async def many() -> tuple[int, float]:
                limits = httpx.Limits(max_connections=hubs)
                async with httpx.AsyncClient(timeout=300, limits=limits) as client:
                    start = time.perf_counter()
                    done = await asyncio.gather(*(
                        _drain(client, base, s, tokens[s], box) for s, box in backlogs.items()))
                    return sum(done), time.perf_counter() - start

            errors, elapsed = asyncio.run(many())
            total = sum(len(b) for b in backlogs.values())
            figure("sync_many_hubs_events_per_s", total / elapsed, "events/s", hubs=hubs,
                   sales_per_hub=hub_sales, errors=errors)
        finally:
            proc.kill()
            proc.wait()
    finally:
        cluster.destroy()


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
