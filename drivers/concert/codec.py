"""Concert v2 / "E+" messages and framing: pure bytes ⇄ objects, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drivers.errors import ProtocolError

ENQ, ACK, NAK, STX, ETX, EOT = 0x05, 0x06, 0x15, 0x02, 0x03, 0x04
CONTROL_BYTES = frozenset({ENQ, ACK, NAK, EOT})

REQUEST_LENGTH = 34
SHORT_ANSWER_LENGTH = 25
LONG_ANSWER_LENGTH = 80
REPORT_LENGTH = 55
MAX_AMOUNT_MINOR = 99_999_999  # eight digits on the wire


class Transaction(StrEnum):
    """Field 12 of the request: what the terminal should do."""

    DEBIT = "0"
    CREDIT = "1"


class AnswerStatus(StrEnum):
    """Field 2 of the answer."""

    ACCEPTED = "0"
    REFUSED = "7"
    NOT_VERIFIED = "9"


@dataclass(frozen=True)
class ConcertRequest:
    """The 34-character message the register sends to start a transaction."""

    pos_number: str
    amount_minor: int
    currency_numeric: int
    private_data: str = ""
    transaction: Transaction = Transaction.DEBIT
    long_answer: bool = False
    payment_mode: str = "1"
    delay: str = "A010"
    authorization: str = "B010"


@dataclass(frozen=True)
class ConcertAnswer:
    """The 25- or 80-character message the terminal sends when the card holder is done."""

    pos_number: str
    status: str
    amount_minor: int
    payment_mode: str
    currency_numeric: int
    private_data: str
    report: str | None = None


def lrc(body: bytes) -> int:
    """XOR of every byte after STX up to and including ETX (`body` excludes the ETX)."""
    value = ETX
    for byte in body:
        value ^= byte
    return value


def frame(message: bytes) -> bytes:
    """Wrap a message as STX message ETX LRC."""
    return bytes([STX]) + message + bytes([ETX, lrc(message)])


def _digits(value: int, width: int, what: str) -> str:
    if value < 0 or len(str(value)) > width:
        raise ProtocolError(f"{what} {value} does not fit {width} digits")
    return f"{value:0{width}d}"


def _ascii(text: str, width: int, what: str) -> str:
    if len(text) > width or not all(" " <= c <= "~" for c in text):
        raise ProtocolError(f"{what} {text!r} is not {width} printable characters")
    return text.ljust(width)


def encode_request(req: ConcertRequest) -> bytes:
    """Encode a request message (without framing)."""
    if len(req.pos_number) != 2 or not req.pos_number.isdigit():
        raise ProtocolError(f"POS number {req.pos_number!r} must be two digits")
    text = (
        req.pos_number
        + _digits(req.amount_minor, 8, "amount")
        + ("1" if req.long_answer else "0")
        + _ascii(req.payment_mode, 1, "payment mode")
        + req.transaction.value
        + _digits(req.currency_numeric, 3, "currency")
        + _ascii(req.private_data, 10, "private data")
        + _ascii(req.delay, 4, "delay")
        + _ascii(req.authorization, 4, "authorization")
    )
    return text.encode("ascii")


def _text(message: bytes, length: int, what: str) -> str:
    if len(message) != length:
        raise ProtocolError(f"{what} is {len(message)} bytes, expected {length}")
    if not all(0x20 <= b <= 0x7E for b in message):
        raise ProtocolError(f"{what} holds non-printable bytes")
    return message.decode("ascii")


def _number(text: str, what: str) -> int:
    if not text.isdigit() or not text.isascii():
        raise ProtocolError(f"{what} {text!r} is not digits")
    return int(text)


def decode_request(message: bytes) -> ConcertRequest:
    """Decode a 34-character request message."""
    t = _text(message, REQUEST_LENGTH, "request")
    if t[10] not in "01":
        raise ProtocolError(f"answer flag {t[10]!r} is not 0 or 1")
    try:
        transaction = Transaction(t[12])
    except ValueError:
        raise ProtocolError(f"transaction type {t[12]!r} is unknown") from None
    _number(t[0:2], "POS number")
    return ConcertRequest(
        pos_number=t[0:2],
        amount_minor=_number(t[2:10], "amount"),
        long_answer=t[10] == "1",
        payment_mode=t[11],
        transaction=transaction,
        currency_numeric=_number(t[13:16], "currency"),
        private_data=t[16:26].rstrip(" "),
        delay=t[26:30],
        authorization=t[30:34],
    )


def encode_answer(ans: ConcertAnswer) -> bytes:
    """Encode an answer message (without framing); long when it carries a report."""
    text = (
        ans.pos_number
        + _ascii(ans.status, 1, "status")
        + _digits(ans.amount_minor, 8, "amount")
        + _ascii(ans.payment_mode, 1, "payment mode")
        + ("" if ans.report is None else _ascii(ans.report, REPORT_LENGTH, "report"))
        + _digits(ans.currency_numeric, 3, "currency")
        + _ascii(ans.private_data, 10, "private data")
    )
    return text.encode("ascii")


def decode_answer(message: bytes) -> ConcertAnswer:
    """Decode a 25- or 80-character answer message."""
    long = len(message) == LONG_ANSWER_LENGTH
    t = _text(message, LONG_ANSWER_LENGTH if long else SHORT_ANSWER_LENGTH, "answer")
    tail = 12 + (REPORT_LENGTH if long else 0)
    _number(t[0:2], "POS number")
    return ConcertAnswer(
        pos_number=t[0:2],
        status=t[2],
        amount_minor=_number(t[3:11], "amount"),
        payment_mode=t[11],
        report=t[12:tail] if long else None,
        currency_numeric=_number(t[tail : tail + 3], "currency"),
        private_data=t[tail + 3 : tail + 13].rstrip(" "),
    )


@dataclass(frozen=True)
class Frame:
    """A complete STX … ETX LRC frame received; `valid` is False when the LRC is wrong."""

    message: bytes
    valid: bool


@dataclass(frozen=True)
class Control:
    """A single control byte (ENQ, ACK, NAK, EOT) received outside a frame."""

    byte: int


LineEvent = Frame | Control


class Deframer:
    """Turns a stream of bytes into frames and control bytes; ignores noise between them."""

    def __init__(self, max_message: int = 256) -> None:
        self._max = max_message
        self._body: bytearray | None = None
        self._awaiting_lrc = False

    @property
    def in_frame(self) -> bool:
        """True while part of a frame has been received."""
        return self._body is not None

    def reset(self) -> None:
        """Drop a partly received frame (inter-byte timeout)."""
        self._body = None
        self._awaiting_lrc = False

    def feed(self, data: bytes) -> list[LineEvent]:
        """Consume bytes and return the events they complete."""
        events: list[LineEvent] = []
        for byte in data:
            if self._body is None:
                if byte == STX:
                    self._body = bytearray()
                elif byte in CONTROL_BYTES:
                    events.append(Control(byte))
            elif self._awaiting_lrc:
                body = bytes(self._body)
                events.append(Frame(body, lrc(body) == byte))
                self.reset()
            elif byte == ETX:
                self._awaiting_lrc = True
            elif byte == STX or len(self._body) >= self._max:
                self._body = bytearray()  # a new frame starts: the broken one is dropped
            else:
                self._body.append(byte)
        return events
