"""Pairing: a terminal proves it belongs to the store once, with a code a manager makes."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from terminal_client.hub_client import HubClient, HubError


class TerminalState:
    """What a terminal keeps between runs: its device token per hub and lane (a 0600 file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _key(hub: HubClient) -> str:
        return f"{hub.base_url} {hub.lane}"

    def device_token(self, hub: HubClient) -> str | None:
        """The token this terminal was paired with, if any."""
        entry = self._read().get(self._key(hub))
        return str(entry["token"]) if isinstance(entry, dict) and entry.get("token") else None

    def save(self, hub: HubClient, token: str, name: str) -> None:
        """Remember the pairing."""
        data = self._read()
        data[self._key(hub)] = {"token": token, "name": name}
        self._write(data)

    def forget(self, hub: HubClient) -> None:
        """Drop a pairing the hub no longer accepts."""
        data = self._read()
        if data.pop(self._key(hub), None) is not None:
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        """Replace the file atomically; only the owner can read it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump(data, f, indent=2)
        temporary.replace(self.path)


def default_state_path() -> Path:
    """~/.config/kassa/terminal.json (or under $XDG_CONFIG_HOME)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kassa" / "terminal.json"


class PairScreen(Screen[None]):
    """Type the pairing code a manager made (`kassa pair --lane 1 --role terminal`)."""

    class Paired(Message):
        """The hub accepted the code; the device token is saved."""

    def __init__(self, hub: HubClient, state: TerminalState, reason: str = "") -> None:
        super().__init__()
        self.hub, self.state, self.reason = hub, state, reason

    def compose(self) -> ComposeResult:
        """The code field and how to get a code."""
        with Vertical(id="login-box"):
            yield Label(f"KASSA {self.hub.lane} - para med hubben", id="login-title")
            yield Static(self.reason or "Den här terminalen är inte parad med butikens hub.",
                         id="pair-reason")
            yield Static("En chef gör en kod: kassa pair --lane "
                         f"{self.hub.lane} --role terminal", id="pair-how")
            yield Label("Parningskod")
            yield Input(placeholder="XXXX-XXXX", id="code")
            yield Static("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        """Type the code at once."""
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def _submit(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if len(code) < 8:
            self.say("! Koden har åtta tecken, t.ex. ABCD-EFGH.")
            return
        self.run_worker(self._pair(code), exclusive=True, group="pair")

    async def _pair(self, code: str) -> None:
        name = f"Kassa {self.hub.lane} ({socket.gethostname()})"[:80]
        try:
            result = await self.hub.post("/devices/pair", {"code": code, "name": name})
        except HubError as exc:
            self.say(f"! {exc.message}")
            return
        me = result["me"]
        if me["role"] != "terminal" or me["lane_id"] != self.hub.lane:
            self.say(f"! Koden är för {me['role']} på kassa {me['lane_id']}, inte för en "
                     f"kassaterminal på kassa {self.hub.lane}. Be om en ny kod.")
            return
        self.state.save(self.hub, result["token"], name)
        self.hub.device_token = result["token"]
        self.post_message(self.Paired())

    def say(self, text: str) -> None:
        """One line under the form."""
        self.query_one("#message", Static).update(text)
