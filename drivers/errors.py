"""Errors raised by the card-reader drivers; every one is a `DriverError`."""

from __future__ import annotations


class DriverError(Exception):
    """Base class of every error a driver raises."""


class ProtocolError(DriverError):
    """Bytes on the line do not form a valid message of the protocol."""


class ReaderTimeout(DriverError):
    """The terminal did not answer within the protocol's timer."""


class ReaderDisconnected(DriverError):
    """The port could not be opened, or the line to the terminal was lost."""


class ReaderBusy(DriverError):
    """The terminal is already running a transaction for this register."""


class ReaderRejected(DriverError):
    """The terminal refused the request before starting it (nothing was charged)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class UnsupportedOperation(DriverError):
    """The protocol spoken by this terminal has no such operation."""


class NoTotals(UnsupportedOperation):
    """This terminal type reports no totals: its protocol has no end-of-day message."""


class InvalidRequest(DriverError, ValueError):
    """The caller asked for something the protocol cannot carry (amount, currency, …)."""
