"""A real hub per test module, and Pilot helpers for driving the terminal like a cashier."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Static

from terminal_client.screens.lane import LaneScreen
from terminal_client.widgets.status import StatusBar
from tests.conftest import PINS, HubProcess

MILK = "7310005000015"  # Mellanmjölk 1,5 % 1 l, 16,95 kr


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """A `hub serve --demo-data` process of this module's own, on a free port."""
    process = HubProcess(tmp_path_factory.mktemp("tui") / "hub")
    process.start()
    yield process
    process.stop()


def api(hub: HubProcess, username: str) -> httpx.Client:
    """An HTTP client of the hub logged in as a demo user."""
    client = httpx.Client(base_url=f"{hub.url}/api/v1", timeout=10)
    r = client.post("/auth/login", json={"username": username, "pin": PINS[username]})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], what: str,
                   timeout: float = 5.0) -> None:
    """Let the app run until the condition holds (workers talk to a real hub). A screen
    just pushed counts only once it is mounted: it is current before its widgets are."""
    deadline = time.monotonic() + timeout
    while not (pilot.app.screen.is_mounted and _holds(condition)):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {_shown(pilot)}"
        await pilot.pause(0.02)
        await asyncio.sleep(0)


def _shown(pilot: Pilot[Any]) -> str:
    """What the cashier sees (the screen's name and its texts), to tell why a wait ran out."""
    screen = pilot.app.screen
    texts = [f"{w.id}={str(w.render())!r}" for w in screen.query(Static) if w.id]
    return f"{type(screen).__name__} {' '.join(texts)}"


def _holds(condition: Callable[[], bool]) -> bool:
    """The condition, where a widget not composed yet (a dialog being pushed) counts as no."""
    try:
        return condition()
    except NoMatches:
        return False


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type like a keyboard (or a keyboard-wedge scanner), then Enter."""
    await pilot.press(*text, "enter")


async def log_in(pilot: Pilot[Any], username: str, pin: str) -> None:
    """Log in at the login screen and wait for the lane."""
    await type_text(pilot, username)
    await type_text(pilot, pin)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LaneScreen), "the lane screen")


def text_of(pilot: Pilot[Any], selector: str) -> str:
    """The plain text a Static shows."""
    return str(pilot.app.screen.query_one(selector).render())


def open_shift(hub: HubProcess, lane: str = "1", float_amount: int = 50000) -> None:
    """Open the lane's shift at the hub (as a cashier would), unless it is open already."""
    with closing(api(hub, "erik")) as client:
        if client.get(f"/lanes/{lane}/shift").status_code == 404:
            client.post(f"/lanes/{lane}/shift/open",
                        json={"counted": float_amount}).raise_for_status()


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


async def ring_up(pilot: Pilot[Any], hub: HubProcess, lane_id: str = "1") -> LaneScreen:
    """Log in as Erik at the lane, open its shift if need be and scan one milk (16,95)."""
    await log_in(pilot, "erik", "1111")
    lane = pilot.app.screen
    assert isinstance(lane, LaneScreen)
    await wait_for(pilot, lambda: lane.query_one(StatusBar).online, "the hub")
    open_shift(hub, lane_id)
    await wait_for(pilot, lambda: lane.shift_open, "the shift to open")
    await type_text(pilot, MILK)
    await wait_for(pilot, lambda: "16,95" in text_of(pilot, "#totals"), "the scan")
    return lane

