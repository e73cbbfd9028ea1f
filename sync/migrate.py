"""Alembic, the same way for both databases: a configuration from a script folder and a URL."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

# `revision = '0012'` and `down_revision = '0011'` (or None, or a tuple for a merge) as Alembic
# writes them at the top of every migration file.
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=(.*)$", re.MULTILINE)


def alembic_config(script_location: Path, url: str) -> Config:
    """Alembic configuration for the migrations in script_location, on url."""
    # Imported here, like command below: alembic (with mako and its dialect modules) costs a
    # tenth of a second or more of CPU, which a hub already at head need not pay at start-up.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision(script_location: Path) -> str | None:
    """The one head revision of the migrations in script_location, read from the files without
    importing Alembic; None when it cannot be told that simply (several heads, odd files)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (script_location / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def database_revision(url: str) -> str | None:
    """The revision stamped in a SQLite database's alembic_version table, read with plain
    sqlite3; None for other databases, a missing file or an unstamped one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database or "")
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return rows[0][0] if len(rows) == 1 else None


def at_head(script_location: Path, url: str) -> bool:
    """Whether the database is already at the newest migration (so Alembic need not run)."""
    head = head_revision(script_location)
    return head is not None and database_revision(url) == head


def upgrade_to_head(script_location: Path, url: str) -> None:
    """Bring a database schema to its newest migration; a database already there is left alone
    without loading Alembic."""
    if at_head(script_location, url):
        return
    from alembic import command  # see alembic_config

    command.upgrade(alembic_config(script_location, url), "head")
