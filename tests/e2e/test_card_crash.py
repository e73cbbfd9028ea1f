"""The hub killed with SIGKILL in the middle of a card payment, then restarted."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from drivers.emulators.zvt import ZvtEmulator
from tests.conftest import PINS, HubProcess

pytestmark = pytest.mark.slow
API = "/api/v1"


@contextlib.contextmanager
def _client(hub: HubProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        token = http.post(f"{API}/auth/login",
                          json={"username": "erik", "pin": PINS["erik"]}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def _payment(http: httpx.Client, payment_id: str) -> dict:
    return http.get(f"{API}/payments/{payment_id}").json()


def _wait(http: httpx.Client, payment_id: str, ok, seconds: float = 20) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        payment = _payment(http, payment_id)
        if ok(payment):
            return payment
        time.sleep(0.1)
    raise AssertionError(f"payment stuck at {payment}")


def _start_payment(tmp_path: Path, emulator: ZvtEmulator) -> tuple[HubProcess, str]:
    env = {"KASSA_CARD_READERS": json.dumps({"1": f"zvt:{emulator.url}"}),
           "KASSA_CARD_ANSWER_SECONDS": "3", "KASSA_READER_POLL_SECONDS": "0.5"}
    hub = HubProcess(tmp_path / "hub", env)
    hub.start()
    with _client(hub) as http:
        http.post(f"{API}/lanes/1/shift/open", json={"counted": 0}).raise_for_status()
        http.post(f"{API}/lanes/1/cart/items", json={"code": "7310005000015"}).raise_for_status()
        started = http.post(f"{API}/lanes/1/cart/tenders/card", json={})
        assert started.status_code == 202, started.text
        payment_id = started.json()["id"]
        _wait(http, payment_id, lambda p: p["status"] == "in_progress")
    return hub, payment_id


def test_hub_killed_while_the_terminal_takes_the_money(tmp_path: Path) -> None:
    """The terminal approves while the hub is dead: after restart the sale is paid, once."""
    with ZvtEmulator(["power_loss:3"], currency=752) as emulator:
        emulator.start_tcp()
        hub, payment_id = _start_payment(tmp_path, emulator)
        hub.kill()
        hub.start()
        try:
            with _client(hub) as http:
                settled = _wait(http, payment_id, lambda p: p["status"] != "unknown")
                assert settled["status"] == "approved" and settled["resolved_how"] == "terminal"
                sale = http.get(f"{API}/sales", params={"lane_id": "1"}).json()
                assert len(sale) == 1 and sale[0]["tenders"][0]["method"] == "card"
                assert sale[0]["tenders"][0]["amount"] == 1695
        finally:
            hub.stop()
        assert [t.kind for t in emulator.batch] == ["payment"]  # one debit, never re-sent


def test_hub_killed_before_the_terminal_finished(tmp_path: Path) -> None:
    """The link dies with the hub; the terminal never completes: the payment is failed, the
    cart still open, and nothing was charged."""
    with ZvtEmulator(["slow_cardholder:1.5"], currency=752) as emulator:
        emulator.start_tcp()
        hub, payment_id = _start_payment(tmp_path, emulator)
        hub.kill()
        time.sleep(2)  # the terminal gives up on the vanished register
        hub.start()
        try:
            with _client(hub) as http:
                settled = _wait(http, payment_id, lambda p: p["status"] != "unknown")
                assert settled["status"] == "failed"
                cart = http.get(f"{API}/lanes/1/cart").json()
                assert cart["status"] == "open" and cart["due"] == 1695
        finally:
            hub.stop()
        assert [t for t in emulator.batch if t.result_code == 0] == []
