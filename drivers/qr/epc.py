"""EPC QR (EPC069-12, "Girocode"): SEPA credit transfer payloads ⇄ fields; no I/O."""

from __future__ import annotations

import re
from typing import Any

from drivers.qr.errors import QrPayloadError
from drivers.qr.money import format_decimal, parse_decimal

MAX_BYTES = 331
MIN_AMOUNT, MAX_AMOUNT = 1, 99_999_999_999  # 0.01 .. 999999999.99 EUR in cents
CHARSETS = {
    "1": "utf-8",
    "2": "iso-8859-1",
    "3": "iso-8859-2",
    "4": "iso-8859-4",
    "5": "iso-8859-5",
    "6": "iso-8859-7",
    "7": "iso-8859-10",
    "8": "iso-8859-15",
}
LINES = (
    "service",
    "version",
    "charset",
    "identification",
    "bic",
    "name",
    "iban",
    "amount",
    "purpose",
    "reference",
    "remittance",
    "info",
)
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_RF = re.compile(r"RF[0-9]{2}[A-Z0-9]{1,21}")


def mod97(text: str) -> int:
    """ISO 7064 mod 97-10 of an IBAN or RF reference already rotated (letters as 10..35)."""
    return int("".join(str(int(c, 36)) for c in text)) % 97


def valid_iban(iban: str) -> bool:
    """Whether `iban` (no spaces, upper case) has the IBAN shape and check digits."""
    return bool(_IBAN.fullmatch(iban)) and mod97(iban[4:] + iban[:4]) == 1


def valid_creditor_reference(reference: str) -> bool:
    """Whether `reference` is an ISO 11649 RF creditor reference with good check digits."""
    return bool(_RF.fullmatch(reference)) and mod97(reference[4:] + reference[:4]) == 1


def _check(fields: dict[str, str]) -> None:
    if fields["version"] not in ("001", "002"):
        raise QrPayloadError(
            f"EPC version {fields['version']!r} must be 001 or 002", field="version"
        )
    if fields["charset"] not in CHARSETS:
        raise QrPayloadError(
            f"EPC character set {fields['charset']!r} must be 1–8", field="charset"
        )
    if fields["identification"] != "SCT":
        raise QrPayloadError(
            f"EPC identification {fields['identification']!r} must be SCT", field="identification"
        )
    bic = fields["bic"]
    if bic and not _BIC.fullmatch(bic):
        raise QrPayloadError(f"BIC {bic!r} is not 8 or 11 letters/digits", field="bic")
    if not bic and fields["version"] == "001":
        raise QrPayloadError("EPC version 001 needs a BIC (only 002 may leave it out)", field="bic")
    for name, maximum in (("name", 70), ("purpose", 4), ("remittance", 140), ("info", 70)):
        if len(fields[name]) > maximum:
            raise QrPayloadError(
                f"EPC {name} is {len(fields[name])} characters; at most {maximum}", field=name
            )
    if not fields["name"]:
        raise QrPayloadError("missing mandatory field name (the beneficiary)", field="name")
    if not valid_iban(fields["iban"]):
        raise QrPayloadError(
            f"IBAN {fields['iban']!r} is not valid (shape or mod-97 check)", field="iban"
        )
    if fields["purpose"] and not re.fullmatch(r"[A-Z0-9]{1,4}", fields["purpose"]):
        raise QrPayloadError(f"purpose {fields['purpose']!r} must be 1–4 letters", field="purpose")
    if fields["reference"] and fields["remittance"]:
        raise QrPayloadError(
            "EPC carries a structured reference or unstructured remittance text, never both",
            field="reference",
        )
    if fields["reference"] and not valid_creditor_reference(fields["reference"]):
        raise QrPayloadError(
            f"structured reference {fields['reference']!r} is not a valid RF creditor reference",
            field="reference",
        )


def _amount(text: str) -> int | None:
    if not text:
        return None
    if not text.startswith("EUR"):
        raise QrPayloadError(
            f"EPC amount {text!r} must be EUR followed by the amount", field="amount"
        )
    minor = parse_decimal(text[3:], 2, what="EPC amount")
    if not MIN_AMOUNT <= minor <= MAX_AMOUNT:
        raise QrPayloadError(
            f"EPC amount {text!r} is outside EUR0.01..EUR999999999.99", field="amount"
        )
    return minor


def decode_epc(payload: str) -> dict[str, Any]:
    """Fields of an EPC payload; amount in cents; trailing empty lines are allowed."""
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise QrPayloadError(
            f"EPC payload has a character that is not valid text at {exc.start}"
        ) from None
    if size > MAX_BYTES:
        raise QrPayloadError(f"EPC payload is {size} bytes; at most {MAX_BYTES}")
    lines = payload.split("\n")
    while len(lines) > 1 and lines[-1] == "":
        lines.pop()
    if any("\r" in line for line in lines):
        raise QrPayloadError("EPC lines must be separated by LF alone, found CR")
    if len(lines) < 7:
        raise QrPayloadError(
            f"EPC payload has {len(lines)} line(s); at least 7 (up to the IBAN) are mandatory"
        )
    if len(lines) > len(LINES):
        raise QrPayloadError(f"EPC payload has {len(lines)} lines; at most {len(LINES)}")
    if lines[0] != "BCD":
        raise QrPayloadError(f"EPC service tag {lines[0]!r} must be BCD", field="service")
    fields = dict(zip(LINES, lines + [""] * (len(LINES) - len(lines)), strict=True))
    _check(fields)
    return {
        "version": fields["version"],
        "charset": int(fields["charset"]),
        "bic": fields["bic"] or None,
        "name": fields["name"],
        "iban": fields["iban"],
        "amount": _amount(fields["amount"]),
        "currency": "EUR",
        "purpose": fields["purpose"] or None,
        "reference": fields["reference"] or None,
        "remittance": fields["remittance"] or None,
        "info": fields["info"] or None,
    }


def encode_epc(
    *,
    name: str,
    iban: str,
    amount: int | None = None,
    currency: str | None = "EUR",
    bic: str | None = None,
    purpose: str | None = None,
    reference: str | None = None,
    remittance: str | None = None,
    info: str | None = None,
    version: str | None = "002",
    charset: int | str | None = 1,
) -> str:
    """An EPC payload (amount in cents); the IBAN may be typed with spaces and in lower case."""
    if (currency or "EUR").upper() != "EUR":
        raise QrPayloadError(f"EPC QR carries EUR only, not {currency}", field="currency")
    if str(charset) != "1":
        raise QrPayloadError("the encoder writes character set 1 (UTF-8) only", field="charset")
    if amount is not None and not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise QrPayloadError(
            f"EPC amount {amount} cents is outside 1..{MAX_AMOUNT}", field="amount"
        )
    compact_iban = re.sub(r"\s", "", iban).upper()
    for key, value in (("name", name), ("remittance", remittance), ("info", info)):
        if value and ("\n" in value or "\r" in value):
            raise QrPayloadError(f"EPC {key} must be a single line", field=key)
    lines = [
        "BCD",
        version or "002",
        "1",
        "SCT",
        (bic or "").upper(),
        name,
        compact_iban,
        "" if amount is None else "EUR" + format_decimal(amount, 2, trim=True),
        purpose or "",
        reference or "",
        remittance or "",
        info or "",
    ]
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    decode_epc(payload)
    return payload
