"""`kassa emulator printer | scanner | pole-display` as separate processes."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path

from drivers.pole_display import PoleDisplay
from drivers.printer import Printer, as_text
from drivers.scanner import SerialScanner
from tests.drivers.conftest import run
from tests.drivers.peripherals.test_receipt_layout import RECEIPT

ROOT = Path(__file__).resolve().parents[3]


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


def next_line(proc: subprocess.Popen[str], timeout: float = 5.0) -> str:
    """The next stdout line of `proc`, or AssertionError after `timeout` s (never a hang)."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout).rstrip("\n")
    except queue.Empty:
        raise AssertionError(f"no output within {timeout} s") from None


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.terminate()
    out, _ = proc.communicate(timeout=5)
    return proc.returncode, out


def test_printer_writes_text_and_png(tmp_path: Path) -> None:
    proc, url = start("printer", "--port", "0", "--out", str(tmp_path), "--paper", "58mm")
    try:
        assert url.startswith("socket://127.0.0.1:")

        async def scenario() -> None:
            async with Printer(url, paper="58mm", timeout=1.0) as printer:
                await printer.print_receipt(RECEIPT)

        run(scenario())
        assert next_line(proc) == f"receipt 1: {tmp_path / 'receipt-0001.png'}"
    finally:
        assert stop(proc)[0] == 0
    assert (tmp_path / "receipt-0001.txt").read_text() == as_text(RECEIPT, "58mm")
    assert (tmp_path / "receipt-0001.png").read_bytes().startswith(b"\x89PNG")


def test_scanner_replays_a_file(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("7310865004703\n12345670\n")
    proc, path = start("scanner", "--codes", str(codes), "--delay", "0.05",
                       "--start-after", "0.8", "--terminator", "crlf")
    try:
        async def scenario() -> list[str]:
            seen: list[str] = []
            async with SerialScanner(path) as scanner:
                async for code in scanner:
                    seen.append(code)
                    if len(seen) == 2:
                        return seen
            return seen

        assert run(scenario()) == ["7310865004703", "12345670"]
    finally:
        assert stop(proc)[0] == 0


def test_scanner_without_a_codes_file_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "drivers.emulators.cli", "scanner", "--codes",
         str(tmp_path / "missing.txt")],
        cwd=ROOT, capture_output=True, text=True, timeout=20,
    )
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_pole_display_prints_what_it_shows() -> None:
    proc, path = start("pole-display", "--dialect", "cd5220")
    try:
        async def scenario() -> None:
            async with PoleDisplay(f"serial:{path}?dialect=cd5220") as display:
                await display.show("Välkommen!", "Kassa 1")

        run(scenario())
        assert next_line(proc) == "|Välkommen!          |Kassa 1             |"
    finally:
        assert stop(proc)[0] == 0
