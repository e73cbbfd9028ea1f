"""`kassa central …`: run central, add stores, load the demo catalog, see the stores, hash the
dashboard password."""

from __future__ import annotations

import gc
import logging
from typing import Annotated

import typer

# Hubs' idle keep-alive connections are closed by the hub first (httpx after 5 s): were central
# to close them at the same moment, the push sent just then would fail and the hub would count
# central as away until its next round.
KEEP_ALIVE_SECONDS = 75
# Objects made (less those freed) between two passes of the collector over the youngest ones;
# Python's default is 700.
YOUNG_OBJECTS_PER_COLLECTION = 20_000

central_app = typer.Typer(help="The central store service (PostgreSQL).", no_args_is_help=True)

DatabaseUrl = Annotated[str, typer.Option("--database-url", envvar="KASSA_CENTRAL_DATABASE_URL",
                                          help="postgresql+psycopg://user@host/db or sqlite:///…")]


def _db(url: str):  # type: ignore[no-untyped-def]
    from sync.central.db import Database, upgrade

    upgrade(url)
    return Database(url)


@central_app.command("serve")
def serve(
    database_url: DatabaseUrl,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8100,
) -> None:
    """Serve the sync, shop and admin APIs."""
    import uvicorn

    from sync.central.app import create_app
    from sync.central.config import CentralSettings

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = CentralSettings(database_url=database_url)
    app = create_app(settings)
    # What is loaded by now (modules, the app, its schemas) lives as long as the process: keep
    # it out of the collector's full passes, or each one walks it all in the middle of a
    # push (tens of ms, measured while catching up a backlog).
    gc.freeze()
    # A push makes tens of thousands of objects (its parsed events, payload models, rows) that
    # live until it ends: at Python's default threshold the collector runs dozens of times per
    # push, walking objects still in use (parsing a batch took ~20 % more CPU time that way).
    # Cycles are still collected, in fewer passes.
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION)
    uvicorn.run(app, host=host, port=port, log_level="warning",
                timeout_keep_alive=KEEP_ALIVE_SECONDS)


@central_app.command("add-store")
def add_store(
    store_id: Annotated[str, typer.Argument(help="The store's id = its hub's hub_id")],
    database_url: DatabaseUrl,
    name: Annotated[str, typer.Option(help="The store's name")] = "",
) -> None:
    """Add a store; prints its hub token (shown only this once)."""
    from sync.central.services.errors import DomainError
    from sync.central.services.stores import create_store

    db = _db(database_url)
    try:
        with db.transaction() as session:
            _, token = create_store(session, store_id, name or store_id)
    except DomainError as exc:
        typer.secho(exc.message, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    typer.echo(token)
    typer.echo(f"store {store_id} added; give the hub this token (it is not shown again)",
               err=True)


@central_app.command("seed-demo")
def seed_demo(
    database_url: DatabaseUrl,
    store: Annotated[str | None, typer.Option(help="Also count opening stock at this store")]
    = None,
) -> None:
    """Load the demo catalog (and the opening stock of one store, as a count)."""
    from sync.central.services.demo import load_demo

    db = _db(database_url)
    try:
        with db.transaction() as session:
            products, counted = load_demo(session, store)
    finally:
        db.dispose()
    typer.echo(f"{products} products loaded" + (f", {counted} counted at {store}" if store
                                                else ""))


@central_app.command("stores")
def list_stores(database_url: DatabaseUrl) -> None:
    """The stores with their hub's last seq, lag and last contact."""
    from sync.central.config import CentralSettings
    from sync.central.models import utcnow
    from sync.central.services.stores import list_statuses

    db = _db(database_url)
    silent_after = CentralSettings(database_url=database_url).silent_after_seconds
    try:
        with db.transaction() as session:
            rows = list_statuses(session, utcnow(), silent_after)
    finally:
        db.dispose()
    typer.echo(f"{'store':<16} {'name':<24} {'last seq':>9} {'lag':>10}  last contact")
    for row in rows:
        lag = "-" if row.lag_seconds is None else f"{row.lag_seconds:.0f} s"
        contact = row.last_contact.isoformat(timespec="seconds") if row.last_contact else "never"
        flag = "  (silent)" if row.silent else ""
        typer.echo(f"{row.store_id:<16} {row.name[:24]:<24} {row.last_seq:>9} {lag:>10}  "
                   f"{contact}{flag}")


@central_app.command("hash-password")
def hash_dashboard_password(
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          help="Head office's dashboard password")],
) -> None:
    """Print the argon2 hash to set as KASSA_CENTRAL_DASHBOARD_PASSWORD_HASH."""
    from sync.central.api.session import hash_password

    if len(password) < 12:
        typer.secho("Use at least 12 characters.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(hash_password(password))


if __name__ == "__main__":
    central_app()
