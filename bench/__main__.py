"""`python -m bench [--quick]`: run every benchmark; one JSON line per figure."""

from __future__ import annotations

import argparse

from bench import card_overhead, day_close, sync_catchup


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repetitions (CI smoke run)")
    args = parser.parse_args()
    card_overhead.run(quick=args.quick)
    sync_catchup.run(quick=args.quick)
    day_close.run(quick=args.quick)


main()
