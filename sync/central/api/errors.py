"""One place that turns errors into HTTP answers a person can act on. Never a bare 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.central.services.errors import DomainError

log = logging.getLogger("kassa.central")
RETRY_AFTER = "2"


def body(code: str, message: str, **extra: object) -> dict[str, object]:
    """The error shape every central answer uses."""
    return {"error": code, "message": message, **extra}


def describe(errors: list[dict[str, object]]) -> str:
    """The first few validation problems as one sentence."""
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")  # type: ignore[attr-defined]
        parts.append(f"{loc or 'request'}: {err.get('msg')}")
    return "; ".join(parts)


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

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(body(exc.code, exc.message, **exc.detail), exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse(
            body("invalid_request", f"The request is not valid: {describe(errors)}",
                 problems=errors),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        return JSONResponse(body("http_error", message), exc.status_code, headers=exc.headers)

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc.orig)
        return JSONResponse(
            body("conflict", "That clashes with something already recorded; nothing was saved."),
            409,
        )

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
