"""`python -m bench [--quick] [--only NAME ...] [--soak MINUTES] [--against REV [--lanes N]]`:
run every benchmark; one JSON line per figure.

Every module in bench/ with a `run(quick: bool)` function is a benchmark; they run in name
order. `--soak MINUTES` runs the soak (bench/soak.py) instead; `--against REV` runs this tree's
checkout side by side with commit REV's (bench/_side_by_side.py). Either run starts with what it
runs on: the machine, the tree and two yardsticks of the machine's speed (bench/_report.py);
the Python yardstick is measured again before each benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench._report import machine, yardstick

HELPERS = {"data"}  # modules that are not benchmarks


def benchmarks() -> list[str]:
    """The benchmark modules, by name."""
    names = [m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])]
    return sorted(n for n in names if n not in HELPERS and not n.startswith("_")
                  and hasattr(importlib.import_module(f"bench.{n}"), "run"))


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small data, few repetitions (CI)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--soak", type=float, metavar="MINUTES",
                        help="run the soak test for this long instead of the benchmarks")
    parser.add_argument("--against", metavar="REV",
                        help="instead: this tree's checkout side by side with commit REV's")
    parser.add_argument("--lanes", type=int, default=8, help="lanes for --against (8)")
    args = parser.parse_args()
    for name in args.only or []:
        if name not in benchmarks():
            parser.error(f"no benchmark called {name!r}; there are: {', '.join(benchmarks())}")
    machine()
    if args.soak is not None:
        soak = importlib.import_module("bench.soak")
        sys.exit(soak.soak(args.soak))
    if args.against is not None:
        importlib.import_module("bench._side_by_side").compare(
            args.against, lanes=args.lanes, rounds=4 if args.quick else 12)
        return
    for name in args.only or benchmarks():
        yardstick(before=name)
        importlib.import_module(f"bench.{name}").run(quick=args.quick)


main()
