"""The `kassa` command line."""

from __future__ import annotations

import gc
import importlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
import typer.main
from typer.core import TyperGroup

from hub.config import Settings

if TYPE_CHECKING:
    from typer._click import Command, Context

T = TypeVar("T")

# Idle keep-alive connections are closed by the client first (httpx after 5 s): were the server
# to close them at the same moment, a request sent just then would meet a closed connection.
KEEP_ALIVE_SECONDS = 75

# Command groups that live in other packages, loaded only when named (or when the help lists
# every command): the emulators, the QR codecs and central import ~50 ms of modules (PIL, segno,
# every emulator) that `kassa hub serve` would otherwise load on each start.
_ELSEWHERE = {  # name: (module, its Typer app, help)
    "central": ("sync.central.cli", "central_app", "Run and manage the central store service."),
    "qr": ("drivers.qr.cli", "qr_app", "Decode and encode QR payment payloads."),
    "emulator": ("drivers.emulators.cli", "emulator_app", "Run a real-protocol device emulator."),
}


class _KassaCommands(TyperGroup):
    """The kassa command group, with the groups of _ELSEWHERE loaded on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        names = super().list_commands(ctx)
        return [*names, *(name for name in _ELSEWHERE if name not in names
                          and self.get_command(ctx, name) is not None)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in _ELSEWHERE:
            module, attribute, help_text = _ELSEWHERE[cmd_name]
            try:
                sub_app = getattr(importlib.import_module(module), attribute)
            except ImportError:  # pragma: no cover - that package is not built yet
                return None
            holder = typer.Typer()
            holder.add_typer(sub_app, name=cmd_name, help=help_text)
            group = typer.main.get_command(holder)
            assert isinstance(group, TyperGroup)
            command = group.get_command(ctx, cmd_name)
            if command is not None:
                self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Context,
                        args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in _ELSEWHERE:
            self.list_commands(ctx)  # a typo: load every group, so it is matched against them
        return super().resolve_command(ctx, args)


app = typer.Typer(help="Kassa: an omnichannel point-of-sale and terminal hub.",
                  no_args_is_help=True, cls=_KassaCommands)
hub_app = typer.Typer(help="Run the in-store hub.", no_args_is_help=True)
db_app = typer.Typer(help="The hub database.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
journal_app = typer.Typer(help="The tamper-evident sales journal.", no_args_is_help=True)
lanes_app = typer.Typer(help="Registers, kiosks and phone lanes.", no_args_is_help=True)
sync_app = typer.Typer(help="Sync with central (head office).", no_args_is_help=True)
app.add_typer(hub_app, name="hub")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(journal_app, name="journal")
app.add_typer(lanes_app, name="lanes")
app.add_typer(sync_app, name="sync")

DataDir = Annotated[Path, typer.Option("--data-dir", help="The hub's data directory")]


def _settings(data_dir: Path, **extra: object) -> Settings:
    return Settings(data_dir=data_dir, **extra)  # type: ignore[arg-type]


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _existing_hub(settings: Settings) -> Settings:
    """A command that reports on a hub refuses a data directory that holds none (rather than
    making an empty hub there and reporting on that)."""
    if not settings.database_path.exists():
        _fail(f"no hub database in {settings.data_dir}: give the hub's --data-dir")
    return settings


def _in_hub(data_dir: Path, work: Callable[[Any, Settings], T]) -> T:
    """Run one write transaction on the hub in data_dir (migrated first); errors end the CLI."""
    from hub.app import prepare
    from hub.db import Database
    from hub.services.errors import DomainError

    settings = _settings(data_dir)
    prepare(settings)
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            return work(session, settings)
    except DomainError as exc:
        _fail(exc.message)
    finally:
        db.dispose()


@hub_app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    data_dir: DataDir = Path(".kassa-data"),
    demo_data: Annotated[
        bool, typer.Option("--demo-data", help="Fill an empty hub with the demo store")
    ] = False,
) -> None:
    """Serve the hub's REST API and websocket."""
    gc.disable()  # before the settings, whose checks import the services and models: see _serve
    _serve(_settings(data_dir, demo_data=demo_data), host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    # Start-up makes ~220,000 objects that live as long as the hub; the collector walking them
    # again and again while they were made cost ~150 ms of CPU a start and found ~0.5 MB. The
    # lifespan turns it back on once the hub is ready, with these frozen (hub.app).
    gc.disable()
    import os

    import uvicorn

    if "KASSA_PUBLIC_URL" not in os.environ:  # where phones reach the pay pages
        settings.public_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    from hub.app import create_app

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="info",
                            ws="websockets-sansio", timeout_keep_alive=KEEP_ALIVE_SECONDS)
    server = uvicorn.Server(config)  # logging is configured here; then keep tokens out of it
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(RedactTokens())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per sync request
    server.run()


