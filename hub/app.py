"""create_app(settings) and its lifespan: migrate, load the key, bind the event bus."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hub import __doc__ as hub_doc
from hub.api import errors, ws
from hub.api.deps import ActorCache
from hub.api.events import EventBus
from hub.api.routes import (
    admin,
    assist,
    auth,
    catalog,
    customers,
    devices,
    display,
    lanes,
    mail,
    manager,
    parking,
    payments,
    qr,
    receipts,
    reports,
    sales,
    settlements,
    shifts,
    sync,
)
from hub.config import Settings
from hub.db import Database, upgrade
from hub.demo import load_demo_data
from hub.devices.card_readers import CardPayments
from hub.devices.peripherals import DeviceManager
from hub.mail_sender import MailSender
from hub.psp import SandboxPsp
from hub.services import rollup
from hub.services.context import Shop
from hub.services.journal import load_or_create_key
from hub.sync_runner import SyncWorker

log = logging.getLogger("kassa.hub")
KIOSK_STATIC = Path(__file__).resolve().parent.parent / "kiosk_ui" / "static"


def prepare(settings: Settings) -> None:
    """Make the data directory, migrate the database, make the key; load demo data if asked."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    load_or_create_key(settings.data_dir)
    db = Database(settings.database_url)
    with db.write() as session:
        if settings.demo_data and load_demo_data(session):
            log.info("loaded the demo store into %s", settings.data_dir)
        if rollup.needs_rebuild(session):  # sales from before the daily sums existed
            log.info("summed %d earlier sales per day",
                     rollup.rebuild(session, settings.timezone))
    db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The hub's web application."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(prepare, settings)
        app.state.db = Database(settings.database_url)
        app.state.shop = Shop(settings=settings, key=load_or_create_key(settings.data_dir))
        app.state.bus.bind(asyncio.get_running_loop())
        app.state.card_payments = CardPayments(app.state.db, app.state.shop, app.state.bus)
        await app.state.card_payments.start()
        app.state.sync = SyncWorker(app.state.db, app.state.shop, app.state.bus)
        await app.state.sync.start()
        app.state.devices = DeviceManager(app.state.db, app.state.shop, app.state.bus)
        await app.state.devices.start()
        app.state.mail_sender = MailSender(app.state.db, app.state.shop)
        await app.state.mail_sender.start()
        sweeper = asyncio.create_task(qr.sweep_forever(app.state.db, app.state.shop,
                                                       app.state.bus, app.state.psp))
        # What start-up made lives as long as the hub: out of the collector's way, so a full
        # collection walks only what requests made (it was a 150 ms pause in a sale's answer).
        # `kassa hub serve` started with the collector off (hub.cli): the garbage of start-up is
        # ~0.5 MB, frozen with the rest rather than collected for ~100 ms of CPU before ready.
        gc.freeze()
        gc.enable()
        app.state.ready = True
        yield
        app.state.ready = False
        sweeper.cancel()
        await app.state.mail_sender.stop()
        await app.state.devices.stop()
        await app.state.sync.stop()
        await app.state.card_payments.stop()
        app.state.db.dispose()

    app = FastAPI(title="Kassa hub", version="1", description=hub_doc or "", lifespan=lifespan)
    app.state.bus = EventBus()
    app.state.actors = ActorCache()
    app.state.psp = {"sandbox": SandboxPsp(settings.sandbox_webhook_secret, settings.public_url)}
    app.state.ready = False
    errors.install(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """200 once the hub is migrated and ready to sell (on the loop: it does no I/O)."""
        return {"status": "ok"}

    # A request is matched against the routes in order, one regular expression each (~90 of
    # them): the lane's routes (every scan and tender) go first. No two routers share a path.
    for module in (lanes, auth, catalog, payments, qr, shifts, sales, sync, assist, admin,
                   devices, mail, reports, settlements, manager, parking, customers):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(ws.router)
    app.include_router(qr.pages)
    app.include_router(receipts.pages)
    app.include_router(display.pages)
    app.include_router(manager.pages)
    app.mount("/kiosk", StaticFiles(directory=KIOSK_STATIC, html=True), name="kiosk")
    return app
