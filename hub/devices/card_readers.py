"""Card readers on the lanes: one owner per reader, health with back-off, and card payments that
are journaled before the first byte, never retried blindly, and resolved when in doubt."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session

from drivers.card import (
    CardReader,
    Outcome,
    PaymentResult,
    ProgressEvent,
    ProgressKind,
    TerminalTotals,
)
from drivers.concert import ConcertReader, ConcertTimers
from drivers.errors import (
    DriverError,
    NoTotals,
    ProtocolError,
    ReaderBusy,
    ReaderDisconnected,
    ReaderTimeout,
)
from drivers.zvt import ZvtReader, ZvtTimers
from hub.api.events import EventBus, PaymentUpdated, ReaderChanged, ReaderState, publish_cart
from hub.config import Settings
from hub.db import CommitFailed, Database
from hub.models.base import utcnow
from hub.models.payment import IN_DOUBT, PaymentPublic
from hub.models.sale import SalePublic
from hub.models.settlement import CardReconciliation
from hub.services import payment as payments
from hub.services import reconcile
from hub.services.auth import Actor
from hub.services.context import Shop
from hub.services.errors import Conflict

log = logging.getLogger("kassa.readers")
T = TypeVar("T")
PROTOCOLS = ("zvt", "concert")
SYSTEM = Actor(role="manager", name="hub")  # the hub itself, settling what a terminal reports


class TerminalUnavailable(Conflict):
    """The card terminal did not answer a command that moves no money (end of day)."""

    code = "terminal_unavailable"


def parse_spec(spec: str) -> tuple[str, str]:
    """'zvt:socket://host:20007' → ('zvt', 'socket://host:20007')."""
    protocol, sep, url = spec.partition(":")
    if not sep or protocol not in PROTOCOLS or not url:
        raise ValueError(f"card reader '{spec}' must look like 'zvt:URL' or 'concert:URL'")
    return protocol, url


def build_reader(protocol: str, url: str, settings: Settings) -> CardReader:
    """The driver for a configured reader."""
    if protocol == "zvt":
        return ZvtReader(url, currency=settings.currency, baudrate=settings.card_reader_baud,
                         timers=ZvtTimers(t4=settings.card_answer_seconds))
    return ConcertReader(url, serial_mode=settings.concert_serial_mode,
                         baudrate=settings.card_reader_baud,
                         timers=ConcertTimers(answer=settings.card_answer_seconds))


class ReaderOwner:
    """The one holder of a reader's connection: serialises its use and knows its health."""

    def __init__(self, lane_id: str, protocol: str, url: str, reader: CardReader) -> None:
        self.lane_id, self.protocol, self.url, self.reader = lane_id, protocol, url, reader
        self.lock = asyncio.Lock()
        self.available = False
        self.checked = False
        self.last_error = ""
        self.terminal_id: str | None = None

    def state(self) -> ReaderState:
        """Health as the UIs show it."""
        return ReaderState(lane_id=self.lane_id, protocol=self.protocol, url=self.url,
                           available=self.available, busy=self.lock.locked(),
                           last_error=self.last_error, terminal_id=self.terminal_id)

    def note(self, available: bool, error: str = "") -> bool:
        """Record health; log one line per failure and one per recovery. True if it changed."""
        changed = available != self.available or not self.checked
        if changed and not available:
            log.warning("card reader on lane %s (%s) unavailable: %s", self.lane_id, self.url,
                        error)
        elif changed and self.checked:
            log.info("card reader on lane %s (%s) is back", self.lane_id, self.url)
        self.available, self.checked = available, True
        if error:
            self.last_error = error
        return changed


def _retrieved(task: asyncio.Task[Any]) -> None:
    """A start whose request has gone: its failure was answered to nobody (and is not an
    unretrieved task exception in the log)."""
    if not task.cancelled():
        task.exception()


def _busy(owner: ReaderOwner) -> Conflict:
    return Conflict(f"The card reader on lane {owner.lane_id} is busy with another payment.")


