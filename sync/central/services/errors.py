"""Domain errors of central: what went wrong in shop words. The API maps each to a status."""

from __future__ import annotations


class DomainError(Exception):
    """A request central's rules refuse; the message tells a person what to do."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Invalid(DomainError):
    """Well-formed, but it makes no sense for the shop."""

    status = 422
    code = "invalid"


class Conflict(DomainError):
    """The request clashes with the current state."""


class Forbidden(DomainError):
    """The caller may not act for this store."""

    status = 403
    code = "forbidden"


class Unauthenticated(DomainError):
    """No valid token."""

    status = 401
    code = "unauthenticated"


class TooLarge(DomainError):
    """The body is bigger than central takes."""

    status = 413
    code = "too_large"
