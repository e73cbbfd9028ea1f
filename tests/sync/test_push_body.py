"""The hub builds a push body from its outbox's stored JSON text without parsing it: the body
must parse to what the wire models made of the same rows, and central must take each event
once."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticSerializationError
from sqlmodel import Session, col, select

from hub.config import Settings
from hub.db import Database, upgrade
from hub.models import OutboxEvent
from hub.services import sync as sync_db
from hub.services.context import Shop
from hub.services.records import emit
from hub.sync_runner import Syncer
from sync.client import push_body
from sync.schemas import MAX_BATCH, MAX_BODY_BYTES, PUSH_BYTES, PushReply, PushRequest
from sync.schemas import OutboxEvent as WireEvent
from tests.sync.conftest import CentralProcess

HUB = "demo-store"
MILK_SKU = "SKU00001"


def _hub_db(directory: Path) -> Database:
    url = f"sqlite:///{directory / 'hub.sqlite3'}"
    upgrade(url)
    return Database(url)


@pytest.fixture(scope="module")
def db() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as directory:
        database = _hub_db(Path(directory))
        yield database
        database.dispose()


def _model_body(session: Session, after: int, limit: int) -> str:
    """The body as the hub made it before: ORM rows, wire models, PushRequest's JSON."""
    rows = session.exec(select(OutboxEvent).where(col(OutboxEvent.seq) > after)
                        .order_by(col(OutboxEvent.seq)).limit(limit))
    events = [WireEvent(seq=r.seq or 0, event_id=r.event_id, type=r.type, payload=r.payload,
                        occurred_at=r.occurred_at, hub_clock=r.hub_clock) for r in rows]
    return PushRequest(hub_id=HUB, events=events).model_dump_json()


def _queue(db: Database, payloads: list[tuple[dict[str, Any], datetime | None]]) -> int:
    """Emit the events after everything before them is acknowledged; returns that seq."""
    with db.write() as s:
        acked = s.exec(select(OutboxEvent.seq).order_by(col(OutboxEvent.seq).desc())).first()
        sync_db.record_push(s, PushReply(last_seq=acked or 0))
        for payload, at in payloads:
            emit(s, "stock.moved", payload, at)
    return acked or 0


def _both_bodies(db: Database, limit: int = 500) -> tuple[bytes, str]:
    with db.write() as s:
        batch = sync_db.pending(s, limit)
        after = sync_db.state(s).acked_seq
        return push_body(HUB, batch.events), _model_body(s, after, limit)


AWKWARD: list[dict[str, Any]] = [
    {"reason": "sale", "ref": "S1", "items": [{"sku": "milk", "delta": -1}]},
    {"name": "Smörgåstårta – 8 bitar", "note": "naïve café, ½ kg, 東京, ש"},
    {"emoji": "🥛🍞", "flag": "🇸🇪"},  # stored as surrogate-pair escapes
    {"nested": {"a": {"b": {"c": [1, [2, [3, {}]]]}}}, "empty": [], "none": {}},
    {"big": 10**30, "negative_big": -(10**25), "max_i64": 2**63 - 1, "zero": 0},
    {"float": 0.1, "tiny": 1e-7, "huge": 1.5e300, "minus_zero": -0.0},
    {"quote": 'say "hej"', "backslash": "C:\\kassa\\", "control": "\x00\x01\t\n\x7f"},
    {"nan": math.nan, "inf": math.inf, "minus_inf": -math.inf},  # pydantic writes null
    {"text that says NaN and Infinity": "\\ud83d is only text here"},
    {"bool": True, "null": None, "list_of_lists": [[], [[]], [{}]]},
    {},
]


def test_the_spliced_body_parses_to_the_model_built_body(db: Database) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    _queue(db, [(payload, at + timedelta(microseconds=n * 137))
                for n, payload in enumerate(AWKWARD)])
    spliced, model_built = _both_bodies(db)
    assert json.loads(spliced) == json.loads(model_built)
    assert len(json.loads(spliced)["events"]) == len(AWKWARD)


