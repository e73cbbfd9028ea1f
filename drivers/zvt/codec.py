"""ZVT APDUs, serial framing and the messages the drivers use: pure bytes ⇄ objects, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.errors import ProtocolError
from drivers.zvt.bmp import (
    bcd_decode,
    bcd_digits,
    bcd_encode,
    decode_bmps,
    decode_pan,
    encode_bmps,
    encode_pan,
)

DLE, STX, ETX, ACK, NAK = 0x10, 0x02, 0x03, 0x06, 0x15


@dataclass(frozen=True)
class Apdu:
    """CLASS INSTR LEN DATA: one ZVT message."""

    cls: int
    ins: int
    data: bytes = b""

    @property
    def command(self) -> tuple[int, int]:
        """The (class, instruction) pair, e.g. (0x06, 0x01) for an authorization."""
        return (self.cls, self.ins)

    def __bytes__(self) -> bytes:
        return encode_apdu(self)


# Commands (ECR → PT) and messages (PT → ECR).
REGISTRATION = (0x06, 0x00)
AUTHORIZATION = (0x06, 0x01)
REPEAT_RECEIPT = (0x06, 0x20)
REVERSAL = (0x06, 0x30)
REFUND = (0x06, 0x31)
END_OF_DAY = (0x06, 0x50)
ABORT_REQUEST = (0x06, 0xB0)
STATUS_ENQUIRY = (0x05, 0x01)
COMPLETION = (0x06, 0x0F)
ABORT = (0x06, 0x1E)
INTERMEDIATE_STATUS = (0x04, 0xFF)
STATUS_INFO = (0x04, 0x0F)
PRINT_LINE = (0x06, 0xD1)

POSITIVE_ACK = Apdu(0x80, 0x00)
NEED_MORE_TIME = Apdu(0x84, 0x9C)
GOODS_NOT_HANDED_OUT = Apdu(0x84, 0x66)


def encode_apdu(apdu: Apdu) -> bytes:
    """Encode an APDU; data of 255 bytes or more uses FF + two length bytes, little endian."""
    n = len(apdu.data)
    if n > 0xFFFF:
        raise ProtocolError(f"APDU data of {n} bytes is too long")
    length = bytes([n]) if n < 0xFF else b"\xff" + n.to_bytes(2, "little")
    return bytes([apdu.cls, apdu.ins]) + length + apdu.data


def apdu_size(buffer: bytes) -> int | None:
    """Total size of the APDU at the start of `buffer`, or None until the header is complete."""
    if len(buffer) < 3:
        return None
    if buffer[2] != 0xFF:
        return 3 + buffer[2]
    if len(buffer) < 5:
        return None
    return 5 + int.from_bytes(buffer[3:5], "little")


def decode_apdu(raw: bytes) -> Apdu:
    """Decode exactly one APDU."""
    size = apdu_size(raw)
    if size is None or size != len(raw):
        raise ProtocolError(f"APDU length does not match its {len(raw)} bytes")
    start = 5 if raw[2] == 0xFF else 3
    return Apdu(raw[0], raw[1], raw[start:])


def crc16_kermit(data: bytes) -> int:
    """CRC-16/KERMIT: poly 0x1021 reflected (0x8408), init 0, no final xor."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def frame(apdu: bytes) -> bytes:
    """Serial frame: DLE STX, the APDU with DLE doubled, DLE ETX, CRC low byte, high byte."""
    crc = crc16_kermit(apdu + bytes([ETX]))
    body = apdu.replace(bytes([DLE]), bytes([DLE, DLE]))
    return bytes([DLE, STX]) + body + bytes([DLE, ETX]) + crc.to_bytes(2, "little")


@dataclass(frozen=True)
class Frame:
    """A complete serial frame; `valid` is False when its CRC is wrong."""

    apdu: bytes
    valid: bool


@dataclass(frozen=True)
class Control:
    """An ACK or NAK byte received outside a frame."""

    byte: int


LineEvent = Frame | Control


