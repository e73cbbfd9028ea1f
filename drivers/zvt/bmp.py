"""ZVT field encodings: BCD numbers, LLVAR/LLLVAR lengths, BMP fields and BER-TLV (BMP 06)."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import ProtocolError

TLV_TAG = 0x06

# Fixed-length BMPs: tag → length in bytes.
FIXED: dict[int, int] = {
    0x01: 1, 0x02: 1, 0x03: 1, 0x04: 6, 0x05: 1, 0x0B: 3, 0x0C: 3, 0x0D: 2, 0x0E: 2,
    0x17: 2, 0x19: 1, 0x27: 1, 0x29: 4, 0x2A: 15, 0x37: 3, 0x3A: 2, 0x3B: 8, 0x3D: 3,
    0x49: 2, 0x87: 2, 0x88: 3, 0x8A: 1, 0x8C: 1, 0xA0: 1, 0xAA: 3, 0xBA: 5, 0xD0: 1,
    0xD2: 1, 0xE0: 1, 0xF0: 1,
}  # fmt: skip
LLVAR: frozenset[int] = frozenset(
    {0x22, 0x23, 0x2D, 0x8B, 0x92, 0xA7, 0xD1, 0xD3, *range(0xE1, 0xEA), *range(0xF1, 0xFA)}
)
LLLVAR: frozenset[int] = frozenset({0x24, 0x2E, 0x3C, 0x60, 0x9A, 0xAF})


def bcd_encode(value: int, size: int) -> bytes:
    """Encode a non-negative integer as `size` bytes of packed BCD."""
    digits = str(value)
    if value < 0 or len(digits) > size * 2:
        raise ProtocolError(f"{value} does not fit {size} BCD bytes")
    return bytes.fromhex(digits.rjust(size * 2, "0"))


def bcd_decode(data: bytes) -> int:
    """Decode packed BCD; raises ProtocolError on a nibble above 9."""
    text = data.hex()
    if not text.isdigit():
        raise ProtocolError(f"{text} is not BCD")
    return int(text) if text else 0


def bcd_digits(data: bytes) -> str:
    """Decode packed BCD keeping leading zeros (trace, receipt and terminal numbers)."""
    text = data.hex()
    if not text.isdigit():
        raise ProtocolError(f"{text} is not BCD")
    return text


def encode_var_length(length: int, digits: int) -> bytes:
    """Encode an LLVAR (2) or LLLVAR (3) length as F0|digit bytes."""
    text = str(length)
    if length < 0 or len(text) > digits:
        raise ProtocolError(f"length {length} does not fit {digits} digits")
    return bytes(0xF0 | int(c) for c in text.rjust(digits, "0"))


def decode_var_length(data: bytes) -> int:
    """Decode F0|digit length bytes."""
    value = 0
    for byte in data:
        if byte & 0xF0 != 0xF0 or byte & 0x0F > 9:
            raise ProtocolError(f"length byte {byte:02X} is not F0-F9")
        value = value * 10 + (byte & 0x0F)
    return value


def encode_ber_length(length: int) -> bytes:
    """Encode a BER-TLV length (short form below 128, else 81 xx or 82 xx xx)."""
    if length < 0x80:
        return bytes([length])
    if length < 0x100:
        return bytes([0x81, length])
    if length < 0x10000:
        return bytes([0x82]) + length.to_bytes(2, "big")
    raise ProtocolError(f"TLV length {length} is too long")


def decode_ber_length(data: bytes, pos: int) -> tuple[int, int]:
    """Read a BER length at `pos`; return (length, position after it)."""
    if pos >= len(data):
        raise ProtocolError("TLV length missing")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    size = first & 0x7F
    if size not in (1, 2) or pos + 1 + size > len(data):
        raise ProtocolError(f"TLV length form {first:02X} is unsupported or truncated")
    return int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def encode_bmps(fields: dict[int, bytes]) -> bytes:
    """Encode BMP fields (tag → value without its length prefix) in the given order."""
    out = bytearray()
    for tag, value in fields.items():
        out.append(tag)
        if tag == TLV_TAG:
            out += encode_ber_length(len(value))
        elif tag in LLVAR:
            out += encode_var_length(len(value), 2)
        elif tag in LLLVAR:
            out += encode_var_length(len(value), 3)
        elif tag in FIXED:
            if len(value) != FIXED[tag]:
                raise ProtocolError(f"BMP {tag:02X} takes {FIXED[tag]} bytes, got {len(value)}")
        else:
            raise ProtocolError(f"BMP {tag:02X} is unknown")
        out += value
    return bytes(out)


def decode_bmps(data: bytes, *, strict: bool = True) -> dict[int, bytes]:
    """Decode BMP fields; an unknown tag raises, or (not strict) ends the parse there."""
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == TLV_TAG:
            length, pos = decode_ber_length(data, pos)
        elif tag in LLVAR or tag in LLLVAR:
            digits = 2 if tag in LLVAR else 3
            if pos + digits > len(data):
                raise ProtocolError(f"BMP {tag:02X} length truncated")
            length = decode_var_length(data[pos : pos + digits])
            pos += digits
        elif tag in FIXED:
            length = FIXED[tag]
        elif strict:
            raise ProtocolError(f"BMP {tag:02X} is unknown")
        else:
            break
        if pos + length > len(data):
            raise ProtocolError(f"BMP {tag:02X} is truncated")
        fields[tag] = data[pos : pos + length]
        pos += length
    return fields


@dataclass(frozen=True)
class Tlv:
    """One BER-TLV data object inside BMP 06; constructed objects hold more of them."""

    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        """True when the value is itself a list of TLV objects."""
        first = self.tag.to_bytes((self.tag.bit_length() + 7) // 8 or 1, "big")[0]
        return bool(first & 0x20)


def encode_tlv(items: list[Tlv]) -> bytes:
    """Encode TLV objects back to back."""
    out = bytearray()
    for item in items:
        out += item.tag.to_bytes((item.tag.bit_length() + 7) // 8 or 1, "big")
        out += encode_ber_length(len(item.value)) + item.value
    return bytes(out)


def decode_tlv(data: bytes) -> list[Tlv]:
    """Decode TLV objects back to back (one level; decode `value` again when constructed)."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(data):
        start = pos
        pos += 1
        if data[start] & 0x1F == 0x1F:
            while True:
                if pos >= len(data):
                    raise ProtocolError("TLV tag truncated")
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
        tag = int.from_bytes(data[start:pos], "big")
        length, pos = decode_ber_length(data, pos)
        if pos + length > len(data):
            raise ProtocolError(f"TLV {tag:X} is truncated")
        items.append(Tlv(tag, data[pos : pos + length]))
        pos += length
    return items


def encode_pan(masked: str) -> bytes:
    """Encode a masked card number for BMP 22: digits as BCD, masked digits as E, F padding."""
    nibbles = "".join("E" if c in "*Xx" else c for c in masked)
    if not all(c.isdigit() or c == "E" for c in nibbles):
        raise ProtocolError(f"card number {masked!r} holds other than digits and masks")
    if len(nibbles) % 2:
        nibbles += "F"
    return bytes.fromhex(nibbles)


def decode_pan(data: bytes) -> str:
    """Decode BMP 22 into a masked card number such as "4711********1234"."""
    out = []
    for c in data.hex().upper():
        if c.isdigit():
            out.append(c)
        elif c == "E":
            out.append("*")
        elif c != "F":
            raise ProtocolError(f"card number nibble {c} is invalid")
    return "".join(out)
