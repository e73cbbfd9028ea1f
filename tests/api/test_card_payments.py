"""Card payments on emulated terminals through the hub: journaled first, never doubled,
resolved when in doubt."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from drivers.emulators.concert import ConcertEmulator
from drivers.emulators.zvt import ZvtEmulator
from hub.app import create_app
from hub.config import Settings
from tests.conftest import Till, login

MANAGER = {"username": "maria", "pin": "1234"}


def _hub(tmp_path: Path, spec: str) -> TestClient:
    settings = Settings(data_dir=tmp_path / "hub", demo_data=True, card_readers={"1": spec},
                        card_answer_seconds=2.0, reader_poll_seconds=0.3)
    return TestClient(create_app(settings))


@pytest.fixture
def zvt() -> Iterator[ZvtEmulator]:
    emulator = ZvtEmulator(currency=752)
    emulator.start_tcp()
    yield emulator
    emulator.stop()


@pytest.fixture
def zvt_hub(tmp_path: Path, zvt: ZvtEmulator) -> Iterator[TestClient]:
    with _hub(tmp_path, f"zvt:{zvt.url}") as client:
        yield client


def _ring_up(till: Till, name: str = "Kaffe mellanrost 450 g") -> dict:
    till.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    return till.scan("1", till.product(name)["gtin"])


def _wait(till: Till, payment_id: str, done=lambda p: p["status"] not in
          ("created", "sent", "in_progress"), seconds: float = 15) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        payment = till.get(f"/payments/{payment_id}")
        if done(payment):
            return payment
        time.sleep(0.05)
    raise AssertionError(f"payment still {payment['status']}")


def test_approved_card_payment_completes_the_sale_and_streams_progress(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    cart = _ring_up(cashier)
    token = cashier.headers["Authorization"][7:]
    with zvt_hub.websocket_connect(f"/api/v1/ws?token={token}") as ws:
        ws.send_text(json.dumps({"type": "subscribe", "lanes": ["1"]}))
        while json.loads(ws.receive_text())["type"] != "subscribed":
            pass  # (the payment's first event must not race the subscription)
        started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
        # the 202 answers once the payment is on disk as sent, on its way to the terminal
        assert started["status"] == "sent" and started["amount"] == cart["total"] == 6995
        seen: list[str] = []
        while "sale.completed" not in seen:
            event = json.loads(ws.receive_text())
            seen.append(event["type"])
            if event["type"] == "payment.updated":
                seen.append(f"payment:{event['payment']['status']}")
    assert seen.index("payment:sent") < seen.index("payment:in_progress") < seen.index(
        "payment:approved") < seen.index("sale.completed")
    payment = cashier.get(f"/payments/{started['id']}")
    assert payment["masked_pan"] == "4711********1234" and payment["receipt_lines"]
    sale = cashier.get("/sales", params={"lane_id": "1"})[0]
    assert sale["tenders"][0]["method"] == "card" and sale["tenders"][0]["amount"] == 6995
    assert sale["rounding"] == 0  # card pays the exact amount
    assert [t.amount_minor for t in zvt.batch] == [6995]  # charged exactly once


def test_declined_card_leaves_the_sale_open_for_another_tender(zvt_hub: TestClient,
                                                               zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    zvt.script.extend(["decline"])
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "declined"
    cart = cashier.get("/lanes/1/cart")
    assert cart["status"] == "open" and cart["due"] == 6995
    assert cashier.pay_cash("1", 7000)["status"] == "completed"


def test_a_card_payment_needs_something_due_and_never_runs_twice_on_a_cart(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    no_cart = cashier.post("/lanes/1/cart/tenders/card", {}, expect=409)
    assert "no cart" in no_cart["message"]
    cart = cashier.scan("1", cashier.product("Kaffe mellanrost 450 g")["gtin"])
    cashier.post(f"/lanes/1/cart/lines/{cart['lines'][0]['id']}/void", {})
    empty = cashier.post("/lanes/1/cart/tenders/card", {}, expect=409)
    assert "cart is empty" in empty["message"]
    cashier.scan("1", cashier.product("Kaffe mellanrost 450 g")["gtin"])
    too_much = cashier.post("/lanes/1/cart/tenders/card", {"amount": 6996}, expect=422)
    assert "between 0,01 and what is due (69,95" in too_much["message"]
    zvt.script.extend(["slow_cardholder:5"])
    started = cashier.post("/lanes/1/cart/tenders/card", {"amount": 1000}, expect=202)
    assert started["status"] == "sent" and started["amount"] == 1000
    again = cashier.post("/lanes/1/cart/tenders/card", {}, expect=409)
    assert again["payment_id"] == started["id"]  # the cart is frozen while the card has it
    cashier.post(f"/payments/{started['id']}/cancel")
    assert _wait(cashier, started["id"])["status"] == "cancelled"
    assert len(zvt.batch) == 0  # nothing was charged


def test_a_payment_started_while_a_health_check_has_the_reader_waits_its_turn(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    """The reader is held for a moment (a health check): the payment waits for it, then is
    written and sent; it is one payment, and a repeat of the request gets it back."""
    from concurrent.futures import ThreadPoolExecutor

    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    lock = zvt_hub.app.state.card_payments.owners["1"].lock
    zvt_hub.portal.call(lock.acquire)  # type: ignore[union-attr]
    with ThreadPoolExecutor(2) as pool:
        posted = pool.submit(cashier.post, "/lanes/1/cart/tenders/card",
                             {"request_id": "till-1-pay-1"}, expect=202)
        time.sleep(0.2)
        # the till repeats its request (its connection dropped) while the first one waits
        repeated = pool.submit(cashier.post, "/lanes/1/cart/tenders/card",
                               {"request_id": "till-1-pay-1"}, expect=202)
        time.sleep(0.2)
        assert not posted.done() and not repeated.done()  # waiting for the reader
        assert not zvt.batch
        zvt_hub.portal.call(lock.release)  # type: ignore[union-attr]
        started = posted.result(5)
        assert repeated.result(5)["id"] == started["id"]
    assert started["status"] == "sent"
    done = _wait(cashier, started["id"])
    assert done["status"] == "approved" and len(zvt.batch) == 1
    again = cashier.post("/lanes/1/cart/tenders/card", {"request_id": "till-1-pay-1"},
                         expect=202)
    assert again["id"] == started["id"] and again["status"] == "approved"
    assert len(zvt.batch) == 1  # the repeat ran nothing


def test_while_a_refund_has_the_reader_a_card_payment_is_refused_and_nothing_is_written(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    """Regression: the refused payment's attempt was written first and stayed 'created',
    which refused every later card payment on that cart until the hub restarted."""
    from concurrent.futures import ThreadPoolExecutor

    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    paid = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, paid["id"])["status"] == "approved"
    sale = cashier.get("/sales", params={"lane_id": "1"})[0]
    cart = cashier.scan("1", cashier.product("Mellanmjölk 1,5 % 1 l")["gtin"])
    zvt.script.extend(["slow_cardholder:1.5"])  # the customer takes a while with the refund
    body = {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"]}]}
    cards = zvt_hub.app.state.card_payments
    with ThreadPoolExecutor(1) as pool:
        refund = pool.submit(cashier.post, f"/sales/{sale['id']}/refunds", body, expect=201)
        deadline = time.monotonic() + 5
        while not cards._running and time.monotonic() < deadline:
            time.sleep(0.01)
        busy = cashier.post("/lanes/1/cart/tenders/card", {}, expect=409)
        assert "busy" in busy["message"]
        refund.result(10)
    with zvt_hub.app.state.db.read() as s:
        from sqlmodel import select

        from hub.models import PaymentAttempt
        assert not s.exec(select(PaymentAttempt).where(
            PaymentAttempt.sale_id == cart["id"])).all()
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "approved"


def test_a_payment_whose_attempt_the_disk_refuses_leaves_nothing_and_the_cart_can_pay_again(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    """The attempt, marked sent, could not be committed (a disk error): nothing went to the
    terminal, the till gets a 503, and nothing is left that would freeze the cart."""
    import sqlite3

    from sqlalchemy import event

    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)

    def refused(_conn: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    writer = zvt_hub.app.state.db.writer
    event.listen(writer, "commit", refused)
    try:
        answer = cashier.post("/lanes/1/cart/tenders/card", {"request_id": "till-1"}, expect=503)
    finally:
        event.remove(writer, "commit", refused)
    assert answer["error"] == "not_saved" and not zvt.batch
    with zvt_hub.app.state.db.read() as s:
        from sqlmodel import select

        from hub.models import PaymentAttempt
        assert not s.exec(select(PaymentAttempt)).all()
    # the till sends its request again, as after any 503: now it runs
    started = cashier.post("/lanes/1/cart/tenders/card", {"request_id": "till-1"}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "approved" and len(zvt.batch) == 1


def test_cashier_cancels_a_running_payment(zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    zvt.script.extend(["slow_cardholder:5"])
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    _wait(cashier, started["id"], lambda p: p["status"] == "in_progress")
    # The cart is frozen while the card has the amount.
    assert "card payment is running" in cashier.scan("1", "7310005000015", expect=409)["message"]
    cashier.post(f"/payments/{started['id']}/cancel")
    assert _wait(cashier, started["id"])["status"] == "cancelled"
    assert cashier.get("/lanes/1/cart")["due"] == 6995


def test_terminal_that_goes_silent_leaves_the_payment_in_doubt_then_resolves_it(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    zvt.script.extend(["power_loss:3"])  # the money moves; the answer never comes
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    doubt = _wait(cashier, started["id"])
    assert doubt["status"] == "unknown"  # never "declined"
    assert [p["id"] for p in cashier.get("/payments/in-doubt")] == [started["id"]]
    assert "in doubt" in cashier.pay_cash("1", 7000, expect=409)["message"]
    # When the terminal answers again the hub reads its repeat receipt and settles the payment.
    settled = _wait(cashier, started["id"], lambda p: p["status"] != "unknown")
    assert settled["status"] == "approved" and settled["resolved_how"] == "terminal"
    assert cashier.get("/sales", params={"lane_id": "1"})[0]["tenders"][0]["method"] == "card"
    debits = [t for t in zvt.batch if t.kind == "payment"]
    assert len(debits) == 1  # no second debit was ever sent


def test_in_doubt_payment_for_a_sale_that_cannot_stand_is_reversed(zvt_hub: TestClient,
                                                                    zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    zvt.script.extend(["power_loss:5"])  # silent well past the hub's 2 s answer timer
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "unknown"
    # Meanwhile the customer paid cash at another lane; the manager settles the sale otherwise:
    with zvt_hub.app.state.db.write() as s:
        from hub.models import Sale
        sale = s.get(Sale, started["sale_id"])
        sale.status = "cancelled"
        s.add(sale)
    settled = _wait(cashier, started["id"], lambda p: p["status"] != "unknown")
    assert settled["status"] == "cancelled" and "reversed" in settled["message"]
    assert zvt.last is not None and zvt.last.kind == "reversal"


def test_partial_approval_is_refused_and_reversed(zvt_hub: TestClient, zvt: ZvtEmulator,
                                                  monkeypatch) -> None:
    from dataclasses import replace

    from drivers.zvt import ZvtReader

    real_pay = ZvtReader.pay

    async def partial(self, amount_minor, currency, reference):  # the terminal approves less
        result = await real_pay(self, amount_minor, currency, reference)
        return replace(result, amount_minor=amount_minor - 1000)

    monkeypatch.setattr(ZvtReader, "pay", partial)
    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    done = _wait(cashier, started["id"])
    assert done["status"] == "cancelled" and "partial" in done["message"]
    assert zvt.last is not None and zvt.last.kind == "reversal"
    assert cashier.get("/lanes/1/cart")["due"] == 6995


def test_concert_in_doubt_is_settled_by_a_manager_and_audited(tmp_path: Path) -> None:
    emulator = ConcertEmulator(script=["no_answer"])
    path = emulator.start()
    try:
        with _hub(tmp_path, f"concert:{path}") as client:
            cashier = login(client, "erik")
            _ring_up(cashier, "Dagstidning")
            started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
            assert _wait(cashier, started["id"])["status"] == "unknown"
            r = cashier.post(f"/payments/{started['id']}/resolve", {}, expect=409)
            assert "resolve it by hand" in r["message"]
            r = cashier.post(f"/payments/{started['id']}/resolve",
                             {"outcome": "approved", "note": "terminal slip shows approved"},
                             expect=403)
            assert r["error"] == "approval_required"
            settled = cashier.post(f"/payments/{started['id']}/resolve",
                                   {"outcome": "approved", "note": "slip shows approved",
                                    "approval": MANAGER})
            assert settled["status"] == "approved" and settled["resolved_how"] == "operator"
            assert cashier.get("/lanes/1/cart")["status"] == "open"  # a new, empty cart
            assert cashier.get("/sales", params={"lane_id": "1"})[0]["total"] == 4000
            audit = login(client, "maria").get("/audit", params={"action": "payment_resolved"})
            assert audit[0]["ref"] == started["id"] and audit[0]["approved_by"] is not None
    finally:
        emulator.stop()


def test_a_lane_without_a_reader_says_so(zvt_hub: TestClient) -> None:
    cashier = login(zvt_hub, "erik")
    cashier.post("/lanes/2/shift/open", {"counted": 0}, expect=201)
    cashier.scan("2", "7310005000015")
    r = cashier.post("/lanes/2/cart/tenders/card", {}, expect=409)
    assert "no card reader" in r["message"]
    readers = cashier.get("/devices/card-readers")
    assert [(r["lane_id"], r["protocol"]) for r in readers] == [("1", "zvt")]


def test_reader_availability_is_pushed_when_the_terminal_goes_and_comes_back(
        tmp_path: Path) -> None:
    emulator = ZvtEmulator(currency=752)
    host, port = emulator.start_tcp()
    with _hub(tmp_path, f"zvt:{emulator.url}") as client:
        manager = login(client, "maria")
        token = manager.headers["Authorization"][7:]
        with client.websocket_connect(f"/api/v1/ws?token={token}") as ws:
            ws.send_text(json.dumps({"type": "subscribe", "lanes": ["1"]}))

            def reader_event(available: bool) -> dict:
                while True:
                    event = json.loads(ws.receive_text())
                    if event["type"] == "reader.changed" and \
                            event["reader"]["available"] is available:
                        return event["reader"]

            deadline = time.monotonic() + 10
            while not manager.get("/devices/card-readers")[0]["available"]:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            emulator.stop()  # cable pulled
            gone = reader_event(False)
            assert gone["last_error"]
            emulator = ZvtEmulator(currency=752)
            emulator.start_tcp(host, port)  # plugged back in
            assert reader_event(True)["lane_id"] == "1"
    emulator.stop()


def _card_sale(cashier: Till) -> tuple[dict, dict]:
    """A sale paid by card on lane 1, and the body of a refund of its first line."""
    _ring_up(cashier)
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "approved"
    sale = cashier.get("/sales", params={"lane_id": "1"})[0]
    return sale, {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"]}]}


def test_a_card_sale_is_refunded_on_the_terminal(zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier = login(zvt_hub, "erik")
    sale, body = _card_sale(cashier)

    zvt.script.extend(["decline"])  # the terminal refuses the credit: nothing is refunded
    refused = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=409)
    assert "did not refund" in refused["message"]
    assert cashier.get(f"/sales/{sale['id']}/refunds") == []

    refund = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=201)
    assert refund["tenders"] == [{"method": "card", "amount": 6995, "rounding": 0,
                                  "paid_out": 6995}]
    credits = [t for t in zvt.batch if t.kind == "refund" and t.result_code == 0]
    assert [t.amount_minor for t in credits] == [6995]  # credited once, on the terminal
    again = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=409)
    assert "already refunded" in again["message"] or "at most 0" in again["message"]
    assert len([t for t in zvt.batch if t.kind == "refund" and t.result_code == 0]) == 1


def test_a_card_refund_whose_sent_the_disk_refuses_is_failed_and_the_sale_refunds_later(
        zvt_hub: TestClient, zvt: ZvtEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the credit was written ('created'), marking it sent failed, and the row
    stayed 'created', so every later card refund of that sale was refused until a restart."""
    import sqlite3

    from sqlalchemy import event
    from sqlmodel import select

    from hub.models import PaymentAttempt
    from hub.services import payment as payments

    cashier = login(zvt_hub, "erik")
    sale, body = _card_sale(cashier)
    marking: list[str] = []
    mark_sent = payments.mark_sent

    def marked(session: object, attempt_id: str) -> object:
        marking.append(attempt_id)
        return mark_sent(session, attempt_id)  # type: ignore[arg-type]

    def sent_refused(_conn: object) -> None:
        if len(marking) == 1:  # the credit is kept; marking it sent is not
            marking.append("refused")
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(payments, "mark_sent", marked)
    writer = zvt_hub.app.state.db.writer
    event.listen(writer, "commit", sent_refused)
    try:
        refused = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=503)
    finally:
        event.remove(writer, "commit", sent_refused)
    assert refused["error"] == "not_saved"
    assert not [t for t in zvt.batch if t.kind == "refund"]  # nothing went to the terminal
    with zvt_hub.app.state.db.read() as s:
        credits = s.exec(select(PaymentAttempt).where(PaymentAttempt.kind == "credit")).all()
    assert [c.status for c in credits] == ["failed"]
    cashier.post(f"/sales/{sale['id']}/refunds", body, expect=201)
    assert [t.amount_minor for t in zvt.batch if t.kind == "refund"] == [6995]


