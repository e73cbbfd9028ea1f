"""The card-reader interface every terminal driver offers, and the results it returns."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """How a card transaction ended, as far as the register can tell."""

    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    FAILED = "failed"  # the terminal certainly did not run it: safe to try again
    UNKNOWN = "unknown"  # in doubt: resolve with last_transaction() or the operator


class ProgressKind(StrEnum):
    """What the terminal is asking of the card holder or telling the cashier."""

    INSERT_CARD = "insert_card"
    ENTER_PIN = "enter_pin"
    REMOVE_CARD = "remove_card"
    PLEASE_WAIT = "please_wait"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    MESSAGE = "message"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a running transaction, as shown on the terminal."""

    kind: ProgressKind
    text: str = ""
    code: int | None = None


@dataclass(frozen=True)
class PaymentResult:
    """The outcome of a payment, refund or reversal, with whatever the terminal told us."""

    outcome: Outcome
    amount_minor: int
    currency: str
    reference: str = ""
    masked_pan: str | None = None
    brand: str | None = None
    auth_code: str | None = None
    trace_no: str | None = None
    receipt_no: str | None = None
    terminal_id: str | None = None
    receipt_lines: list[str] = field(default_factory=list)
    result_code: str | None = None
    message: str = ""

    @property
    def in_doubt(self) -> bool:
        """True when the money may or may not have moved."""
        return self.outcome is Outcome.UNKNOWN


@dataclass(frozen=True)
class ReaderStatus:
    """Whether the terminal answers and can take a transaction now."""

    available: bool
    busy: bool = False
    detail: str = ""
    terminal_id: str | None = None


@dataclass(frozen=True)
class BrandTotals:
    """One card brand's share of a terminal's totals (amounts in integer minor units)."""

    brand: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class TerminalTotals:
    """A terminal's end-of-day (batch close) totals for the period since its last one.

    `total_minor` is the net turnover (debits minus credits) and `transaction_count` counts
    every booked transaction, as the terminal reports them (None when it gives no count).
    Debits and credits are given apart only where the protocol does; otherwise those fields
    are None.
    """

    terminal_id: str | None
    currency: str
    transaction_count: int | None
    total_minor: int
    brands: tuple[BrandTotals, ...] = ()
    debit_count: int | None = None
    debit_minor: int | None = None
    credit_count: int | None = None
    credit_minor: int | None = None
    first_receipt_no: str | None = None
    last_receipt_no: str | None = None
    trace_no: str | None = None
    receipt_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capabilities:
    """Which optional operations a protocol supports."""

    cancel: bool
    last_transaction: bool
    reversal: bool
    end_of_day: bool
    status_query: bool


ProgressListener = Callable[[ProgressEvent], None]


class ProgressFeed:
    """Fan-out of progress events to callbacks and async iterators."""

    def __init__(self) -> None:
        self._listeners: list[ProgressListener] = []

    def on_progress(self, listener: ProgressListener) -> Callable[[], None]:
        """Call `listener` for every event; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def progress(self) -> AsyncIterator[ProgressEvent]:
        """Yield progress events as they happen, until the consumer stops iterating."""
        queue: asyncio.Queue[ProgressEvent] = asyncio.Queue()
        stop = self.on_progress(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            with contextlib.suppress(ValueError):
                stop()

    def publish(self, event: ProgressEvent) -> None:
        """Deliver one event to every listener."""
        for listener in list(self._listeners):
            listener(event)


class CardReader(ProgressFeed, ABC):
    """A payment terminal attached to the register.

    pay/refund return a PaymentResult for every outcome, including UNKNOWN when the line was
    lost after the terminal accepted the request; they raise only for an invalid request or a
    busy reader. A debit is never sent again automatically.
    """

    capabilities: Capabilities

    @abstractmethod
    async def pay(self, amount_minor: int, currency: str, reference: str) -> PaymentResult:
        """Charge the card holder `amount_minor` of `currency`."""

    @abstractmethod
    async def refund(self, amount_minor: int, currency: str, reference: str) -> PaymentResult:
        """Credit the card holder `amount_minor` of `currency`."""

    @abstractmethod
    async def cancel(self) -> None:
        """Ask the terminal to abort the running transaction."""

    @abstractmethod
    async def status(self) -> ReaderStatus:
        """Report whether the terminal answers and is free."""

    @abstractmethod
    async def last_transaction(self) -> PaymentResult | None:
        """Return the terminal's record of its last transaction, if the protocol has one."""

    @abstractmethod
    async def end_of_day(self) -> TerminalTotals:
        """Close the terminal's period and return its totals (raises NoTotals where none)."""

    @abstractmethod
    async def close(self) -> None:
        """Release the port."""

    async def __aenter__(self) -> CardReader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
