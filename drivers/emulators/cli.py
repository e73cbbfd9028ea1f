"""`kassa emulator`: run an emulated card terminal until SIGINT/SIGTERM.

The first line on stdout is the device path (pty) or the address (TCP) to configure.
"""

from __future__ import annotations

import signal
import threading

import typer

from drivers.emulators.concert import ConcertEmulator
from drivers.emulators.script import Step, parse_script
from drivers.emulators.zvt import ZvtEmulator

emulator_app = typer.Typer(
    help="Emulated card terminals speaking the real protocols.", no_args_is_help=True
)

SCRIPT_HELP = (
    "Comma-separated outcomes for the next transactions, e.g. "
    "approve,decline,slow_cardholder:2,nak_burst:2,power_loss:5"
)


def _serve_until_signalled(stop_emulator: object) -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    stop_emulator()  # type: ignore[operator]


def _script(text: str) -> list[Step]:
    try:
        return parse_script(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--script") from None


def _announce(text: str) -> None:
    print(text, flush=True)


@emulator_app.command()
def concert(
    pty: bool = typer.Option(True, "--pty", help="Serve on a new pseudo-terminal."),
    script: str = typer.Option("", help=SCRIPT_HELP),
    default: str = typer.Option("approve", help="Outcome once the script is used up."),
) -> None:
    """Emulate a Concert v2 terminal on a pty; prints the pty path first."""
    emulator = ConcertEmulator(_script(script), default=_script(default)[0])
    _announce(emulator.start())
    _serve_until_signalled(emulator.stop)


@emulator_app.command()
def zvt(
    pty: bool = typer.Option(False, "--pty", help="Serve serial framing on a new pty."),
    tcp: str = typer.Option("", "--tcp", help="Listen on HOST:PORT (port 0 picks one)."),
    script: str = typer.Option("", help=SCRIPT_HELP),
    default: str = typer.Option("approve", help="Outcome once the script is used up."),
) -> None:
    """Emulate a ZVT terminal; prints the pty path or socket://host:port first."""
    if pty == bool(tcp):
        raise typer.BadParameter("give exactly one of --pty or --tcp HOST:PORT")
    emulator = ZvtEmulator(_script(script), default=_script(default)[0])
    if pty:
        _announce(emulator.start_pty())
    else:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit():
            raise typer.BadParameter(f"--tcp {tcp!r} is not HOST:PORT")
        emulator.start_tcp(host or "127.0.0.1", int(port))
        _announce(emulator.url)
    _serve_until_signalled(emulator.stop)


if __name__ == "__main__":
    emulator_app()