@dataclass
class Deframer:
    """Turns serial bytes into frames and ACK/NAK bytes; noise between frames is ignored."""

    max_apdu: int = 0x10005
    _body: bytearray | None = None
    _escape: bool = False
    _crc: bytearray | None = None
    _pending_dle: bool = field(default=False, repr=False)

    @property
    def in_frame(self) -> bool:
        """True while part of a frame has been received."""
        return self._body is not None or self._pending_dle

    def reset(self) -> None:
        """Drop a partly received frame (inter-byte timeout)."""
        self._body, self._escape, self._crc, self._pending_dle = None, False, None, False

    def feed(self, data: bytes) -> list[LineEvent]:
        """Consume bytes and return the events they complete."""
        events: list[LineEvent] = []
        for byte in data:
            if self._crc is not None:
                self._crc.append(byte)
                if len(self._crc) == 2:
                    apdu = bytes(self._body or b"")
                    crc = int.from_bytes(self._crc, "little")
                    events.append(Frame(apdu, crc == crc16_kermit(apdu + bytes([ETX]))))
                    self.reset()
            elif self._body is None:
                if self._pending_dle:
                    self._pending_dle = False
                    if byte == STX:
                        self._body = bytearray()
                        continue
                if byte == DLE:
                    self._pending_dle = True
                elif byte in (ACK, NAK):
                    events.append(Control(byte))
            elif self._escape:
                self._escape = False
                if byte == DLE:
                    self._body.append(DLE)
                elif byte == ETX:
                    self._crc = bytearray()
                elif byte == STX:
                    self._body = bytearray()  # a new frame starts: the broken one is dropped
                else:
                    self.reset()
            elif byte == DLE:
                self._escape = True
            elif len(self._body) >= self.max_apdu:
                self.reset()
            else:
                self._body.append(byte)
        return events


# --- ECR → PT commands ---------------------------------------------------------------------


def password_bytes(password: str) -> bytes:
    """The 6-digit password as 3 BCD bytes."""
    if len(password) != 6 or not password.isdigit():
        raise ProtocolError("the ZVT password is six digits")
    return bytes.fromhex(password)


def registration(password: str, config: int, currency: int | None = None) -> Apdu:
    """06 00: log on to the terminal with a config byte (and optionally the currency)."""
    data = password_bytes(password) + bytes([config])
    if currency is not None:
        data += bcd_encode(currency, 2)
    return Apdu(*REGISTRATION, data + encode_bmps({0x03: b"\x00"}))


def authorization(amount_minor: int, currency: int | None = None, tlv: bytes | None = None) -> Apdu:
    """06 01: charge `amount_minor`."""
    fields = {0x04: bcd_encode(amount_minor, 6)}
    if currency is not None:
        fields[0x49] = bcd_encode(currency, 2)
    if tlv is not None:
        fields[0x06] = tlv
    return Apdu(*AUTHORIZATION, encode_bmps(fields))


def refund(password: str, amount_minor: int, currency: int | None = None) -> Apdu:
    """06 31: credit `amount_minor` to the card."""
    fields = {0x04: bcd_encode(amount_minor, 6)}
    if currency is not None:
        fields[0x49] = bcd_encode(currency, 2)
    return Apdu(*REFUND, password_bytes(password) + encode_bmps(fields))


def reversal(password: str, receipt_no: int) -> Apdu:
    """06 30: undo the transaction with `receipt_no`."""
    receipt = encode_bmps({0x87: bcd_encode(receipt_no, 2)})
    return Apdu(*REVERSAL, password_bytes(password) + receipt)


def password_command(command: tuple[int, int], password: str) -> Apdu:
    """A command whose data is only the password (end of day, repeat receipt, status enquiry)."""
    return Apdu(*command, password_bytes(password))


@dataclass(frozen=True)
class Command:
    """A command as the terminal sees it: fixed fields split off, BMPs decoded."""

    command: tuple[int, int]
    password: str | None = None
    config: int | None = None
    currency: int | None = None
    fields: dict[int, bytes] = field(default_factory=dict)


