"""The real `kassa terminal` process in a pseudo-terminal, driven by keystrokes like a cashier
at an 80×24 screen, against a running hub: log in, scan, pay cash, and the sale is at the hub."""

from __future__ import annotations

import os
import sys
import time
from contextlib import closing
from pathlib import Path

import pexpect

from terminal_client.hub_client import HubClient
from terminal_client.screens.pair import TerminalState
from tests.conftest import HubProcess
from tests.tui.conftest import MILK, api, open_shift

F5 = "\x1b[15~"  # xterm's function keys
F10 = "\x1b[21~"
END = "\x1b[F"


def pair(hub: HubProcess, lane: str, state_file: Path) -> None:
    """Pair a terminal for the lane the way `kassa pair` + typing the code would."""
    with closing(api(hub, "admin")) as admin:
        code = admin.post("/devices/pairing-codes",
                          json={"role": "terminal", "lane_id": lane}).json()["code"]
        token = admin.post("/devices/pair", json={"code": code, "name": "pty"}).json()["token"]
    TerminalState(state_file).save(HubClient(hub.url, lane), token, "pty")


def test_kassa_terminal_in_a_pty_sells_for_cash(hub: HubProcess, tmp_path: Path) -> None:
    open_shift(hub, "2")
    state = tmp_path / "terminal.json"
    pair(hub, "2", state)
    child = pexpect.spawn(
        sys.executable, ["-m", "hub", "terminal", "--hub", hub.url, "--lane", "2",
                         "--state", str(state), "--lock-after", "0"],
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"},
        dimensions=(24, 80), encoding="utf-8", codec_errors="replace", timeout=20)
    try:
        child.expect("logga in")
        child.send("erik")
        time.sleep(0.5)  # a person looks at the screen between fields
        child.send("\r")
        time.sleep(0.5)
        child.send("1111\r")
        child.expect("ONLINE")
        child.send(MILK + "\r")
        child.expect("16,95")
        time.sleep(0.3)
        child.send(F5)
        child.expect("Mottaget")
        time.sleep(0.5)
        child.send("20\r")
        child.expect("VÄXEL")
        time.sleep(0.3)
        child.send("\r")
        child.expect("Nästa kund")
        time.sleep(0.3)
        child.send(F10)  # the menu: log out is the last entry
        child.expect("Logga ut")
        time.sleep(0.5)
        child.send(END)
        time.sleep(0.3)
        child.send("\r")
        child.expect("logga in")
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)

    with closing(api(hub, "maria")) as manager:
        sale = manager.get("/sales", params={"lane_id": "2", "limit": 1}).json()[0]
    assert [line["gtin"] for line in sale["lines"]] == [MILK]
    assert (sale["total"], sale["rounding"], sale["change"]) == (1695, 5, 300)
    assert sale["tenders"][0]["tendered"] == 2000
