"""Scripted outcomes for emulated terminals: a queue of steps plus a default."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

ACTIONS: dict[str, float | None] = {
    "approve": None,
    "decline": None,
    "cancel_by_cardholder": None,
    "card_removed": None,
    "slow_cardholder": 2.0,  # seconds before the card holder finishes
    "no_answer": None,
    "noise": None,
    "nak_burst": 2,  # frames answered with NAK before one is taken
    "drop_ack": None,
    "power_loss": 2.0,  # seconds the terminal stays silent
}


@dataclass(frozen=True)
class Step:
    """One scripted transaction outcome, e.g. Step("slow_cardholder", 1.5)."""

    action: str
    arg: float | None = None

    @classmethod
    def parse(cls, text: str) -> Step:
        """Parse "approve", "slow_cardholder:1.5" or "nak_burst:5"."""
        name, _, arg = text.strip().partition(":")
        if name not in ACTIONS:
            raise ValueError(f"unknown scripted outcome {name!r}; known: {', '.join(ACTIONS)}")
        return cls(name, float(arg) if arg else ACTIONS[name])

    @property
    def seconds(self) -> float:
        """The step's argument as a duration."""
        return float(self.arg or 0.0)

    @property
    def count(self) -> int:
        """The step's argument as a count."""
        return int(self.arg or 0)


def parse_script(text: str) -> list[Step]:
    """Parse a comma-separated script such as "approve,decline,slow_cardholder:1"."""
    return [Step.parse(part) for part in text.split(",") if part.strip()]


class Script:
    """Thread-safe queue of steps; when it runs dry every transaction gets the default."""

    def __init__(self, steps: Iterable[Step | str] = (), default: Step | str = "approve") -> None:
        self._lock = threading.Lock()
        self._steps: deque[Step] = deque()
        self.default = default if isinstance(default, Step) else Step.parse(default)
        self.extend(steps)

    def extend(self, steps: Iterable[Step | str]) -> None:
        """Queue more steps, used by the next transactions in order."""
        with self._lock:
            self._steps.extend(s if isinstance(s, Step) else Step.parse(s) for s in steps)

    def next(self) -> Step:
        """The step for the transaction that starts now."""
        with self._lock:
            return self._steps.popleft() if self._steps else self.default
