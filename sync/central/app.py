"""create_app(settings) and its lifespan: migrate, open the database, sweep reservations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from sync.central import __doc__ as central_doc
from sync.central.api import errors
from sync.central.api.routes import admin, dashboard, shop, sync
from sync.central.config import CentralSettings
from sync.central.db import Database, upgrade
from sync.central.models import utcnow
from sync.central.services.pickup import expire_reservations

log = logging.getLogger("kassa.central")


def sweep_once(db: Database) -> list[str]:
    """Expire the reservations past their time; returns the expired order ids."""
    with db.transaction() as session:
        return expire_reservations(session, utcnow())


async def sweep_forever(db: Database, every: float) -> None:
    """Expire reservations every `every` seconds; a failure is logged once, recovery once."""
    failing = False
    while True:
        await asyncio.sleep(every)
        try:
            expired = await asyncio.to_thread(sweep_once, db)
        except Exception:
            if not failing:
                log.exception("reservation sweep failed; retrying every %ss", every)
            failing = True
            continue
        if failing:
            log.info("reservation sweep works again")
        failing = False
        if expired:
            log.info("expired %d pick-up reservations", len(expired))


def create_app(settings: CentralSettings | None = None) -> FastAPI:
    """Central's web application."""
    settings = settings or CentralSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(upgrade, settings.database_url)
        app.state.db = Database(settings.database_url)
        sweeper = asyncio.create_task(sweep_forever(app.state.db, settings.sweep_seconds))
        app.state.ready = True
        yield
        app.state.ready = False
        sweeper.cancel()
        app.state.db.dispose()

    app = FastAPI(title="Kassa central", version="1", description=central_doc or "",
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = utcnow
    app.state.ready = False
    errors.install(app)
    for module in (sync, shop, admin):
        app.include_router(module.router)
    app.include_router(dashboard.api)
    app.include_router(dashboard.pages)
    app.mount("/dashboard/static", StaticFiles(directory=dashboard.STATIC), name="dashboard")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = sync.document_push_body(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """200 once central is migrated and its database answers."""
        from fastapi.responses import JSONResponse
        from sqlalchemy import text

        if not app.state.ready:
            return JSONResponse(errors.body("starting", "Central is starting."), 503)  # type: ignore[return-value]
        with app.state.db.transaction() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return {"status": "ok"}

    return app