def test_a_plain_event_is_the_stored_text_with_the_model_s_timestamps(db: Database) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    _queue(db, [({"reason": "sale", "items": [{"sku": "milk", "delta": -1}]}, at),
                ({"reason": "sale"}, at.replace(microsecond=120))])
    spliced, model_built = _both_bodies(db)
    events = json.loads(model_built)["events"]
    assert events[0]["occurred_at"] == "2026-03-02T09:00:00Z"
    assert events[1]["occurred_at"] == "2026-03-02T09:00:00.000120Z"
    assert b'"payload":{"reason": "sale", "items": [{"sku": "milk", "delta": -1}]}' in spliced
    assert b'"occurred_at":"2026-03-02T09:00:00Z"' in spliced
    assert b'"occurred_at":"2026-03-02T09:00:00.000120Z"' in spliced
    assert json.loads(spliced) == json.loads(model_built)


def test_a_lone_surrogate_fails_as_it_did_before(db: Database) -> None:
    _queue(db, [({"broken": "\ud800"}, None)])
    with db.write() as s, pytest.raises(PydanticSerializationError):
        sync_db.pending(s, 500)
    _queue(db, [])  # acknowledge it, so the other tests do not meet it


def test_an_empty_outbox_has_nothing_to_push(tmp_path: Path) -> None:
    database = _hub_db(tmp_path)
    with database.write() as s:
        batch = sync_db.pending(s, 500)
    assert (batch.events, batch.last_seq, batch.waiting) == ([], 0, 0)
    database.dispose()


def test_a_batch_of_large_events_stops_at_the_byte_budget(db: Database) -> None:
    big = "x" * 3000  # a sale of many lines, say
    after = _queue(db, [({"ref": f"{n}-{big}"}, None) for n in range(10)])
    with db.write() as s:
        batch = sync_db.pending(s, 500, max_bytes=10_000)
    assert len(batch.events) == 3  # ~3,100 bytes each: a fourth would pass 10,000
    assert sum(len(e) + 1 for e in batch.events) <= 10_000
    assert batch.last_seq == after + 3 and batch.waiting == 10
    with db.write() as s:
        alone = sync_db.pending(s, 500, after=after + 3, max_bytes=100)
    assert len(alone.events) == 1 and alone.last_seq == after + 4  # never stuck on one event
    assert PUSH_BYTES <= MAX_BODY_BYTES // 2  # what the hub sends stays well inside the limit
    _queue(db, [])


def test_pending_says_how_far_the_batch_goes_and_what_waits(db: Database) -> None:
    after = _queue(db, [({"n": n}, None) for n in range(7)])
    with db.write() as s:
        batch = sync_db.pending(s, 5)
    assert len(batch.events) == 5
    assert batch.last_seq == after + 5
    assert batch.waiting == 7
    assert [json.loads(e)["seq"] for e in batch.events] == list(range(after + 1, after + 6))


def test_a_push_holds_at_most_one_batch_and_a_valid_hub_id() -> None:
    with pytest.raises(ValueError, match=f"at most {MAX_BATCH}"):
        push_body(HUB, ["{}"] * (MAX_BATCH + 1))
    with pytest.raises(ValueError):
        push_body("", [])


_scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**40), max_value=10**40)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
_instants = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31),
                         timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.dictionaries(st.text(max_size=8), _json, max_size=5), _instants),
                min_size=1, max_size=5))
def test_any_outbox_parses_to_the_model_built_body(
        db: Database, events: list[tuple[dict[str, Any], datetime]]) -> None:
    _queue(db, list(events))
    try:
        spliced, model_built = _both_bodies(db)
    except PydanticSerializationError:  # a lone surrogate: the model way fails, as before
        _queue(db, [])
        return
    assert json.loads(spliced) == json.loads(model_built)


