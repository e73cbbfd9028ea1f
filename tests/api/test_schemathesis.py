"""Schemathesis throws schema-shaped (and schema-breaking) requests at every endpoint: no 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from hub.app import create_app
from hub.config import Settings

app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(prefix="kassa-fuzz-")), demo_data=True))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def admin_token():
    with TestClient(app) as client:  # runs the lifespan: database, key, event bus
        admin = client.post("/api/v1/auth/login", json={"username": "admin", "pin": "9999"})
        manager = client.post("/api/v1/auth/login", json={"username": "maria", "pin": "1234"})
        headers = {"Authorization": f"Bearer {manager.json()['token']}"}
        client.post("/api/v1/lanes/1/shift/open", json={"counted": 10000}, headers=headers)
        client.post("/api/v1/lanes/1/cart/items", json={"code": "7310005000015"}, headers=headers)
        yield admin.json()["token"]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_hub_fail(case, admin_token) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    if case.path == "/api/v1/auth/logout":
        headers = {}  # keep the shared token alive
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
    ctype = response.headers.get("content-type") or [""]  # schemathesis: header -> list of values
    if response.status_code >= 400 and ctype[0].startswith("application/json"):
        body = response.json()
        assert body.get("message"), f"error without a message a person can act on: {body}"
