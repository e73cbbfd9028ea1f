"""Hypothesis strategies for valid fields of every QR scheme."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from drivers.qr.epc import mod97

PIX_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)

# Printable ASCII plus accented letters: a merchant name may carry either.
_TEXT = st.characters(
    codec="utf-8", categories=("L", "N", "P", "Zs", "S"), exclude_characters="\n\r"
)


def text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Printable text of a length in characters, as merchants type it."""
    return st.text(_TEXT, min_size=min_size, max_size=max_size)


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """The strategy's values, or None (a field left out)."""
    return st.none() | strategy


alnum = st.text(string.ascii_letters + string.digits, min_size=1, max_size=25)
emv_amount = st.integers(1, 10**11 - 1)

pix_fields = st.fixed_dictionaries(
    {
        "key": st.uuids().map(str) | st.emails().filter(lambda e: len(e) <= 40),
        "merchant_name": text(1, 25),
        "city": text(1, 15),
    },
    optional={
        "amount": emv_amount,
        "description": text(1, 30),
        "txid": st.just("***") | alnum,
        "initiation": st.sampled_from(["static", "dynamic"]),
        "postal_code": st.text(string.digits, min_size=8, max_size=8),
    },
)

_PROMPTPAY_OPTIONAL = {"amount": emv_amount, "merchant_name": text(1, 25), "city": text(1, 15)}
promptpay_fields = st.one_of(
    [
        st.fixed_dictionaries(
            {target: st.from_regex(pattern, fullmatch=True)}, optional=_PROMPTPAY_OPTIONAL
        )
        for target, pattern in (
            ("phone", r"0[689][0-9]{8}"),
            ("national_id", r"[0-9]{13}"),
            ("ewallet", r"[0-9]{15}"),
        )
    ]
)

paynow_fields = st.fixed_dictionaries(
    {"proxy": st.from_regex(r"\+65[89][0-9]{7}", fullmatch=True), "merchant_name": text(1, 25)},
    optional={
        "amount": emv_amount,
        "editable": st.booleans(),
        "expiry": st.dates().map(lambda d: d.strftime("%Y%m%d")).filter(lambda s: len(s) == 8),
        "reference": alnum,
    },
)


def _iban(country_and_bban: tuple[str, str]) -> str:
    country, bban = country_and_bban
    check = 98 - mod97(bban + country + "00")
    return f"{country}{check:02d}{bban}"


ibans = st.tuples(
    st.sampled_from(["DE", "NL", "FR", "SE", "BE", "AT"]),
    st.text(string.ascii_uppercase + string.digits, min_size=12, max_size=24),
).map(_iban)


def _rf(body: str) -> str:
    return f"RF{98 - mod97(body + 'RF00'):02d}{body}"


epc_fields = st.fixed_dictionaries(
    {"name": text(1, 70), "iban": ibans},
    optional={
        "amount": st.integers(1, 99_999_999_999),
        "bic": st.from_regex(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", fullmatch=True),
        "purpose": st.from_regex(r"[A-Z]{4}", fullmatch=True),
        "info": text(1, 70),
    },
).flatmap(
    lambda base: st.one_of(
        st.just(base),
        text(1, 140).map(lambda remittance: {**base, "remittance": remittance}),
        st.text(string.ascii_uppercase, min_size=1, max_size=21).map(
            lambda body: {**base, "reference": _rf(body)}
        ),
    )
)

swish_fields = st.fixed_dictionaries(
    {"payee": st.from_regex(r"123[0-9]{7}", fullmatch=True)},
    optional={
        "amount": st.integers(1, 10**9),
        "message": text(1, 70),
        "editable": st.lists(st.sampled_from(["payee", "amount", "message"]), unique=True),
    },
)

link_fields = st.fixed_dictionaries(
    {
        "host": st.sampled_from(["pay.example", "kassa.shop.example", "p.example.se"]),
        "attempt": st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
    }
)

SCHEME_FIELDS = {
    "pix": pix_fields,
    "promptpay": promptpay_fields,
    "paynow": paynow_fields,
    "epc": epc_fields,
    "swish": swish_fields,
    "link": link_fields,
}
