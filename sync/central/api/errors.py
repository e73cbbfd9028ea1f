"""Central's error answers: the shared ones, plus the database being away (503). Never a
bare 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from sync.errors import body, describe, install_common

__all__ = ["body", "describe", "install", "is_transient", "unavailable"]
log = logging.getLogger("kassa.central")
RETRY_AFTER = "2"


def unavailable(exc: Exception) -> JSONResponse:
    """The database is away for a moment: nothing was changed, try again shortly."""
    log.warning("database unavailable: %s", getattr(exc, "orig", exc))
    return JSONResponse(
        body("unavailable", "Central's database is unavailable for a moment; nothing was "
             "changed. Try again shortly."),
        503, headers={"Retry-After": RETRY_AFTER},
    )


def is_transient(exc: BaseException) -> bool:
    """A fault of the database link or a lost race, not of the request."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    install_common(app)

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        if is_transient(exc):
            return unavailable(exc)
        log.error("database refused a request: %s", exc.orig)
        return JSONResponse(
            body("invalid", "Central's database refused that data; nothing was saved. Check "
                 "the values (lengths, ranges) and try again."),
            422,
        )

    @app.exception_handler(PoolTimeout)
    async def pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        return unavailable(exc)