_WITH_PASSWORD = {REGISTRATION, REVERSAL, REFUND, END_OF_DAY, REPEAT_RECEIPT, STATUS_ENQUIRY}


def parse_command(apdu: Apdu) -> Command:
    """Split a command into password, config byte, currency and BMP fields (leniently)."""
    data = apdu.data
    password = config = currency = None
    if apdu.command in _WITH_PASSWORD and len(data) >= 3:
        password, data = bcd_digits(data[:3]), data[3:]
    if apdu.command == REGISTRATION:
        if not data:
            raise ProtocolError("registration without config byte")
        config, data = data[0], data[1:]
        # The currency is optional and untagged; a first byte 03/06 is the next BMP instead.
        if len(data) >= 2 and data[0] not in (0x03, 0x06):
            currency, data = bcd_decode(data[:2]), data[2:]
    return Command(apdu.command, password, config, currency, decode_bmps(data, strict=False))


# --- PT → ECR messages ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatusInfo:
    """04 0F: the result of a transaction and the card data the terminal may share."""

    result_code: int | None = None
    amount_minor: int | None = None
    currency: int | None = None
    trace_no: str | None = None
    receipt_no: str | None = None
    turnover_no: str | None = None
    terminal_id: str | None = None
    masked_pan: str | None = None
    card_name: str | None = None
    card_type: int | None = None
    auth_code: str | None = None
    time: str | None = None
    date: str | None = None
    totals: bytes | None = None


def _text(value: bytes) -> str:
    return value.rstrip(b"\x00 ").decode("latin-1")


def parse_status_info(data: bytes) -> StatusInfo:
    """Decode 04 0F; fields after an unknown BMP are ignored."""
    f = decode_bmps(data, strict=False)

    def digits(tag: int) -> str | None:
        return bcd_digits(f[tag]) if tag in f else None

    return StatusInfo(
        result_code=f[0x27][0] if 0x27 in f else None,
        amount_minor=bcd_decode(f[0x04]) if 0x04 in f else None,
        currency=bcd_decode(f[0x49]) if 0x49 in f else None,
        trace_no=digits(0x0B),
        receipt_no=digits(0x87),
        turnover_no=digits(0x88),
        terminal_id=digits(0x29),
        masked_pan=decode_pan(f[0x22]) if 0x22 in f else None,
        card_name=_text(f[0x8B]) if 0x8B in f else None,
        card_type=f[0x8A][0] if 0x8A in f else None,
        auth_code=_text(f[0x3B]) if 0x3B in f else None,
        time=digits(0x0C),
        date=digits(0x0D),
        totals=f.get(0x60),
    )


def status_info(info: StatusInfo) -> Apdu:
    """Encode 04 0F (the emulator's side)."""
    f: dict[int, bytes] = {}
    if info.result_code is not None:
        f[0x27] = bytes([info.result_code])
    if info.amount_minor is not None:
        f[0x04] = bcd_encode(info.amount_minor, 6)
    for tag, digits, size in (
        (0x0B, info.trace_no, 3),
        (0x0C, info.time, 3),
        (0x0D, info.date, 2),
        (0x87, info.receipt_no, 2),
        (0x88, info.turnover_no, 3),
        (0x29, info.terminal_id, 4),
    ):
        if digits is not None:
            f[tag] = bcd_encode(int(digits), size)
    if info.currency is not None:
        f[0x49] = bcd_encode(info.currency, 2)
    if info.masked_pan is not None:
        f[0x22] = encode_pan(info.masked_pan)
    if info.card_type is not None:
        f[0x8A] = bytes([info.card_type])
    if info.card_name is not None:
        f[0x8B] = info.card_name.encode("latin-1")
    if info.auth_code is not None:
        f[0x3B] = info.auth_code.encode("latin-1").ljust(8, b"\x00")[:8]
    if info.totals is not None:
        f[0x60] = info.totals
    return Apdu(*STATUS_INFO, encode_bmps(f))


