"""Word and prefix search over the FTS5 name indexes (product_fts, customer_fts), safely quoted."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, TextClause, and_, or_, text

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


def matching_ids(table: str, match: str) -> TextClause:
    """`<table>.id IN (rows of <table>_fts that match)`, for a WHERE clause."""
    fts = f"{table}_fts"
    return text(f"{table}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :match)").bindparams(
        match=match)


def starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, as an index range (LIKE would read every row); upper- and
    lower-case spellings of the prefix are tried, as codes are usually all one or the other."""
    ranges = [and_(column >= p, column < p[:-1] + chr(min(ord(p[-1]) + 1, 0x10FFFF)))
              for p in dict.fromkeys((prefix, prefix.upper(), prefix.lower())) if p]
    return or_(*ranges)
