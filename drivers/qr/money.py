"""Amounts as integer minor units ⇄ the decimal text the QR schemes carry."""

from __future__ import annotations

import re

from drivers.qr.errors import QrPayloadError

# ISO 4217 numeric → (alpha, decimals) for the currencies the QR schemes here use.
CURRENCIES: dict[str, tuple[str, int]] = {
    "986": ("BRL", 2),
    "764": ("THB", 2),
    "702": ("SGD", 2),
    "458": ("MYR", 2),
    "360": ("IDR", 2),
    "704": ("VND", 0),
    "356": ("INR", 2),
    "392": ("JPY", 0),
    "840": ("USD", 2),
    "978": ("EUR", 2),
    "752": ("SEK", 2),
    "826": ("GBP", 2),
    "156": ("CNY", 2),
    "344": ("HKD", 2),
    "608": ("PHP", 2),
    "410": ("KRW", 0),
}
NUMERIC_BY_ALPHA = {alpha: numeric for numeric, (alpha, _) in CURRENCIES.items()}
DEFAULT_DECIMALS = 2  # assumed, with a warning, for a currency missing from the table

_DECIMAL = re.compile(r"([0-9]+)(?:\.([0-9]*))?")


def currency_of(numeric: str) -> tuple[str, int, bool]:
    """(alpha code or the digits themselves, decimals, known?) of an ISO 4217 numeric code."""
    if numeric in CURRENCIES:
        alpha, decimals = CURRENCIES[numeric]
        return alpha, decimals, True
    return numeric, DEFAULT_DECIMALS, False


def numeric_of(currency: str) -> str:
    """ISO 4217 numeric code of an alpha code ("BRL") or of three digits ("986")."""
    code = currency.strip().upper()
    if len(code) == 3 and code.isascii() and code.isdigit():
        return code
    if code in NUMERIC_BY_ALPHA:
        return NUMERIC_BY_ALPHA[code]
    raise QrPayloadError(f"currency {currency!r} is not known; give the ISO 4217 numeric code")


def parse_decimal(text: str, decimals: int, *, separator: str = ".", what: str = "amount") -> int:
    """Minor units of a decimal amount such as "12.5" (never through float)."""
    normalised = text.replace(separator, ".") if separator != "." else text
    if separator != "." and "." in text:
        raise QrPayloadError(f"{what} {text!r} must use {separator!r} as the decimal separator")
    match = _DECIMAL.fullmatch(normalised)
    if match is None:
        raise QrPayloadError(f"{what} {text!r} is not a decimal number like 12{separator}50")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > decimals:
        raise QrPayloadError(f"{what} {text!r} has more than {decimals} decimal(s)")
    return int(whole) * 10**decimals + int(fraction.ljust(decimals, "0") or "0")


def format_decimal(minor: int, decimals: int, *, separator: str = ".", trim: bool = False) -> str:
    """Decimal text of an amount in minor units; `trim` drops trailing zeros ("12.3", "1")."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise QrPayloadError(f"amount {minor!r} must be an integer number of minor units")
    if minor < 0:
        raise QrPayloadError(f"amount {minor} must not be negative")
    if decimals == 0:
        return str(minor)
    whole, fraction = divmod(minor, 10**decimals)
    digits = f"{fraction:0{decimals}d}"
    if trim:
        digits = digits.rstrip("0")
    return f"{whole}{separator}{digits}" if digits else str(whole)
