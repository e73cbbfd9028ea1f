"""End of day on an emulated ZVT terminal through the hub: its totals reconciled against the
hub's card payments, matching days left alone, differences flagged and kept."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from drivers.card import Outcome
from drivers.emulators.concert import ConcertEmulator
from drivers.emulators.zvt import ZvtEmulator
from drivers.zvt import ZvtReader
from hub.api.routes import settlements
from hub.app import create_app
from hub.config import Settings
from tests.conftest import Till, login

COFFEE = "Kaffe mellanrost 450 g"  # 69,95


def _app(tmp_path: Path, readers: dict[str, str]) -> FastAPI:
    settings = Settings(data_dir=tmp_path / "hub", demo_data=True, card_readers=readers,
                        card_answer_seconds=3.0, reader_poll_seconds=0.3)
    app = create_app(settings)
    paths = {getattr(route, "path", "") for route in app.routes}
    if "/api/v1/card-settlements" not in paths:  # until hub/app.py includes the router
        app.include_router(settlements.router, prefix="/api/v1")
    return app


@pytest.fixture
def zvt() -> Iterator[ZvtEmulator]:
    emulator = ZvtEmulator(currency=752)
    emulator.start_tcp()
    yield emulator
    emulator.stop()


@pytest.fixture
def hub(tmp_path: Path, zvt: ZvtEmulator) -> Iterator[TestClient]:
    with TestClient(_app(tmp_path, {"1": f"zvt:{zvt.url}"})) as client:
        yield client


def _wait(till: Till, payment_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        payment = till.get(f"/payments/{payment_id}")
        if payment["status"] not in ("created", "sent", "in_progress"):
            return payment  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"payment {payment_id} never finished")


def _card_sale(till: Till, name: str = COFFEE) -> dict[str, Any]:
    till.scan("1", till.product(name)["gtin"])
    started = till.post("/lanes/1/cart/tenders/card", {}, expect=202)
    assert _wait(till, started["id"])["status"] == "approved"
    return till.get("/sales", params={"lane_id": "1"})[0]  # type: ignore[no-any-return]


def _keyed_on_the_terminal(zvt: ZvtEmulator, amount: int) -> None:
    """Staff key a sale into the terminal itself: the hub never hears of it."""
    async def pay() -> Outcome:
        async with ZvtReader(zvt.url, currency="SEK") as terminal:
            return (await terminal.pay(amount, "SEK", "standalone")).outcome

    assert asyncio.run(pay()) is Outcome.APPROVED


def test_a_day_of_card_sales_and_a_refund_matches_the_terminal(
        hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier, manager = login(hub, "erik"), login(hub, "maria")
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    first = _card_sale(cashier)
    _card_sale(cashier)
    body = {"lane_id": "1", "lines": [{"line_id": first["lines"][0]["id"]}]}
    refund = cashier.post(f"/sales/{first['id']}/refunds", body, expect=201)
    assert refund["tenders"][0]["method"] == "card"

    day = manager.post("/lanes/1/card/end-of-day", expect=201)
    assert day["flagged"] is False and day["problems"] == []
    assert (day["hub_count"], day["hub_amount"]) == (3, 6995)
    assert (day["hub_debit_count"], day["hub_debit_amount"]) == (2, 13990)
    assert (day["hub_credit_count"], day["hub_credit_amount"]) == (1, 6995)
    assert (day["terminal_count"], day["terminal_amount"], day["terminal_currency"]) == (
        3, 6995, "SEK")
    assert (day["count_difference"], day["amount_difference"]) == (0, 0)
    assert day["brands"] == [{"brand": "Visa", "hub_count": 3, "hub_amount": 6995,
                              "terminal_count": 3, "terminal_amount": 6995,
                              "count_difference": 0, "amount_difference": 0}]
    assert day["terminal_id"] == "52500001" and day["period_start"] is None
    assert zvt.batch == []  # the terminal started a new period

    stored = manager.get("/card-settlements", params={"lane_id": "1"})
    assert [s["id"] for s in stored] == [day["id"]] and stored[0]["flagged"] is False
    assert manager.get("/journal/verify")["ok"] is True


def test_a_sale_the_hub_never_heard_of_is_flagged_with_the_difference(
        hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier, manager = login(hub, "erik"), login(hub, "maria")
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    _card_sale(cashier)
    first = manager.post("/lanes/1/card/end-of-day", expect=201)
    assert first["flagged"] is False

    _card_sale(cashier)  # the next period: one sale through the hub …
    _keyed_on_the_terminal(zvt, 4500)  # … and one keyed in on the terminal
    day = manager.post("/lanes/1/card/end-of-day", expect=201)
    assert day["flagged"] is True
    assert day["period_start"] == first["period_end"]  # one period after the other
    assert (day["hub_count"], day["hub_amount"]) == (1, 6995)
    assert (day["terminal_count"], day["terminal_amount"]) == (2, 11495)
    assert (day["count_difference"], day["amount_difference"]) == (1, 4500)
    codes = [p["code"] for p in day["problems"]]
    assert codes[:3] == ["amount", "count", "terminal_has_more"] and "brand" in codes
    amount = day["problems"][0]
    assert "45,00 SEK" in amount["sv"] and "45,00 SEK" in amount["en"]

    stored = manager.get("/card-settlements", params={"lane_id": "1"})
    assert [(s["id"], s["flagged"]) for s in stored] == [(day["id"], True), (first["id"], False)]
    assert [s["id"] for s in manager.get("/card-settlements", params={"limit": 1})] == [day["id"]]
    assert manager.get("/journal/verify")["ok"] is True


def test_end_of_day_is_refused_while_a_payment_runs_and_for_cashiers(
        hub: TestClient, zvt: ZvtEmulator) -> None:
    cashier, manager = login(hub, "erik"), login(hub, "maria")
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cashier.post("/lanes/1/card/end-of-day", expect=403)
    cashier.scan("1", cashier.product(COFFEE)["gtin"])
    zvt.script.extend(["slow_cardholder:1.5"])
    started = cashier.post("/lanes/1/cart/tenders/card", {}, expect=202)
    busy = manager.post("/lanes/1/card/end-of-day", expect=409)
    assert "busy" in busy["message"]
    assert _wait(cashier, started["id"])["status"] == "approved"
    assert manager.post("/lanes/1/card/end-of-day", expect=201)["hub_count"] == 1


def test_bad_requests_get_a_clear_answer(hub: TestClient, zvt: ZvtEmulator) -> None:
    manager, cashier = login(hub, "maria"), login(hub, "erik")
    assert "no card reader" in manager.post("/lanes/2/card/end-of-day", expect=409)["message"]
    manager.post("/lanes/x%20y/card/end-of-day", expect=422)
    manager.get("/card-settlements", params={"limit": 0}, expect=422)
    manager.get("/card-settlements", params={"limit": "ten"}, expect=422)
    manager.get("/card-settlements", params={"lane_id": "a/b"}, expect=422)
    cashier.get("/card-settlements", expect=403)
    assert manager.get("/card-settlements", params={"lane_id": "9"}) == []
    zvt.stop()  # the terminal is unplugged
    gone = manager.post("/lanes/1/card/end-of-day", expect=409)
    assert gone["error"] == "terminal_unavailable" and "end-of-day report" in gone["message"]
    assert manager.get("/card-settlements") == []


def test_a_concert_terminal_reports_no_totals(tmp_path: Path) -> None:
    with ConcertEmulator(control_timeout=0.4) as emulator, \
            TestClient(_app(tmp_path, {"1": f"concert:{emulator.path}"})) as client:
        refused = login(client, "maria").post("/lanes/1/card/end-of-day", expect=409)
    assert "reports no totals" in refused["message"]
