"""The hub database: SQLite in WAL mode with synchronous=FULL, schema by Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from sync import migrate

if TYPE_CHECKING:  # alembic is loaded only when a migration has to run (sync/migrate.py)
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """An engine whose every connection is durable; write transactions take the lock up front.

    BEGIN IMMEDIATE makes a write transaction wait for the database lock at its start instead of
    failing half-way when it first writes, so concurrent lanes queue rather than error out.
    """
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=16,
        max_overflow=16,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun explicitly below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The engines of one hub database: writes serialize, reads run beside them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.writer = make_engine(url, immediate=True)
        self.reader = make_engine(url, immediate=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one write transaction: commits on success, rolls back on error."""
        with Session(self.writer, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                keep = getattr(exc, "after_rollback", None)
                if keep is not None:
                    keep(session)
                    session.commit()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading."""
        with Session(self.reader, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.writer.dispose()
        self.reader.dispose()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the hub's migrations."""
    return migrate.alembic_config(MIGRATIONS, url)


def upgrade(url: str) -> None:
    """Bring the database schema to the newest migration."""
    migrate.upgrade_to_head(MIGRATIONS, url)
