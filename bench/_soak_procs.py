"""The soak's processes: central, the hub and the card terminals, each one a real process that
the chaos loop can kill with SIGKILL and start again on the same port and data."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ADMIN_TOKEN = "soak-admin-secret"
STORE = "soak-store"


class SoakError(Exception):
    """The soak could not run (a process would not start): not a failed invariant."""


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: stop when the soak stops, however it stops (Linux PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


class Service:
    """One child process on a fixed port; `ready()` says when it serves."""

    what = "service"

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def command(self) -> list[str]:
        """The command line that starts it."""
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        """Extra environment."""
        return {}

    def ready(self) -> bool:
        """True once it serves."""
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self, timeout: float = 60) -> float:
        """Start it and wait until it serves; returns the seconds that took."""
        began = time.monotonic()
        self.spawn()
        self.wait_ready(began, timeout)
        return time.monotonic() - began

    def spawn(self) -> None:
        """Start the process (call from the main thread: the child dies with the thread that
        started it, PR_SET_PDEATHSIG)."""
        log = open(self.root / f"{self.what}.log", "ab")  # noqa: SIM115  (the child keeps it)
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env()},
                                     preexec_fn=_die_with_parent)
        log.close()
        self.starts += 1

    def wait_ready(self, began: float, timeout: float = 60) -> None:
        """Wait until the started process serves."""
        assert self.proc is not None
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                raise SoakError(f"the {self.what} exited while starting; see "
                                f"{self.root / (self.what + '.log')}")
            if self.ready():
                return
            time.sleep(0.05)
        raise SoakError(f"the {self.what} did not start within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, exactly like pulling the plug."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """Stop it politely (SIGTERM), or kill it if it will not go."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class Terminal(Service):
    """An emulated ZVT card terminal on TCP whose memory survives SIGKILL."""

    def __init__(self, root: Path, port: int, name: str) -> None:
        super().__init__(root, port)
        self.what = f"terminal-{name}"
        self.state = root / f"{self.what}.json"

    @property
    def url(self) -> str:
        """What the hub's KASSA_CARD_READERS names."""
        return f"socket://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """`python -m bench._soak_terminal` (a new script of card holders on every start)."""
        return [sys.executable, "-m", "bench._soak_terminal", "--port", str(self.port),
                "--state", str(self.state), "--seed", str(self.port * 1000 + self.starts)]

    def ready(self) -> bool:
        """It accepts connections."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False


class Central(Service):
    """`kassa central serve` on the soak's PostgreSQL database."""

    what = "central"

    def __init__(self, root: Path, port: int, database_url: str) -> None:
        super().__init__(root, port)
        self.database_url = database_url

    def command(self) -> list[str]:
        """The central server."""
        return [sys.executable, "-m", "hub", "central", "serve", "--port", str(self.port),
                "--database-url", self.database_url]

    def env(self) -> dict[str, str]:
        """Its admin token."""
        return {"KASSA_CENTRAL_ADMIN_TOKEN": ADMIN_TOKEN}

    def set_up(self) -> str:
        """Add the store and the demo catalog with its opening stock; returns the hub token."""
        from sync.central.db import Database, upgrade
        from sync.central.services.demo import load_demo
        from sync.central.services.stores import create_store

        upgrade(self.database_url)
        db = Database(self.database_url)
        try:
            with db.transaction() as session:
                _, token = create_store(session, STORE, "Soak store")
            with db.transaction() as session:
                load_demo(session, STORE)
        finally:
            db.dispose()
        return str(token)


class Hub(Service):
    """`kassa hub serve` with the demo store, its card readers and sync to central."""

    what = "hub"

    def __init__(self, root: Path, port: int, env: dict[str, str]) -> None:
        super().__init__(root, port)
        self.data_dir = root / "hub"
        self._env = env

    @property
    def url(self) -> str:
        """The hub's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The hub server with the demo store."""
        return [sys.executable, "-m", "hub", "hub", "serve", "--port", str(self.port),
                "--data-dir", str(self.data_dir), "--demo-data"]

    def env(self) -> dict[str, str]:
        """Readers, central, sync interval."""
        return self._env
