"""The public API: scheme detection, round trips of every scheme, fuzzed input never crashes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.qr import SCHEMES, QrPayloadError, decode, encode
from tests.drivers.qr.strategies import (
    PIX_EXAMPLE,
    SCHEME_FIELDS,
    paynow_fields,
    promptpay_fields,
)

PREFIXES = ["", "000201", "000202", "BCD\n", "BCD\n002\n1\nSCT\n", "C", "C123", "https://"]


@pytest.mark.parametrize("scheme", sorted(SCHEME_FIELDS))
def test_every_scheme_round_trips_through_json(scheme: str) -> None:
    @given(SCHEME_FIELDS[scheme])
    def check(fields: dict) -> None:
        try:
            payload = encode(scheme, **fields)
        except QrPayloadError as exc:  # only EPC has a byte budget that random text can exceed
            assert scheme == "epc" and "at most 331" in str(exc)
            return
        decoded = decode(payload)
        assert decoded.scheme == scheme
        assert json.loads(json.dumps(decoded.as_dict())) == decoded.as_dict()
        assert encode(scheme, **decoded.fields) == payload

    check()


@given(promptpay_fields)
def test_promptpay_round_trip(fields: dict) -> None:
    decoded = decode(encode("promptpay", **fields))
    assert decoded.scheme == "promptpay"
    assert {k: decoded.fields[k] for k in fields} == fields
    assert decoded.fields["initiation"] == ("dynamic" if "amount" in fields else "static")


@given(paynow_fields)
def test_paynow_round_trip(fields: dict) -> None:
    decoded = decode(encode("paynow", **fields))
    assert decoded.scheme == "paynow"
    assert {k: decoded.fields[k] for k in fields} == fields


@given(st.sampled_from(PREFIXES), st.text(max_size=200))
def test_random_text_never_crashes_decode(prefix: str, tail: str) -> None:
    try:
        decoded = decode(prefix + tail)
    except QrPayloadError as exc:
        assert str(exc)
    else:
        assert decoded.scheme in SCHEMES


@given(st.sampled_from(PREFIXES), st.binary(max_size=200))
def test_random_bytes_as_latin1_never_crash_decode(prefix: str, tail: bytes) -> None:
    try:
        decoded = decode(prefix + tail.decode("latin-1"))
    except QrPayloadError as exc:
        assert str(exc)
    else:
        assert decoded.scheme in SCHEMES


@given(st.text(st.characters(codec=None, categories=None), max_size=50))
def test_lone_surrogates_are_refused_not_crashed_on(tail: str) -> None:
    for prefix in ("000201", "BCD\n"):
        try:
            decode(prefix + tail + "\ud800")
        except QrPayloadError as exc:
            assert str(exc)


def test_unknown_text_says_what_is_expected() -> None:
    with pytest.raises(QrPayloadError, match="not a payment QR Kassa knows"):
        decode("hello")


def test_encode_names_unknown_schemes_fields_and_missing_ones() -> None:
    with pytest.raises(QrPayloadError, match="unknown scheme 'bitcoin'"):
        encode("bitcoin", address="x")
    with pytest.raises(QrPayloadError, match="has no field"):
        encode("pix", key="k", merchant_name="A", city="B", colour="red")
    with pytest.raises(QrPayloadError, match="needs field.*city"):
        encode("pix", key="k", merchant_name="A")
    with pytest.raises(QrPayloadError, match="exactly one of key"):
        encode("pix", key="k", url="pix.example/qr/1", merchant_name="A", city="B")


def test_fields_given_as_none_are_left_out() -> None:
    fields = decode(PIX_EXAMPLE).fields
    assert fields["amount"] is None
    assert encode("pix", **fields) == PIX_EXAMPLE
