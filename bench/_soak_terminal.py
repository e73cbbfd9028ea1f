"""A ZVT emulator process for the soak that remembers its transactions across SIGKILL.

A real terminal keeps its receipt counter and its last transaction in non-volatile memory: after
a power cut it still answers 06 20 (repeat receipt) with the payment it took before. The plain
emulator forgets everything when its process dies, so this one writes its state to a file
(fsync, then rename) before it answers anything, and loads it when it starts again.

    python -m bench._soak_terminal --port PORT --state FILE [--seed N]

The first line on stdout is the terminal's URL; SIGTERM stops it. The state file also holds
the whole batch, which the soak compares with the hub's card payments at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import threading
from dataclasses import asdict
from pathlib import Path

from drivers.emulators.zvt import EmulatedTransaction, ZvtEmulator

# What the soak's card holders do: mostly pay, sometimes decline, sometimes take their time
# (which widens the window in which a kill lands mid-payment).
OUTCOMES = ["approve"] * 14 + ["decline", "slow_cardholder:1.5", "slow_cardholder:0.5"]


class DurableZvtEmulator(ZvtEmulator):
    """A ZvtEmulator whose receipt counter, last transaction and batch survive a crash."""

    def __init__(self, state: Path, seed: int) -> None:
        rng = random.Random(seed)
        super().__init__([rng.choice(OUTCOMES) for _ in range(20_000)], currency=752,
                         ack_timeout=1.0)
        self.state = state
        self._saving = threading.Lock()
        if state.exists():
            saved = json.loads(state.read_text())
            self.batch = [EmulatedTransaction(**t) for t in saved["batch"]]
            self._receipt_no, self._trace_no = saved["receipt_no"], saved["trace_no"]
            self.last = self.batch[-1] if self.batch else None

    def record(self, kind: str, amount: int, currency: int, result: int) -> EmulatedTransaction:
        """Book a transaction and make it durable before the terminal says anything about it."""
        txn = super().record(kind, amount, currency, result)
        self.save()
        return txn

    def save(self) -> None:
        """Write the state atomically (a reversal flag set on the last transaction included)."""
        with self._state:
            data = {"receipt_no": self._receipt_no, "trace_no": self._trace_no,
                    "batch": [asdict(t) for t in self.batch]}
        with self._saving:  # the serving threads and the flag watcher both save
            tmp = self.state.with_suffix(".tmp")
            with open(tmp, "w") as out:
                json.dump(data, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.state)


def main() -> None:
    """Serve until SIGTERM; persist reversals flagged outside record() every 50 ms too."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    emulator = DurableZvtEmulator(args.state, args.seed)
    emulator.start_tcp("127.0.0.1", args.port)
    print(emulator.url, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    flags = [t.reversed for t in emulator.batch]
    while not stop.wait(0.05):
        now = [t.reversed for t in emulator.batch]
        if now != flags:
            emulator.save()
            flags = now
    emulator.save()
    emulator.stop()


if __name__ == "__main__":
    main()
