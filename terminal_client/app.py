"""KassaTerminal: the cashier terminal app, from pairing and login to the lane and back."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from textual import events
from textual.app import App

from terminal_client.hub_client import HubClient, HubError
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.login import LoginScreen
from terminal_client.screens.pair import PairScreen, TerminalState, default_state_path

LOCK_CHECK_SECONDS = 1.0
UNPAIRED = "Hubben känner inte längre igen den här terminalen (den är avparad). Para den igen."


class KassaTerminal(App[None]):
    """The cashier terminal of one lane.

    With a `state` file the terminal must be paired with the hub first (a manager's pairing
    code) and keeps its device token there; without one (tests, a trusted bench) it goes
    straight to the login. `lock_after` seconds without a key lock the lane (0: never)."""

    CSS_PATH = ["styles/terminal.tcss"]
    TITLE = "Kassa"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, hub_url: str, lane: str, *, state: TerminalState | None = None,
                 lock_after: float = 0) -> None:
        super().__init__()
        self.hub = HubClient(hub_url, lane)
        self.state = state
        self.lock_after = lock_after
        self.last_input = time.monotonic()

    def on_mount(self) -> None:
        """Pair if needed, then the login; watch for inactivity."""
        if self.state is None:
            self.push_screen(LoginScreen(self.hub))
        else:
            self.hub.device_token = self.state.device_token(self.hub)
            self.push_screen(LoginScreen(self.hub))
            self.run_worker(self._check_pairing(self.state), group="pairing")
        if self.lock_after > 0:
            self.set_interval(LOCK_CHECK_SECONDS, self._lock_when_idle)

    async def _check_pairing(self, state: TerminalState) -> None:
        """Unpaired, or unpaired at the hub since (a stolen terminal): pair (again)."""
        if self.hub.device_token is None:
            self.switch_screen(PairScreen(self.hub, state))
            return
        try:
            await self.hub.get("/auth/me")
        except HubError as exc:
            if exc.status == 401:  # unpaired at the hub; unreachable is shown at the login
                state.forget(self.hub)
                self.hub.device_token = None
                self.switch_screen(PairScreen(self.hub, state, UNPAIRED))

    def on_pair_screen_paired(self, _: PairScreen.Paired) -> None:
        """Paired: staff log in."""
        self.switch_screen(LoginScreen(self.hub))

    def on_login_screen_logged_in(self, _: LoginScreen.LoggedIn) -> None:
        """Logged in: go to the lane."""
        self.last_input = time.monotonic()
        self.switch_screen(LaneScreen(self.hub))

    def on_lane_screen_logged_out(self, _: LaneScreen.LoggedOut) -> None:
        """Logged out: back to the login."""
        self.switch_screen(LoginScreen(self.hub))

    async def on_event(self, event: events.Event) -> None:
        """Every key or click counts as the cashier being there."""
        if isinstance(event, events.Key | events.MouseDown):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def _lock_when_idle(self) -> None:
        """Lock the lane after `lock_after` idle seconds, but never over an open dialog (a
        payment running, a count half typed)."""
        if (isinstance(self.screen, LaneScreen)
                and time.monotonic() - self.last_input >= self.lock_after):
            self.screen.show_lock(switch=False)

    async def on_unmount(self) -> None:
        """Close the connection to the hub."""
        await self.hub.aclose()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """--hub URL --lane ID [--state FILE] [--lock-after SECONDS]."""
    parser = argparse.ArgumentParser(prog="kassa terminal", description=__doc__)
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="the hub's address")
    parser.add_argument("--lane", default="1", help="the lane this terminal serves")
    parser.add_argument("--state", type=Path, default=default_state_path(),
                        help="where the terminal keeps its pairing (default %(default)s)")
    parser.add_argument("--lock-after", type=float, default=300,
                        help="lock the till after this many idle seconds; 0: never "
                             "(default %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the terminal; mountable as `kassa terminal` (argv without the program name)."""
    args = parse_args(argv)
    KassaTerminal(args.hub, args.lane, state=TerminalState(args.state),
                  lock_after=args.lock_after).run()
    return 0
