"""Errors both services speak: domain errors in shop words, and the FastAPI handlers that turn
them (and request validation, HTTP and integrity errors) into JSON a person can act on.

Shared by the hub and central; each adds the handlers only it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("kassa.errors")


class DomainError(Exception):
    """A request the shop's rules refuse; the message tells a person what to do."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        # Work that must be kept although the request's transaction is rolled back
        # (a wrong PIN is remembered even though the refund it was meant to approve is not).
        self.after_rollback: Callable[[Any], None] | None = None

    def headers(self) -> dict[str, str]:
        """Extra HTTP headers for this answer."""
        return {}


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Invalid(DomainError):
    """Well-formed, but it makes no sense for the shop (a bad barcode, a zero quantity)."""

    status = 422
    code = "invalid"


class Conflict(DomainError):
    """The request clashes with the current state (sale already completed, shift closed)."""


class Unauthenticated(DomainError):
    """No valid login or token, or a wrong PIN."""

    status = 401
    code = "unauthenticated"


def body(code: str, message: str, **extra: object) -> dict[str, object]:
    """The error shape every answer uses."""
    return {"error": code, "message": message, **extra}


def describe(errors: list[dict[str, object]]) -> str:
    """The first few validation problems as one sentence."""
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")  # type: ignore[attr-defined]
        parts.append(f"{loc or 'request'}: {err.get('msg')}")
    return "; ".join(parts)


def install_common(app: FastAPI) -> None:
    """Register the handlers every Kassa service has."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(body(exc.code, exc.message, **exc.detail), exc.status,
                            headers=exc.headers())

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
