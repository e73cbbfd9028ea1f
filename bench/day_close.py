"""Closing the day: X and Z reports over a generated trading day.

A hub database gets one day of 5,000 sales / ~50,000 lines, all on one register — the whole day
in one Z, the worst case (bench/data.py; `--quick`: 500 / ~5,000). Timed in the same run:
- day_x_report_ms: the X report of one register (every SKVFS figure; journaled), median
- day_z_report_ms: the Z report of one register (the same figures, numbered, journaled and
  stored), each on a fresh copy of the database so every Z closes the full day, median
- raw limit: one bare sqlite3 pass over the day's sale lines and tenders (SUM/GROUP BY on the
  same indexes, nothing else) — what any report must at least read.
Goal (issue 8): a Z report over 5,000 sales / 50,000 lines in ≤ 2 s.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench._report import figure
from bench.data import new_hub, trading_day
from hub.db import Database
from hub.services import day_report
from hub.services.auth import Actor
from hub.services.context import Shop
from hub.services.journal import load_or_create_key

GOAL_MS = 2000.0
RAW_SQL = """
SELECT sl.category, sl.vat_rate_bp, count(*), sum(sl.net), sum(sl.vat)
  FROM saleline sl JOIN sale s ON s.id = sl.sale_id
 WHERE s.lane_id = ? AND s.status = 'completed' AND sl.voided = 0
 GROUP BY sl.category, sl.vat_rate_bp;
"""
RAW_TENDERS = """
SELECT t.method, count(*), sum(t.amount) FROM tender t JOIN sale s ON s.id = t.sale_id
 WHERE s.lane_id = ? AND s.status = 'completed' GROUP BY t.method;
"""


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _raw_ms(path: Path, lane: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        con = sqlite3.connect(path)
        start = time.perf_counter()
        con.execute(RAW_SQL, (lane,)).fetchall()
        con.execute(RAW_TENDERS, (lane,)).fetchall()
        times.append(_ms(start))
        con.close()
    return statistics.median(times)


def run(quick: bool = False) -> None:
    """Generate the day, then time X, Z and the raw pass; print the figures."""
    sales, runs = (500, 3) if quick else (5000, 5)
    with tempfile.TemporaryDirectory(prefix="kassa-bench-day-") as tmp:
        base = Path(tmp) / "day"
        settings, db = new_hub(base)
        start = time.perf_counter()
        facts = trading_day(db, sales=sales, lanes=("1",))
        db.dispose()
        figure("day_generate_s", _ms(start) / 1000, "s", sales=facts.sales, lines=facts.lines)
        shop = Shop(settings=settings, key=load_or_create_key(base))
        actor = Actor(role="manager", user_id=2, name="bench")
        lane = facts.lanes[0]
        raw = _raw_ms(settings.database_path, lane, runs)

        db = Database(settings.database_url)
        x_times = []
        for _ in range(runs):
            start = time.perf_counter()
            with db.write() as s:
                x = day_report.x_report(s, shop, lane, actor)
            x_times.append(_ms(start))
        db.dispose()
        x_ms = statistics.median(x_times)
        assert x.receipts == facts.sales, "the generated day must lie before now"
        figure("day_x_report_ms", x_ms, "ms", limit=round(raw, 3), ratio=round(x_ms / raw, 3),
               sales=x.receipts, lines=facts.lines)

        z_times = []
        for n in range(runs):
            copy = Path(tmp) / f"copy{n}"
            shutil.copytree(base, copy)
            db = Database(f"sqlite:///{copy / 'hub.sqlite3'}")
            start = time.perf_counter()
            with db.write() as s:
                z = day_report.close_day(s, shop, lane, actor)
            z_times.append(_ms(start))
            db.dispose()
            assert day_report.figures_of(z).receipts == x.receipts
        z_ms = statistics.median(z_times)
        figure("day_z_report_ms", z_ms, "ms", limit=round(raw, 3), ratio=round(z_ms / raw, 3),
               goal_ms=GOAL_MS, goal_met=z_ms <= GOAL_MS, sales=x.receipts, lines=facts.lines)
