"""The benchmarks keep working: `python -m bench --quick` runs and prints well-formed figures.

This checks the figures are produced, not how fast they are (benchmarks are not timed tests).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_quick_benchmarks_print_one_json_figure_per_line() -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--quick"], capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    figures = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    names = {f["name"] for f in figures}
    machine = figures[0]  # what the run ran on comes first, then the yardsticks of its speed
    assert machine["name"] == "machine_cores" and machine["value"] >= 1
    assert machine["python"] and machine["sqlite"] and machine["commit"]
    assert [f["name"] for f in figures[1:3]] == ["machine_python_ms", "machine_fsync_ms"]
    assert {"card_payment_hub_overhead_ms", "card_payment_line_time_ms", "day_x_report_ms",
            "day_z_report_ms"} <= names
    assert {"checkout_raw_sales_per_s", "checkout_loadgen_trivial_rps_8_clients",
            *(f"checkout_{figure}_{n}_lanes" for n in (1, 8)
              for figure in ("sales_per_s", "complete_p50_ms", "complete_p99_ms",
                             "loadgen_cpu_share", "hub_cpu_ms_per_sale")),
            "cart_raw_ws_relay_p50_ms", "cart_raw_ws_relay_p99_ms",
            *(f"cart_to_screen_{p}_ms_{n}_lanes" for n in (1, 8) for p in ("p50", "p99"))
            } <= names
    for figure in figures:
        assert figure["value"] >= 0 and figure["unit"]
        if "limit" in figure:
            expected = figure["value"] / figure["limit"]  # ratios are printed to 3 decimals
            assert figure["ratio"] == pytest.approx(expected, rel=0.02, abs=0.001)


@pytest.mark.slow
def test_a_tree_against_a_commit_sells_on_both_hubs_side_by_side() -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--against", "HEAD", "--quick",
                          "--lanes", "2"], capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    figures = {f["name"]: f for f in map(json.loads, run.stdout.splitlines()) if f}
    for side in ("base", "this"):
        assert figures[f"side_by_side_sales_per_s_{side}"]["value"] > 0
        assert figures[f"side_by_side_hub_cpu_ms_per_sale_{side}"]["value"] > 0
    against = figures["side_by_side_cpu_ratio"]["against"]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    assert against == head and figures["side_by_side_sales_ratio"]["value"] > 0
    worktrees = subprocess.run(["git", "worktree", "list"], capture_output=True, text=True)
    assert "kassa-bench-against" not in worktrees.stdout  # the worktree is removed again
