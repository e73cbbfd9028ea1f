"""The soak's chaos loop kills every kind of process, not whatever a random pick favours."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.soak import Chaos

SERVICES: dict[str, Any] = {"hub": None, "central": None, "terminal-1": None,
                            "terminal-2": None}


def test_every_round_of_three_kills_takes_the_hub_central_and_a_terminal() -> None:
    for seed in range(50):
        chaos = Chaos(SERVICES, seed=seed, gap=(1.0, 2.0))
        victims = [chaos.victim() for _ in range(30)]
        for start in range(0, 30, 3):
            kinds = {name.split("-")[0] for name in victims[start:start + 3]}
            assert kinds == {"hub", "central", "terminal"}, (seed, victims)
        assert set(victims) == set(SERVICES)  # both terminals get killed over a run


def test_the_order_within_a_round_is_random() -> None:
    firsts = Counter(Chaos(SERVICES, seed=seed, gap=(1.0, 2.0)).victim().split("-")[0]
                     for seed in range(300))
    assert set(firsts) == {"hub", "central", "terminal"}
    assert min(firsts.values()) > 60  # each kind leads about a third of the runs
