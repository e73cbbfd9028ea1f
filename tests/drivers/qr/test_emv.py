"""EMVCo merchant-presented QR: exact payloads, CRC, strict validation, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.qr import QrPayloadError, decode, encode
from drivers.qr.emv import crc16, crc_text, encode_emv, parse_emv
from tests.drivers.qr.strategies import PIX_EXAMPLE, pix_fields


def _with_crc(body: str) -> str:
    """Append a correct 63 field to a payload body."""
    return body + "6304" + crc_text(body + "6304")


def test_crc_check_value() -> None:
    assert crc16(b"123456789") == 0x29B1
    assert crc_text("123456789") == "29B1"


def test_official_pix_example_decodes_field_by_field() -> None:
    emv = parse_emv(PIX_EXAMPLE)
    assert [o.id for o in emv.objects] == ["00", "26", "52", "53", "58", "59", "60", "62", "63"]
    assert emv.value("00") == "01"
    assert emv.value("26", "00") == "br.gov.bcb.pix"
    assert emv.value("26", "01") == "123e4567-e12b-12d1-a456-426655440000"
    assert emv.value("52") == "0000"
    assert emv.value("53") == "986"
    assert emv.value("58") == "BR"
    assert emv.value("59") == "Fulano de Tal"
    assert emv.value("60") == "BRASILIA"
    assert emv.value("62", "05") == "***"
    assert emv.value("63") == "1D3D"
    assert emv.get("26") is not None and emv.get("26").offset == 6  # type: ignore[union-attr]


def test_official_pix_example_through_the_public_api() -> None:
    decoded = decode(PIX_EXAMPLE)
    assert decoded.scheme == "pix"
    assert decoded.fields == {
        "initiation": None,
        "mcc": "0000",
        "amount": None,
        "currency": "BRL",
        "country": "BR",
        "merchant_name": "Fulano de Tal",
        "city": "BRASILIA",
        "postal_code": None,
        "key": "123e4567-e12b-12d1-a456-426655440000",
        "description": None,
        "url": None,
        "txid": "***",
    }
    assert decoded.warnings == []


def test_official_pix_example_encodes_back_identically() -> None:
    fields = {
        "key": "123e4567-e12b-12d1-a456-426655440000",
        "merchant_name": "Fulano de Tal",
        "city": "BRASILIA",
    }
    assert encode("pix", **fields) == PIX_EXAMPLE
    assert encode("pix", **decode(PIX_EXAMPLE).fields) == PIX_EXAMPLE
    assert encode_emv(parse_emv(PIX_EXAMPLE).as_tree()) == PIX_EXAMPLE


def test_pix_with_amount_puts_54_after_53() -> None:
    payload = encode("pix", key="+5561999990000", merchant_name="Loja", city="RIO", amount=1250)
    assert "5303986540512.505802BR" in payload
    assert decode(payload).fields["amount"] == 1250


def test_promptpay_phone_is_normalised_to_0066() -> None:
    payload = encode("promptpay", phone="081-234-5678")
    assert payload.startswith("00020101021129370016A000000677010111011300668123456785303764")
    fields = decode(payload).fields
    assert fields["phone"] == "0812345678"
    assert fields["currency"] == "THB" and fields["amount"] is None
    assert encode("promptpay", phone="+66812345678") == payload


def test_promptpay_with_amount_is_dynamic() -> None:
    fields = decode(encode("promptpay", national_id="1234567890123", amount=10050)).fields
    assert fields["initiation"] == "dynamic"
    assert fields["national_id"] == "1234567890123"
    assert fields["amount"] == 10050


def test_paynow_fields() -> None:
    payload = encode(
        "paynow", proxy="+6591234567", merchant_name="Kopi", amount=450, expiry="20301231"
    )
    assert "0009SG.PAYNOW010100211+659123456703010040820301231" in payload
    fields = decode(payload).fields
    assert decode(payload).scheme == "paynow"
    assert (fields["proxy_type"], fields["proxy"], fields["amount"]) == (
        "mobile",
        "+6591234567",
        450,
    )
    assert fields["currency"] == "SGD" and fields["expiry"] == "20301231"


def test_unknown_emv_profile_decodes_generically() -> None:
    payload = encode(
        "emv",
        tree={
            "00": "01",
            "26": {"00": "com.example.pay", "01": "merchant-7"},
            "52": "5812",
            "53": "752",
            "54": "99.5",
            "58": "SE",
            "59": "Kaffebaren",
            "60": "Lund",
        },
    )
    decoded = decode(payload)
    assert decoded.scheme == "emv"
    assert decoded.fields["amount"] == 9950 and decoded.fields["currency"] == "SEK"
    assert decoded.fields["tree"]["26"] == {"00": "com.example.pay", "01": "merchant-7"}


def test_payload_format_02_is_a_warning_not_a_crash() -> None:
    payload = _with_crc("000202" + PIX_EXAMPLE[6:-8])
    decoded = decode(payload)
    assert decoded.scheme == "pix"
    assert any('"02"' in w for w in decoded.warnings)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (PIX_EXAMPLE[:-4] + "1D3E", "bad CRC: expected 1D3D, found 1D3E"),
        (PIX_EXAMPLE[:-4] + "1d3d", "not 4 uppercase hex"),
        (PIX_EXAMPLE[:-2], "field 63 at offset 129 declares length 04 but only 2"),
        (_with_crc("000201010211000201"), "field 00 appears twice"),
        (
            _with_crc("000201" + PIX_EXAMPLE[6:-8].replace("5802BR", "")),
            "missing mandatory field 58 \\(country code\\)",
        ),
        (_with_crc("000203" + PIX_EXAMPLE[6:-8]), "payload format indicator is '03'"),
        (_with_crc("000201010213" + PIX_EXAMPLE[6:-8]), "point of initiation"),
        (_with_crc("0002015204000053039865802BR5901X6001Y"), "missing merchant account"),
        (_with_crc("00020126050101152040000"), "no globally unique identifier"),
        (_with_crc("000201" + PIX_EXAMPLE[6:-8] + "550202"), "missing field 56"),
        (PIX_EXAMPLE + "6105ABCDE", "field 63 \\(CRC\\) must come last"),
        ("0002" + "1" * 600, "604 characters; at most 512"),
    ],
)
def test_bad_payloads_say_what_is_wrong(payload: str, message: str) -> None:
    with pytest.raises(QrPayloadError, match=message):
        decode(payload)


def test_lengths_are_checked_before_the_crc() -> None:
    # Field 59 claims 14 characters where 13 are present: its CRC "matches" the broken text.
    broken = _with_crc(PIX_EXAMPLE[:-8].replace("5913Fulano", "5914Fulano"))
    with pytest.raises(QrPayloadError, match=r"field \w+ at offset|stray|declares|length"):
        decode(broken)


def test_merchant_name_longer_than_25_is_refused() -> None:
    with pytest.raises(QrPayloadError, match="merchant_name is 26 characters; at most 25"):
        encode("pix", key="k@example.com", merchant_name="x" * 26, city="RIO")


def test_lengths_count_characters_and_the_crc_covers_utf8_bytes() -> None:
    payload = encode("pix", key="k@example.com", merchant_name="Padaria São João", city="SÃO PAULO")
    assert "5916Padaria São João6009SÃO PAULO" in payload
    assert payload[-4:] == crc_text(payload[:-4])
    assert decode(payload).fields["merchant_name"] == "Padaria São João"


@given(pix_fields)
def test_pix_round_trip(fields: dict) -> None:
    decoded = decode(encode("pix", **fields))
    assert decoded.scheme == "pix"
    assert {k: decoded.fields[k] for k in fields} == fields


@given(st.data())
def test_any_single_character_change_is_detected(data: st.DataObject) -> None:
    payload = data.draw(st.just(PIX_EXAMPLE) | pix_fields.map(lambda f: encode("pix", **f)))
    index = data.draw(st.integers(0, len(payload) - 1))
    replacement = data.draw(
        st.characters(min_codepoint=32, max_codepoint=126).filter(lambda c: c != payload[index])
    )
    with pytest.raises(QrPayloadError):
        decode(payload[:index] + replacement + payload[index + 1 :])


@given(st.data())
def test_truncations_are_detected(data: st.DataObject) -> None:
    payload = data.draw(st.just(PIX_EXAMPLE) | pix_fields.map(lambda f: encode("pix", **f)))
    cut = data.draw(st.integers(0, len(payload) - 1))
    with pytest.raises(QrPayloadError):
        decode(payload[:cut])


@given(st.text(max_size=120))
def test_emv_prefixed_garbage_never_crashes(tail: str) -> None:
    with pytest.raises(QrPayloadError):
        decode("000201" + tail)


def test_pix_dynamic_code_carries_the_url_without_scheme() -> None:
    payload = encode("pix", url="pix.example.com/qr/v2/9d36b84f", merchant_name="Loja", city="RIO")
    assert "0014br.gov.bcb.pix2530pix.example.com/qr/v2/9d36b84f" in payload
    assert decode(payload).fields["url"] == "pix.example.com/qr/v2/9d36b84f"
    with pytest.raises(QrPayloadError, match="drop the 'https://'"):
        encode("pix", url="https://pix.example.com/qr/1", merchant_name="Loja", city="RIO")


def test_promptpay_without_merchant_name_and_city_decodes() -> None:
    body = "00020101021129370016A00000067701011101130066812345678530376458" + "02TH"
    fields = decode(_with_crc(body)).fields
    assert fields["phone"] == "0812345678" and fields["merchant_name"] is None


@pytest.mark.parametrize(
    ("scheme", "fields", "message"),
    [
        ("promptpay", {"phone": "12345"}, "not a Thai mobile number"),
        ("promptpay", {"phone": "0812345678", "ewallet": "1" * 15}, "exactly one of"),
        ("promptpay", {"national_id": "123"}, "must be 13 digits"),
        ("paynow", {"proxy": "91234567", "merchant_name": "A"}, "must look like \\+6591234567"),
        ("paynow", {"proxy": "+6591234567", "merchant_name": "A", "expiry": "20301332"}, "date"),
        ("paynow", {"proxy": "+6591234567", "merchant_name": "A", "currency": "EUR"}, "SGD"),
        ("pix", {"key": "k", "merchant_name": "A", "city": "B", "currency": "USD"}, "BRL"),
    ],
)
def test_profiles_refuse_what_their_scheme_cannot_carry(
    scheme: str, fields: dict, message: str
) -> None:
    with pytest.raises(QrPayloadError, match=message):
        encode(scheme, **fields)


def test_paynow_to_a_uen() -> None:
    payload = encode("paynow", proxy_type="uen", proxy="201403121W", merchant_name="Kopi Pte Ltd")
    fields = decode(payload).fields
    assert (fields["proxy_type"], fields["proxy"], fields["editable"]) == (
        "uen",
        "201403121W",
        False,
    )