class CardPayments:
    """Runs card payments on the lanes' readers and keeps every attempt's state on disk."""

    def __init__(self, db: Database, shop: Shop, bus: EventBus,
                 readers: dict[str, CardReader] | None = None) -> None:
        self.db, self.shop, self.bus = db, shop, bus
        self.owners: dict[str, ReaderOwner] = {}
        for lane_id, spec in shop.settings.card_readers.items():
            protocol, url = parse_spec(spec)
            reader = (readers or {}).get(lane_id) or build_reader(protocol, url, shop.settings)
            self.owners[lane_id] = ReaderOwner(lane_id, protocol, url, reader)
        self._tasks: set[asyncio.Task[Any]] = set()
        # attempt id (or a payment's claim while it is written) → owner, while the reader has it
        self._running: dict[str, ReaderOwner] = {}
        self._claims = itertools.count()
        self._starting: dict[str, asyncio.Task[Any]] = {}  # request id → its payment's start
        self._live: dict[str, Any] = {}  # attempt id → the attempt with its latest progress

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Mark attempts a crash interrupted, then resolve and watch every reader."""
        for attempt in await self._db(payments.interrupted):
            log.warning("card payment %s was interrupted by a restart: now %s", attempt.id,
                        attempt.status)
        for owner in self.owners.values():
            self._spawn(self._watch(owner))

    async def stop(self) -> None:
        """Stop watching and close the ports (a running payment stays in doubt on disk).

        Bounded in time: a terminal that does not let go must not keep the hub from stopping.
        """
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=3)
        for owner in self.owners.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(owner.reader.close(), 3)

    def live(self, attempt_id: str) -> PaymentPublic | None:
        """A running attempt with the terminal's latest progress, which is not stored."""
        attempt = self._live.get(attempt_id)
        return payments.public(attempt) if attempt is not None else None

    def states(self) -> list[ReaderState]:
        """Every reader's health."""
        return [owner.state() for owner in self.owners.values()]

    # --- payments ------------------------------------------------------------------------------

    async def pay(self, lane_id: str, actor: Actor, amount: int | None,
                  request_id: str | None) -> PaymentPublic:
        """Journal a card payment for the lane's cart and start it on the lane's reader."""
        owner = self.owners.get(lane_id)
        if owner is None:
            raise Conflict(f"Lane {lane_id} has no card reader configured.")
        if request_id is not None and (starting := self._starting.get(request_id)) is not None:
            return payments.public(await asyncio.shield(starting))  # the same request, again
        if owner in self._running.values():  # a payment or a refund has the reader
            return await self._repeated(owner, request_id)
        claim = f"claim {next(self._claims)}"
        self._running[claim] = owner  # busy from here on (an end of day waits)
        # A task of its own: a request abandoned half-way does not leave an attempt marked
        # sent that never runs, and the terminal's first byte need not wait for the 202.
        begun = self._spawn(self._begin(owner, claim, lane_id, actor, amount, request_id))
        begun.add_done_callback(_retrieved)
        if request_id is not None:
            self._starting[request_id] = begun
            begun.add_done_callback(lambda _: self._starting.pop(request_id, None))
        return payments.public(await asyncio.shield(begun))

    async def _begin(self, owner: ReaderOwner, claim: str, lane_id: str, actor: Actor,
                     amount: int | None, request_id: str | None) -> Any:
        """Take the reader, write the attempt and mark it sent, then run it (see pay)."""
        try:
            await owner.lock.acquire()  # held until the payment ends; released in _run
            try:
                started = asyncio.ensure_future(asyncio.to_thread(
                    self._start, lane_id, actor, owner.url, amount, request_id))
                try:
                    attempt, new = await asyncio.shield(started)
                except asyncio.CancelledError:  # the hub stops: what the thread sent never runs
                    with contextlib.suppress(Exception):
                        attempt, new = await started
                        if new:
                            await self._db(payments.abandon, attempt.id)
                    raise
            except BaseException:
                owner.lock.release()
                raise
        finally:
            self._running.pop(claim, None)
        if not new:  # a repeated request gets its attempt back
            owner.lock.release()
            return attempt
        self._running[attempt.id] = owner
        self._spawn(self._run(owner, attempt, actor))
        return attempt

    def _start(self, lane_id: str, actor: Actor, reader_url: str, amount: int | None,
               request_id: str | None) -> tuple[Any, bool]:
        """Write a new attempt and mark it sent in one durable transaction, holding the reader
        (or find a repeated request's attempt). A crash before the commit leaves nothing; one
        after it leaves an attempt in doubt, which the terminal settles as never run."""
        new_id = None
        try:
            with self.db.write() as session:
                attempt, new = payments.create_attempt(session, lane_id, actor, reader_url,
                                                       amount, request_id)
                if new:
                    new_id = attempt.id
                    attempt = payments.mark_sent(session, new_id)
        except CommitFailed:
            # A commit that failed may yet have reached the disk (an fsync error): a repeat of
            # the request would then find it sent, with nothing running it. Fail it to be sure.
            if new_id is not None:
                with contextlib.suppress(Exception), self.db.write() as session:
                    payments.abandon(session, new_id)
            raise
        return attempt, new

    async def _repeated(self, owner: ReaderOwner, request_id: str | None) -> PaymentPublic:
        """While the reader is busy nothing new is written: a repeated request gets its attempt
        back, any other the reason it cannot start."""
        def find() -> Any:
            with self.db.read() as session:
                return payments.repeated_or_refused(session, owner.lane_id, request_id)

        if (earlier := await asyncio.to_thread(find)) is None:
            raise _busy(owner)
        return self.live(earlier.id) or payments.public(earlier)

    def _refuse_if_busy(self, owner: ReaderOwner) -> None:
        """A payment or refund already runs on this reader (a health check does not count)."""
        if owner in self._running.values():
            raise _busy(owner)

    async def refund(self, lane_id: str, actor: Actor, sale_id: str,
                     amount: int) -> PaymentPublic:
        """Credit a card on the lane's reader (journaled first) and wait for the outcome."""
        owner = self.owners.get(lane_id)
        if owner is None:
            raise Conflict(f"Lane {lane_id} has no card reader: refund the card payment at a "
                           "lane that has one.")
        self._refuse_if_busy(owner)
        credit = await self._db(payments.create_credit, sale_id, lane_id, actor, owner.url,
                                amount)
        attempt = await self._sent_holding(owner, credit.id)
        try:
            self._running[attempt.id] = owner
            self._publish_payment(attempt)
            try:
                result = await owner.reader.refund(amount, attempt.currency, attempt.reference)
            except DriverError as exc:
                result = PaymentResult(Outcome.FAILED, amount, attempt.currency, message=str(exc))
            except Exception as exc:
                log.exception("card refund %s broke off", attempt.id)
                result = PaymentResult(Outcome.UNKNOWN, amount, attempt.currency,
                                       message=f"broke off: {exc}")
            finally:
                self._running.pop(attempt.id, None)
            await self._settle(attempt.id, result, actor)
        finally:
            owner.lock.release()
        return payments.public(await self._db(payments.get_attempt, attempt.id))

    async def _sent_holding(self, owner: ReaderOwner, attempt_id: str) -> Any:
        """Take the reader and mark a written attempt sent; returns holding the reader. Should
        anything come first (the hub stops while it waits, the commit fails), the attempt is
        failed: nothing was sent, and a 'created' one would block the sale's next refund."""
        try:
            await owner.lock.acquire()  # (a health check holding it finishes in a moment)
            try:
                return await self._db(payments.mark_sent, attempt_id)
            except BaseException:
                owner.lock.release()
                raise
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._db(payments.abandon, attempt_id))
            raise

    async def cancel(self, attempt_id: str) -> PaymentPublic:
        """Ask the terminal to abort a running payment (the card holder can also cancel)."""
        attempt = await self._db(payments.get_attempt, attempt_id)
        owner = self._running.get(attempt_id)
        if owner is None:
            raise Conflict(f"Card payment {attempt_id} is {attempt.status}, not running.")
        if not owner.reader.capabilities.cancel:
            raise Conflict("This terminal cannot be stopped from the till: the customer "
                           "presses Cancel on the card terminal.")
        with contextlib.suppress(DriverError):
            await owner.reader.cancel()
        return payments.public(attempt)

    async def _run(self, owner: ReaderOwner, attempt: Any, actor: Actor) -> None:
        attempt_id = attempt.id  # marked sent: the reader has it now
        try:
            self._live[attempt_id] = attempt
            self._publish_payment(attempt)

            def on_progress(event: ProgressEvent) -> None:
                # Progress is shown, not stored: after a crash 'sent' and 'in progress' are the
                # same doubt, so a disk write per terminal message would buy nothing.
                # A stable code (insert_card, enter_pin …) that screens translate; free text
                # only for the terminal's own messages.
                shown = event.text if event.kind is ProgressKind.MESSAGE else event.kind.value
                attempt.status, attempt.progress = "in_progress", shown[:80]
                self._publish_payment(attempt)

            stop = owner.reader.on_progress(on_progress)
            try:
                result = await owner.reader.pay(attempt.amount, attempt.currency,
                                                attempt.reference)
            except DriverError as exc:  # invalid or busy: the terminal never took it
                result = PaymentResult(Outcome.FAILED, attempt.amount, attempt.currency,
                                       message=str(exc))
            except Exception as exc:  # anything else after sending: the money may have moved
                log.exception("card payment %s broke off", attempt_id)
                result = PaymentResult(Outcome.UNKNOWN, attempt.amount, attempt.currency,
                                       message=f"broke off: {exc}")
            finally:
                stop()
            result = await self._refuse_partial(owner, attempt.amount, result)
            owner.note(result.outcome is not Outcome.UNKNOWN or owner.available,
                       result.message if result.outcome is Outcome.UNKNOWN else "")
            await self._settle(attempt_id, result, actor)
        finally:
            self._running.pop(attempt_id, None)
            self._live.pop(attempt_id, None)
            owner.lock.release()
        if result.outcome is Outcome.UNKNOWN:
            await self.resolve_pending(owner)

    async def _refuse_partial(self, owner: ReaderOwner, amount: int,
                              result: PaymentResult) -> PaymentResult:
        """A partial approval is reversed where the terminal can; else it stays in doubt."""
        if (result.outcome is not Outcome.APPROVED or result.amount_minor == amount
                or not owner.reader.capabilities.reversal or not result.receipt_no):
            return result
        reverse = getattr(owner.reader, "reverse", None)
        try:
            undone = await reverse(result.receipt_no, result.amount_minor, result.currency)  # type: ignore[misc]
        except DriverError as exc:
            return replace(result, message=f"partial approval; reversal failed: {exc}")
        if undone.outcome is Outcome.APPROVED:
            return replace(result, outcome=Outcome.CANCELLED, message=(
                f"The terminal approved only {result.amount_minor} of {amount}; "
                "partial approvals are refused, so it was reversed."))
        return result

    async def _settle(self, attempt_id: str, result: PaymentResult, actor: Actor,
                      how: str | None = None) -> None:
        attempt, cart = await self._db(payments.record_result, self.shop, attempt_id, result,
                                       actor, how)
        self._publish_payment(attempt)
        if cart is not None:
            self._publish_cart(cart)

    # --- end of day ------------------------------------------------------------------------------

    async def end_of_day(self, lane_id: str) -> TerminalTotals:
        """Close the lane's terminal's period and return its totals (never during a payment)."""
        owner = self.owners.get(lane_id)
        if owner is None:
            raise Conflict(f"Lane {lane_id} has no card reader configured.")
        if not owner.reader.capabilities.end_of_day:
            raise Conflict("This terminal type reports no totals (Concert v2 has no end of day): "
                           "compare its own printout with the hub's card payments by hand.")
        self._refuse_if_busy(owner)
        async with owner.lock:  # a payment started meanwhile waits for the end of day
            self._refuse_if_busy(owner)
            try:
                totals = await owner.reader.end_of_day()
            except NoTotals as exc:
                raise Conflict(f"This terminal reports no totals: {exc}") from exc
            except ReaderBusy as exc:
                raise Conflict(f"The card reader on lane {lane_id} is busy: {exc}") from exc
            except (ReaderTimeout, ReaderDisconnected, ProtocolError) as exc:
                owner.note(False, str(exc))
                raise TerminalUnavailable(
                    f"The card terminal on lane {lane_id} did not finish its end of day ({exc}). "
                    "It may have closed its day all the same: print its last end-of-day report "
                    "on the terminal before trying again.") from exc
            except DriverError as exc:
                raise Conflict(f"The card terminal refused the end of day: {exc}") from exc
        owner.note(True)
        log.info("card terminal on lane %s closed its day: %s transactions, %s %s", lane_id,
                 totals.transaction_count, totals.total_minor, totals.currency)
        return totals

    async def settle_day(self, lane_id: str, actor: Actor) -> CardReconciliation:
        """Run the terminal's end of day and store its reconciliation with the hub's payments."""
        owner = self.owners.get(lane_id)
        if owner is None:
            raise Conflict(f"Lane {lane_id} has no card reader configured.")
        # The period ends before the terminal is asked: a payment started after this moment
        # waits for the end of day and so belongs to the terminal's next period as well.
        until = utcnow()
        totals = await self.end_of_day(lane_id)
        return await self._db(self._record_settlement, lane_id, owner.url, totals, actor, until)

    def _record_settlement(self, session: Session, lane_id: str, reader: str,
                           totals: TerminalTotals, actor: Actor,
                           until: datetime) -> CardReconciliation:
        return reconcile.record_settlement(session, self.shop, lane_id, reader, totals, actor,
                                           until)

    # --- in doubt --------------------------------------------------------------------------------

    async def resolve_pending(self, owner: ReaderOwner) -> None:
        """Ask the terminal about every in-doubt attempt on it (ZVT: repeat receipt)."""
        if not owner.reader.capabilities.last_transaction:
            return  # Concert v2 has no query: the operator decides
        for attempt in await self._db(payments.in_doubt):
            if attempt.reader == owner.url:
                await self.resolve_from_terminal(attempt.id)

    async def resolve_from_terminal(self, attempt_id: str) -> PaymentPublic:
        """Compare the terminal's last transaction with an in-doubt attempt and settle it."""
        attempt = await self._db(payments.get_attempt, attempt_id)
        owner = next((o for o in self.owners.values() if o.url == attempt.reader), None)
        if attempt.status != IN_DOUBT:
            raise Conflict(f"Card payment {attempt_id} is {attempt.status}, not in doubt.")
        if owner is None or not owner.reader.capabilities.last_transaction:
            raise Conflict("This terminal cannot be asked about its last payment: check its "
                           "printout or totals and resolve it by hand.")
        async with owner.lock:
            # Another caller (the reader's watcher, a manager) may have settled it while this
            # one waited for the reader: never act on a stale "in doubt" (a second answer
            # would reverse a payment the first one already put on the sale).
            attempt = await self._db(payments.get_attempt, attempt_id)
            if attempt.status != IN_DOUBT:
                return payments.public(attempt)
            try:
                last = await owner.reader.last_transaction()
            except DriverError as exc:
                owner.note(False, str(exc))
                return payments.public(attempt)
            owner.note(True)
            known = await self._db(payments.known_terminal_receipts, owner.url, attempt.id)
            if last is None or (last.receipt_no and last.receipt_no in known):
                result = PaymentResult(Outcome.FAILED, attempt.amount, attempt.currency,
                                       message="The terminal's last transaction is an earlier "
                                               "one: this payment never ran.")
            elif last.amount_minor != attempt.amount:
                return payments.public(attempt)  # not ours; leave it to the operator
            elif last.outcome is Outcome.APPROVED and attempt.kind == "debit" and not (
                    await self._db(payments.sale_can_take, attempt)):
                result = await self._reverse(owner, attempt, last)
            else:
                result = replace(last, message=f"from the terminal's repeat receipt: "
                                               f"{last.outcome.value}")
            await self._settle(attempt.id, result, SYSTEM, how="terminal")  # still under lock
        log.info("in-doubt card payment %s resolved by the terminal: %s", attempt.id,
                 result.outcome.value)
        return payments.public(await self._db(payments.get_attempt, attempt.id))

    async def _reverse(self, owner: ReaderOwner, attempt: Any,
                       last: PaymentResult) -> PaymentResult:
        reverse = getattr(owner.reader, "reverse", None)
        if reverse is None or not last.receipt_no:
            return replace(last, outcome=Outcome.UNKNOWN,
                           message="approved, but the sale cannot take it: refund it by hand")
        undone = await reverse(last.receipt_no, last.amount_minor, last.currency)
        if undone.outcome is Outcome.APPROVED:
            return replace(last, outcome=Outcome.CANCELLED,
                           message="approved after the sale was closed: reversed on the terminal")
        return replace(last, outcome=Outcome.UNKNOWN, message="reversal refused: refund by hand")

    # --- health ----------------------------------------------------------------------------------

    async def _watch(self, owner: ReaderOwner) -> None:
        """Poll an idle reader; back off while it is away; resolve in-doubt work on recovery."""
        poll = self.shop.settings.reader_poll_seconds
        backoff = 1.0
        while True:
            if not owner.lock.locked():
                async with owner.lock:
                    try:
                        status = await owner.reader.status()
                        ok, error = status.available, status.detail if not status.available else ""
                        owner.terminal_id = status.terminal_id or owner.terminal_id
                    except DriverError as exc:
                        ok, error = False, str(exc)
                came_back = ok and (not owner.available or not owner.checked)
                if owner.note(ok, error):
                    self.bus.publish(ReaderChanged(lane_id=owner.lane_id, reader=owner.state()))
                if came_back:
                    await self.resolve_pending(owner)
            if owner.available:
                backoff = 1.0
                await asyncio.sleep(poll)
            else:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, poll)

    # --- helpers ---------------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        def work() -> T:
            with self.db.write() as session:
                return fn(session, *args)

        return await asyncio.to_thread(work)

    def _publish_payment(self, attempt: Any) -> None:
        self.bus.publish(PaymentUpdated(lane_id=attempt.lane_id,
                                        payment=payments.public(attempt)))

    def _publish_cart(self, cart: SalePublic) -> None:
        publish_cart(self.bus, cart)

