"""How figures are printed, and the machine they were measured on.

Every figure is one JSON line: name, value, unit, and whatever else says what it means (the raw
limit, the ratio, the goal). `machine()` prints what the run ran on first: the tree, the CPU,
the versions, and two yardsticks of the machine's own speed measured in the same run, so that
figures from different days, or from another machine, can be compared (this project's 2-core
VM has run the same tree twice as slow on some days, and some minutes, as on others).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def figure(name: str, value: float, unit: str, **extra: object) -> None:
    """Print one figure as a JSON line (values to 3 decimals)."""
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}),
          flush=True)


def machine() -> None:
    """Print the machine and the tree, then the yardsticks of its speed."""
    figure("machine_cores", os.cpu_count() or 0, "cores", cpu=_cpu_model(),
           memory_gib=round(_memory_kib() / 2**20, 1), python=platform.python_version(),
           sqlite=sqlite3.sqlite_version, postgres=_postgres_version(),
           commit=_commit(), load_average=round(os.getloadavg()[0], 2))
    yardstick()
    syncs = _fsync_ms()
    figure("machine_fsync_ms", statistics.median(syncs), "ms", runs=len(syncs),
           p99=round(statistics.quantiles(syncs, n=100)[98], 3),
           what="write 4 KiB and fsync it in the directory the hubs keep their data: median")


def yardstick(before: str | None = None) -> None:
    """The machine's speed for Python right now (it changes by up to 2x within minutes on a
    shared VM): printed first, and again before each benchmark."""
    cpu = _python_work_ms()
    figure("machine_python_ms", statistics.median(cpu), "ms", runs=len(cpu),
           load_average=round(os.getloadavg()[0], 2), **({"before": before} if before else {}),
           what="a fixed piece of pure-Python work (JSON, sorting, hashing): CPU time, median")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_kib() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _postgres_version() -> str:
    from tests.pg import PG_BIN  # where the benchmarks' throwaway clusters come from

    try:
        out = subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "not installed"
    found = re.search(r"\d+(\.\d+)+", out)  # "postgres (PostgreSQL) 15.18 (Debian …)"
    return found.group(0) if found else "unknown"


def _commit() -> str:
    """The tree's commit, with '+changes' when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def _python_work_ms(runs: int = 15) -> list[float]:
    """CPU time of the same small, request-sized piece of Python work, `runs` times."""
    cart = {"lines": [{"sku": f"SKU-{i:05d}", "name": f"Mjölk {i % 9},5 % 1 l", "qty": i % 7,
                       "unit_price": 1995 + i} for i in range(60)]}
    times = []
    for _ in range(runs):
        start = time.process_time()
        for _ in range(40):
            text = json.dumps(cart)
            back = json.loads(text)
            sum(line["qty"] * line["unit_price"] for line in back["lines"])
            sorted(back["lines"], key=lambda line: (line["name"], line["sku"]))
            hashlib.sha256(text.encode()).hexdigest()
        times.append((time.process_time() - start) * 1000)
    return times


def _fsync_ms(runs: int = 100) -> list[float]:
    """Wall time of appending 4 KiB to a file and fsyncing it, as a commit does."""
    block = os.urandom(4096)
    times = []
    with tempfile.TemporaryDirectory(prefix="kassa-bench-") as tmp:
        fd = os.open(Path(tmp) / "fsync", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            for _ in range(runs):
                start = time.perf_counter()
                os.write(fd, block)
                os.fsync(fd)
                times.append((time.perf_counter() - start) * 1000)
        finally:
            os.close(fd)
    return times