@pytest.mark.slow
def test_a_push_from_the_outbox_applies_each_event_once(central: CentralProcess,
                                                        tmp_path: Path) -> None:
    database = _hub_db(tmp_path)
    hub = Settings(data_dir=tmp_path, hub_id=HUB, central_url=central.url,
                   central_token=central.token, sync_batch_events=500)
    moves = 1_203  # three batches, the last one short
    with database.write() as s:
        for n in range(moves):
            ref = "kvitto 🧾" if n % 100 == 7 else f"sale-{n}"  # some take the model's way
            emit(s, "stock.moved", {"reason": "sale", "ref": ref,
                                    "items": [{"sku": MILK_SKU, "delta": -1}]})
        emit(s, "stock.moved", {"reason": "sale", "items": [{"sku": MILK_SKU, "delta": 10**30}]})
    dsn = central.db_url.replace("postgresql+psycopg", "postgresql")

    def central_sees() -> tuple[int, int, int]:
        with psycopg.connect(dsn) as conn:
            row = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE outcome = 'rejected'),"
                " (SELECT coalesce(sum(delta), 0) FROM stock_move WHERE store_id = %s)"
                " FROM applied_event WHERE store_id = %s", (HUB, HUB)).fetchone()
            assert row is not None
            return int(row[0]), int(row[1]), int(row[2])

    seeded = central_sees()[2]  # the demo catalog's opening stock
    syncer = Syncer(database, Shop(hub, Ed25519PrivateKey.generate()))
    progress: list[tuple[int, int]] = []
    try:
        assert syncer.push_all(lambda done, total: progress.append((done, total))) == moves + 1
        assert progress == [(500, moves + 1), (1000, moves + 1), (moves + 1, moves + 1)]
        assert central_sees() == (moves + 1, 1, seeded - moves)  # the huge delta is rejected, once

        with database.write() as s:  # central restored a backup: the hub sends it all again
            sync_db.record_push(s, PushReply(last_seq=0))
        assert syncer.push_all() == 500  # central answers that it has all: the hub skips ahead
        assert central_sees() == (moves + 1, 1, seeded - moves)
    finally:
        syncer.close()
        database.dispose()
    with database.read() as s:
        assert sync_db.state(s).acked_seq == moves + 1
        unmarked = s.connection().exec_driver_sql(
            "SELECT count(*) FROM outboxevent WHERE pushed_at IS NULL").scalar()
        assert unmarked == 0  # every batch marked its own rows, none skipped


@pytest.mark.slow
def test_a_hub_pushes_its_default_batch_and_central_takes_it_in_one(
        central: CentralProcess, tmp_path: Path) -> None:
    database = _hub_db(tmp_path)
    hub = Settings(data_dir=tmp_path, hub_id=HUB, central_url=central.url,
                   central_token=central.token)
    assert hub.sync_batch_events == MAX_BATCH
    with database.write() as s:
        for n in range(MAX_BATCH + 1):
            emit(s, "stock.moved", {"reason": "sale", "ref": f"sale-{n}",
                                    "items": [{"sku": MILK_SKU, "delta": -1}]})
    syncer = Syncer(database, Shop(hub, Ed25519PrivateKey.generate()))
    progress: list[tuple[int, int]] = []
    try:
        assert syncer.push_all(lambda done, total: progress.append((done, total))) \
            == MAX_BATCH + 1
    finally:
        syncer.close()
    assert progress == [(MAX_BATCH, MAX_BATCH + 1), (MAX_BATCH + 1, MAX_BATCH + 1)]
    with psycopg.connect(central.db_url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT count(*) FROM applied_event WHERE store_id = %s",
                           (HUB,)).fetchone()
    assert row is not None and row[0] == MAX_BATCH + 1
    with database.read() as s:
        assert sync_db.state(s).acked_seq == MAX_BATCH + 1
    database.dispose()
