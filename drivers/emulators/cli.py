"""`kassa emulator`: run an emulated card terminal until SIGINT/SIGTERM.

The first line on stdout is the device path (pty) or the address (TCP) to configure.
"""

from __future__ import annotations

import signal
import threading

import typer

from drivers.emulators.concert import ConcertEmulator
from drivers.emulators.pole_display import PoleDisplayEmulator
from drivers.emulators.printer import PrintedReceipt, PrinterEmulator
from drivers.emulators.scanner import TERMINATORS, ScannerEmulator, load_codes
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
    currency: int = typer.Option(978, min=1, max=999,
                                 help="ISO 4217 number of the terminal's currency (752 = SEK)."),
) -> None:
    """Emulate a ZVT terminal; prints the pty path or socket://host:port first."""
    if pty == bool(tcp):
        raise typer.BadParameter("give exactly one of --pty or --tcp HOST:PORT")
    emulator = ZvtEmulator(_script(script), default=_script(default)[0], currency=currency)
    if pty:
        _announce(emulator.start_pty())
    else:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit():
            raise typer.BadParameter(f"--tcp {tcp!r} is not HOST:PORT")
        emulator.start_tcp(host or "127.0.0.1", int(port))
        _announce(emulator.url)
    _serve_until_signalled(emulator.stop)


@emulator_app.command()
def printer(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(9100, help="TCP port (9100 like a network printer; 0 picks one)."),
    out: str = typer.Option("receipts", help="Directory for receipt-NNNN.txt and .png."),
    paper: str = typer.Option("80mm", help="Paper width: 58mm or 80mm."),
) -> None:
    """Emulate an ESC/POS network printer; prints socket://host:port first, then each receipt."""
    if paper not in ("58mm", "80mm"):
        raise typer.BadParameter("use 58mm or 80mm", param_hint="--paper")

    def printed(receipt: PrintedReceipt) -> None:
        _announce(f"receipt {receipt.number}: {receipt.png_path}")

    emulator = PrinterEmulator(out, paper=paper, on_receipt=printed)
    try:
        _announce(emulator.start_tcp(host, port))
    except OSError as exc:
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {exc}") from None
    _serve_until_signalled(emulator.stop)


@emulator_app.command()
def scanner(
    codes: str = typer.Option(..., help="Text file with one barcode a line (# comments)."),
    delay: float = typer.Option(1.0, help="Seconds between barcodes."),
    start_after: float = typer.Option(2.0, help="Seconds before the first barcode."),
    terminator: str = typer.Option("cr", help="Line end: cr, lf or crlf."),
    prefix: str = typer.Option("", help="Sent before every barcode."),
    suffix: str = typer.Option("", help="Sent after every barcode, before the line end."),
    repeat: bool = typer.Option(False, "--repeat", help="Start over when the list is done."),
) -> None:
    """Emulate a serial barcode scanner on a pty; prints the pty path first."""
    if terminator not in TERMINATORS:
        raise typer.BadParameter("use cr, lf or crlf", param_hint="--terminator")
    try:
        barcodes = load_codes(codes)
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {codes}: {exc.strerror}") from None
    emulator = ScannerEmulator(barcodes, delay=delay, terminator=TERMINATORS[terminator],
                               prefix=prefix, suffix=suffix, repeat=repeat)
    _announce(emulator.start())
    emulator.replay(start_after)
    _serve_until_signalled(emulator.stop)


@emulator_app.command("pole-display")
def pole_display(
    dialect: str = typer.Option("epson", help="Command set: epson or cd5220."),
) -> None:
    """Emulate a 2x20 pole display on a pty; prints the path, then the lines as they change."""
    if dialect not in ("epson", "cd5220"):
        raise typer.BadParameter("use epson or cd5220", param_hint="--dialect")

    def shown(lines: tuple[str, str]) -> None:
        _announce(f"|{lines[0]:<20}|{lines[1]:<20}|")

    emulator = PoleDisplayEmulator(dialect, on_change=shown)
    _announce(emulator.start())
    _serve_until_signalled(emulator.stop)


if __name__ == "__main__":
    emulator_app()
