"""An emulated Concert v2 terminal on a pty, answering each transaction as scripted."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Iterable

from drivers.concert.codec import (
    ACK,
    ENQ,
    EOT,
    NAK,
    ConcertAnswer,
    ConcertRequest,
    Control,
    Deframer,
    Frame,
    LineEvent,
    decode_request,
    encode_answer,
    frame,
)
from drivers.emulators.line import LineClosed, PtyLine
from drivers.emulators.script import Script, Step
from drivers.errors import ProtocolError

NOISE = b"\x00\x7f#?!~\x1b\xff"[:7]  # garbage without any control byte of the protocol
APPROVING = {"approve", "slow_cardholder", "noise", "nak_burst", "drop_ack"}
REPORT = "VISA ****1234 AUTH 123456"


class ConcertEmulator:
    """A Concert v2 terminal: start() gives the pty path a ConcertReader opens."""

    def __init__(
        self,
        script: Iterable[Step | str] = (),
        *,
        default: Step | str = "approve",
        control_timeout: float = 1.0,
        tries: int = 3,
    ) -> None:
        self.script = Script(script, default)
        self.control_timeout = control_timeout
        self.tries = tries
        self.requests: list[ConcertRequest] = []  # every request the terminal took
        self.answers: list[ConcertAnswer] = []  # every answer the register acknowledged
        self._stop = threading.Event()
        self._line: PtyLine | None = None
        self._thread: threading.Thread | None = None
        self._deframer = Deframer()
        self._events: deque[LineEvent] = deque()

    def start(self) -> str:
        """Open a pty, serve it in a thread, and return the path the register should open."""
        self._line = PtyLine(self._stop)
        self._thread = threading.Thread(target=self._serve, name="concert emulator", daemon=True)
        self._thread.start()
        return self._line.path

    def stop(self) -> None:
        """Stop serving and close the pty, as if the terminal lost power."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self._line is not None:
            self._line.close()

    def __enter__(self) -> ConcertEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def path(self) -> str:
        """The pty slave path (after start)."""
        assert self._line is not None
        return self._line.path

    # --- the terminal --------------------------------------------------------------------------

    def _serve(self) -> None:
        with contextlib.suppress(LineClosed):
            while True:
                if self._event(3600.0) == Control(ENQ):
                    self._write(bytes([ACK]))
                    self._request_session()

    def _request_session(self) -> None:
        step: Step | None = None
        naks = 0
        while True:
            event = self._event(self.control_timeout)
            if event is None or event == Control(EOT):
                return  # the register gave up, or only checked that the terminal answers
            if not isinstance(event, Frame):
                continue
            step = step or self.script.next()
            if step.action == "nak_burst" and naks < step.count:
                naks += 1
                self._write(bytes([NAK]))
                continue
            try:
                request = decode_request(event.message) if event.valid else None
            except ProtocolError:
                request = None
            if request is None:
                self._write(bytes([NAK]))
                continue
            self.requests.append(request)
            if step.action == "power_loss":
                self._line_or_raise().sleep(step.seconds)  # dead: no ACK, no answer
                self._events.clear()
                return
            if step.action != "drop_ack":
                self._write(bytes([ACK]))
            self._event(self.control_timeout)  # EOT
            self._answer(request, step)
            return

    def _answer(self, req: ConcertRequest, step: Step) -> None:
        if step.action == "no_answer":
            return
        if step.action == "slow_cardholder":
            self._line_or_raise().sleep(step.seconds)
        ans = ConcertAnswer(
            pos_number=req.pos_number,
            status="0" if step.action in APPROVING else "7",
            amount_minor=req.amount_minor,
            payment_mode=req.payment_mode,
            currency_numeric=req.currency_numeric,
            private_data=req.private_data,
            report=REPORT.ljust(55) if req.long_answer else None,
        )
        good = frame(encode_answer(ans))
        if step.action == "noise":
            self._write(NOISE)
        self._events.clear()
        for _ in range(self.tries):
            self._write(bytes([ENQ]))
            if self._control() == ACK:
                break
            self._write(bytes([EOT]))
        else:
            return
        corrupt = step.action == "noise"
        for _ in range(self.tries):
            self._write(good[:-1] + bytes([good[-1] ^ 0x55]) if corrupt else good)
            corrupt = False
            answer = self._control()
            if answer == ACK:
                self.answers.append(ans)
                break
            if answer != NAK:
                break
        self._write(bytes([EOT]))

    # --- line helpers --------------------------------------------------------------------------

    def _line_or_raise(self) -> PtyLine:
        if self._line is None:
            raise LineClosed("not started")
        return self._line

    def _write(self, data: bytes) -> None:
        self._line_or_raise().write(data)

    def _event(self, timeout: float) -> LineEvent | None:
        line = self._line_or_raise()
        deadline = time.monotonic() + timeout
        while not self._events:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._events.extend(self._deframer.feed(line.read(remaining)))
        return self._events.popleft()

    def _control(self) -> int | None:
        for _ in range(8):
            event = self._event(self.control_timeout)
            if event is None:
                return None
            if isinstance(event, Control):
                return event.byte
        return None
