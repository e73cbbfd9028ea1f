"""Swish prefilled codes and payment links: exact payloads, validation, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given

from drivers.qr import QrPayloadError, decode, encode
from drivers.qr.link import LinkRules, decode_link, encode_link
from tests.drivers.qr.strategies import link_fields, swish_fields

SWISH_EXAMPLE = "C1237856901;100,00;12229445;0"


def test_swish_example_decodes_field_by_field() -> None:
    decoded = decode(SWISH_EXAMPLE)
    assert decoded.scheme == "swish"
    assert decoded.fields == {
        "payee": "1237856901",
        "amount": 10000,
        "currency": "SEK",
        "message": "12229445",
        "editable": [],
    }


def test_swish_example_encodes_back_identically() -> None:
    assert encode("swish", payee="1237856901", amount=10000, message="12229445") == SWISH_EXAMPLE
    assert encode("swish", **decode(SWISH_EXAMPLE).fields) == SWISH_EXAMPLE


def test_swish_message_is_url_encoded_and_mask_bits_name_fields() -> None:
    payload = encode(
        "swish", payee="1231181189", amount=4950, message="Kaffe & bulle", editable="amount,message"
    )
    assert payload == "C1231181189;49,50;Kaffe%20%26%20bulle;6"
    fields = decode(payload).fields
    assert fields["message"] == "Kaffe & bulle" and fields["editable"] == ["amount", "message"]


def test_swish_missing_mask_means_nothing_editable() -> None:
    assert decode("C1237856901;100,5;hej").fields["editable"] == []
    assert decode("C1237856901;100,5;hej").fields["amount"] == 10050
    assert decode("C1237856901;;;7").fields["editable"] == ["payee", "amount", "message"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("C1237856901;100.00;x;0", "decimal separator"),
        ("C1237856901;100,001;x;0", "more than 2 decimal"),
        ("C1237856901;1;x;9", "mask '9'"),
        ("C12;1;x;0", "payee '12'"),
        ("C1237856901;1;x;0;extra", "at most 4"),
        ("C1237856901;1;" + "a" * 71 + ";0", "at most 70"),
        ("C1237856901;1;%FF;0", "URL-encoded UTF-8"),
    ],
)
def test_bad_swish_codes_say_what_is_wrong(payload: str, message: str) -> None:
    with pytest.raises(QrPayloadError, match=message):
        decode(payload)


@given(swish_fields)
def test_swish_round_trip(fields: dict) -> None:
    decoded = decode(encode("swish", **fields))
    assert decoded.scheme == "swish"
    expected = {
        **fields,
        "editable": sorted(fields.get("editable", []), key=lambda n: "pam".index(n[0])),
    }
    assert {k: decoded.fields[k] for k in fields} == {k: expected[k] for k in fields}


def test_link_decodes_attempt() -> None:
    decoded = decode("https://pay.example/pay/att_01HZX9")
    assert decoded.scheme == "link"
    assert decoded.fields == {
        "url": "https://pay.example/pay/att_01HZX9",
        "host": "pay.example",
        "port": None,
        "attempt": "att_01HZX9",
    }


def test_link_encodes_from_host_and_attempt() -> None:
    assert encode("link", host="pay.example", attempt="abc") == "https://pay.example/pay/abc"
    assert encode("link", url="https://pay.example/pay/abc") == "https://pay.example/pay/abc"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://pay.example/pay/abc", "must use https"),
        ("https://pay.example@evil.example/pay/abc", "user name"),
        ("https://pay.example/checkout/abc", "must start with '/pay/'"),
        ("https://pay.example/pay/a/b", "attempt id 'a/b'"),
        ("https://pay.example/pay/", "attempt id ''"),
        ("https://pay.example/pay/abc#x", "fragment"),
        ("https://pay_example/pay/abc", "not a host name"),
        ("https://pay.example/pay/ab c", "without spaces"),
    ],
)
def test_bad_links_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(QrPayloadError, match=message):
        decode(url)


def test_link_rules_are_configurable() -> None:
    lan = LinkRules(schemes=frozenset({"http", "https"}), allow_ip=True)
    assert decode_link("http://192.168.1.20:8000/pay/abc", lan)["port"] == 8000
    only_ours = LinkRules(hosts=frozenset({"pay.kassa.example"}))
    with pytest.raises(QrPayloadError, match="not one of"):
        decode_link("https://pay.example/pay/abc", only_ours)
    assert encode_link(host="192.168.1.20", port=8000, attempt="x", rules=lan).startswith("https")


@given(link_fields)
def test_link_round_trip(fields: dict) -> None:
    decoded = decode(encode("link", **fields))
    assert decoded.scheme == "link"
    assert {k: decoded.fields[k] for k in fields} == fields
