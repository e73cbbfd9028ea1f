"""ISO 4217 alpha ⇄ numeric codes for the currencies a store is likely to take."""

from __future__ import annotations

from drivers.errors import InvalidRequest

NUMERIC_BY_ALPHA: dict[str, int] = {
    "SEK": 752,
    "NOK": 578,
    "DKK": 208,
    "ISK": 352,
    "EUR": 978,
    "USD": 840,
    "GBP": 826,
    "CHF": 756,
    "PLN": 985,
    "CZK": 203,
    "HUF": 348,
    "JPY": 392,
    "KWD": 414,
    "CAD": 124,
    "AUD": 36,
}
ALPHA_BY_NUMERIC: dict[int, str] = {n: a for a, n in NUMERIC_BY_ALPHA.items()}


def numeric_code(alpha: str) -> int:
    """Return the ISO 4217 numeric code of an alpha code such as "SEK"."""
    try:
        return NUMERIC_BY_ALPHA[alpha.upper()]
    except KeyError:
        raise InvalidRequest(f"currency {alpha!r} is not known to the drivers") from None


def alpha_code(numeric: int) -> str:
    """Return the ISO 4217 alpha code of a numeric code; unknown codes come back as digits."""
    return ALPHA_BY_NUMERIC.get(numeric, f"{numeric:03d}")
