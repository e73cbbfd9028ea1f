"""Schemathesis throws schema-shaped (and schema-breaking) requests at every central endpoint:
no 5xx, and every error says what to do."""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from sync.central.app import create_app
from tests.central.conftest import ADMIN, counted, settings_for


def check(case, tokens: dict[str, str]) -> None:
    """One generated request: never a 5xx, every JSON error carries a message."""
    token = tokens.get("/" + case.path.strip("/").split("/")[0])
    response = case.call(headers={"Authorization": f"Bearer {token}"} if token else {})
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
    ctype = response.headers.get("content-type") or [""]
    if response.status_code >= 400 and ctype[0].startswith("application/json"):
        body = response.json()
        assert body.get("message"), f"error without a message a person can act on: {body}"


def test_no_request_makes_central_fail(db_url: str) -> None:
    app = create_app(settings_for(db_url))
    with TestClient(app) as client:  # runs the lifespan: migrations, database
        admin = {"Authorization": f"Bearer {ADMIN}"}
        token = client.post("/admin/v1/stores", json={"store_id": "s1", "name": "Store 1"},
                            headers=admin).json()["token"]
        client.put("/admin/v1/products/milk", json={"name": "Milk", "price": 1695,
                                                    "vat_rate_bp": 1200}, headers=admin)
        client.post("/sync/v1/push", json={"hub_id": "s1", "events": [counted(1, ("milk", 9))]},
                    headers={"Authorization": f"Bearer {token}"})
        tokens = {"/sync": token, "/admin": ADMIN}
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        tried = []
        for result in schema.get_all_operations():
            operation = result.ok()
            tried.append(f"{operation.method.upper()} {operation.path}")

            @given(case=operation.as_strategy())
            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                      database=None)
            def fuzz(case) -> None:
                check(case, tokens)

            fuzz()
        assert "POST /sync/v1/push" in tried and "POST /shop/v1/orders" in tried
