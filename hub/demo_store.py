"""`kassa demo`: the whole store on one machine — central, the hub, emulated card terminals and,
in a terminal, the cashier terminal of lane 1 so a newcomer lands at a working till."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from hub.config import Settings

DEMO_GUIDE = """
Kassa demo store — hub on http://127.0.0.1:{port}  (data in {data_dir}/)
  API docs:   http://127.0.0.1:{port}/docs
  Staff PINs: admin/9999 (admin), maria/1234 (manager), erik/1111 and sara/2222 (cashiers)
  Lanes:      1 2 3 (registers), K1 K2 (kiosks), W1 (phone)
  Terminal:   .venv/bin/kassa terminal --hub http://127.0.0.1:{port} --lane 2
  Kiosk:      http://127.0.0.1:{port}/kiosk/  (pair: kassa pair --lane K1 --role kiosk)
  Card:       lane 1 ZVT emulator at {zvt}, lane 2 Concert emulator at {concert}
  Printer:    lane 1 emulated ESC/POS printer at {printer}; receipts in {data_dir}/printer/
  Scanner:    an emulated serial scanner on kiosk K1 scans milk and coffee {scan}s after start
  E-mail:     receipts e-mailed (POST /api/v1/sales/ID/email) land in {data_dir}/mail/
  Manager:    http://127.0.0.1:{port}/manager  (maria/1234: today's sales, charts, X/Z, SIE)
  Control unit: simulated CU-DEMO-0001; pull its cable: touch {data_dir}/control-unit-off
  Central:    http://127.0.0.1:{central} (head office; admin token {admin})
              dashboard: http://127.0.0.1:{central}/dashboard (log in with the admin token)
              online shop: curl http://127.0.0.1:{central}/shop/v1/products/SKU00001
  Sync:       .venv/bin/kassa sync status --data-dir {data_dir}
  Try it:     scripts/demo_sale.sh {port}   (open a shift, sell, pay cash and card, receipts)
