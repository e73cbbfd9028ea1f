"""The hub's push loop overlaps its own work with central's: while a push is in flight it
stores the previous reply and reads the next batch. Against a real central: every event still
takes effect once, every reply is stored once and in order, and a failure leaves the hub where
the last stored reply says."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select

from hub.config import Settings
from hub.db import Database, upgrade
from hub.models import SyncRejection
from hub.services import sync as sync_db
from hub.services.context import Shop
from hub.services.records import emit
from hub.sync_runner import Syncer
from sync.client import CentralError
from sync.schemas import PushReply
from tests.pg import PostgresCluster
from tests.sync.conftest import CentralProcess

pytestmark = pytest.mark.slow
HUB = "demo-store"
MILK_SKU = "SKU00001"
EVENTS = 1_203  # three batches, the last one short
REJECTED_SEQ = 700  # in the middle batch


@dataclass
class Hub:
    """A hub database with a backlog, and the Syncer that pushes it."""

    db: Database
    syncer: Syncer

    def state(self) -> tuple[int, int, int]:
        """acked_seq, rows marked pushed, rejections counted."""
        with self.db.read() as s:
            row = sync_db.state(s)
            pushed = s.connection().exec_driver_sql(
                "SELECT count(*) FROM outboxevent WHERE pushed_at IS NOT NULL").scalar()
            return row.acked_seq, int(pushed or 0), row.rejected

    def rejections(self) -> list[int]:
        with self.db.read() as s:
            return [r.seq for r in s.exec(select(SyncRejection))]


@pytest.fixture
def hub(central: CentralProcess, tmp_path: Path) -> Iterator[Hub]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(url)
    db = Database(url)
    with db.write() as s:
        for seq in range(1, EVENTS + 1):
            delta = 10**30 if seq == REJECTED_SEQ else -1  # central rejects the huge one
            emit(s, "stock.moved", {"reason": "sale", "ref": f"sale-{seq}",
                                    "items": [{"sku": MILK_SKU, "delta": delta}]})
    settings = Settings(data_dir=tmp_path, hub_id=HUB, central_url=central.url,
                        central_token=central.token, sync_batch_events=500)
    syncer = Syncer(db, Shop(settings, Ed25519PrivateKey.generate()))
    yield Hub(db, syncer)
    syncer.close()
    db.dispose()


def _central_sees(central: CentralProcess) -> tuple[int, int, int, int]:
    """Events applied, distinct seqs, the highest seq, rejections."""
    with psycopg.connect(central.db_url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT hub_seq), coalesce(max(hub_seq), 0),"
            " count(*) FILTER (WHERE outcome = 'rejected') FROM applied_event"
            " WHERE store_id = %s", (HUB,)).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _milk_moves(central: CentralProcess) -> int:
    with psycopg.connect(central.db_url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT count(*) FROM stock_move WHERE store_id = %s AND ref LIKE"
                           " 'sale-%%'", (HUB,)).fetchone()
    assert row is not None
    return int(row[0])


ALL_ONCE = (EVENTS, EVENTS, EVENTS, 1)  # every event once, the huge delta rejected once


def test_a_catch_up_applies_each_event_once_and_stores_every_reply(
        central: CentralProcess, hub: Hub) -> None:
    progress: list[tuple[int, int]] = []
    assert hub.syncer.push_all(lambda done, total: progress.append((done, total))) == EVENTS
    assert progress == [(500, EVENTS), (1000, EVENTS), (EVENTS, EVENTS)]
    assert hub.state() == (EVENTS, EVENTS, 1)  # stored before push_all returned
    assert hub.rejections() == [REJECTED_SEQ]
    assert _central_sees(central) == ALL_ONCE
    assert _milk_moves(central) == EVENTS - 1

    assert hub.syncer.push_all() == 0  # nothing left
    with hub.db.write() as s:  # a hub stopped before storing its replies sends them again
        sync_db.record_push(s, PushReply(last_seq=0))
    assert hub.syncer.push_all() == 500  # central answers it has all: the prefetch is dropped
    assert hub.state() == (EVENTS, EVENTS, 1)  # the rejection is not counted twice
    assert hub.rejections() == [REJECTED_SEQ]
    assert _central_sees(central) == ALL_ONCE


class _TakesPartOfOneBatch:
    """Sends the second batch cut short, so central's reply is lower than what the hub's
    loop sent (as when central stops inside a batch)."""

    def __init__(self, syncer: Syncer, keep: int) -> None:
        self.real, self.keep, self.pushes = syncer.client.push_packed, keep, 0

    def __call__(self, body: bytes) -> PushReply:
        self.pushes += 1
        if self.pushes == 2:
            request = json.loads(gzip.decompress(body))
            request["events"] = request["events"][:self.keep]
            body = gzip.compress(json.dumps(request).encode())
        return self.real(body)


def test_a_reply_lower_than_what_was_sent_drops_the_prefetched_batch(
        central: CentralProcess, hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    cut = _TakesPartOfOneBatch(hub.syncer, keep=150)  # central takes 501–650 of 501–1000
    monkeypatch.setattr(hub.syncer.client, "push_packed", cut)
    sent = hub.syncer.push_all()
    assert cut.pushes == 4  # 1–500, 501–650 (of 501–1000), then 651–1150 and 1151–1203
    assert sent == 500 + 500 + 500 + 53
    assert hub.state() == (EVENTS, EVENTS, 1)
    assert hub.rejections() == [REJECTED_SEQ]
    assert _central_sees(central) == ALL_ONCE
    assert _milk_moves(central) == EVENTS - 1


def _database(central: CentralProcess) -> str:
    return central.db_url.rsplit("/", 1)[1]


def test_central_restoring_a_backup_gets_the_lost_events_again_once(
        central: CentralProcess, hub: Hub, pg: PostgresCluster) -> None:
    backup = f"{_database(central)}_backup"

    def meanwhile(done: int, _total: int) -> None:
        if done == 500:  # back up central as it stands: it has 1–500
            central.stop()
            pg.create_database(backup, template=_database(central))
            central.start()
        elif done == 1000:  # central loses 501–1000: restored from the backup
            central.stop()
            pg.drop_database(_database(central))
            pg.create_database(_database(central), template=backup)
            central.start()

    with pytest.raises(CentralError) as failed:
        hub.syncer.push_all(meanwhile)
    assert failed.value.last_seq == 500  # 1001–1203 is a gap now: send from 501
    assert hub.state()[0] == 500  # what central said, stored before push_all raised
    assert _central_sees(central) == (500, 500, 500, 0)

    assert hub.syncer.push_all() == EVENTS - 500
    assert hub.state() == (EVENTS, EVENTS, 1)
    assert hub.rejections() == [REJECTED_SEQ]
    assert _central_sees(central) == ALL_ONCE
    assert _milk_moves(central) == EVENTS - 1
    pg.drop_database(backup)


def test_central_going_away_mid_catch_up_leaves_the_last_stored_reply(
        central: CentralProcess, hub: Hub) -> None:
    def meanwhile(done: int, _total: int) -> None:
        if done == 500:
            central.stop()

    with pytest.raises(CentralError) as failed:
        hub.syncer.push_all(meanwhile)
    assert failed.value.transient
    assert hub.state() == (500, 500, 0)  # reply 1 stored; 501– not marked
    assert _central_sees(central) == (500, 500, 500, 0)

    central.start()
    assert hub.syncer.push_all() == EVENTS - 500  # the rest, from the stored reply on
    assert hub.state() == (EVENTS, EVENTS, 1)
    assert _central_sees(central) == ALL_ONCE


def test_a_reply_that_cannot_be_stored_stops_the_push(
        central: CentralProcess, hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = sync_db.record_push, []

    def record_push(session: object, reply: PushReply) -> None:
        calls.append(reply.last_seq)
        if len(calls) == 2:
            raise OSError("disk full")
        real(session, reply)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_db, "record_push", record_push)
    with pytest.raises(OSError, match="disk full"):
        hub.syncer.push_all()
    assert calls == [500, 1000]  # reply 3 arrived (its push overlapped), but is not stored
    assert hub.state() == (500, 500, 0)

    monkeypatch.setattr(sync_db, "record_push", real)
    assert hub.syncer.push_all() == 500  # 501–1000 again; central says it has all
    # Central told its rejection of 700 only in reply 2, which was lost here: as with any lost
    # reply, the hub does not learn of it (central has it, once).
    assert hub.state() == (EVENTS, EVENTS, 0)
    assert _central_sees(central) == ALL_ONCE