def test_no_second_card_refund_while_one_on_the_sale_is_in_doubt(zvt_hub: TestClient,
                                                                zvt: ZvtEmulator) -> None:
    """A credit the hub lost track of (killed mid-refund) may have paid out: until it is
    settled, another card refund on that sale could pay the customer twice."""
    from hub.models import PaymentAttempt

    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "approved"
    sale = cashier.get("/sales", params={"lane_id": "1"})[0]
    with zvt_hub.app.state.db.write() as s:
        s.add(PaymentAttempt(reference="LOSTCREDIT", sale_id=sale["id"], lane_id="1",
                             reader=zvt.url, kind="credit", amount=6995, currency="SEK",
                             status="unknown"))
    body = {"lane_id": "1", "lines": [{"line_id": sale["lines"][0]["id"]}]}
    refused = cashier.post(f"/sales/{sale['id']}/refunds", body, expect=409)
    assert "settle it first" in refused["message"]
    assert not [t for t in zvt.batch if t.kind == "refund"]  # nothing went to the terminal


def test_an_attempt_the_terminal_never_ran_after_a_declined_one_is_settled_as_failed(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    """Regression (found by the soak): the hub died after marking a payment sent but before the
    terminal ran it, and the terminal's last transaction was an earlier *declined* payment."""
    from hub.services import payment as payments

    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    zvt.script.extend(["decline"])
    declined = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, declined["id"])["status"] == "declined"
    cashier.scan("1", cashier.product("Mellanmjölk 1,5 % 1 l")["gtin"])  # a new amount is due
    with zvt_hub.app.state.db.write() as s:
        attempt, _ = payments.create_attempt(s, "1", _actor(zvt_hub), zvt.url, None)
        payments.mark_sent(s, attempt.id)
        sent = payments.get_attempt(s, attempt.id)
        sent.status = "unknown"  # the hub was killed here: nothing reached the terminal
        s.add(sent)
    stuck = attempt.id
    settled = cashier.post(f"/payments/{stuck}/resolve", {})
    assert settled["status"] == "failed" and "never ran" in settled["message"]
    assert len(zvt.batch) == 1  # only the declined payment ever ran on the terminal


