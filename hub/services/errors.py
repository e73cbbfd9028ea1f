"""Domain errors: what went wrong in shop words. The API maps each to an HTTP status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Invalid(DomainError):
    """The request is well-formed but makes no sense for the shop (bad barcode, zero quantity)."""

    status = 422
    code = "invalid"


class Conflict(DomainError):
    """The request clashes with the current state (sale already completed, shift closed)."""


class NotAllowed(DomainError):
    """The caller's role may not do this."""

    status = 403
    code = "forbidden"


class ApprovalRequired(DomainError):
    """A manager must approve: send the request again with a manager's username and PIN."""

    status = 403
    code = "approval_required"


class ApprovalDenied(DomainError):
    """The manager's username or PIN keyed in for an approval was wrong."""

    status = 403
    code = "approval_denied"


class Unauthenticated(DomainError):
    """No valid login or device token, or a wrong PIN."""

    status = 401
    code = "unauthenticated"


class TooManyAttempts(DomainError):
    """Too many wrong PINs: wait before trying again."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
