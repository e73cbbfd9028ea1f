"""Push: each hub event takes effect at central once, in order; bad batches change nothing."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from sync.central.app import create_app
from sync.schemas import MAX_BATCH
from tests.central.conftest import T0, Central, counted, event, moved, settings_for
from tests.pg import PostgresCluster


def ledger(central: Central, store_id: str, sku: str) -> int:
    with central.db.transaction() as s:
        return int(s.execute(text("SELECT coalesce(sum(delta), 0) FROM stock_move "
                                  "WHERE store_id = :s AND sku = :k"),
                             {"s": store_id, "k": sku}).scalar_one())


def setup(central: Central) -> None:
    central.add_store("s1")
    central.add_store("s2")
    central.product("milk")
    central.product("bread")


def test_a_batch_is_applied_once_and_a_retried_batch_is_skipped(central: Central) -> None:
    setup(central)
    batch = [counted(1, ("milk", 20)), moved(2, ("milk", -3), ("bread", -1))]
    reply = central.push("s1", batch)
    assert reply == {"last_seq": 2, "applied": 2, "rejected": []}
    assert central.stock("s1", "milk")["on_hand"] == 17
    again = central.push("s1", batch)  # the reply was lost; the hub sends the same batch
    assert again == {"last_seq": 2, "applied": 0, "rejected": []}
    assert central.stock("s1", "milk")["on_hand"] == 17
    assert central.stock("s1", "bread")["on_hand"] == -1
    assert ledger(central, "s1", "milk") == 17


def test_a_gap_stops_the_batch_and_the_hub_is_told_where_to_resume(central: Central) -> None:
    setup(central)
    central.push("s1", [moved(1, ("milk", 5))])
    reply = central.push("s1", [moved(2, ("milk", 1)), moved(3, ("milk", 1)),
                                moved(5, ("milk", 100))])
    assert reply["last_seq"] == 3 and reply["applied"] == 2
    gap = central.push("s1", [moved(5, ("milk", 100))], expect=409)
    assert gap["error"] == "gap" and gap["last_seq"] == 3 and "seq 4" in gap["message"]
    assert central.stock("s1", "milk")["on_hand"] == 7


def test_business_invalid_events_are_rejected_and_the_queue_moves_on(central: Central) -> None:
    setup(central)
    batch = [
        moved(1, ("ghost", -1)),
        event(2, "stock.moved", {"reason": "sale", "items": [{"sku": "milk", "delta": "many"}]}),
        event(3, "coupon.redeemed", {"code": "X"}),
        moved(4, ("milk", -2)),
        event(5, "sale.completed", {"id": 7, "total": 100, "lines": [
            {"sku": "milk", "quantity": 1, "net": 100, "vat": 11, "vat_rate_bp": 1200,
             "voided": False, "unknown_field": 1}], "tenders": []}),
        event(6, "sale.completed", {"id": 7, "total": 100, "lines": []}),
    ]
    reply = central.push("s1", batch)
    assert reply["last_seq"] == 6 and reply["applied"] == 2
    reasons = {r["seq"]: r["reason"] for r in reply["rejected"]}
    assert "unknown sku ghost" in reasons[1]
    assert "items.0.delta" in reasons[2]
    assert "unknown event type" in reasons[3]
    assert "recorded already" in reasons[6]
    assert central.stock("s1", "milk")["on_hand"] == -2
    report = central.client.get("/admin/v1/reports/sales", headers=central.admin).json()
    assert report[0]["sales"] == 1 and report[0]["gross"] == 100 and report[0]["vat"] == 11


def test_an_event_resent_under_another_seq_is_not_applied_twice(central: Central) -> None:
    setup(central)
    first = moved(1, ("milk", -4))
    central.push("s1", [first])
    replay = {**first, "seq": 2}
    reply = central.push("s1", [replay, moved(3, ("milk", -1))])
    assert reply["last_seq"] == 3 and reply["applied"] == 1
    assert "applied already" in reply["rejected"][0]["reason"]
    assert central.stock("s1", "milk")["on_hand"] == -5


def test_a_token_only_pushes_for_its_own_store(central: Central) -> None:
    setup(central)
    central.push("s2", [moved(1, ("milk", 3))])
    reply = central.push("s1", [moved(2, ("milk", 50))], hub_id="s2", expect=403)
    assert reply["error"] == "forbidden" and "s1" in reply["message"]
    stores = {s["store_id"]: s for s in
              central.client.get("/admin/v1/stores", headers=central.admin).json()}
    assert stores["s2"]["last_seq"] == 1 and stores["s1"]["last_seq"] == 0
    assert central.stock("s2", "milk")["on_hand"] == 3
    bad = central.client.post("/sync/v1/push", json={"hub_id": "s1", "events": []},
                              headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["message"]
    none = central.client.post("/sync/v1/push", json={"hub_id": "s1", "events": []})
    assert none.status_code == 401
    # An unknown token is refused before its body is looked at, however bad the body is,
    # also after central has seen other tokens (a known token is checked in the push).
    for body, encoding in ((b"not json", "identity"), (b"\x1f\x8bnot gzip", "gzip")):
        r = central.client.post("/sync/v1/push", content=body,
                                headers={"Authorization": "Bearer nope",
                                         "Content-Encoding": encoding})
        assert r.status_code == 401, r.text
    assert central.push("s1", [moved(1, ("milk", 1))])["last_seq"] == 1


def test_malformed_batches_are_refused_with_a_message_and_change_nothing(
        central: Central) -> None:
    setup(central)
    central.push("s1", [moved(1, ("milk", 1))])
    post = central.client.post
    headers = {**central.hub("s1"), "Content-Type": "application/json"}
    cases = [
        b"not json",
        json.dumps({"hub_id": "s1"}).encode(),
        json.dumps({"hub_id": "s1", "events": [{"seq": 2}]}).encode(),
        json.dumps({"hub_id": "s1",  # one event more than a push may hold
                    "events": [moved(i, ("milk", 1)) for i in range(2, MAX_BATCH + 3)]}).encode(),
        json.dumps({"hub_id": "s1", "events": [moved(3, ("milk", 1)), moved(2, ("milk", 1))]})
        .encode(),
        json.dumps({"hub_id": "s1", "events": [{**moved(2, ("milk", 1)), "extra": 1}]}).encode(),
    ]
    for body in cases:
        r = post("/sync/v1/push", content=body, headers=headers)
        assert r.status_code == 422, (body[:80], r.text)
        assert r.json()["message"] and r.json()["last_seq"] == 1
    damaged = post("/sync/v1/push", content=b"\x1f\x8bnot gzip",
                   headers={**headers, "Content-Encoding": "gzip"})
    assert damaged.status_code == 422 and "gzip" in damaged.json()["message"]
    odd = post("/sync/v1/push", content=b"{}", headers={**headers, "Content-Encoding": "br"})
    assert odd.status_code == 422
    assert central.stock("s1", "milk")["on_hand"] == 1
    assert central.push("s1", [])["last_seq"] == 1


def test_gzip_is_accepted_and_an_oversized_body_is_413(central: Central) -> None:
    setup(central)
    reply = central.push("s1", [moved(1, ("milk", 2)), moved(2, ("bread", 2))], gzipped=True)
    assert reply["applied"] == 2
    headers = {**central.hub("s1"), "Content-Type": "application/json",
               "Content-Encoding": "gzip"}
    padding = " " * (17 * 1024 * 1024)  # inflates past 16 MiB; tiny on the wire
    bomb = gzip.compress(('{"hub_id": "s1", "events": []' + padding + "}").encode())
    r = central.client.post("/sync/v1/push", content=bomb, headers=headers)
    assert r.status_code == 413 and r.json()["last_seq"] == 2 and "MiB" in r.json()["message"]
    raw = central.client.post("/sync/v1/push", content=b" " * (16 * 1024 * 1024 + 10),
                              headers={**central.hub("s1"), "Content-Type": "application/json"})
    assert raw.status_code == 413
    assert central.stock("s1", "milk")["on_hand"] == 2


def test_database_down_is_503_and_nothing_advances_then_the_retry_applies(
        central: Central, pg: PostgresCluster) -> None:
    setup(central)
    central.push("s1", [moved(1, ("milk", 1))])
    batch = [moved(2, ("milk", 1)), moved(3, ("milk", 1))]
    pg.stop()
    try:
        r = central.client.post("/sync/v1/push", json={"hub_id": "s1", "events": batch},
                                headers=central.hub("s1"))
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert r.json()["error"] == "unavailable"
    finally:
        pg.resume()
    assert central.push("s1", batch)["last_seq"] == 3
    assert central.stock("s1", "milk")["on_hand"] == 3


def test_a_restart_in_the_middle_of_a_push_applies_nothing_then_the_retry_does(
        central: Central, pg: PostgresCluster, monkeypatch) -> None:
    from sync.central.services import ingest

    setup(central)
    real = ingest._known_events
    restarted = []

    def restart_midway(session, events):  # the store row is locked, levels loaded
        if not restarted:
            restarted.append(True)
            pg.restart()
        return real(session, events)

    monkeypatch.setattr(ingest, "_known_events", restart_midway)
    batch = [counted(1, ("milk", 10)), moved(2, ("milk", -1))]
    r = central.client.post("/sync/v1/push", json={"hub_id": "s1", "events": batch},
                            headers=central.hub("s1"))
    assert r.status_code == 503 and restarted
    stores = central.client.get("/admin/v1/stores", headers=central.admin).json()
    assert {s["store_id"]: s["last_seq"] for s in stores}["s1"] == 0
    assert central.stock("s1", "milk")["on_hand"] == 0
    assert central.push("s1", batch) == {"last_seq": 2, "applied": 2, "rejected": []}
    assert central.stock("s1", "milk")["on_hand"] == 9


def test_an_event_postgresql_cannot_store_is_rejected_alone(central: Central) -> None:
    setup(central)
    batch = [moved(1, ("milk", 2)),
             event(2, "sale.completed", {"id": "S1", "total": 5, "lines": [
                 {"sku": "milk", "name": "Mj\x00lk", "quantity": 1, "net": 5, "vat": 1}]}),
             event(3, "cash.moved", {"kind": "pay-in", "amount": 500}),
             moved(4, ("milk", 1))]
    reply = central.push("s1", batch)
    assert reply["last_seq"] == 4 and reply["applied"] == 3
    assert [r["seq"] for r in reply["rejected"]] == [2]
    assert "NUL" in reply["rejected"][0]["reason"]
    assert central.stock("s1", "milk")["on_hand"] == 3


def test_the_event_before_one_postgresql_refuses_is_still_recorded_once(
        central: Central) -> None:
    setup(central)
    first = moved(1, ("milk", -2))
    refused = b'{"kind": "pay-in", "amount": NaN}'  # JSON that PostgreSQL cannot store
    body = json.dumps({"hub_id": "s1", "events": [first, event(2, "cash.moved", {})]})
    body = body.replace('"payload": {}', '"payload": ' + refused.decode())
    r = central.client.post("/sync/v1/push", content=body.encode(),
                            headers={**central.hub("s1"), "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["last_seq"] == 2 and [x["seq"] for x in r.json()["rejected"]] == [2]
    again = central.push("s1", [{**first, "seq": 3}])  # the same event under another seq
    assert again["applied"] == 0 and "applied already" in again["rejected"][0]["reason"]
    assert central.stock("s1", "milk")["on_hand"] == -2
    assert ledger(central, "s1", "milk") == -2


def test_an_event_another_store_records_meanwhile_is_skipped_not_refused(
        central: Central, monkeypatch) -> None:
    from sync.central.services import ingest

    setup(central)
    shared = moved(1, ("milk", -1))
    central.push("s2", [shared])
    real = ingest._known_events
    calls = []

    def not_yet_committed(session, events):  # s2's push commits just after s1 looked
        calls.append(True)
        return {} if len(calls) == 1 else real(session, events)

    monkeypatch.setattr(ingest, "_known_events", not_yet_committed)
    reply = central.push("s1", [{**shared}, moved(2, ("bread", -2))])
    assert reply["last_seq"] == 2 and reply["applied"] == 1 and len(calls) == 2
    assert "applied already" in reply["rejected"][0]["reason"]
    assert central.stock("s1", "bread")["on_hand"] == -2
    assert ledger(central, "s1", "milk") == 0 and ledger(central, "s2", "milk") == -1


def test_a_number_too_large_for_its_column_rejects_its_event_and_is_never_wrapped(
        central: Central) -> None:
    setup(central)
    huge = event(2, "sale.completed", {"id": "S1", "total": 10**12, "lines": [
        {"sku": "milk", "quantity": 10**12, "net": 10**12, "vat": 0}]})  # quantity is int4
    reply = central.push("s1", [moved(1, ("milk", 1)), huge, moved(3, ("milk", 1))])
    assert reply["last_seq"] == 3 and reply["applied"] == 2
    assert [r["seq"] for r in reply["rejected"]] == [2]
    assert "could not store" in reply["rejected"][0]["reason"]
    with central.db.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM sale_line")).scalar_one() == 0
        assert s.execute(text("SELECT outcome FROM applied_event WHERE hub_seq = 2")
                         ).scalar_one() == "rejected"
    assert central.stock("s1", "milk")["on_hand"] == 2


def test_times_are_stored_to_the_microsecond_whatever_their_offset(central: Central) -> None:
    setup(central)
    at = "2026-03-02T10:11:12.345678+02:00"
    sale = event(1, "sale.completed", {"id": "S1", "total": 5, "completed_at": at, "lines": []})
    naive = {**moved(2, ("milk", -1)), "occurred_at": "2026-03-02T09:00:00.5"}  # read as UTC
    central.push("s1", [{**sale, "occurred_at": at}, naive])
    with central.db.transaction() as s:
        sold = s.execute(text("SELECT completed_at FROM sale")).scalar_one()
        taken = dict(s.execute(text("SELECT hub_seq, occurred_at FROM applied_event")).all())
        moved_at = s.execute(text("SELECT created_at FROM stock_move")).scalar_one()
    assert sold == taken[1] == datetime.fromisoformat(at)
    assert taken[2] == datetime(2026, 3, 2, 9, 0, 0, 500000, tzinfo=UTC)
    assert moved_at == T0  # central's clock when the push came


def test_a_central_on_sqlite_applies_a_push_the_same_way(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'central.sqlite3'}"))
    clock = [T0]
    app.state.clock = lambda: clock[0]
    with TestClient(app) as client:
        central = Central(client, clock)
        setup(central)
        sale = event(2, "sale.completed", {"id": "S1", "total": 200, "lines": [
            {"sku": "milk", "quantity": 2, "net": 180, "vat": 20, "vat_rate_bp": 1200}]})
        batch = [counted(1, ("milk", 10)), sale, moved(3, ("milk", -2)), moved(4, ("ghost", 1))]
        reply = central.push("s1", batch)
        assert reply["last_seq"] == 4 and reply["applied"] == 3
        assert "unknown sku ghost" in reply["rejected"][0]["reason"]
        again = central.push("s1", [{**sale, "seq": 5}, moved(6, ("milk", -1))])
        assert again["applied"] == 1 and "applied already" in again["rejected"][0]["reason"]
        assert central.stock("s1", "milk")["on_hand"] == 7
        assert ledger(central, "s1", "milk") == 7
        report = client.get("/admin/v1/reports/sales", headers=central.admin).json()
        assert report[0]["sales"] == 1 and report[0]["gross"] == 200
