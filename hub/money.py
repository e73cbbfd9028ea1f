"""Money, VAT and rounding in integer minor units. Never floats."""

from __future__ import annotations

from collections.abc import Sequence

# ISO 4217 exponents for the currencies a store is likely to meet; default is 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3}


def exponent(currency: str) -> int:
    """Number of minor-unit digits of an ISO 4217 currency."""
    return _EXPONENTS.get(currency.upper(), 2)


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


def vat_included(gross: int, rate_bp: int) -> int:
    """VAT contained in a tax-inclusive amount at a rate in basis points (2500 = 25 %)."""
    return div_half_up(gross * rate_bp, 10000 + rate_bp)


def percent_of(amount: int, bp: int) -> int:
    """A share of an amount given in basis points, rounded half up."""
    return div_half_up(amount * bp, 10000)


def round_cash(amount: int, step: int) -> int:
    """Round an amount to the cash step (half up): SEK 12.50 → 13.00, 12.49 → 12.00."""
    if step <= 1:
        return amount
    return div_half_up(amount, step) * step


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split total over weights proportionally; the parts sum exactly to total."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum == 0:
        parts = [0] * len(weights)
        parts[0] = total
        return parts
    parts = [total * w // weight_sum for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: (total * weights[i]) % weight_sum, reverse=True
    )
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


def format_amount(amount: int, currency: str) -> str:
    """Human text for an amount, e.g. 1250 SEK → '12,50'."""
    exp = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**exp)
    if exp == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole},{frac:0{exp}d}"