def parse_print_line(data: bytes) -> str:
    """Decode 06 D1: an attribute byte, then the text of one receipt line."""
    if not data:
        raise ProtocolError("print line without attribute")
    return data[1:].decode("cp437").rstrip()


def print_line(text: str, attribute: int = 0x00) -> Apdu:
    """Encode 06 D1 (the emulator's side)."""
    return Apdu(*PRINT_LINE, bytes([attribute]) + text.encode("cp437", errors="replace"))


def parse_abort(data: bytes) -> int | None:
    """Decode 06 1E: the result code, when the terminal sends one."""
    return data[0] if data else None


def parse_completion(data: bytes) -> dict[int, bytes]:
    """Decode 06 0F: optional BMPs 19 (status byte), 29 terminal id, 49 currency, 06 TLV."""
    return decode_bmps(data, strict=False)


def parse_intermediate(data: bytes) -> int:
    """Decode 04 FF: the intermediate status code."""
    if not data:
        raise ProtocolError("intermediate status without a code")
    return data[0]


def is_ack(apdu: Apdu) -> bool:
    """True for the positive acknowledgement 80 00 00."""
    return apdu.cls == 0x80 and apdu.ins == 0x00


def is_negative_ack(apdu: Apdu) -> bool:
    """True for 84 xx: the peer refused the message; `ins` carries the reason."""
    return apdu.cls == 0x84


# BMP 60 "individual totals" of an end-of-day answer: receipt-no start and end (2 BCD bytes
# each), then for each card group in this order a count (1 byte, binary) and a turnover
# (6 BCD bytes) - 53 bytes in all. The groups' order follows the published layout used by
# open ZVT implementations; that refunds are netted into the turnover is *unverified*.
TOTALS_GROUPS = ("girocard", "JCB", "Mastercard", "Amex", "Visa", "Diners", "other")
_GROUP_SIZE = 7


@dataclass(frozen=True)
class Totals:
    """BMP 60: the receipt range of the period and (count, turnover) per card group."""

    first_receipt_no: str
    last_receipt_no: str
    groups: tuple[tuple[str, int, int], ...] = ()  # (group, count, amount in minor units)

    @property
    def count(self) -> int:
        """Number of transactions over every card group."""
        return sum(n for _, n, _ in self.groups)

    @property
    def amount_minor(self) -> int:
        """Turnover over every card group."""
        return sum(a for _, _, a in self.groups)


def encode_totals(totals: Totals) -> bytes:
    """Encode BMP 60 (the emulator's side): every group of TOTALS_GROUPS, in order."""
    by_name = {name: (count, amount) for name, count, amount in totals.groups}
    unknown = set(by_name) - set(TOTALS_GROUPS)
    if unknown:
        raise ProtocolError(f"totals group(s) {sorted(unknown)} are not in the ZVT layout")
    out = bcd_encode(int(totals.first_receipt_no), 2) + bcd_encode(int(totals.last_receipt_no), 2)
    for name in TOTALS_GROUPS:
        count, amount = by_name.get(name, (0, 0))
        if not 0 <= count <= 0xFF:
            raise ProtocolError(f"{count} {name} transactions do not fit one count byte")
        out += bytes([count]) + bcd_encode(amount, 6)
    return out


def parse_totals(data: bytes) -> Totals:
    """Decode BMP 60; fewer groups than the full layout are accepted, extra ones are named."""
    if len(data) < 4 or (len(data) - 4) % _GROUP_SIZE:
        raise ProtocolError(f"totals of {len(data)} bytes do not fit receipt range + groups")
    groups = []
    for n, i in enumerate(range(4, len(data), _GROUP_SIZE)):
        name = TOTALS_GROUPS[n] if n < len(TOTALS_GROUPS) else f"group {n + 1}"
        groups.append((name, data[i], bcd_decode(data[i + 1 : i + _GROUP_SIZE])))
    return Totals(bcd_digits(data[:2]), bcd_digits(data[2:4]), tuple(groups))
