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
# Matches from which walking the name index (testing each row) is tried before reading every
# match and sorting. Sorting costs ~1 µs a match (1M products: 12,500 matches 17 ms, 76,000
# 55 ms); walking finds 50 of 76,000 spread-out matches in ~10 ms, but would walk the whole
# index (~200 ms at 1M) when the matches all sort late ("Ölands …"), so the walk is bounded.
WALK_FROM = 20_000

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
                   where: Sequence[ColumnElement[bool]], order: Sequence[Any],
                   limit: int) -> list[T]:
    """The first `limit` rows of `entity` in `order` (then id) that meet `where` and any of
    `sources`. Each source picks its own plan from how many rows it matches: few are read and
    sorted; for many, the first entries of the `order` index are walked, and the matches read
    and sorted after all if those entries hold too few of them."""
    found: dict[Any, T] = {}
    ident = entity.id  # type: ignore[attr-defined]
    for source in sources:
        counted = select(func.count()).select_from(source.rows.limit(WALK_FROM).subquery())
        rows: list[T] = []
        if session.exec(counted).one() >= WALK_FROM:
            # Matches spread evenly would put `limit` of them within this many entries; four
            # times that, so that clustered ones ("Ölands …" all sort late) rarely fall back.
            size = session.exec(select(func.max(ident))).one() or 0
            entries = select(ident.label("id")).order_by(*order, ident).limit(
                4 * limit * size // WALK_FROM + limit).subquery()
            rows = list(session.exec(
                select(entity).join(entries, entries.c.id == ident)
                .where(*where, source.condition(False)).order_by(*order).limit(limit)))
        if len(rows) < limit:  # + keeps the planner off the order index: read all, sort
            rows = list(session.exec(
                select(entity).where(*where, source.condition(True))
                .order_by(unindexed(order[0]), *order[1:]).limit(limit)))
        for row in rows:
            found[row.id] = row  # type: ignore[attr-defined]
    return sorted(found.values(),
                  key=lambda row: (*(getattr(row, c.name) for c in order),
                                   row.id))[:limit]  # type: ignore[attr-defined]
