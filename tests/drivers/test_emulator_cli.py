"""The emulator CLI as a separate process: first stdout line is the address, SIGTERM stops it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from drivers.card import Outcome
from drivers.concert import ConcertReader
from drivers.zvt import ZvtReader
from tests.drivers.conftest import CONCERT_TIMERS, ZVT_TIMERS, run

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "drivers.emulators.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def stop(proc: subprocess.Popen[str]) -> int:
    proc.terminate()
    return proc.wait(timeout=5)


def test_zvt_over_tcp_with_a_script() -> None:
    proc, url = start("zvt", "--tcp", "127.0.0.1:0", "--script", "decline")
    try:
        assert url.startswith("socket://127.0.0.1:") and not url.endswith(":0")

        async def scenario() -> None:
            async with ZvtReader(url, timers=ZVT_TIMERS) as terminal:
                assert (await terminal.pay(1250, "EUR", "cli-1")).outcome is Outcome.DECLINED
                paid = await terminal.pay(1250, "EUR", "cli-2")
                assert paid.outcome is Outcome.APPROVED and paid.receipt_no == "0002"

        run(scenario())
    finally:
        assert stop(proc) == 0


def test_concert_on_a_pty() -> None:
    proc, path = start("concert", "--pty")
    try:
        assert path.startswith("/dev/")

        async def scenario() -> None:
            async with ConcertReader(path, timers=CONCERT_TIMERS) as terminal:
                assert (await terminal.pay(500, "SEK", "cli-3")).outcome is Outcome.APPROVED

        run(scenario())
    finally:
        assert stop(proc) == 0


def test_unknown_scripted_outcome_is_a_usage_error() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "drivers.emulators.cli",
            "zvt",
            "--tcp",
            "127.0.0.1:0",
            "--script",
            "approve,explode",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert proc.returncode == 2 and "explode" in proc.stderr
