"""The soak's invariants, checked on the hub's database, central's database and the terminals'
own records once traffic has stopped and sync has caught up. One JSON line each."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench._soak_lane import Ledger


@dataclass
class Check:
    """One invariant: its name, whether it holds, its counts and what breaks it."""

    name: str
    ok: bool
    counts: dict[str, int]
    problems: list[str]

    def line(self) -> str:
        """The JSON line printed for it."""
        return json.dumps({"invariant": self.name, "pass": self.ok, **self.counts,
                           **({"problems": self.problems[:10]} if self.problems else {})})


def check(name: str, counts: dict[str, int], problems: Iterable[str]) -> Check:
    """An invariant holds when nothing breaks it."""
    found = list(problems)
    return Check(name, not found, counts, found)


def hub_rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of the hub's SQLite database (read-only)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchall()


def stock_snapshot(db: Path) -> tuple[dict[int, int], int]:
    """On-hand per product id and the newest stock movement id: the opening stock."""
    on_hand = {pid: n for pid, n in hub_rows(db, "SELECT id, on_hand FROM product")}
    last = hub_rows(db, "SELECT coalesce(max(id), 0) FROM stockmovement")[0][0]
    return on_hand, int(last)


def run_checks(db: Path, central_dsn: str, store: str, ledger: Ledger,
               opening: tuple[dict[int, int], int], terminals: dict[str, Path],
               journal_ok: tuple[bool, int, str]) -> list[Check]:
    """Every invariant of the soak."""
    with psycopg.connect(central_dsn) as pg:
        def central(sql: str, *args: Any) -> list[tuple[Any, ...]]:
            return pg.execute(sql, args).fetchall()  # type: ignore[arg-type]

        return [
            _nothing_lost(db, central, store, ledger),
            _nothing_doubled(db, central, store, ledger),
            _journal(journal_ok),
            _receipts_gapless(db),
            _stock_balanced(db, central, store, opening),
            _in_doubt_resolved(db),
            _outbox_pushed(db, central, store),
            _terminals_agree(db, terminals),
        ]


def _nothing_lost(db: Path, central: Any, store: str, ledger: Ledger) -> Check:
    confirmed = [c.sale_id for c in ledger.confirmed]
    at_hub = dict(hub_rows(db, "SELECT id, status FROM sale WHERE training = 0"))
    at_central = Counter(r[0] for r in central(
        "SELECT sale_id FROM sale WHERE store_id = %s", store))
    problems = []
    for sale_id in set(confirmed):
        if at_hub.get(sale_id) != "completed":
            problems.append(f"sale {sale_id} was confirmed but is {at_hub.get(sale_id)} at hub")
        if at_central[sale_id] != 1:
            problems.append(f"sale {sale_id} is at central {at_central[sale_id]} times")
    completed = [s for s, status in at_hub.items() if status == "completed"]
    for sale_id in completed:
        if at_central[sale_id] != 1:
            problems.append(f"completed sale {sale_id} is at central {at_central[sale_id]} times")
    return check("nothing_lost", {"confirmed": len(confirmed), "completed_at_hub": len(completed),
                                  "at_central": sum(at_central.values())}, problems)


def _nothing_doubled(db: Path, central: Any, store: str, ledger: Ledger) -> Check:
    problems = []
    per_action = Counter(c.action for c in ledger.confirmed)
    problems += [f"client action {a} completed {n} sales" for a, n in per_action.items() if n > 1]
    seen = Counter(c.sale_id for c in ledger.confirmed)
    problems += [f"sale {s} confirmed {n} times" for s, n in seen.items() if n > 1]
    completed = {r[0] for r in hub_rows(
        db, "SELECT id FROM sale WHERE status = 'completed' AND training = 0")}
    problems += [f"sale {s} completed at the hub but no till saw it"
                 for s in sorted(completed - set(seen))]
    for request_id, sales in hub_rows(db, "SELECT request_id, count(DISTINCT sale_id) FROM "
                                          "tender WHERE request_id IS NOT NULL "
                                          "GROUP BY request_id HAVING count(*) > 1"):
        problems.append(f"request_id {request_id} paid {sales} sales")
    cards = hub_rows(db, "SELECT t.sale_id, t.payment_id, p.status, p.sale_id, p.kind "
                         "FROM tender t LEFT JOIN paymentattempt p ON p.id = t.payment_id "
                         "WHERE t.method = 'card'")
    for sale_id, payment_id, status, paid_sale, kind in cards:
        if status != "approved" or paid_sale != sale_id or kind != "debit":
            problems.append(f"card tender on {sale_id} without its approved attempt "
                            f"({payment_id}: {status})")
    used = Counter(r[1] for r in cards)
    approved = [r[0] for r in hub_rows(
        db, "SELECT id FROM paymentattempt WHERE kind = 'debit' AND status = 'approved'")]
    problems += [f"approved card payment {p} is on {used[p]} tenders" for p in approved
                 if used[p] != 1]
    events = central("SELECT count(*), count(DISTINCT hub_seq) FROM applied_event "
                     "WHERE store_id = %s", store)[0]
    if events[0] != events[1]:
        problems.append(f"central applied {events[0]} events for {events[1]} hub seqs")
    rejected = central("SELECT hub_seq, type, reason FROM applied_event WHERE store_id = %s "
                       "AND outcome = 'rejected'", store)
    problems += [f"central rejected event {seq} ({kind}): {why}" for seq, kind, why in rejected]
    return check("nothing_doubled", {"client_actions": len(per_action),
                                     "card_tenders": len(cards), "central_events": events[0]},
                 problems)


def _journal(result: tuple[bool, int, str]) -> Check:
    ok, entries, problem = result
    return check("journal_verifies", {"entries": entries}, [] if ok else [problem])


def _receipts_gapless(db: Path) -> Check:
    problems = []
    numbers: dict[str, list[int]] = {}
    for lane, number in hub_rows(db, "SELECT lane_id, receipt_no FROM sale WHERE status = "
                                     "'completed' UNION ALL SELECT lane_id, receipt_no "
                                     "FROM refund"):
        numbers.setdefault(lane, []).append(number)
    for lane, last in hub_rows(db, "SELECT id, last_receipt_no FROM lane"):
        got = sorted(numbers.get(lane, []))
        if got != list(range(1, last + 1)):
            missing = sorted(set(range(1, last + 1)) - set(got))
            doubled = [n for n, c in Counter(got).items() if c > 1]
            problems.append(f"lane {lane}: last {last}, missing {missing[:10]}, "
                            f"doubled {doubled[:10]}")
    return check("receipts_gapless", {f"lane_{k}": len(v) for k, v in sorted(numbers.items())},
                 problems)


def _stock_balanced(db: Path, central: Any, store: str,
                    opening: tuple[dict[int, int], int]) -> Check:
    start, last_move = opening
    moved = dict(hub_rows(db, "SELECT product_id, sum(delta) FROM stockmovement WHERE id > ? "
                              "GROUP BY product_id", last_move))
    problems = []
    products = hub_rows(db, "SELECT id, sku, on_hand FROM product")
    for pid, sku, on_hand in products:
        if on_hand != start.get(pid, 0) + moved.get(pid, 0):
            problems.append(f"{sku}: on hand {on_hand}, opening {start.get(pid, 0)} + moves "
                            f"{moved.get(pid, 0)}")
    at_central = dict(central("SELECT sku, on_hand FROM stock_level WHERE store_id = %s", store))
    differ = [f"{sku}: hub {n}, central {at_central.get(sku)}" for _, sku, n in products
              if at_central.get(sku) != n]
    return check("stock_balanced", {"products": len(products), "moved_units": -sum(
        moved.values()), "central_differs": len(differ)}, problems + differ)


def _in_doubt_resolved(db: Path) -> Check:
    rows = hub_rows(db, "SELECT status, count(*) FROM paymentattempt GROUP BY status")
    by_status = {status: n for status, n in rows}
    open_ = {s: n for s, n in by_status.items() if s in ("created", "sent", "in_progress",
                                                         "unknown")}
    resolved = hub_rows(db, "SELECT count(*) FROM paymentattempt WHERE resolved_how IS NOT NULL")
    return check("in_doubt_resolved", {"attempts": sum(by_status.values()),
                                       "resolved_in_doubt": resolved[0][0], **by_status},
                 [f"{n} card payments left {s}" for s, n in open_.items()])


def _outbox_pushed(db: Path, central: Any, store: str) -> Check:
    # seqs are never reused and pushed rows may be pruned: the sequence knows the last one
    last = hub_rows(db, "SELECT seq FROM sqlite_sequence WHERE name = 'outboxevent'")
    hub_last = last[0][0] if last else 0
    acked = hub_rows(db, "SELECT acked_seq FROM syncstate")
    hub_acked = acked[0][0] if acked else 0
    central_last = central("SELECT last_seq FROM store WHERE store_id = %s", store)[0][0]
    problems = []
    if hub_acked != hub_last:
        problems.append(f"{hub_last - hub_acked} events still waiting at the hub")
    if central_last != hub_last:
        problems.append(f"central's last_seq {central_last} != hub's {hub_last}")
    return check("outbox_pushed", {"hub_last_seq": hub_last, "hub_acked_seq": hub_acked,
                                   "central_last_seq": central_last}, problems)


def _terminals_agree(db: Path, terminals: dict[str, Path]) -> Check:
    """Every card the terminals charged (or credited) is an approved attempt at the hub."""
    problems = []
    counts: dict[str, int] = {}
    for url, state in terminals.items():
        batch = json.loads(state.read_text())["batch"] if state.exists() else []
        booked = Counter((t["kind"], t["amount_minor"]) for t in batch
                         if t["kind"] in ("payment", "refund") and not t["result_code"]
                         and not t["reversed"])
        hub = Counter(("payment" if kind == "debit" else "refund", amount) for kind, amount in
                      hub_rows(db, "SELECT kind, amount FROM paymentattempt WHERE reader = ? "
                                   "AND status = 'approved'", url))
        counts[f"charged_{url.rsplit(':', 1)[1]}"] = sum(booked.values())
        if booked != hub:
            problems.append(f"terminal {url}: terminal booked {sum(booked.values())}, hub "
                            f"approved {sum(hub.values())}; only at the terminal "
                            f"{dict(booked - hub)}, only at the hub {dict(hub - booked)}")
    return check("terminals_agree", counts, problems)
