"""A ZVT terminal over serial or TCP: commands, the PT's messages, timers and outcomes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from drivers.card import (
    BrandTotals,
    Capabilities,
    CardReader,
    Outcome,
    PaymentResult,
    ProgressEvent,
    ProgressKind,
    ReaderStatus,
    TerminalTotals,
)
from drivers.currency import alpha_code, numeric_code
from drivers.errors import (
    DriverError,
    InvalidRequest,
    ProtocolError,
    ReaderBusy,
    ReaderDisconnected,
    ReaderRejected,
    ReaderTimeout,
)
from drivers.transport import LineSettings
from drivers.zvt import codec
from drivers.zvt.codec import Apdu, StatusInfo
from drivers.zvt.codes import ABORTED, progress_for, result_text
from drivers.zvt.transport import ZvtLink, open_link

MAX_AMOUNT_MINOR = 999_999_999_999  # six BCD bytes

# Registration config byte: ECR prints payment and admin receipts, wants intermediate status,
# receives print lines.
DEFAULT_CONFIG = 0x02 | 0x04 | 0x08 | 0x80

GoodsCheck = Callable[[PaymentResult], Coroutine[Any, Any, bool]]


@dataclass(frozen=True)
class ZvtTimers:
    """Protocol timers in seconds (T3, T4 from the specification; shorten them in tests)."""

    t3: float = 5.0  # for 80 00 00 after a command
    t4: float = 180.0  # for master rights to return, restarted by every PT message
    link_ack: float = 5.0  # for the serial ACK/NAK byte after a frame
    inter_byte: float = 0.2  # gap that abandons a half-received serial frame
    resends: int = 3  # serial resends after NAK


@dataclass
class _Exchange:
    """What the terminal said while it held master rights for one command."""

    info: StatusInfo | None = None
    lines: list[str] = field(default_factory=list)
    completion: dict[int, bytes] | None = None
    abort_code: int | None = None
    aborted: bool = False


def terminal_totals(
    info: StatusInfo, lines: list[str], currency: str, terminal_id: str | None
) -> TerminalTotals:
    """The totals an end-of-day 04 0F carries: BMP 04 net total, BMP 60 per card group.

    ZVT does not report debits and credits apart, so those stay None. Without BMP 60 the count
    is unknown (None); without BMP 04 the total is the groups' sum.
    """
    totals = codec.parse_totals(info.totals) if info.totals else None
    brands = tuple(BrandTotals(name, count, amount)
                   for name, count, amount in (totals.groups if totals else ())
                   if count or amount)
    total = info.amount_minor
    if total is None:
        total = totals.amount_minor if totals else 0
    return TerminalTotals(
        terminal_id=info.terminal_id or terminal_id,
        currency=alpha_code(info.currency) if info.currency else currency,
        transaction_count=totals.count if totals else None,
        total_minor=total,
        brands=brands,
        first_receipt_no=totals.first_receipt_no if totals else None,
        last_receipt_no=totals.last_receipt_no if totals else None,
        trace_no=info.trace_no,
        receipt_lines=tuple(lines),
    )


class _NotSent(DriverError):
    """The command certainly did not reach the terminal."""


class ZvtReader(CardReader):
    """A ZVT payment terminal; connects (and registers) lazily on first use."""

    capabilities = Capabilities(
        cancel=True, last_transaction=True, reversal=True, end_of_day=True, status_query=True
    )

    def __init__(
        self,
        url: str,
        *,
        password: str = "000000",
        currency: str | None = None,
        config_byte: int = DEFAULT_CONFIG,
        register: bool = True,
        timers: ZvtTimers | None = None,
        serial_mode: str = "8N2",
        baudrate: int = 9600,
        goods_check: GoodsCheck | None = None,
    ) -> None:
        super().__init__()
        codec.password_bytes(password)  # validates early
        self.url = url
        self.password = password
        self.currency = currency
        self.config_byte = config_byte
        self.register_on_connect = register
        self.timers = timers or ZvtTimers()
        self.settings = LineSettings.from_mode(serial_mode, baudrate)
        self.goods_check = goods_check
        self.terminal_id: str | None = None
        self._link: ZvtLink | None = None
        self._lock = asyncio.Lock()

    # --- public operations -------------------------------------------------------------------

    async def pay(self, amount_minor: int, currency: str, reference: str) -> PaymentResult:
        """06 01 authorization; see CardReader for how outcomes are reported."""
        self._check_amount(amount_minor)
        apdu = codec.authorization(amount_minor, numeric_code(currency))
        return await self._transaction(apdu, amount_minor, currency, reference, debit=True)

    async def refund(self, amount_minor: int, currency: str, reference: str) -> PaymentResult:
        """06 31 refund to the card."""
        self._check_amount(amount_minor)
        apdu = codec.refund(self.password, amount_minor, numeric_code(currency))
        return await self._transaction(apdu, amount_minor, currency, reference, debit=False)

    async def reverse(
        self, receipt_no: str, amount_minor: int, currency: str, reference: str = ""
    ) -> PaymentResult:
        """06 30 reversal of the transaction with `receipt_no` (APPROVED = reversed)."""
        if not receipt_no.isdigit() or len(receipt_no) > 4:
            raise InvalidRequest(f"receipt number {receipt_no!r} is not up to four digits")
        apdu = codec.reversal(self.password, int(receipt_no))
        return await self._transaction(apdu, amount_minor, currency, reference, debit=False)

    async def cancel(self) -> None:
        """06 B0: ask the terminal to abort the running transaction (no-op when idle)."""
        if not self._lock.locked() or self._link is None:
            return
        with contextlib.suppress(DriverError):
            await self._link.send(Apdu(*codec.ABORT_REQUEST))

    async def last_transaction(self) -> PaymentResult | None:
        """06 20 repeat receipt: the terminal's record of its last transaction, or None."""
        ex = await self._admin(codec.password_command(codec.REPEAT_RECEIPT, self.password))
        if ex.aborted or ex.info is None:
            return None
        info = ex.info
        currency = alpha_code(info.currency) if info.currency else (self.currency or "")
        outcome = Outcome.APPROVED if info.result_code in (0, None) else Outcome.DECLINED
        return self._result(outcome, info.amount_minor or 0, currency, "", ex, "repeat receipt")

    async def end_of_day(self) -> TerminalTotals:
        """06 50 with the password: close the terminal's period and return its totals."""
        ex = await self._admin(codec.password_command(codec.END_OF_DAY, self.password))
        if ex.aborted:
            raise ReaderRejected(f"end of day refused: {result_text(ex.abort_code)}", ex.abort_code)
        if ex.info is None:
            raise ProtocolError("the terminal closed its day without sending its totals (04 0F): "
                                "read them from its printout")
        if ex.info.result_code not in (0, None):
            code = ex.info.result_code
            raise ReaderRejected(f"end of day failed: {result_text(code)}", code)
        tid = (ex.completion or {}).get(0x29)
        return terminal_totals(ex.info, ex.lines, self.currency or "",
                               tid.hex() if tid else self.terminal_id)

    async def status(self) -> ReaderStatus:
        """05 01 status enquiry; status byte 00 in the completion means ready."""
        if self._lock.locked():
            return ReaderStatus(
                available=True,
                busy=True,
                detail="transaction running",
                terminal_id=self.terminal_id,
            )
        try:
            ex = await self._admin(codec.password_command(codec.STATUS_ENQUIRY, self.password))
        except DriverError as exc:
            return ReaderStatus(available=False, detail=str(exc))
        if ex.aborted:
            return ReaderStatus(available=False, detail=result_text(ex.abort_code))
        state = (ex.completion or {}).get(0x19, b"\x00")
        ready = state == b"\x00"
        return ReaderStatus(
            available=ready,
            detail="ready" if ready else f"status {state.hex()}",
            terminal_id=self.terminal_id,
        )

    async def register(self) -> None:
        """06 00 registration (done automatically on connect unless register=False)."""
        async with self._exclusive():
            await self._connect(force_register=True)

    async def close(self) -> None:
        """Close the connection."""
        await self._drop_link()

    # --- transactions ------------------------------------------------------------------------

    def _check_amount(self, amount_minor: int) -> None:
        if not 0 < amount_minor <= MAX_AMOUNT_MINOR:
            raise InvalidRequest(f"amount {amount_minor} is outside 1..{MAX_AMOUNT_MINOR}")

    @contextlib.asynccontextmanager
    async def _exclusive(self):  # type: ignore[no-untyped-def]
        if self._lock.locked():
            raise ReaderBusy("the terminal is running another command for this register")
        async with self._lock:
            yield

    async def _admin(self, apdu: Apdu) -> _Exchange:
        """Run a command that moves no money; on a lost line drop the link and raise."""
        async with self._exclusive():
            try:
                await self._connect()
                return await self._command(apdu)
            except (ReaderTimeout, ReaderDisconnected, ProtocolError):
                await self._drop_link()
                raise

    async def _transaction(
        self, apdu: Apdu, amount: int, currency: str, reference: str, *, debit: bool
    ) -> PaymentResult:
        currency = currency.upper()
        async with self._exclusive():
            try:
                await self._connect()
            except DriverError as exc:
                await self._drop_link()
                return self._result(
                    Outcome.FAILED,
                    amount,
                    currency,
                    reference,
                    None,
                    f"terminal not reachable: {exc}",
                )
            try:
                ex = await self._command(apdu, debit=debit, amount=amount, currency=currency)
            except (_NotSent, ReaderRejected) as exc:
                return self._result(Outcome.FAILED, amount, currency, reference, None, str(exc))
            except (ReaderTimeout, ReaderDisconnected, ProtocolError) as exc:
                await self._drop_link()  # reconnect next time; the caller resolves the doubt
                return self._result(
                    Outcome.UNKNOWN, amount, currency, reference, None, f"outcome unknown: {exc}"
                )
        return self._outcome(ex, amount, currency, reference)

    def _outcome(self, ex: _Exchange, amount: int, currency: str, ref: str) -> PaymentResult:
        info = ex.info
        if ex.aborted:
            outcome = Outcome.CANCELLED if ex.abort_code == ABORTED else Outcome.DECLINED
            code = ex.abort_code
        else:
            code = info.result_code if info else None
            outcome = Outcome.APPROVED if code in (0, None) else Outcome.DECLINED
        kind = {
            Outcome.APPROVED: ProgressKind.APPROVED,
            Outcome.DECLINED: ProgressKind.DECLINED,
            Outcome.CANCELLED: ProgressKind.CANCELLED,
        }[outcome]
        self.publish(ProgressEvent(kind, result_text(code), code))
        if info and info.amount_minor is not None:
            amount = info.amount_minor
        if info and info.currency is not None:
            currency = alpha_code(info.currency)
        return self._result(outcome, amount, currency, ref, ex, result_text(code))

    def _result(
        self,
        outcome: Outcome,
        amount: int,
        currency: str,
        reference: str,
        ex: _Exchange | None,
        message: str,
    ) -> PaymentResult:
        info = (ex.info if ex else None) or StatusInfo()
        code = ex.abort_code if ex and ex.aborted else info.result_code
        return PaymentResult(
            outcome=outcome,
            amount_minor=amount,
            currency=currency,
            reference=reference,
            masked_pan=info.masked_pan,
            brand=info.card_name,
            auth_code=info.auth_code,
            trace_no=info.trace_no,
            receipt_no=info.receipt_no,
            terminal_id=info.terminal_id or self.terminal_id,
            receipt_lines=list(ex.lines) if ex else [],
            result_code=None if code is None else f"{code:02X}",
            message=message,
        )

    # --- the exchange with the terminal ------------------------------------------------------

    async def _connect(self, *, force_register: bool = False) -> None:
        if self._link is None:
            t = self.timers
            self._link = await open_link(
                self.url,
                self.settings,
                ack_timeout=t.link_ack,
                inter_byte=t.inter_byte,
                resends=t.resends,
            )
            force_register = force_register or self.register_on_connect
        if force_register:
            currency = numeric_code(self.currency) if self.currency else None
            try:
                ex = await self._command(
                    codec.registration(self.password, self.config_byte, currency)
                )
            except DriverError:
                await self._drop_link()
                raise
            if ex.aborted:
                await self._drop_link()
                raise ReaderRejected(
                    f"registration refused: {result_text(ex.abort_code)}", ex.abort_code
                )
            tid = (ex.completion or {}).get(0x29)
            if tid:
                self.terminal_id = tid.hex()

    async def _drop_link(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            with contextlib.suppress(Exception):
                await link.close()

    async def _command(
        self, apdu: Apdu, *, debit: bool = False, amount: int = 0, currency: str = ""
    ) -> _Exchange:
        """Send one command and follow the terminal until it returns master rights."""
        link = self._link
        assert link is not None
        t = self.timers
        try:
            await link.send(apdu)
        except ReaderRejected as exc:
            raise _NotSent(f"terminal refused the command frame: {exc}") from exc
        except ReaderTimeout:
            pass  # the ACK was lost, not necessarily the command: listen before judging
        ex = _Exchange()
        first = await link.receive(t.t3)
        if codec.is_negative_ack(first):
            raise ReaderRejected(f"terminal refused the command (84 {first.ins:02X})", first.ins)
        message = None if codec.is_ack(first) else first
        goods: asyncio.Task[bool] | None = None
        try:
            while True:
                if message is None:
                    message = await link.receive(t.t4)
                if codec.is_ack(message) or codec.is_negative_ack(message):
                    message = None  # e.g. the acknowledgement of our 06 B0
                    continue
                reply = codec.POSITIVE_ACK
                done = False
                if message.command == codec.INTERMEDIATE_STATUS:
                    kind, text = progress_for(codec.parse_intermediate(message.data))
                    self.publish(ProgressEvent(kind, text, message.data[0]))
                elif message.command == codec.STATUS_INFO:
                    ex.info = codec.parse_status_info(message.data)
                    if debit and self.goods_check and ex.info.result_code in (0, None):
                        goods = goods or asyncio.create_task(
                            self.goods_check(self._outcome_preview(ex, amount, currency))
                        )
                        reply = self._goods_reply(goods)
                elif message.command == codec.PRINT_LINE:
                    ex.lines.append(codec.parse_print_line(message.data))
                elif message.command == codec.COMPLETION:
                    ex.completion = codec.parse_completion(message.data)
                    done = True
                elif message.command == codec.ABORT:
                    ex.aborted, ex.abort_code = True, codec.parse_abort(message.data)
                    done = True
                await link.send(reply)
                if done:
                    return ex
                message = None
        finally:
            if goods is not None and not goods.done():
                goods.cancel()

    def _outcome_preview(self, ex: _Exchange, amount: int, currency: str) -> PaymentResult:
        return self._result(Outcome.APPROVED, amount, currency, "", ex, "awaiting goods check")

    @staticmethod
    def _goods_reply(goods: asyncio.Task[bool]) -> Apdu:
        if not goods.done():
            return codec.NEED_MORE_TIME  # the terminal repeats 04 0F in a few seconds
        if goods.cancelled() or goods.exception() is not None or not goods.result():
            return codec.GOODS_NOT_HANDED_OUT  # the terminal reverses on its own
        return codec.POSITIVE_ACK