"""


SCANNER_START_SECONDS = 20


class DemoError(Exception):
    """The demo store could not start; the message says where to look."""


def run_demo(port: int, data_dir: Path, *, terminal: bool,
             serve: Callable[[Settings], None]) -> None:
    """Run the demo store until Ctrl+C. With `terminal`, the hub runs as a child process (its
    log in data_dir/hub.log) and the cashier terminal of lane 1 takes this screen; without,
    the hub serves in this process with its log here (`serve`)."""
    from drivers.emulators.concert import ConcertEmulator
    from drivers.emulators.pole_display import PoleDisplayEmulator
    from drivers.emulators.printer import PrinterEmulator
    from drivers.emulators.scanner import ScannerEmulator
    from drivers.emulators.zvt import ZvtEmulator
    from hub.demo_mail import start_mail_sink

    data_dir.mkdir(parents=True, exist_ok=True)
    central_port = port + 100
    central, token, admin = _start_central(data_dir, central_port)
    zvt = ZvtEmulator(currency=752)  # an emulated ZVT terminal on TCP for lane 1
    zvt.start_tcp()
    concert = ConcertEmulator()  # an emulated Ingenico (Concert) on a pty for lane 2
    concert_path = concert.start()
    readers = {"1": f"zvt:{zvt.url}", "2": f"concert:{concert_path}"}
    printer = PrinterEmulator(data_dir / "printer")  # receipts land here as .txt and .png
    printers = {"1": printer.start_tcp()}
    pole = PoleDisplayEmulator()  # a 2x20 pole display on a pty for lane 1
    poles = {"1": f"serial:{pole.start()}?dialect=epson"}
    mail = start_mail_sink(data_dir / "mail")  # e-mailed receipts land here as .eml files
    # A serial scanner on kiosk K1 (a pty) scans a small basket once the store is up.
    scanner = ScannerEmulator(["7310005000015", "7310005000558"], delay=2.0)
    scanners = {"K1": f"serial:{scanner.start()}"}
    scanner.replay(start_after=SCANNER_START_SECONDS)
    fiscal = f"simulator:CU-DEMO-0001?offline_file={data_dir / 'control-unit-off'}"
    hub_env = {"KASSA_CARD_READERS": json.dumps(readers), "KASSA_HUB_ID": "demo-store",
               "KASSA_CENTRAL_URL": f"http://127.0.0.1:{central_port}",
               "KASSA_CENTRAL_TOKEN": token, "KASSA_PRINTERS": json.dumps(printers),
               "KASSA_POLE_DISPLAYS": json.dumps(poles), "KASSA_SMTP_URL": mail.smtp_url,
               "KASSA_SCANNERS": json.dumps(scanners), "KASSA_FISCAL_DEVICE": fiscal}
    guide = DEMO_GUIDE.format(port=port, data_dir=data_dir, zvt=zvt.url, concert=concert_path,
                              central=central_port, admin=admin, printer=printer.url,
                              scan=SCANNER_START_SECONDS)
    print(guide, flush=True)
    try:
        if terminal:
            _run_with_terminal(port, data_dir, hub_env, guide)
        else:
            serve(Settings(data_dir=data_dir, demo_data=True, card_readers=readers,  # type: ignore[call-arg]
                           hub_id="demo-store", central_token=token, printers=printers,
                           pole_displays=poles, smtp_url=mail.smtp_url, scanners=scanners,
                           fiscal_device=fiscal, central_url=f"http://127.0.0.1:{central_port}"))
    finally:
        for device in (zvt, concert, printer, pole, mail, scanner):
            device.stop()
        central.terminate()
        central.wait(10)


def _run_with_terminal(port: int, data_dir: Path, env: dict[str, str], guide: str) -> None:
    """The hub as a child, the cashier terminal in front; when the terminal is closed the store
    keeps running (kiosks, phones) until Ctrl+C."""
    from terminal_client.app import KassaTerminal
    from terminal_client.screens.pair import TerminalState

    url = f"http://127.0.0.1:{port}"
    hub = _spawn([sys.executable, "-m", "hub", "hub", "serve", "--port", str(port),
                  "--data-dir", str(data_dir), "--demo-data"], data_dir / "hub.log", env,
                 f"{url}/healthz", "hub")
    try:
        state = TerminalState(data_dir / "terminal.json")
        _pair_terminal(url, "1", state)
        KassaTerminal(url, "1", state=state, lock_after=300).run()
        print(guide + "\nThe cashier terminal is closed; the store keeps running. "
              f"Hub log: {data_dir / 'hub.log'}. Ctrl+C stops the demo.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            hub.wait()
    finally:
        hub.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            hub.wait(10)


def _pair_terminal(url: str, lane: str, state: Any) -> None:
    """Pair the demo's terminal as a manager would (`kassa pair`), once."""
    from terminal_client.hub_client import HubClient

    probe = HubClient(url, lane)
    token = state.device_token(probe)
    with httpx.Client(base_url=f"{url}/api/v1", timeout=10) as client:
        if token and client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}
                                ).status_code == 200:
            return
        login = client.post("/auth/login", json={"username": "admin", "pin": "9999"})
        if login.status_code != 200:
            raise DemoError("could not pair the demo terminal: the demo admin cannot log in "
                            f"({login.text[:200]})")
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        code = client.post("/devices/pairing-codes", headers=admin,
                           json={"role": "terminal", "lane_id": lane}).json()["code"]
        paired = client.post("/devices/pair", json={"code": code, "name": f"Demo kassa {lane}"})
        client.post("/auth/logout", headers=admin)
    state.save(probe, paired.json()["token"], f"Demo kassa {lane}")


def _die_with_parent() -> None:
    """In the child: stop when the demo stops, however it stops (Linux PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _spawn(args: list[str], log_path: Path, env: dict[str, str], health_url: str,
           what: str) -> subprocess.Popen[bytes]:
    """Start a child that dies with the demo, logging to log_path; wait until it is healthy."""
    log = open(log_path, "ab")  # noqa: SIM115  (the child keeps it)
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **env}, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(health_url, timeout=1).status_code == 200:
                return proc
        time.sleep(0.2)
    proc.terminate()
    raise DemoError(f"the demo {what} did not start; see {log_path}")


def _start_central(data_dir: Path, port: int) -> tuple[subprocess.Popen[bytes], str, str]:
    """Central for the demo, on SQLite in the data directory; the store and catalog on first run."""
    url = f"sqlite:///{(data_dir / 'central.sqlite3').resolve()}"
    secrets_file = data_dir / "central-demo-secrets"
    if not secrets_file.exists():
        def central(*args: str) -> str:
            done = subprocess.run([sys.executable, "-m", "hub", "central", *args,
                                   "--database-url", url], capture_output=True, text=True)
            if done.returncode:
                raise DemoError(f"could not set up the demo central: {done.stderr[-500:]}")
            return done.stdout

        token = central("add-store", "demo-store", "--name", "Kassa Demo Livs").split()[0]
        central("seed-demo", "--store", "demo-store")
        secrets_file.write_text(f"{token}\n{secrets.token_urlsafe(16)}\n")
        secrets_file.chmod(0o600)
    token, admin = secrets_file.read_text().split()
    proc = _spawn([sys.executable, "-m", "hub", "central", "serve", "--port", str(port),
                   "--database-url", url], data_dir / "central.log",
                  {"KASSA_CENTRAL_ADMIN_TOKEN": admin}, f"http://127.0.0.1:{port}/healthz",
                  "central")
    return proc, token, admin
