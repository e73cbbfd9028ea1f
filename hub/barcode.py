"""Barcodes a till meets: EAN-13, EAN-8, UPC-A with check digits, and Swedish in-store EAN-13."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sync.gtin import check_digit, with_check_digit

__all__ = ["BarcodeError", "Scan", "check_digit", "parse_scan", "with_check_digit"]


class BarcodeError(ValueError):
    """A scanned code that is not a valid barcode."""


@dataclass(frozen=True)
class Scan:
    """What a scanned code means for the cart."""

    gtin: str  # the code to look up (normalised to 13 digits for EAN-13/UPC-A)
    kind: Literal["gtin", "price", "weight"] = "gtin"
    value: int | None = None  # embedded price in minor units, or weight in grams


def parse_scan(
    code: str,
    price_prefixes: list[str] | tuple[str, ...] = ("20", "21", "22"),
    weight_prefixes: list[str] | tuple[str, ...] = ("23", "24", "25", "26", "27", "28", "29"),
) -> Scan:
    """Validate a scanned code and read any price or weight it carries."""
    code = code.strip()
    if not code.isdigit() or not code.isascii():
        raise BarcodeError(f"'{code}' is not a barcode: only digits are allowed")
    if len(code) not in (8, 12, 13):
        raise BarcodeError(
            f"'{code}' has {len(code)} digits; EAN-13, EAN-8 or UPC-A have 13, 8 or 12"
        )
    if check_digit(code[:-1]) != int(code[-1]):
        raise BarcodeError(f"'{code}' has a wrong check digit; scan it again or key it in")
    if len(code) == 12:  # UPC-A is EAN-13 with a leading zero
        code = "0" + code
    if len(code) == 13:
        prefix = code[:2]
        if prefix in price_prefixes or prefix in weight_prefixes:
            # 2 prefix + 5 item number + 5 value + check; the item is looked up with value zeroed.
            lookup = with_check_digit(code[:7] + "00000")
            kind: Literal["price", "weight"] = "price" if prefix in price_prefixes else "weight"
            return Scan(gtin=lookup, kind=kind, value=int(code[7:12]))
    return Scan(gtin=code)
