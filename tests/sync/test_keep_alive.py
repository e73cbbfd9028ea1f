"""Hub and central keep an idle connection open longer than their clients (httpx: 5 s), so the
client closes it first and no request meets a connection being closed under it (a push sent
just then failed, and the hub counted central as away until its next round)."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from tests.conftest import HubProcess
from tests.sync.conftest import CentralProcess

CLIENT_IDLE_EXPIRY_S = 5.0  # httpx's default keepalive_expiry


def _asks_twice_on_one_connection(url: str, idle: float) -> list[int]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        statuses = []
        for pause in (0.0, idle):
            time.sleep(pause)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        return statuses
    finally:
        conn.close()


def test_an_idle_connection_outlives_the_clients_keep_alive(
        central: CentralProcess, hub_process: HubProcess) -> None:
    idle = CLIENT_IDLE_EXPIRY_S + 1
    assert _asks_twice_on_one_connection(central.url, idle) == [200, 200]
    assert _asks_twice_on_one_connection(hub_process.url, 0) == [200, 200]
    assert _asks_twice_on_one_connection(hub_process.url, idle) == [200, 200]
