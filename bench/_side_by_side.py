"""`python -m bench --against REV`: this tree's checkout against another commit's, side by side.

On a shared VM the same tree can run twice as slow from one minute to the next, so two full
runs made minutes apart cannot tell a 10 % change from the weather. Here two hubs run at once,
one on this working tree and one on a git worktree of REV, with the same demo store and lanes;
they sell 5-item cash sales in short bursts, taking turns (ABBA order, so that neither is always
first), and each burst's hub CPU per sale and sales/s is taken. Both hubs see the same moments
of the machine; the medians and their ratios are printed (ratio = this tree / REV: CPU below 1
and sales/s above 1 mean this tree is cheaper). `--against HEAD` on an unchanged tree shows the
method's own noise (within ~4 % on this project's VM).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench._hub import Hub, Lane, running_hub, scan_codes, selling_lanes
from bench._report import ROOT, figure
from bench.checkout import sell_level


def compare(rev: str, lanes: int = 8, rounds: int = 12, seconds: float = 1.5) -> None:
    """Run the two hubs side by side and print the figures."""
    with tempfile.TemporaryDirectory(prefix="kassa-bench-against-") as tmp:
        tree = Path(tmp) / "tree"
        commit = _git("rev-parse", "--short", f"{rev}^{{commit}}")
        _git("worktree", "add", "--detach", str(tree), commit)
        try:
            with running_hub(tree=tree) as base, running_hub() as this:
                _compare(commit, {"base": base, "this": this}, lanes, rounds, seconds)
        finally:
            _git("worktree", "remove", "--force", str(tree))


def _compare(commit: str, hubs: dict[str, Hub], lanes: int, rounds: int,
             seconds: float) -> None:
    setup: dict[str, tuple[Hub, list[Lane], list[str]]] = {
        side: (hub, selling_lanes(hub, lanes), scan_codes(hub)) for side, hub in hubs.items()}
    cpu: dict[str, list[float]] = {side: [] for side in hubs}
    rate: dict[str, list[float]] = {side: [] for side in hubs}
    complete: dict[str, list[float]] = {side: [] for side in hubs}
    for hub, lane_list, codes in setup.values():  # warm both up, unmeasured
        asyncio.run(sell_level(hub, lane_list, codes, 0.3, 1.0))
    for n in range(rounds):
        for side in ("base", "this") if n % 4 in (0, 3) else ("this", "base"):
            hub, lane_list, codes = setup[side]
            tally, _, hub_cpu = asyncio.run(sell_level(hub, lane_list, codes, 0.0, seconds))
            cpu[side].append(1000 * hub_cpu / max(1, tally.sold))
            rate[side].append(tally.sales / seconds)
            complete[side].extend(tally.complete_ms)
    common = {"lanes": lanes, "bursts": rounds, "burst_s": seconds, "against": commit}
    for side in hubs:
        figure(f"side_by_side_hub_cpu_ms_per_sale_{side}", statistics.median(cpu[side]), "ms",
               **common)
        figure(f"side_by_side_sales_per_s_{side}", statistics.median(rate[side]), "sales/s",
               **common)
        figure(f"side_by_side_complete_p99_ms_{side}",
               statistics.quantiles(complete[side], n=100)[98], "ms", **common)
    figure("side_by_side_cpu_ratio", statistics.median(cpu["this"]) /
           statistics.median(cpu["base"]), "x", note="this tree's CPU per sale / REV's",
           **common)
    figure("side_by_side_sales_ratio", statistics.median(rate["this"]) /
           statistics.median(rate["base"]), "x", note="this tree's sales/s / REV's", **common)


def _git(*args: str) -> str:
    run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout.strip()
