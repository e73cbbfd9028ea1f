"""A throwaway PostgreSQL 15 cluster for tests and benchmarks.

    cluster = PostgresCluster.start()          # initdb + pg_ctl start on a free port
    url = cluster.create_database("shop")      # postgresql+psycopg://postgres@127.0.0.1:PORT/shop
    cluster.restart()                          # same port and data, new server process
    cluster.stop(); cluster.destroy()          # stop and remove the temp directory

PostgreSQL refuses to run as root: as root (CI) the data lives in a directory owned by the
`postgres` user and initdb / pg_ctl run through `runuser -u postgres --`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("KASSA_PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = (
    "-c shared_buffers=16MB -c max_connections=300 -c full_page_writes=off "
    "-c max_wal_size=256MB -c checkpoint_timeout=30min -c log_min_messages=warning"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    """One PostgreSQL server in a temp directory, reachable on 127.0.0.1 with trust auth."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "data"
        self.log = root / "server.log"
        self._as_postgres = os.geteuid() == 0

    @classmethod
    def start(cls) -> PostgresCluster:
        """Make a new cluster and start it."""
        root = Path(tempfile.mkdtemp(prefix="kassa-pg-"))
        cluster = cls(root, _free_port())
        if cluster._as_postgres:
            shutil.chown(root, "postgres", "postgres")
        cluster._run("initdb", "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
                     "-E", "UTF8", "--no-sync", "--locale=C")
        cluster.resume()
        return cluster

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(PG_BIN / tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}\n{log[-2000:]}")

    def resume(self) -> None:
        """Start the server again (after stop) on the same port and data."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 {SETTINGS}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode "immediate" is a crash (no shutdown checkpoint)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Stop and start again: every open connection is cut."""
        self.stop()
        self.resume()

    def destroy(self) -> None:
        """Stop the server if it runs and remove its directory."""
        with contextlib.suppress(RuntimeError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of one database of this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE / DROP DATABASE)."""
        for attempt in range(50):
            try:
                with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                                     dbname="postgres", autocommit=True) as conn:
                    conn.execute(sql)  # type: ignore[arg-type]
                return
            except psycopg.errors.ObjectInUse:  # a template still has a closing connection
                time.sleep(0.05 * (attempt + 1))

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (copied from template if given) and return its URL."""
        copy = f" TEMPLATE {template}" if template else ""
        self.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, cutting its connections."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
