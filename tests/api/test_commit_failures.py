"""A disk that refuses a commit: the till gets a clear 503, and nothing of the write is kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.conftest import Till


@contextmanager
def refusing_commits(engine: Engine) -> Iterator[None]:
    def broken(_conn: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    event.listen(engine, "commit", broken)
    try:
        yield
    finally:
        event.remove(engine, "commit", broken)


def test_a_scan_the_disk_refuses_is_a_503_and_leaves_the_cart_as_it_was(
        client: TestClient, cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    first = cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    coffee = cashier.product("Kaffe mellanrost 450 g")["gtin"]
    with refusing_commits(client.app.state.db.writer):  # type: ignore[attr-defined]
        r = cashier.scan("1", coffee, expect=503)
    assert r["error"] == "not_saved" and "nothing was saved" in r["message"]
    cart = cashier.get("/lanes/1/cart")
    assert [line["name"] for line in cart["lines"]] == [line["name"] for line in first["lines"]]
    assert cart["version"] == first["version"]
    again = cashier.scan("1", coffee)  # the disk is back
    assert len(again["lines"]) == 2


def test_a_payment_the_disk_refuses_is_a_503_and_completes_nothing(
        client: TestClient, cashier: Till) -> None:
    cashier.post("/lanes/1/shift/open", {"counted": 0}, expect=201)
    cart = cashier.scan("1", cashier.product("Dagstidning")["gtin"])
    with refusing_commits(client.app.state.db.writer):  # type: ignore[attr-defined]
        r = cashier.pay_cash("1", cart["due"], expect=503)
    assert r["error"] == "not_saved"
    assert cashier.get("/lanes/1/cart")["status"] == "open"
    assert cashier.pay_cash("1", cart["due"])["status"] == "completed"
