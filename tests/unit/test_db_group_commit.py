"""The single writer with group commit: concurrent writes all land once, failures stay alone."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text

from hub.db import CommitFailed, Database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with database.write() as s:
        s.execute(text("CREATE TABLE item (n INTEGER PRIMARY KEY, thread INTEGER NOT NULL)"))
    return database


def _rows(db: Database) -> list[int]:
    with db.read() as s:
        return [n for (n,) in s.execute(text("SELECT n FROM item ORDER BY n"))]


def _commits(db: Database) -> list[object]:
    """Grows by one at every commit of the writer."""
    seen: list[object] = []
    event.listen(db.writer, "commit", seen.append)
    return seen


def test_concurrent_writes_each_land_once_in_fewer_commits(db: Database) -> None:
    commits = _commits(db)

    def writer(thread: int) -> None:
        for i in range(25):
            with db.write() as s:
                s.execute(text("INSERT INTO item VALUES (:n, :t)"), {"n": thread * 100 + i,
                                                                      "t": thread})
            # the write is durable once write() returns: another connection sees it
            con = sqlite3.connect(db.url.removeprefix("sqlite:///"))
            assert con.execute("SELECT count(*) FROM item WHERE n = ?",
                               (thread * 100 + i,)).fetchone() == (1,)
            con.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _rows(db) == sorted(t * 100 + i for t in range(8) for i in range(25))
    assert len(commits) < 200, "writers that queued should have shared commits"


def test_a_failed_write_rolls_back_alone(db: Database) -> None:
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        barrier.wait()
        try:
            with db.write() as s:
                s.execute(text("INSERT INTO item VALUES (:n, 0)"), {"n": n})
                if n % 2:
                    raise ValueError(f"refused {n}")
        except ValueError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _rows(db) == [0, 2, 4]
    assert sorted(str(e) for e in errors) == ["refused 1", "refused 3", "refused 5"]


def test_a_write_inside_a_write_is_refused_at_once(db: Database) -> None:
    with db.write() as s:
        s.execute(text("INSERT INTO item VALUES (1, 0)"))
        with pytest.raises(RuntimeError), db.write():
            pass
    assert _rows(db) == [1]


def test_a_failed_commit_fails_the_write(db: Database) -> None:
    @event.listens_for(db.writer, "commit")
    def broken(_conn: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(CommitFailed), db.write() as s:
        s.execute(text("INSERT INTO item VALUES (7, 0)"))
    event.remove(db.writer, "commit", broken)
    assert _rows(db) == []
    with db.write() as s:  # the writer recovers
        s.execute(text("INSERT INTO item VALUES (8, 0)"))
    assert _rows(db) == [8]


def test_every_write_waits_for_the_disk(db: Database) -> None:
    """WAL with synchronous=FULL on every writer connection: a commit is on disk before the
    write returns (the durability a confirmed sale relies on)."""
    for _ in range(3):  # pooled connections come back as they went
        with db.write() as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
