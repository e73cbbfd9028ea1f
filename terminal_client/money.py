"""Money for the cashier's eyes: integer minor units shown and keyed in the Swedish way."""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"^(\d{1,7})(?:[,.](\d+))?$")


def format_money(minor: int) -> str:
    """12 50 öre → "12,50"; thousands are grouped with a space: "1 000,00"."""
    sign = "-" if minor < 0 else ""
    kronor, ore = divmod(abs(minor), 100)
    return f"{sign}{kronor:,}".replace(",", " ") + f",{ore:02d}"


def format_rate(rate_bp: int) -> str:
    """A VAT rate in basis points as people write it: 1200 → "12 %", 2550 → "25,5 %"."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole} %" if frac == 0 else f"{whole},{frac:02d}".rstrip("0") + " %"


def parse_amount(text: str, decimals: int = 2) -> int | None:
    """What the cashier keyed in ("50", "50,5", "50.50") in minor units (hundredths; with
    decimals=3 thousandths, e.g. grams from kilograms); None if it is no amount."""
    match = _AMOUNT.match(text.strip().replace(" ", ""))
    if match is None or len(match.group(2) or "") > decimals:
        return None
    whole, fraction = match.groups()
    return int(whole) * 10**decimals + int((fraction or "0").ljust(decimals, "0"))
