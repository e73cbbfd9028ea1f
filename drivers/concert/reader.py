"""A Concert v2 / "E+" terminal on a serial line: sessions, timers and outcomes."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass

from drivers.card import (
    Capabilities,
    CardReader,
    Outcome,
    PaymentResult,
    ProgressEvent,
    ProgressKind,
    ReaderStatus,
    TerminalTotals,
)
from drivers.concert.codec import (
    ACK,
    ENQ,
    EOT,
    MAX_AMOUNT_MINOR,
    NAK,
    AnswerStatus,
    ConcertAnswer,
    ConcertRequest,
    Control,
    Deframer,
    Frame,
    LineEvent,
    Transaction,
    decode_answer,
    encode_request,
    frame,
)
from drivers.currency import alpha_code, numeric_code
from drivers.errors import (
    InvalidRequest,
    NoTotals,
    ProtocolError,
    ReaderBusy,
    ReaderDisconnected,
    ReaderTimeout,
    UnsupportedOperation,
)
from drivers.transport import LineSettings, SerialLine


@dataclass(frozen=True)
class ConcertTimers:
    """Timers and retry counts (the specification is not public: defaults from practice)."""

    control: float = 3.0  # to read an ACK/NAK/EOT or the rest of a frame
    enq_retry: float = 1.0  # before sending ENQ again
    enq_tries: int = 3
    frame_tries: int = 3  # sends of one frame while the peer answers NAK
    answer: float = 120.0  # for the terminal to open its answer session


class _Refused(Exception):
    """The terminal certainly did not take the request."""


@dataclass
class _Attempt:
    in_doubt: bool = False  # the terminal may hold the request


class ConcertReader(CardReader):
    """Ingenico Concert v2 / "E+" terminal; opened lazily on the first transaction."""

    capabilities = Capabilities(
        cancel=False, last_transaction=False, reversal=False, end_of_day=False, status_query=False
    )

    def __init__(
        self,
        url: str,
        *,
        pos_number: str = "01",
        serial_mode: str = "7E1",
        baudrate: int = 9600,
        timers: ConcertTimers | None = None,
        long_answer: bool = False,
        payment_mode: str = "1",
    ) -> None:
        super().__init__()
        if len(pos_number) != 2 or not pos_number.isdigit():
            raise InvalidRequest(f"POS number {pos_number!r} must be two digits")
        self.url = url
        self.pos_number = pos_number
        self.settings = LineSettings.from_mode(serial_mode, baudrate)
        self.timers = timers or ConcertTimers()
        self.long_answer = long_answer
        self.payment_mode = payment_mode
        self._line: SerialLine | None = None
        self._deframer = Deframer()
        self._events: deque[LineEvent] = deque()
        self._lock = asyncio.Lock()

    async def pay(self, amount_minor: int, currency: str, reference: str) -> PaymentResult:
        """Debit the card; see CardReader for how outcomes are reported."""
        return await self._transact(Transaction.DEBIT, amount_minor, currency, reference)

    async def refund(self, amount_minor: int, currency: str, reference: str) -> PaymentResult:
        """Credit the card (transaction type "1")."""
        return await self._transact(Transaction.CREDIT, amount_minor, currency, reference)

    async def cancel(self) -> None:
        """Concert v2 gives the register no way to abort: the card holder cancels on the pad."""
        raise UnsupportedOperation("Concert v2 cannot abort from the register")

    async def last_transaction(self) -> PaymentResult | None:
        """Concert v2 has no query: None (resolve with the operator or end-of-day totals)."""
        return None

    async def end_of_day(self) -> TerminalTotals:
        """Concert v2 has no end-of-day or totals message: raises NoTotals.

        The request carries only a debit or a credit and the answer only that transaction's
        status, so the totals must be read from the terminal's own printout.
        """
        raise NoTotals("this terminal type reports no totals (Concert v2 has no end-of-day "
                       "message): read the totals from the terminal's printout")

    async def status(self) -> ReaderStatus:
        """ENQ/EOT handshake: the terminal is available when it acknowledges ENQ."""
        if self._lock.locked():
            return ReaderStatus(available=True, busy=True, detail="transaction running")
        async with self._lock:
            try:
                line = await self._open()
                await line.write(bytes([ENQ]))
                answer = await self._control(line, self.timers.control)
                await line.write(bytes([EOT]))
            except ReaderDisconnected as exc:
                await self._drop_line()
                return ReaderStatus(available=False, detail=str(exc))
            if answer == ACK:
                return ReaderStatus(available=True)
            return ReaderStatus(available=False, detail="no ACK to ENQ")

    async def close(self) -> None:
        """Close the port."""
        await self._drop_line()

    # --- one transaction ---------------------------------------------------------------------

    def _request(self, kind: Transaction, amount: int, currency: str, ref: str) -> ConcertRequest:
        if not 0 < amount <= MAX_AMOUNT_MINOR:
            raise InvalidRequest(f"amount {amount} is outside 1..{MAX_AMOUNT_MINOR} minor units")
        private = ref[-10:]
        if not all(" " <= c <= "~" for c in private):
            raise InvalidRequest("the reference must be printable ASCII")
        return ConcertRequest(
            pos_number=self.pos_number,
            amount_minor=amount,
            currency_numeric=numeric_code(currency),
            private_data=private,
            transaction=kind,
            long_answer=self.long_answer,
            payment_mode=self.payment_mode,
        )

    async def _transact(
        self, kind: Transaction, amount: int, currency: str, reference: str
    ) -> PaymentResult:
        if self._lock.locked():
            raise ReaderBusy("a transaction is already running on this terminal")
        req = self._request(kind, amount, currency, reference)
        currency = currency.upper()

        def result(outcome: Outcome, message: str) -> PaymentResult:
            return PaymentResult(outcome, amount, currency, reference, message=message)

        async with self._lock:
            attempt = _Attempt()
            try:
                line = await self._open()
                await self._send_request(line, encode_request(req), attempt)
                self.publish(ProgressEvent(ProgressKind.PLEASE_WAIT, "follow the terminal"))
                answer = await self._receive_answer(line)
            except _Refused as exc:
                return result(Outcome.FAILED, str(exc))
            except (ReaderTimeout, ReaderDisconnected, ProtocolError) as exc:
                if isinstance(exc, ReaderDisconnected):
                    await self._drop_line()
                if attempt.in_doubt:
                    return result(Outcome.UNKNOWN, f"no answer to an accepted request: {exc}")
                return result(Outcome.FAILED, f"request not delivered: {exc}")
        return self._result(req, answer, reference, currency)

    def _result(
        self, req: ConcertRequest, ans: ConcertAnswer, reference: str, currency: str
    ) -> PaymentResult:
        if ans.pos_number != req.pos_number or ans.private_data != req.private_data.rstrip():
            return PaymentResult(
                Outcome.UNKNOWN,
                req.amount_minor,
                currency,
                reference,
                result_code=ans.status,
                message=f"answer for another transaction ({ans.pos_number}/{ans.private_data!r})",
            )
        outcome, kind = {
            AnswerStatus.ACCEPTED: (Outcome.APPROVED, ProgressKind.APPROVED),
            AnswerStatus.REFUSED: (Outcome.DECLINED, ProgressKind.DECLINED),
        }.get(ans.status, (Outcome.UNKNOWN, ProgressKind.MESSAGE))  # type: ignore[call-overload]
        self.publish(ProgressEvent(kind, f"status {ans.status}"))
        message = {
            Outcome.APPROVED: "accepted",
            Outcome.DECLINED: "refused or cancelled at the terminal",
        }.get(outcome, f"status {ans.status!r}: not verified, resolve with the operator")
        return PaymentResult(
            outcome,
            ans.amount_minor,
            alpha_code(ans.currency_numeric),
            reference,
            receipt_lines=[ans.report.rstrip()] if ans.report and ans.report.strip() else [],
            result_code=ans.status,
            message=message,
        )

    async def _send_request(self, line: SerialLine, message: bytes, attempt: _Attempt) -> None:
        t = self.timers
        self._reset_input(line)
        for _ in range(t.enq_tries):
            await line.write(bytes([ENQ]))
            if await self._control(line, t.enq_retry) == ACK:
                break
            await line.write(bytes([EOT]))
        else:
            raise _Refused(f"terminal did not acknowledge ENQ after {t.enq_tries} tries")
        for _ in range(t.frame_tries):
            attempt.in_doubt = True
            await line.write(frame(message))
            answer = await self._frame_answer(line)
            if answer != NAK:
                break  # ACK; or lost, and the terminal may hold the request: never resend
            attempt.in_doubt = False  # NAK: the terminal did not take this copy
        else:
            await line.write(bytes([EOT]))
            raise _Refused(f"terminal refused the request frame {t.frame_tries} times")
        await line.write(bytes([EOT]))

    async def _receive_answer(self, line: SerialLine) -> ConcertAnswer:
        t = self.timers
        loop = asyncio.get_running_loop()
        deadline = loop.time() + t.answer
        while True:
            event = await self._event(line, deadline - loop.time())
            if event is None:
                raise ReaderTimeout(f"no answer session within {t.answer:g} s")
            if event != Control(ENQ):
                continue  # noise, or a stray byte from an earlier session
            await line.write(bytes([ACK]))
            answer = await self._answer_frame(line)
            if answer is not None:
                return answer

    async def _answer_frame(self, line: SerialLine) -> ConcertAnswer | None:
        t = self.timers
        for _ in range(t.frame_tries):
            event = await self._event(line, t.control)
            while isinstance(event, Control) and event.byte != EOT:
                event = await self._event(line, t.control)
            if event is None or event == Control(EOT):
                return None  # the terminal gave up this session; it will open another
            assert isinstance(event, Frame)
            try:
                answer = decode_answer(event.message) if event.valid else None
            except ProtocolError:
                answer = None
            if answer is None:
                await line.write(bytes([NAK]))
                continue
            await line.write(bytes([ACK]))
            await self._event(line, t.control)  # EOT closes the session; its loss is harmless
            return answer
        raise ProtocolError(f"answer frame unreadable after {t.frame_tries} tries")

    # --- line helpers ------------------------------------------------------------------------

    async def _open(self) -> SerialLine:
        if self._line is None or not self._line.is_open:
            await self._drop_line()
            self._line = await SerialLine.open(self.url, self.settings)
        return self._line

    async def _drop_line(self) -> None:
        line, self._line = self._line, None
        if line is not None:
            with contextlib.suppress(Exception):
                await line.close()

    def _reset_input(self, line: SerialLine) -> None:
        line.discard_input()
        self._events.clear()
        self._deframer.reset()

    async def _event(self, line: SerialLine, timeout: float) -> LineEvent | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._events:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                data = await line.read(remaining)
            except ReaderTimeout:
                return None
            self._events.extend(self._deframer.feed(data))
        return self._events.popleft()

    async def _frame_answer(self, line: SerialLine) -> int | None:
        """ACK or NAK for our frame; an ENQ means the terminal already answers: keep it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timers.control
        while (event := await self._event(line, deadline - loop.time())) is not None:
            if event == Control(ENQ):
                self._events.appendleft(event)
                return None
            if isinstance(event, Control) and event.byte in (ACK, NAK):
                return event.byte
        return None

    async def _control(self, line: SerialLine, timeout: float) -> int | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (event := await self._event(line, deadline - loop.time())) is not None:
            if isinstance(event, Control):
                return event.byte
        return None