def test_two_resolutions_at_once_never_reverse_a_payment_already_taken(
        zvt_hub: TestClient, zvt: ZvtEmulator) -> None:
    """Regression (found by the soak): the reader's watcher and a manager's resolve both
    settled the same in-doubt payment; the second one reversed the approved money."""
    from concurrent.futures import ThreadPoolExecutor

    cashier = login(zvt_hub, "erik")
    _ring_up(cashier)
    zvt.script.extend(["power_loss:3"])
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(cashier, started["id"])["status"] == "unknown"
    manager = login(zvt_hub, "maria")

    def resolve(_: int) -> int:
        return zvt_hub.post(f"/api/v1/payments/{started['id']}/resolve", json={},
                            headers=manager.headers).status_code

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(resolve, range(4)))
        if cashier.get(f"/payments/{started['id']}")["status"] != "unknown":
            break
        time.sleep(0.1)
    settled = _wait(cashier, started["id"], lambda p: p["status"] != "unknown")
    assert settled["status"] == "approved"
    assert all(t.kind != "reversal" for t in zvt.batch) and (
        zvt.last is None or zvt.last.kind != "reversal")
    sale = cashier.get("/sales", params={"lane_id": "1"})[0]
    assert sale["status"] == "completed" and sale["tenders"][0]["method"] == "card"


def _actor(client: TestClient):  # type: ignore[no-untyped-def]
    from hub.services.auth import Actor

    with client.app.state.db.read() as s:
        from sqlmodel import select

        from hub.models import User
        erik = s.exec(select(User).where(User.username == "erik")).one()
    return Actor(role="cashier", user_id=erik.id, name="erik")
