"""The hub database: SQLite in WAL mode with synchronous=FULL, schema by Alembic."""

from __future__ import annotations

import contextlib
import threading
import time
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

    # Every write runs in a savepoint (group commit, below). SQLAlchemy compiles each SAVEPOINT
    # and RELEASE statement afresh, its name being new each time (~0.15 ms a write); the
    # statements are plain text.
    dialect: Any = engine.dialect
    dialect.do_savepoint = lambda conn, name: conn.exec_driver_sql(f"SAVEPOINT {name}")
    dialect.do_release_savepoint = lambda conn, name: conn.exec_driver_sql(f"RELEASE {name}")
    dialect.do_rollback_to_savepoint = lambda conn, name: conn.exec_driver_sql(
        f"ROLLBACK TO {name}")
    return engine


# SQLite's page cache per reader connection, in KiB (the default is 2 MB): up to 32 readers are
# pooled, and a burst of 8 lanes searching grew the hub by 20–23 MB with the default, 9–12 MB
# with this, at the same search times (100k and 1M products).
READER_CACHE_KIB = 512


def _reader_page_cache(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")


class CommitFailed(RuntimeError):
    """The commit that would have made a write durable failed: nothing of it was saved."""


class _Batch:
    """Write transactions that share one SQLite transaction, and so one commit (one fsync)."""

    def __init__(self, engine: Engine) -> None:
        self.connection = engine.connect()
        try:
            self.transaction = self.connection.begin()  # BEGIN IMMEDIATE: the database lock
        except BaseException:
            self.connection.close()
            raise
        self.units = 0
        self.started = time.monotonic()
        self.done = threading.Event()
        self.error: BaseException | None = None


class Database:
    """The engines of one hub database: writes serialize, reads run beside them.

    Writes run one at a time (the single writer), each in its own savepoint. While other
    writers queue, a finished write leaves its transaction open and waits: the next one runs
    in the same SQLite transaction, and whichever finds nobody queued (or the batch full or
    100 ms old) commits them all at once (group commit). Every write still returns only after
    the commit that holds it is durable (WAL, synchronous=FULL); a failed write rolls back its
    own savepoint only; a failed commit fails every write it held.
    """

    MAX_BATCH = 32  # writes that may wait for one commit
    # How long a batch stays open for more writes: a write's answer waits at most about this
    # (plus one write) longer than alone, even when writes are slow (a fiscal device's answer).
    MAX_BATCH_SECONDS = 0.1

    def __init__(self, url: str) -> None:
        self.url = url
        self.writer = make_engine(url, immediate=True)
        self.reader = make_engine(url, immediate=False)
        event.listen(self.reader, "connect", _reader_page_cache)
        # Writers of this process queue here rather than in SQLite, whose busy handler sleeps
        # up to 100 ms a try; busy_timeout still guards against other processes.
        self._lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queued = 0
        self._batch: _Batch | None = None
        self._local = threading.local()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one write transaction: commits on success, rolls back on error.

        Returns only once the write is durable; a write inside a write is refused.
        """
        if getattr(self._local, "writing", False):
            raise RuntimeError("a write transaction inside another one would wait for itself")
        with self._queue_lock:
            self._queued += 1
        self._lock.acquire()
        with self._queue_lock:
            self._queued -= 1
        self._local.writing = True
        failure: BaseException | None = None
        batch: _Batch | None = None
        try:
            batch = self._batch
            if batch is None:
                batch = self._batch = _Batch(self.writer)
            batch.units += 1
            with Session(bind=batch.connection, join_transaction_mode="create_savepoint",
                         expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException as exc:
                    failure = exc
                    session.rollback()
                    keep = getattr(exc, "after_rollback", None)
                    if keep is not None:
                        keep(session)
                        session.commit()
        except BaseException as exc:
            failure = failure or exc
        finally:
            self._local.writing = False
            self._finish(batch)
        if failure is not None:
            raise failure
        assert batch is not None
        if batch.error is not None:
            raise CommitFailed(f"the write was not saved: {batch.error}") from batch.error

    def _finish(self, batch: _Batch | None) -> None:
        """Hand the open transaction to a queued writer, or commit it; then release the lock
        (holding it on entry) and wait until the write's commit is done."""
        if batch is None:  # BEGIN failed: there is nothing to commit
            self._lock.release()
            return
        with self._queue_lock:
            hand_off = (self._queued > 0 and batch.units < self.MAX_BATCH
                        and time.monotonic() - batch.started < self.MAX_BATCH_SECONDS)
        if not hand_off:
            self._batch = None
            try:
                batch.transaction.commit()
            except BaseException as exc:
                batch.error = exc
                with contextlib.suppress(Exception):
                    batch.transaction.rollback()
            finally:
                batch.connection.close()
                batch.done.set()
        self._lock.release()
        batch.done.wait()

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
