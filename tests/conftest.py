"""Shared fixtures: a fresh hub with the demo store, and a till helper that talks to it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient  # noqa: E402

from hub.app import create_app  # noqa: E402
from hub.barcode import with_check_digit  # noqa: E402
from hub.config import Settings  # noqa: E402

PINS = {"admin": "9999", "maria": "1234", "erik": "1111", "sara": "2222"}


class Till:
    """A client of the hub API logged in as one user, with short helpers for shop actions."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, expect: int | None = 200, **kw: Any) -> Any:
        r = self.client.request(method, f"/api/v1{path}", headers=self.headers, **kw)
        if expect is not None:
            assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        ctype = r.headers.get("content-type", "")
        return r.json() if ctype.startswith("application/json") else (r.text or r)

    def get(self, path: str, expect: int | None = 200, **kw: Any) -> Any:
        return self.call("GET", path, expect, **kw)

    def post(self, path: str, body: Any = None, expect: int | None = 200) -> Any:
        return self.call("POST", path, expect, json=body if body is not None else {})

    def put(self, path: str, body: Any, expect: int | None = 200) -> Any:
        return self.call("PUT", path, expect, json=body)

    def product(self, name: str) -> dict[str, Any]:
        found = [p for p in self.get("/products", params={"q": name}) if p["name"] == name]
        assert found, f"no product called {name}"
        return found[0]

    def scan(self, lane: str, code: str, quantity: int = 1, expect: int = 200) -> Any:
        return self.post(f"/lanes/{lane}/cart/items", {"code": code, "quantity": quantity}, expect)

    def pay_cash(self, lane: str, tendered: int, expect: int = 200) -> Any:
        return self.post(f"/lanes/{lane}/cart/tenders/cash", {"tendered": tendered}, expect)


def login(client: Any, username: str) -> Till:
    r = client.post("/api/v1/auth/login", json={"username": username, "pin": PINS[username]})
    assert r.status_code == 200, r.text
    return Till(client, r.json()["token"])


def weighed_code(plu: int, grams: int) -> str:
    """A Swedish weight-embedded EAN-13 (prefix 23)."""
    return with_check_digit(f"23{plu:05d}{grams:05d}")


def priced_code(plu: int, price: int) -> str:
    """A Swedish price-embedded EAN-13 (prefix 20)."""
    return with_check_digit(f"20{plu:05d}{price:05d}")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "hub", demo_data=True)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def cashier(client: TestClient) -> Till:
    return login(client, "erik")


@pytest.fixture
def manager(client: TestClient) -> Till:
    return login(client, "maria")


@pytest.fixture
def admin(client: TestClient) -> Till:
    return login(client, "admin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], what: str, seconds: float = 30) -> None:
    """Wait for a server process to answer /healthz; fail at once if it dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, f"{what} exited during start-up"
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not become ready")


class HubProcess:
    """A real `kassa hub serve` process, for crash and concurrency tests."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.data_dir.parent / f"hub-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "hub", "serve", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--demo-data"],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
        )
        wait_healthy(self.url, self.proc, "hub")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[HubProcess]:
    hub = HubProcess(tmp_path / "hub")
    hub.start()
    yield hub
    hub.stop()
