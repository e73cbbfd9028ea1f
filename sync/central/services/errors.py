"""Domain errors of central: the shared vocabulary plus central's own."""

from __future__ import annotations

from sync.errors import Conflict, DomainError, Invalid, NotFound, Unauthenticated

__all__ = ["Conflict", "DomainError", "Forbidden", "Invalid", "NotFound", "TooLarge",
           "Unauthenticated"]


class Forbidden(DomainError):
    """The caller may not act for this store."""

    status = 403
    code = "forbidden"


class TooLarge(DomainError):
    """The body is bigger than central takes."""

    status = 413
    code = "too_large"
