"""Errors of the receipt printer driver; every one is a `DriverError`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.errors import DriverError

if TYPE_CHECKING:
    from drivers.printer.printer import PrinterStatus


class PrinterError(DriverError):
    """The printer cannot be used as configured, or answered something unreadable."""


class PrinterOffline(PrinterError):
    """The printer is unreachable or not ready; nothing (or not all) was printed: print again."""

    def __init__(self, message: str, status: PrinterStatus | None = None) -> None:
        super().__init__(message)
        self.status = status
