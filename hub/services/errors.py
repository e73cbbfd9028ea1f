"""Domain errors of the hub: what went wrong in shop words. The API maps each to an HTTP status."""

from __future__ import annotations

from sync.errors import Conflict, DomainError, Invalid, NotFound, Unauthenticated

__all__ = [
    "ApprovalDenied", "ApprovalRequired", "Conflict", "DomainError", "Invalid", "NotAllowed",
    "NotFound", "TooManyAttempts", "Unauthenticated",
]


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


class TooManyAttempts(DomainError):
    """Too many wrong PINs: wait before trying again."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        """Tell clients when to try again."""
        return {"Retry-After": str(self.retry_after)}
