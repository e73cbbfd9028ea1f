"""Word and prefix search over the FTS5 name indexes (product_fts, customer_fts), safely quoted.

A search is the first rows in name order among several sources (name words through FTS, codes
as index ranges). Each source is asked for its own first rows and the answers merged: one query
with an OR of them leaves SQLite to pick one plan for all, and with a bound LIMIT it walks the
whole name index testing every row when few rows match (seconds at 1M products, ms bare).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, TextClause, and_, func, literal_column, or_, text
from sqlalchemy import table as sql_table
from sqlmodel import Session, select

T = TypeVar("T")
# A source with many matches has its first rows looked for along the order index before all
# its matches are read and sorted. Sorting costs ~1–1.5 µs a match (a row look-up each; 1M
# products: a brand's 12,500 matches 19 ms, 22,000 matches 26 ms, 76,000 56 ms); walking the
# index ~0.25 µs an entry (a match is tested on the index entry, its row read only for a hit),
# so matches spread through the order are found in a few ms. Matches may cluster late in the
# order ("no": the brands Norr…; "so": kinds after "Sm…" within each brand), so a walk stops
# after WALK_PER_MATCH entries a match: one that finds too few costs about half the sort that
# follows it. It is tried when that bound is SPREAD_MARGIN times the entries that would hold
# `limit` matches spread evenly (1M products, 50 rows: from ~16,000 matches; a brand's sort).
WALK_PER_MATCH = 1.5
SPREAD_MARGIN = 8
SAMPLE = 256  # matches looked at to foresee whether a walk finds enough (~0.3 ms)
COUNT_UP_TO = 40_000  # matches counted: from here on they are dense and the walk short anyway

MAX_WORDS = 8
# The same letters and digits FTS5's unicode61 tokenizer keeps; everything else separates words.
_WORD = re.compile(r"[^\W_]+")


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH string where every word typed must begin a word of the name, or None when
    the query has no letters or digits. Words are quoted, so `"`, `*`, `AND`, `(` are just text."""
    words = _WORD.findall(query.casefold())[:MAX_WORDS]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def matching_ids(table: str, match: str, *, indexed: bool = True) -> TextClause:
    """`<table>.id IN (rows of <table>_fts that match)`, for a WHERE clause; not `indexed`, the
    id is behind SQLite's unary + so the planner tests rows rather than looking them up."""
    fts = f"{table}_fts"
    plus = "" if indexed else "+"
    return text(f"{plus}{table}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :match)"
                ).bindparams(match=match)


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, as an index range (LIKE would read every row); upper- and
    lower-case spellings of the prefix are tried, as codes are usually all one or the other."""
    ranges = [and_(column >= p, column < p[:-1] + chr(min(ord(p[-1]) + 1, 0x10FFFF)))
              for p in dict.fromkeys((prefix, prefix.upper(), prefix.lower())) if p]
    return or_(*ranges)


def unindexed(column: Any) -> ColumnElement[Any]:
    """The column behind SQLite's unary +, which keeps the planner from using its index."""
    return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def fts_rows(table: str, match: str) -> Select[Any]:
    """The rowids of <table>_fts that match, straight from the full-text index."""
    fts = f"{table}_fts"
    return select(literal_column("rowid")).select_from(sql_table(fts)).where(
        text(f"{fts} MATCH :match").bindparams(match=match))


@dataclass(frozen=True)
class Source:
    """One way a row can be found: the ids it matches (to count them), and a condition for a
    WHERE clause, with (True) or without (False) the planner answering it from an index."""

    rows: Select[Any]
    condition: Callable[[bool], ColumnElement[bool] | TextClause]


def first_in_order(session: Session, entity: type[T], sources: Sequence[Source],
                   where: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int, *,
                   walk: bool = True) -> list[T]:
    """The first `limit` rows of `entity` in `order` (then id) that meet `where` and any of
    `sources`. Each source picks its own plan from how many rows it matches: few are read and
    sorted; for many, the `order` index is walked up to a bound (an index must lead with
    `order[0]`; without one, `walk=False`), and the matches read and sorted after all if it holds
    too few of them."""
    found: dict[Any, T] = {}
    ident = entity.id  # type: ignore[attr-defined]
    size = (session.exec(select(func.max(ident))).one() or 0) if walk else 0  # ~ the rows
    for source in sources:
        rows: list[T] = []
        if walk:
            counted = select(func.count()).select_from(
                source.rows.limit(COUNT_UP_TO).subquery())
            matches = session.exec(counted).one()
            entries = int(WALK_PER_MATCH * matches)
            if entries * matches >= SPREAD_MARGIN * limit * size:
                rows = _walk(session, entity, source, where, order, limit, entries, matches)
        if len(rows) < limit:  # + keeps the planner off the order index: read all, sort
            rows = list(session.exec(
                select(entity).where(*where, source.condition(True))
                .order_by(unindexed(order[0]), *order[1:], ident).limit(limit)))
        for row in rows:
            found[row.id] = row  # type: ignore[attr-defined]
    return sorted(found.values(),
                  key=lambda row: (*(getattr(row, c.name) for c in order),
                                   row.id))[:limit]  # type: ignore[attr-defined]


def _walk(session: Session, entity: type[T], source: Source,
          where: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int,
          entries: int, matches: int) -> list[T]:
    """The first `limit` rows in `order` that meet `where` and the source among the first
    `entries` or so of the order index; when there are `limit` of them, they are the first of
    all (every row up to the bound was looked at). The source is tested on each index entry (its
    unindexed condition: an id, or a column) and the walk stops at the `limit`-th hit, or at an
    upper bound on order[0]. None when a sample says the walk would find too few."""
    ident = entity.id  # type: ignore[attr-defined]
    stmt = select(entity).where(*where, source.condition(False))
    bound = session.exec(select(order[0]).order_by(*order, ident).offset(entries).limit(1)).first()
    if bound is not None:  # ties with the bound are walked too: a few entries more
        # A sample of the matches (the first the source gives, by id or by code: unrelated to
        # the order) foresees whether the walk finds `limit` before the bound (twice that
        # expected, `where` aside); if not, the walk is skipped for the sort. 1M products:
        # "no" 48 → 36 ms, its 25,000 matches cluster at "Nor…" and were walked in vain.
        sample = source.rows.limit(SAMPLE).correlate(None)
        hits = session.exec(select(func.count()).where(ident.in_(sample), order[0] <= bound)).one()
        if hits * matches < 2 * limit * SAMPLE:
            return []
        stmt = stmt.where(order[0] <= bound)
    return list(session.exec(stmt.order_by(*order, ident).limit(limit)))
