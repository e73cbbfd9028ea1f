"""KassaTerminal: the cashier terminal app, from login to the lane and back."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from textual.app import App

from terminal_client.hub_client import HubClient
from terminal_client.screens.lane import LaneScreen
from terminal_client.screens.login import LoginScreen


class KassaTerminal(App[None]):
    """The cashier terminal of one lane."""

    CSS_PATH = ["styles/terminal.tcss"]
    TITLE = "Kassa"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, hub_url: str, lane: str) -> None:
        super().__init__()
        self.hub = HubClient(hub_url, lane)

    def on_mount(self) -> None:
        """Start at the login."""
        self.push_screen(LoginScreen(self.hub))

    def on_login_screen_logged_in(self, _: LoginScreen.LoggedIn) -> None:
        """Logged in: go to the lane."""
        self.switch_screen(LaneScreen(self.hub))

    def on_lane_screen_logged_out(self, _: LaneScreen.LoggedOut) -> None:
        """Logged out: back to the login."""
        self.switch_screen(LoginScreen(self.hub))

    async def on_unmount(self) -> None:
        """Close the connection to the hub."""
        await self.hub.aclose()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """--hub URL --lane ID."""
    parser = argparse.ArgumentParser(prog="kassa terminal", description=__doc__)
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="the hub's address")
    parser.add_argument("--lane", default="1", help="the lane this terminal serves")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the terminal; mountable as `kassa terminal` (argv without the program name)."""
    args = parse_args(argv)
    KassaTerminal(args.hub, args.lane).run()
    return 0
