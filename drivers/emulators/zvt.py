"""An emulated ZVT terminal on a pty (serial framing) or a TCP listener (bare APDUs)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drivers.emulators.line import LineClosed, PtyLine, SocketLine
from drivers.emulators.script import Script, Step
from drivers.emulators.zvt_link import PtLink, PtSerialLink
from drivers.errors import ProtocolError
from drivers.zvt import codec
from drivers.zvt.bmp import bcd_decode, bcd_encode, encode_bmps
from drivers.zvt.codec import Apdu, StatusInfo, Totals

NOISE = b"\x00\x7f#?!~\x1b"  # garbage without DLE, ACK or NAK
TRANSACTIONS = {codec.AUTHORIZATION, codec.REFUND}
DECLINED = 0x05
ABORTED = 0x6C
CARD_NOT_READABLE = 0x64
NOT_POSSIBLE = 0x83  # unverified code for "nothing to repeat"
# Card name (BMP 8B) → card group of the end-of-day totals (BMP 60); the rest count as "other".
CARD_GROUPS = {"GIROCARD": "girocard", "JCB": "JCB", "MASTERCARD": "Mastercard",
               "AMEX": "Amex", "VISA": "Visa", "DINERS": "Diners"}
REVERSAL_NOT_POSSIBLE = 0xB5  # unverified code


@dataclass
class EmulatedTransaction:
    """What the emulated terminal remembers of one transaction."""

    kind: str
    amount_minor: int
    currency: int
    result_code: int
    receipt_no: int
    trace_no: int
    reversed: bool = False
    card_name: str = "VISA"

    @property
    def booked(self) -> bool:
        """True when the money moved and still stands: an approved debit or refund."""
        return self.kind in ("payment", "refund") and not self.result_code and not self.reversed

    def status_info(self, terminal_id: str) -> StatusInfo:
        """The 04 0F the terminal sends (and repeats on 06 20)."""
        now = time.localtime()
        approved = self.result_code == 0
        return StatusInfo(
            result_code=self.result_code,
            amount_minor=self.amount_minor,
            currency=self.currency,
            trace_no=f"{self.trace_no:06d}",
            receipt_no=f"{self.receipt_no:04d}",
            terminal_id=terminal_id,
            masked_pan="4711********1234",
            card_name=self.card_name,
            auth_code="123456" if approved else None,
            time=time.strftime("%H%M%S", now),
            date=time.strftime("%m%d", now),
        )

    def receipt(self) -> list[str]:
        """The receipt lines sent with 06 D1."""
        verdict = "APPROVED" if self.result_code == 0 else "DECLINED"
        return [
            "KASSA EMULATED TERMINAL",
            f"{self.kind.upper()} {self.amount_minor} minor units, currency {self.currency}",
            f"{self.card_name} 4711********1234",
            f"RECEIPT {self.receipt_no:04d}  TRACE {self.trace_no:06d}",
            verdict,
        ]


class ZvtEmulator:
    """A ZVT terminal: start_pty() or start_tcp() gives the URL a ZvtReader opens."""

    def __init__(
        self,
        script: Iterable[Step | str] = (),
        *,
        default: Step | str = "approve",
        terminal_id: str = "52500001",
        currency: int = 978,
        ack_timeout: float = 1.0,
        status_repeat: float = 0.1,
    ) -> None:
        self.script = Script(script, default)
        self.terminal_id = terminal_id
        self.currency = currency
        self.ack_timeout = ack_timeout
        self.status_repeat = status_repeat  # gap before repeating 04 0F after 84 9C 00
        self.card_name = "VISA"  # the card the next customers present (BMP 8B)
        self.commands: list[Apdu] = []  # every command the terminal took, in order
        self.replies: list[Apdu] = []  # every acknowledgement the register sent
        self.last: EmulatedTransaction | None = None
        self.batch: list[EmulatedTransaction] = []
        self.url = ""
        self._receipt_no = 0
        self._trace_no = 0
        self._silent_until = 0.0
        self._state = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self._pty: PtyLine | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start_pty(self) -> str:
        """Serve serial framing on a new pty; returns its path."""
        self._pty = PtyLine(self._stop)
        self.url = self._pty.path
        self._spawn(self._serve, PtSerialLink(self._pty, ack_timeout=self.ack_timeout))
        return self.url

    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen for bare-APDU connections; port 0 picks a free one. Returns (host, port)."""
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.05)
        host, port = self._listener.getsockname()[:2]
        self.url = f"socket://{host}:{port}"
        self._spawn(self._accept)
        return host, port

    def stop(self) -> None:
        """Stop serving and drop every connection, as if the terminal lost power."""
        self._stop.set()
        for thread in list(self._threads):
            thread.join(2.0)
        if self._listener is not None:
            self._listener.close()
        if self._pty is not None:
            self._pty.close()

    def __enter__(self) -> ZvtEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="zvt emulator")
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._spawn(self._serve, PtLink(SocketLine(sock, self._stop)))

    def _serve(self, link: PtLink) -> None:
        try:
            _Session(self, link).serve()
        except LineClosed:
            pass
        finally:
            if not isinstance(link.line, PtyLine):
                link.line.close()

    # --- shared terminal state -----------------------------------------------------------------

    @property
    def silent(self) -> bool:
        """True while the terminal is "without power" after a power_loss step."""
        return time.monotonic() < self._silent_until

    def go_silent(self, seconds: float) -> None:
        """Stop answering anything for `seconds`."""
        self._silent_until = time.monotonic() + seconds

    def record(self, kind: str, amount: int, currency: int, result: int) -> EmulatedTransaction:
        """Book a transaction: it becomes the last one (for 06 20) and joins the batch.

        Called directly it is a sale (or refund) keyed in on the terminal itself, which the
        register never hears of: the way tests make the totals disagree with the hub.
        """
        with self._state:
            self._receipt_no += 1
            self._trace_no += 1
            txn = EmulatedTransaction(
                kind, amount, currency, result, self._receipt_no, self._trace_no,
                card_name=self.card_name,
            )
            self.last = txn
            self.batch.append(txn)
            return txn


    def period_totals(self) -> tuple[Totals, int]:
        """The running totals since the last end of day and their net amount (debits minus
        refunds), per card group; counts include refunds.

        A group (or day) whose refunds exceed its debits reports 0: BCD has no sign, and how
        real terminals show that is *unverified*.
        """
        with self._state:
            return _totals_of(self.batch)

    def close_period(self) -> tuple[Totals, int]:
        """End of day: the period's totals and net amount; the running totals start again."""
        with self._state:
            batch, self.batch = self.batch, []
        return _totals_of(batch)


