"""The hub's error answers: the shared ones, and a busy database as 503. Never a bare 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from hub.db import CommitFailed
from sync.errors import body, install_common

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    install_common(app)

    @app.exception_handler(CommitFailed)
    async def not_saved(_: Request, exc: CommitFailed) -> JSONResponse:
        log.error("a commit failed: %s", exc.__cause__ or exc)
        return JSONResponse(
            body("not_saved", "The hub could not write this to its disk; nothing was saved. "
                 "Try again; if it keeps failing, the hub's disk needs looking at."),
            503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(OperationalError)
    async def busy(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return JSONResponse(
            body("unavailable", "The hub database is busy; nothing was saved. Try again."),
            503,
            headers={"Retry-After": "1"},
        )
