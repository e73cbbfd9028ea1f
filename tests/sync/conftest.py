"""A real central (subprocess on PostgreSQL) and real hubs talking to it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import HubProcess, free_port, wait_healthy
from tests.pg import PostgresCluster

ADMIN = "test-admin-token"


class CentralProcess:
    """`kassa central serve` on PostgreSQL, with the demo catalog and one store."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.db_url = url
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kassa(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "hub", "central", *args,
                               "--database-url", self.db_url], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def setup_store(self, store_id: str) -> str:
        self.token = self.kassa("add-store", store_id, "--name", "Testbutiken").split()[0]
        self.kassa("seed-demo", "--store", store_id)
        return self.token

    def start(self) -> None:
        log = open(self.workdir / f"central-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "central", "serve", "--port", str(self.port),
             "--database-url", self.db_url],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "KASSA_CENTRAL_ADMIN_TOKEN": ADMIN,
                 "KASSA_CENTRAL_SWEEP_SECONDS": "1"})
        wait_healthy(self.url, self.proc, "central")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def admin(self, method: str, path: str, **kw: object) -> httpx.Response:
        return httpx.request(method, f"{self.url}/admin/v1{path}", timeout=30,
                             headers={"Authorization": f"Bearer {ADMIN}"}, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster.start()
    yield cluster
    cluster.stop()
    cluster.destroy()


@pytest.fixture
def central(pg: PostgresCluster, tmp_path: Path) -> Iterator[CentralProcess]:
    url = pg.create_database(f"c{os.getpid()}{time.monotonic_ns() % 10**9}")
    proc = CentralProcess(url, tmp_path)
    proc.setup_store("demo-store")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def synced_hub(central: CentralProcess, tmp_path: Path) -> Iterator[HubProcess]:
    hub = HubProcess(tmp_path / "hub", {
        "KASSA_CENTRAL_URL": central.url, "KASSA_CENTRAL_TOKEN": central.token,
        "KASSA_HUB_ID": "demo-store", "KASSA_SYNC_INTERVAL_SECONDS": "0.3"})
    hub.start()
    # Synced: central holds the store's stock from the hub's first contact, so the online
    # shop can promise it (before that, an order is refused: the store has nothing known).
    deadline = time.monotonic() + 30
    while not any(row["on_hand"] > 0 and not row["silent"] for row in central.admin(
            "GET", "/stock", params={"store_id": "demo-store"}).json()):
        assert time.monotonic() < deadline, "the hub's first contact with central"
        time.sleep(0.1)
    yield hub
    hub.stop()