def _totals_of(batch: list[EmulatedTransaction]) -> tuple[Totals, int]:
    groups: dict[str, tuple[int, int]] = {}
    for txn in batch:
        if txn.booked:
            group = CARD_GROUPS.get(txn.card_name.upper(), "other")
            count, amount = groups.get(group, (0, 0))
            signed = txn.amount_minor if txn.kind == "payment" else -txn.amount_minor
            groups[group] = (count + 1, amount + signed)
    numbers = [t.receipt_no for t in batch] or [0]
    totals = Totals(
        f"{min(numbers):04d}",
        f"{max(numbers):04d}",
        tuple((name, count, max(amount, 0)) for name, (count, amount) in groups.items()),
    )
    return totals, max(sum(amount for _, amount in groups.values()), 0)


class _Session:
    """One register connection: commands in, the terminal's messages out."""

    def __init__(self, emulator: ZvtEmulator, link: PtLink) -> None:
        self.emu = emulator
        self.link = link
        self.serial = isinstance(link, PtSerialLink)
        self.armed: Step | None = None  # the step drawn when a transaction's first frame came
        self.naks = 0
        self.ack_dropped = False
        self.abort_requested = False
        self.print_lines = True
        self.link_resends = link.resends if isinstance(link, PtSerialLink) else 0
        link.verdict = self._verdict

    def _verdict(self, raw: bytes) -> str:
        if self.emu.silent:
            return "ignore"
        if (raw[0], raw[1]) in TRANSACTIONS and self.armed is None:
            self.armed, self.naks, self.ack_dropped = self.emu.script.next(), 0, False
        step = self.armed
        if self.serial and step is not None and (raw[0], raw[1]) in TRANSACTIONS:
            if step.action == "nak_burst" and self.naks < step.count:
                self.naks += 1
                if self.naks > self.link_resends:
                    self.armed = None  # the register has given up on this command
                return "nak"
            if step.action == "drop_ack" and not self.ack_dropped:
                self.ack_dropped = True
                return "quiet"
        return "ack"

    def serve(self) -> None:
        handlers = {
            codec.REGISTRATION: self._registration,
            codec.AUTHORIZATION: self._transaction,
            codec.REFUND: self._transaction,
            codec.REVERSAL: self._reversal,
            codec.REPEAT_RECEIPT: self._repeat_receipt,
            codec.END_OF_DAY: self._end_of_day,
            codec.STATUS_ENQUIRY: self._status_enquiry,
            codec.ABORT_REQUEST: lambda apdu: self.link.send(codec.POSITIVE_ACK),
        }
        while True:
            apdu = self.link.receive(0.5)
            if apdu is None or self.emu.silent:
                continue
            if codec.is_ack(apdu) or codec.is_negative_ack(apdu):
                continue  # a late acknowledgement
            self.emu.commands.append(apdu)
            self.abort_requested = False
            try:
                handlers.get(apdu.command, self._unknown)(apdu)
            except ProtocolError:
                self.link.send(Apdu(0x84, 0x9A))  # unverified code: ZVT protocol error

    # --- messages ------------------------------------------------------------------------------

    def _tell(self, apdu: Apdu, *, corrupt: bool = False) -> Apdu | None:
        """Send a message and return the register's acknowledgement (None if none came)."""
        if not self.link.send(apdu, corrupt=corrupt):
            return None
        while True:
            reply = self.link.receive(self.emu.ack_timeout)
            if reply is not None and reply.command == codec.ABORT_REQUEST:
                self._abort_requested_by_register(reply)
                continue
            if reply is not None:
                self.emu.replies.append(reply)
            return reply

    def _wait(self, seconds: float) -> None:
        """Let time pass (a slow card holder) while watching for 06 B0 from the register."""
        deadline = time.monotonic() + seconds
        while not self.abort_requested and (remaining := deadline - time.monotonic()) > 0:
            reply = self.link.receive(min(remaining, 0.05))
            if reply is not None and reply.command == codec.ABORT_REQUEST:
                self._abort_requested_by_register(reply)

    def _abort_requested_by_register(self, request: Apdu) -> None:
        self.emu.commands.append(request)
        self.abort_requested = True
        self.link.send(codec.POSITIVE_ACK)

    def _abort(self, code: int) -> None:
        self._tell(Apdu(*codec.ABORT, bytes([code])))

    def _complete(self, fields: dict[int, bytes] | None = None) -> None:
        base = {0x29: bcd_encode(int(self.emu.terminal_id), 4)}
        self._tell(Apdu(*codec.COMPLETION, encode_bmps({**(fields or {}), **base})))

    def _print(self, lines: list[str]) -> None:
        if self.print_lines:
            for text in lines:
                self._tell(codec.print_line(text))

    def _intermediate(self, code: int, *, corrupt: bool = False) -> None:
        self._tell(Apdu(*codec.INTERMEDIATE_STATUS, bytes([code])), corrupt=corrupt)

    # --- commands ------------------------------------------------------------------------------

    def _registration(self, apdu: Apdu) -> None:
        cmd = codec.parse_command(apdu)
        self.print_lines = bool((cmd.config or 0) & 0x80)
        self.link.send(codec.POSITIVE_ACK)
        currency = cmd.currency or self.emu.currency
        self._complete({0x19: b"\x00", 0x49: bcd_encode(currency, 2)})

    def _status_enquiry(self, apdu: Apdu) -> None:
        self.link.send(codec.POSITIVE_ACK)
        self._complete({0x19: b"\x00"})

    def _unknown(self, apdu: Apdu) -> None:
        self.link.send(Apdu(0x84, NOT_POSSIBLE))

    def _transaction(self, apdu: Apdu) -> None:
        cmd = codec.parse_command(apdu)
        step = self.armed or self.emu.script.next()
        self.armed = None
        amount = bcd_decode(cmd.fields.get(0x04, b""))
        currency = bcd_decode(cmd.fields[0x49]) if 0x49 in cmd.fields else self.emu.currency
        kind = "refund" if apdu.command == codec.REFUND else "payment"
        action = step.action
        if not (action == "drop_ack" and not self.serial):
            self.link.send(codec.POSITIVE_ACK)
        if action == "no_answer":
            return
        noise = action == "noise"
        if noise and self.serial:
            self.link.line.write(NOISE)
        elif noise:
            self._intermediate(0x99)  # a status code the register does not know
        self._intermediate(0x0A, corrupt=noise and self.serial)  # insert card
        if action == "power_loss":
            self.emu.record(kind, amount, currency, 0)  # the money moved; nobody hears of it
            self.emu.go_silent(step.seconds)
            return
        if action == "slow_cardholder":
            self._wait(step.seconds)
        if self.abort_requested or action == "cancel_by_cardholder":
            self._abort(ABORTED)
            return
        if action == "card_removed":
            self._intermediate(0x0C)
            self._abort(CARD_NOT_READABLE)
            return
        if action == "decline":
            txn = self.emu.record(kind, amount, currency, DECLINED)
            self._tell(codec.status_info(txn.status_info(self.emu.terminal_id)))
            self._abort(DECLINED)
            return
        self._intermediate(0x01)  # PIN
        self._intermediate(0x0E)  # please wait
        txn = self.emu.record(kind, amount, currency, 0)
        if not self._status_accepted(txn):
            txn.reversed = True  # goods not handed out: the terminal reverses on its own
            self._abort(ABORTED)
            return
        self._print(txn.receipt())
        self._complete()

    def _status_accepted(self, txn: EmulatedTransaction) -> bool:
        """Send 04 0F, repeating it while the register answers 84 9C 00 (need more time)."""
        info = codec.status_info(txn.status_info(self.emu.terminal_id))
        for _ in range(600):
            reply = self._tell(info)
            if reply == codec.NEED_MORE_TIME:
                self.link.receive(self.emu.status_repeat)
                continue
            return reply != codec.GOODS_NOT_HANDED_OUT
        return False

    def _reversal(self, apdu: Apdu) -> None:
        cmd = codec.parse_command(apdu)
        receipt = bcd_decode(cmd.fields.get(0x87, b"")) if 0x87 in cmd.fields else None
        self.link.send(codec.POSITIVE_ACK)
        last = self.emu.last
        if (
            last is None
            or last.receipt_no != receipt
            or last.reversed
            or last.result_code
            or last.kind != "payment"
        ):
            self._abort(REVERSAL_NOT_POSSIBLE)
            return
        last.reversed = True
        txn = self.emu.record("reversal", last.amount_minor, last.currency, 0)
        self._tell(codec.status_info(txn.status_info(self.emu.terminal_id)))
        self._print(txn.receipt())
        self._complete()

    def _repeat_receipt(self, apdu: Apdu) -> None:
        self.link.send(codec.POSITIVE_ACK)
        last = self.emu.last
        if last is None:
            self._abort(NOT_POSSIBLE)
            return
        self._tell(codec.status_info(last.status_info(self.emu.terminal_id)))
        self._print(last.receipt())
        self._complete()

    def _end_of_day(self, apdu: Apdu) -> None:
        cmd = codec.parse_command(apdu)
        if cmd.password is None:
            self.link.send(Apdu(0x84, NOT_POSSIBLE))
            return
        self.link.send(codec.POSITIVE_ACK)
        self._intermediate(0x0E)  # please wait: the terminal talks to its host
        totals, net = self.emu.close_period()
        with self.emu._state:
            self.emu._trace_no += 1
            trace = self.emu._trace_no
        now = time.localtime()
        info = StatusInfo(
            result_code=0,
            amount_minor=net,
            currency=self.emu.currency,
            trace_no=f"{trace:06d}",
            time=time.strftime("%H%M%S", now),
            date=time.strftime("%m%d", now),
            terminal_id=self.emu.terminal_id,
            totals=codec.encode_totals(totals),
        )
        self._tell(codec.status_info(info))
        self._print(["END OF DAY", f"RECEIPTS {totals.first_receipt_no}-{totals.last_receipt_no}",
                     *(f"{name} {count} {amount}" for name, count, amount in totals.groups),
                     f"TOTAL {net}", f"COUNT {totals.count}"])
        self._complete()
