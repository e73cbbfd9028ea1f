"""Swish prefilled QR strings: `C<payee>;<amount>;<message>;<editable mask>`; no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from drivers.qr.errors import QrPayloadError
from drivers.qr.money import format_decimal, parse_decimal

EDITABLE_BITS = {"payee": 1, "amount": 2, "message": 4}
MAX_MESSAGE = 70
# Swish numbers (123…) and phone numbers; the exact accepted lengths are unverified.
PAYEE = re.compile(r"[0-9]{5,15}")


def _editable(mask_text: str) -> list[str]:
    if mask_text == "":
        return []
    if not re.fullmatch(r"[0-7]", mask_text):
        raise QrPayloadError(f"Swish editable mask {mask_text!r} must be a digit 0–7")
    mask = int(mask_text)
    return [name for name, bit in EDITABLE_BITS.items() if mask & bit]


def decode_swish(payload: str) -> dict[str, Any]:
    """Fields of a prefilled Swish code; amount in öre, message URL-decoded."""
    if not payload.startswith("C"):
        raise QrPayloadError("a Swish prefilled code starts with 'C'")
    parts = payload[1:].split(";")
    if len(parts) > 4:
        raise QrPayloadError(f"Swish code has {len(parts)} fields; at most 4 (payee;amount;…)")
    payee, amount, message, mask = parts + [""] * (4 - len(parts))
    if not PAYEE.fullmatch(payee):
        raise QrPayloadError(f"Swish payee {payee!r} is not a Swish or phone number")
    try:
        text = unquote(message, errors="strict")
    except UnicodeDecodeError:
        raise QrPayloadError("Swish message is not URL-encoded UTF-8") from None
    if len(text) > MAX_MESSAGE:
        raise QrPayloadError(f"Swish message is {len(text)} characters; at most {MAX_MESSAGE}")
    return {
        "payee": payee,
        "amount": parse_decimal(amount, 2, separator=",", what="Swish amount") if amount else None,
        "currency": "SEK",
        "message": text or None,
        "editable": _editable(mask),
    }


def encode_swish(
    *,
    payee: str,
    amount: int | None = None,
    message: str | None = None,
    editable: Iterable[str] | str = (),
    currency: str | None = "SEK",
) -> str:
    """A prefilled Swish code; amount in öre; `editable` names payee/amount/message."""
    if (currency or "SEK").upper() != "SEK":
        raise QrPayloadError(f"Swish carries SEK only, not {currency}")
    names = [n for n in editable.split(",") if n] if isinstance(editable, str) else list(editable)
    unknown = sorted(set(names) - set(EDITABLE_BITS))
    if unknown:
        raise QrPayloadError(f"Swish editable {unknown} not among payee, amount, message")
    mask = sum(EDITABLE_BITS[n] for n in set(names))
    amount_text = "" if amount is None else format_decimal(amount, 2, separator=",")
    message_text = quote(message or "", safe="")
    payload = f"C{payee};{amount_text};{message_text};{mask}"
    decode_swish(payload)
    return payload
