"""Central on a real PostgreSQL: one cluster per xdist worker, a fresh database per test."""

from __future__ import annotations

import gzip
import json
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient  # noqa: E402

from sync.central.app import create_app  # noqa: E402
from sync.central.config import CentralSettings  # noqa: E402
from sync.central.db import Database, upgrade  # noqa: E402
from tests.pg import PostgresCluster  # noqa: E402

ADMIN = "head-office-secret"
TEMPLATE = "central_template"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for this worker, with a migrated template database."""
    cluster = PostgresCluster.start()
    try:
        upgrade(cluster.create_database(TEMPLATE))
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def db_url(pg: PostgresCluster) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = pg.create_database(name, template=TEMPLATE)
    yield url
    pg.drop_database(name)


def event(seq: int, type_: str, payload: dict[str, Any], event_id: str | None = None,
          at: datetime = T0) -> dict[str, Any]:
    """One outbox event as a hub would push it."""
    return {"seq": seq, "event_id": event_id or str(uuid.uuid4()), "type": type_,
            "payload": payload, "occurred_at": at.isoformat(), "hub_clock": at.isoformat()}


def moved(seq: int, *items: tuple[str, int], reason: str = "sale", **kw: Any) -> dict[str, Any]:
    """A stock.moved event."""
    return event(seq, "stock.moved", {"reason": reason, "ref": f"r{seq}",
                                      "items": [{"sku": s, "delta": d} for s, d in items]}, **kw)


def counted(seq: int, *items: tuple[str, int], **kw: Any) -> dict[str, Any]:
    """A stock.counted event."""
    return event(seq, "stock.counted", {"ref": f"c{seq}",
                                        "items": [{"sku": s, "counted": n} for s, n in items]},
                 **kw)


class Central:
    """A running central (TestClient) with helpers in the words of the tests."""

    def __init__(self, client: TestClient, clock: list[datetime]) -> None:
        self.client = client
        self.clock = clock
        self.admin = {"Authorization": f"Bearer {ADMIN}"}
        self.tokens: dict[str, str] = {}

    @property
    def db(self) -> Database:
        """Central's database, for tests that look under the API."""
        return self.client.app.state.db  # type: ignore[attr-defined,no-any-return]

    def advance(self, **delta: float) -> None:
        """Move central's clock forward."""
        self.clock[0] += timedelta(**delta)

    def add_store(self, store_id: str, name: str | None = None) -> str:
        """Add a store; returns its hub token."""
        r = self.client.post("/admin/v1/stores", headers=self.admin,
                             json={"store_id": store_id, "name": name or f"Store {store_id}"})
        assert r.status_code == 201, r.text
        self.tokens[store_id] = r.json()["token"]
        return self.tokens[store_id]

    def hub(self, store_id: str) -> dict[str, str]:
        """The auth header of a store's hub."""
        return {"Authorization": f"Bearer {self.tokens[store_id]}"}

    def product(self, sku: str, price: int = 1000, **extra: Any) -> dict[str, Any]:
        """Create or change a product."""
        body = {"name": f"Product {sku}", "price": price, "vat_rate_bp": 1200, **extra}
        r = self.client.put(f"/admin/v1/products/{sku}", json=body, headers=self.admin)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def push(self, store_id: str, events: list[dict[str, Any]], expect: int | None = 200,
             *, hub_id: str | None = None, gzipped: bool = False) -> Any:
        """Push a batch as the store's hub; returns the reply JSON."""
        body = json.dumps({"hub_id": hub_id or store_id, "events": events}).encode()
        headers = {**self.hub(store_id), "Content-Type": "application/json"}
        if gzipped:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        r = self.client.post("/sync/v1/push", content=body, headers=headers)
        if expect is not None:
            assert r.status_code == expect, r.text
        return r.json()

    def pull(self, store_id: str, cursor: int = 0, limit: int = 500) -> Any:
        """Pull the feed as the store's hub."""
        r = self.client.get("/sync/v1/pull", params={"cursor": cursor, "limit": limit},
                            headers=self.hub(store_id))
        assert r.status_code == 200, r.text
        return r.json()

    def stock(self, store_id: str, sku: str) -> dict[str, Any]:
        """One stock row from the admin API."""
        r = self.client.get("/admin/v1/stock", params={"store_id": store_id, "sku": sku},
                            headers=self.admin)
        assert r.status_code == 200, r.text
        return r.json()[0]  # type: ignore[no-any-return]

    def order(self, store_id: str, *lines: tuple[str, int], expect: int = 201) -> Any:
        """Place a pick-up order in the web shop."""
        r = self.client.post("/shop/v1/orders", json={
            "store_id": store_id, "customer_name": "Karin Berg",
            "customer_email": "karin@example.se",
            "lines": [{"sku": s, "quantity": q} for s, q in lines]})
        assert r.status_code == expect, r.text
        return r.json()


def settings_for(url: str, **extra: Any) -> CentralSettings:
    """Test settings: the admin token above, no background sweep."""
    return CentralSettings(database_url=url, admin_token=ADMIN, sweep_seconds=3600, **extra)


@pytest.fixture
def central(db_url: str) -> Iterator[Central]:
    """Central on a fresh database, its clock at T0 (tests move it)."""
    app = create_app(settings_for(db_url))
    clock = [T0]
    app.state.clock = lambda: clock[0]
    with TestClient(app) as client:
        yield Central(client, clock)
