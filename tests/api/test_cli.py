"""The kassa command line on a fresh data directory."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from hub.app import create_app
from hub.config import Settings


def kassa(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


def test_set_up_a_store_from_the_command_line(tmp_path: Path) -> None:
    data = str(tmp_path / "store")
    assert kassa("db", "upgrade", "--data-dir", data).returncode == 0
    added = kassa("users", "add", "anna", "--role", "admin", "--data-dir", data,
                  stdin="2468\n2468\n")
    assert added.returncode == 0 and "added admin anna" in added.stdout
    assert kassa("lanes", "add", "K1", "--kind", "kiosk", "--data-dir", data).returncode == 0
    again = kassa("lanes", "add", "K1", "--data-dir", data)
    assert again.returncode == 1 and "exists already" in again.stderr
    code = kassa("pair", "--lane", "K1", "--role", "kiosk", "--data-dir", data)
    assert code.returncode == 0 and len(code.stdout.strip()) == 9  # XXXX-XXXX
    bad = kassa("pair", "--lane", "nope", "--data-dir", data)
    assert bad.returncode == 1 and "no lane" in bad.stderr
    weak = kassa("users", "add", "bo", "--data-dir", data, stdin="12\n12\n")
    assert weak.returncode == 1 and "4 to 12 digits" in weak.stderr
    empty = kassa("journal", "verify", "--data-dir", data)
    assert empty.returncode == 0 and "0 entries" in empty.stdout


def test_reports_on_a_directory_without_a_hub_are_refused_and_make_none(tmp_path: Path) -> None:
    """A mistyped --data-dir must not answer "never synced" about an empty hub it just made."""
    wrong = tmp_path / "typo"
    for args in (("sync", "status"), ("sync", "now"), ("journal", "verify")):
        done = kassa(*args, "--data-dir", str(wrong))
        assert done.returncode == 1 and "no hub database in" in done.stderr, (args, done.stderr)
    assert not (wrong / "hub.sqlite3").exists()


def test_groups_from_other_packages_load_when_named_not_on_every_start() -> None:
    listed = kassa("--help")
    assert all(name in listed.stdout for name in ("hub", "central", "qr", "emulator"))
    for group, command in (("emulator", "zvt"), ("qr", "decode"), ("central", "serve")):
        shown = kassa(group, "--help")
        assert shown.returncode == 0 and command in shown.stdout, shown.stdout
    typo = kassa("emulatr")
    assert typo.returncode == 2 and "emulator" in typo.stderr
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, hub.cli; print(*sorted(sys.modules))"],
        capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert not {"drivers.emulators.cli", "drivers.qr.cli", "sync.central.cli"} & set(loaded)


def test_the_hub_collects_garbage_again_once_ready(tmp_path: Path) -> None:
    """`kassa hub serve` starts with the collector off; the hub turns it on when ready."""
    gc.disable()
    try:
        with TestClient(create_app(Settings(data_dir=tmp_path / "hub"))) as client:
            assert client.get("/healthz").status_code == 200
            assert gc.isenabled()
    finally:
        gc.enable()
