"""A real hub process for benchmarks, and lanes ready to sell on it (a cashier, an open shift)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH_PIN = "4321"


@dataclass(frozen=True)
class Hub:
    """A running hub: where it listens and where its data lives."""

    url: str
    data_dir: Path
    pid: int

    @property
    def api(self) -> str:
        """The REST API's base address."""
        return f"{self.url}/api/v1"

    @property
    def ws(self) -> str:
        """The websocket endpoint."""
        return f"{self.url.replace('http', 'ws', 1)}/api/v1/ws"


@dataclass(frozen=True)
class Lane:
    """A register lane with a logged-in cashier and an open shift."""

    id: str
    token: str


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the hub exited during start-up")
        time.sleep(0.1)
    raise TimeoutError("the hub did not start")


@contextmanager
def running_hub(env: dict[str, str] | None = None, tree: Path | None = None) -> Iterator[Hub]:
    """Start `python -m hub hub serve --demo-data` on a fresh data directory; stop it after.

    `tree`: run the hub's code from that checkout instead of this one (`-m` puts the working
    directory first on the import path)."""
    with tempfile.TemporaryDirectory(prefix="kassa-bench-") as tmp:
        data_dir = Path(tmp) / "hub"
        port = free_port()
        log = open(Path(tmp) / "hub.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub", "hub", "serve", "--port", str(port),
             "--data-dir", str(data_dir), "--demo-data"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=tree)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, proc)
            yield Hub(url=url, data_dir=data_dir, pid=proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def login(http: httpx.Client, username: str, pin: str) -> str:
    """A fresh login token."""
    r = http.post("/auth/login", json={"username": username, "pin": pin})
    r.raise_for_status()
    return str(r.json()["token"])


def selling_lanes(hub: Hub, count: int, prefix: str = "B") -> list[Lane]:
    """`count` new register lanes, each with a cashier logged in and a shift open.

    The hub lets one member of staff hold several lanes; every lane logs in on its own, as
    separate tills do (and one user keeps the set-up free of a PIN hash per lane).
    """
    user = f"bench{prefix.lower()}"
    lanes = []
    with httpx.Client(base_url=hub.api, timeout=30) as http:
        admin = {"Authorization": f"Bearer {login(http, 'admin', '9999')}"}
        http.post("/users", json={"username": user, "display_name": "Bench", "role": "cashier",
                                  "pin": BENCH_PIN}, headers=admin).raise_for_status()
        for n in range(1, count + 1):
            lane_id = f"{prefix}{n}"
            http.post("/lanes", json={"id": lane_id, "kind": "register"},
                      headers=admin).raise_for_status()
            token = login(http, user, BENCH_PIN)
            http.post(f"/lanes/{lane_id}/shift/open", json={"counted": 0},
                      headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            lanes.append(Lane(id=lane_id, token=token))
    return lanes


def display_tokens(hub: Hub, lane_ids: list[str]) -> list[str]:
    """A customer display paired to each lane (device tokens, as the display page gets)."""
    tokens = []
    with httpx.Client(base_url=hub.api, timeout=30) as http:
        admin = {"Authorization": f"Bearer {login(http, 'admin', '9999')}"}
        for lane_id in lane_ids:
            r = http.post("/devices/pairing-codes", json={"role": "display", "lane_id": lane_id},
                          headers=admin)
            r.raise_for_status()
            r = http.post("/devices/pair", json={"code": r.json()["code"],
                                                 "name": f"display {lane_id}"})
            r.raise_for_status()
            tokens.append(str(r.json()["token"]))
    return tokens


def scan_codes(hub: Hub, count: int = 5) -> list[str]:
    """Barcodes of `count` distinct products sold per piece, without an age limit."""
    con = sqlite3.connect(f"file:{hub.data_dir / 'hub.sqlite3'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT gtin FROM product WHERE active AND unit = 'each'"
                           " AND age_limit IS NULL AND gtin IS NOT NULL AND gtin NOT LIKE '2%'"
                           " ORDER BY id LIMIT ?", (count,)).fetchall()
    finally:
        con.close()
    if len(rows) < count:
        raise RuntimeError(f"the demo store has only {len(rows)} plain barcoded products")
    return [str(gtin) for (gtin,) in rows]
