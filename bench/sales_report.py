"""The manager's sales report over a million sale lines.

A hub database gets 100,000 sales / ~1,000,000 lines (bench/data.py, written in slices of
10,000 sales; `--quick`: 2,000 / ~20,000) over three registers. Timed in the same run:
- sales_report_ms: the full sales report of the period (summary, per hour, channel, top
  products, category, register, cashier with the anomaly flags: hub/services/analytics.py),
  median of several runs. Line figures come from the daily sums the sale path keeps
  (hub/services/rollup.py); per-sale figures (hour, channel, register) from the sales.
- raw limit: one bare sqlite3 pass summing the period's lines by category (the least any
  report over those lines must read)
Goal (issue 9): a sales report over 1M sale lines in ≤ 1 s.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._report import figure
from bench.data import new_hub, trading_day
from hub.services import analytics, rollup

GOAL_MS = 1000.0
SLICE = 10_000
RAW_SQL = """
SELECT sl.category, count(*), sum(sl.net) FROM saleline sl JOIN sale s ON s.id = sl.sale_id
 WHERE s.status = 'completed' AND s.training = 0 AND sl.voided = 0
   AND s.completed_at >= ? AND s.completed_at < ?
 GROUP BY sl.category;
"""


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def run(quick: bool = False) -> None:
    """Generate the sales, then time the report and the raw pass; print the figures."""
    sales, runs = (2000, 3) if quick else (100_000, 5)
    with tempfile.TemporaryDirectory(prefix="kassa-bench-report-") as tmp:
        settings, db = new_hub(Path(tmp) / "hub")
        start = time.perf_counter()
        lines = 0
        for n in range(0, sales, SLICE):
            lines += trading_day(db, sales=min(SLICE, sales - n), seed=n).lines
        figure("report_generate_s", _ms(start) / 1000, "s", sales=sales, lines=lines)
        # The generator writes lines in bulk, past the sale path that keeps the daily sums:
        # sum them the way a hub does on start for sales from before the sums existed.
        start = time.perf_counter()
        with db.write() as s:
            rollup.rebuild(s, settings.timezone)
        figure("report_rebuild_daily_sums_s", _ms(start) / 1000, "s", lines=lines)
        today = datetime.now(UTC).date()
        p = analytics.period(settings.timezone, today - timedelta(days=1), today)

        raw_times = []
        for _ in range(runs):
            con = sqlite3.connect(settings.database_path)
            begin = time.perf_counter()
            rows = con.execute(RAW_SQL, (p.start.replace(tzinfo=None).isoformat(" "),
                                         p.end.replace(tzinfo=None).isoformat(" "))).fetchall()
            raw_times.append(_ms(begin))
            con.close()
        raw = statistics.median(raw_times)
        assert sum(r[1] for r in rows) > 0, "the raw pass must see the generated lines"

        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            with db.read() as s:
                report = analytics.sales_report(s, p, settings.currency)
            times.append(_ms(begin))
        db.dispose()
        assert report.summary.sales == sales, "the report must cover every generated sale"
        ms = statistics.median(times)
        figure("sales_report_ms", ms, "ms", limit=round(raw, 3), ratio=round(ms / raw, 3),
               goal_ms=GOAL_MS, goal_met=ms <= GOAL_MS, sales=sales, lines=lines)