class RedactTokens(logging.Filter):
    """Keep bearer tokens in query strings (websocket logins) out of the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(re.sub(r"token=[^&\s\"]+", "token=***", a) if isinstance(a, str)
                                else a for a in record.args)  # type: ignore[union-attr]
        return True


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = Path(".kassa-data")) -> None:
    """Bring the database schema up to date (the hub also does this on start)."""
    from hub.db import upgrade

    settings = _settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    typer.echo(f"database at {settings.database_path} is up to date")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name, e.g. anna")],
    role: Annotated[str, typer.Option(help="cashier, manager or admin")] = "cashier",
    name: Annotated[str | None, typer.Option(help="Name shown on receipts")] = None,
    pin: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                     help="4–12 digits")] = "",
    data_dir: DataDir = Path(".kassa-data"),
) -> None:
    """Add a member of staff."""
    from hub.services.auth import add_user

    user = _in_hub(data_dir, lambda s, _: add_user(s, username, name or username, role, pin))
    typer.echo(f"added {user.role} {user.username} (id {user.id})")


@lanes_app.command("add")
def lanes_add(
    lane_id: Annotated[str, typer.Argument(help="Short id printed on receipts, e.g. 1 or K1")],
    kind: Annotated[str, typer.Option(help="register, kiosk or phone")] = "register",
    name: Annotated[str | None, typer.Option(help="Name shown to staff")] = None,
    data_dir: DataDir = Path(".kassa-data"),
) -> None:
    """Add a lane with its own cart and receipt series."""
    from hub.models import Lane
    from hub.services.errors import Conflict, Invalid

    def add(session: Any, _: Settings) -> Lane:
        if kind not in ("register", "kiosk", "phone"):
            raise Invalid("A lane is a register, kiosk or phone.")
        if not lane_id.replace("-", "").replace("_", "").isalnum() or len(lane_id) > 32:
            raise Invalid("A lane id is up to 32 letters, digits, - or _.")
        if session.get(Lane, lane_id) is not None:
            raise Conflict(f"Lane {lane_id} exists already.")
        lane = Lane(id=lane_id, kind=kind, name=name or lane_id)
        session.add(lane)
        return lane

    lane = _in_hub(data_dir, add)
    typer.echo(f"added {lane.kind} lane {lane.id}")


@app.command("pair")
def pair(
    lane: Annotated[str, typer.Option(help="The lane the device serves")],
    role: Annotated[str, typer.Option(help="kiosk, terminal or display")] = "terminal",
    data_dir: DataDir = Path(".kassa-data"),
) -> None:
    """Make a short-lived pairing code for a kiosk, terminal or display."""
    from hub.services.auth import create_pairing_code

    code, row = _in_hub(data_dir, lambda s, st: create_pairing_code(s, role, lane, None, st))
    typer.echo(code)
    typer.echo(f"valid until {row.expires_at:%H:%M} UTC for a {role} on lane {lane}", err=True)


def _sync_status_text(status: object) -> str:
    from hub.services.sync import SyncStatus

    assert isinstance(status, SyncStatus)
    lag = "none" if not status.waiting else f"{status.lag_seconds or 0:.0f} s"
    return "\n".join([
        f"events waiting:  {status.waiting} (central has up to {status.acked_seq} of "
        f"{status.last_seq})",
        f"last push:       {status.last_push_at or 'never'}",
        f"last pull:       {status.last_pull_at or 'never'}",
        f"oldest waiting:  {lag}",
        f"rejected:        {status.rejected}",
        f"last error:      {status.last_error or '-'}",
    ])


@sync_app.command("status")
def sync_status(data_dir: DataDir = Path(".kassa-data")) -> None:
    """Events waiting for central, last push and pull, lag."""
    from hub.services import sync as sync_db

    _existing_hub(_settings(data_dir))
    status = _in_hub(data_dir, lambda s, st: sync_db.status(s, bool(st.central_url), False))
    typer.echo(_sync_status_text(status))


@sync_app.command("now")
def sync_now(
    data_dir: DataDir = Path(".kassa-data"),
    central_url: Annotated[str | None, typer.Option(envvar="KASSA_CENTRAL_URL")] = None,
    token: Annotated[str, typer.Option(envvar="KASSA_CENTRAL_TOKEN")] = "",
    hub_id: Annotated[str, typer.Option(envvar="KASSA_HUB_ID")] = "demo-store",
) -> None:
    """Push everything waiting and pull the change feed now, with a progress bar."""
    import time

    from hub.app import prepare
    from hub.db import Database
    from hub.services import sync as sync_db
    from hub.sync_runner import PusherLock, Syncer
    from sync.client import CentralError

    settings = _existing_hub(_settings(data_dir, central_url=central_url, central_token=token,
                                       hub_id=hub_id))
    prepare(settings)
    db = Database(settings.database_url)
    with db.read() as s:
        total = sync_db.status(s, True, False).waiting
    lock = PusherLock(settings.data_dir)
    with typer.progressbar(length=max(total, 1), label="pushing to central") as bar:
        if lock.acquire():
            if not central_url:
                _fail("Set --central-url (or KASSA_CENTRAL_URL) and --token.")
            from hub.services.context import Shop
            from hub.services.journal import load_or_create_key

            syncer = Syncer(db, Shop(settings, load_or_create_key(settings.data_dir)))
            done = 0

            def advance(sent: int, _: int) -> None:
                nonlocal done
                bar.update(sent - done)
                done = sent

            try:
                syncer.push_all(advance)
                syncer.pull_all()
            except CentralError as exc:
                _fail(str(exc))
            finally:
                syncer.close()
                lock.release()
        else:  # the running hub pushes: follow its progress
            typer.echo(f"\nthe hub (pid {lock.holder()}) is pushing; following its progress",
                       err=True)
            left = total
            while left:
                time.sleep(0.5)
                with db.read() as s:
                    now_left = sync_db.status(s, True, False).waiting
                bar.update(left - now_left)
                left = now_left
        bar.update(max(total, 1))
    with db.read() as s:
        typer.echo(_sync_status_text(sync_db.status(s, True, False)))


@journal_app.command("verify")
def journal_verify(
    data_dir: DataDir = Path(".kassa-data"),
    public_key: Annotated[Path | None, typer.Option(
        help="The hub's public key as registered elsewhere (safer than the data directory's)",
    )] = None,
    head: Annotated[str | None, typer.Option(
        help="An anchor SEQ:HASH known outside the hub (central has one per sale): the "
             "journal must still hold that entry, unchanged")] = None,
) -> None:
    """Check the whole journal chain; exits 1 and names the first bad entry if altered."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from hub.db import Database
    from hub.models import JournalEntry
    from hub.services.journal import load_public_key, verify

    settings = _existing_hub(_settings(data_dir))
    key = (load_pem_public_key(public_key.read_bytes()) if public_key
           else load_public_key(settings.data_dir))
    db = Database(settings.database_url)
    with db.read() as s:
        result = verify(s, key)  # type: ignore[arg-type]
        anchor = None
        if head:
            seq_text, _, digest = head.partition(":")
            if not seq_text.isdigit() or len(digest) != 64:
                _fail("--head is SEQ:HASH, e.g. 1234:9f86d0…(64 hex digits)")
            anchor = (int(seq_text), digest, s.get(JournalEntry, int(seq_text)))
    if not result.ok:
        _fail(f"journal entry {result.first_bad_seq} is bad: {result.problem}")
    if anchor is not None:
        seq, digest, entry = anchor
        if entry is None:
            _fail(f"journal entry {seq} is missing: the journal ends at {result.entries}, so "
                  "entries were cut off its end")
        if entry.hash != digest:
            _fail(f"journal entry {seq} is bad: it is not the entry the anchor names "
                  "(the chain was rewritten from there on)")
    typer.echo(f"journal ok: {result.entries} entries, chain and signatures intact"
               + (f", anchor {anchor[0]} present" if anchor else ""))


@app.command("terminal", context_settings={"allow_extra_args": True,
                                            "ignore_unknown_options": True})
def terminal(ctx: typer.Context) -> None:
    """The cashier terminal (Textual): kassa terminal --hub http://127.0.0.1:8000 --lane 1."""
    from terminal_client.app import main

    raise typer.Exit(main(ctx.args))


@app.command("demo")
def demo(
    port: Annotated[int, typer.Option(help="Port for the hub (central uses port + 100)")] = 8000,
    data_dir: DataDir = Path(".kassa-demo"),
    terminal: Annotated[bool | None, typer.Option(
        "--terminal/--no-terminal",
        help="Open the cashier terminal for lane 1 (default: when run in a terminal)")] = None,
) -> None:
    """Run the demo store: a hub with the demo catalog, lanes, staff, emulated card readers,
    central (head office, on SQLite here) next to it, syncing, and the cashier terminal."""
    import sys

    from hub.demo_store import DemoError, run_demo

    if terminal is None:
        terminal = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        run_demo(port, data_dir, terminal=terminal,
                 serve=lambda settings: _serve(settings, "127.0.0.1", port))
    except DemoError as exc:
        _fail(str(exc))
