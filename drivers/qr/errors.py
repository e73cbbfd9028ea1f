"""The one error the QR payload codecs raise: a payload or a field that cannot be carried."""

from __future__ import annotations

from drivers.errors import DriverError


class QrPayloadError(DriverError, ValueError):
    """A QR payment payload is malformed, or a field is not allowed by its scheme."""

    def __init__(self, message: str, *, field: str | None = None, offset: int | None = None):
        super().__init__(message)
        self.field = field
        self.offset = offset
