"""The soak keeps working: `python -m bench --soak 0.5` sells for 30 s while the hub, the card
terminals and central are killed with SIGKILL, and every invariant it prints holds.

This checks the guarantees, not how fast anything is (the figures are not asserted).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_half_a_minute_of_chaos_keeps_every_guarantee() -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--soak", "0.5"], capture_output=True,
                         text=True, timeout=240)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    invariants = {line["invariant"]: line for line in lines if "invariant" in line}
    failed = [line for line in invariants.values() if not line["pass"]]
    assert not failed, f"{failed}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, run.stderr[-3000:]
    assert {"nothing_lost", "nothing_doubled", "journal_verifies", "receipts_gapless",
            "stock_balanced", "in_doubt_resolved", "outbox_pushed"} <= set(invariants)
    load = next(line for line in lines if line.get("figure") == "soak_load")
    assert load["sales"] > 0 and invariants["nothing_lost"]["confirmed"] == load["sales"]
