"""ZVT codec: exact bytes (including the CRC check value), round trips and fuzzed input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import ProtocolError
from drivers.zvt.bmp import (
    Tlv,
    bcd_encode,
    decode_bmps,
    decode_pan,
    decode_tlv,
    decode_var_length,
    encode_bmps,
    encode_pan,
    encode_tlv,
    encode_var_length,
)
from drivers.zvt.codec import (
    ACK,
    Apdu,
    Control,
    Deframer,
    Frame,
    StatusInfo,
    apdu_size,
    authorization,
    crc16_kermit,
    decode_apdu,
    encode_apdu,
    frame,
    parse_command,
    parse_status_info,
    registration,
    reversal,
    status_info,
)

CHECK_APDU = bytes.fromhex("06 01 0A 04 00 00 00 00 12 50 49 09 78")


def test_crc_check_value_from_the_protocol_notes() -> None:
    assert crc16_kermit(CHECK_APDU + b"\x03") == 0x1D13
    assert frame(CHECK_APDU) == bytes.fromhex("10 02") + CHECK_APDU + bytes.fromhex("10 03 13 1D")


def test_authorization_encodes_amount_and_currency_as_bcd() -> None:
    assert encode_apdu(authorization(1250, 978)) == CHECK_APDU


def test_dle_in_the_apdu_is_doubled_and_undoubled() -> None:
    apdu = encode_apdu(authorization(1010, 978))  # amount BCD 00 00 00 00 10 10
    framed = frame(apdu)
    assert b"\x10\x10\x10\x10" in framed
    assert Deframer().feed(framed) == [Frame(apdu, True)]


def test_extended_length_uses_ff_and_two_bytes_little_endian() -> None:
    apdu = Apdu(0x06, 0xD1, bytes(300))
    raw = encode_apdu(apdu)
    assert raw[:5] == bytes([0x06, 0xD1, 0xFF, 0x2C, 0x01])
    assert apdu_size(raw) == 305 and decode_apdu(raw) == apdu


def test_registration_without_currency_is_accepted() -> None:
    cmd = parse_command(decode_apdu(bytes.fromhex("06 00 04 00 00 00 8E")))
    assert (cmd.password, cmd.config, cmd.currency, cmd.fields) == ("000000", 0x8E, None, {})


def test_registration_with_currency_and_service_byte() -> None:
    cmd = parse_command(registration("123456", 0xBA, 978))
    assert encode_apdu(registration("123456", 0xBA, 978)) == bytes.fromhex(
        "06 00 08 12 34 56 BA 09 78 03 00"
    )
    assert (cmd.password, cmd.config, cmd.currency, cmd.fields) == (
        "123456",
        0xBA,
        978,
        {0x03: b"\x00"},
    )


def test_authorization_with_an_empty_tlv_container() -> None:
    raw = bytes.fromhex("06 01 09 04 00 00 00 00 05 00 06 00")
    cmd = parse_command(decode_apdu(raw))
    assert cmd.fields == {0x04: bcd_encode(500, 6), 0x06: b""}


def test_reversal_carries_the_receipt_number() -> None:
    assert encode_apdu(reversal("000000", 42)) == bytes.fromhex("06 30 06 00 00 00 87 00 42")


def test_llvar_and_lllvar_lengths_are_f0_digits() -> None:
    assert encode_var_length(12, 2) == b"\xf1\xf2"
    assert encode_var_length(7, 3) == b"\xf0\xf0\xf7"
    assert decode_var_length(b"\xf1\xf2") == 12
    with pytest.raises(ProtocolError):
        decode_var_length(b"\x31\x32")


def test_masked_pan_uses_e_for_hidden_digits() -> None:
    assert encode_pan("4711********1234") == bytes.fromhex("4711EEEEEEEE1234")
    assert decode_pan(bytes.fromhex("4711EEEEEE12345F")) == "4711******12345"


def test_status_info_exact_bytes() -> None:
    info = StatusInfo(
        result_code=0,
        amount_minor=1250,
        trace_no="000123",
        receipt_no="0042",
        terminal_id="52500001",
        masked_pan="4711****1234",
        card_name="VISA",
    )
    raw = encode_apdu(status_info(info))
    assert raw == bytes.fromhex(
        "04 0F 25 27 00 04 00 00 00 00 12 50 0B 00 01 23 87 00 42 29 52 50 00 01"
        " 22 F0 F6 47 11 EE EE 12 34 8B F0 F4 56 49 53 41"
    )
    assert parse_status_info(decode_apdu(raw).data) == info


def test_tlv_long_lengths() -> None:
    items = [Tlv(0x1F10, b"\x01"), Tlv(0x14, bytes(200)), Tlv(0xE2, encode_tlv([Tlv(0x12, b"")]))]
    raw = encode_tlv(items)
    assert raw[:4] == bytes.fromhex("1F 10 01 01") and raw[4:7] == bytes.fromhex("14 81 C8")
    assert decode_tlv(raw) == items
    assert items[2].constructed and not items[1].constructed


def test_deframer_reports_bad_crc_and_link_bytes() -> None:
    good = frame(CHECK_APDU)
    bad = good[:-1] + b"\x00"
    assert Deframer().feed(b"\x00\x99" + bad + bytes([ACK]) + good) == [
        Frame(CHECK_APDU, False),
        Control(ACK),
        Frame(CHECK_APDU, True),
    ]


# --- properties --------------------------------------------------------------------------------

apdus = st.builds(Apdu, st.integers(0, 255), st.integers(0, 255), st.binary(max_size=600))
infos = st.builds(
    StatusInfo,
    result_code=st.none() | st.integers(0, 255),
    amount_minor=st.none() | st.integers(0, 999_999_999_999),
    currency=st.none() | st.integers(0, 9999),
    trace_no=st.none() | st.integers(0, 999_999).map(lambda n: f"{n:06d}"),
    receipt_no=st.none() | st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    terminal_id=st.none() | st.integers(0, 99_999_999).map(lambda n: f"{n:08d}"),
    masked_pan=st.none() | st.from_regex(r"\A[0-9]{4}\*{4,8}[0-9]{4}\Z"),
    card_name=st.none() | st.from_regex(r"\A[A-Z]([A-Za-z ]{0,18}[A-Za-z])?\Z"),
    auth_code=st.none() | st.text(alphabet="0123456789AB", min_size=1, max_size=8),
)


@settings(deadline=None)
@given(apdus)
def test_apdu_round_trip_through_serial_framing(apdu: Apdu) -> None:
    raw = encode_apdu(apdu)
    assert decode_apdu(raw) == apdu
    assert Deframer().feed(frame(raw)) == [Frame(raw, True)]


@settings(deadline=None)
@given(infos)
def test_status_info_round_trip(info: StatusInfo) -> None:
    assert parse_status_info(status_info(info).data) == info


one_byte_tags = st.integers(0, 0xFF).filter(lambda t: t & 0x1F != 0x1F)
two_byte_tags = st.tuples(st.integers(0, 7), st.integers(0, 0x7F)).map(
    lambda p: ((p[0] << 5 | 0x1F) << 8) | p[1]
)


@settings(deadline=None)
@given(st.lists(st.builds(Tlv, one_byte_tags | two_byte_tags, st.binary(max_size=300)), max_size=5))
def test_tlv_round_trip(items: list[Tlv]) -> None:
    assert decode_tlv(encode_tlv(items)) == items


@settings(deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_protocol_errors(data: bytes) -> None:
    for parse in (
        decode_apdu,
        decode_bmps,
        decode_tlv,
        parse_status_info,
        decode_pan,
        lambda d: parse_command(Apdu(0x06, 0x00, d)),
        lambda d: parse_command(Apdu(0x06, 0x01, d)),
    ):
        with contextlib.suppress(ProtocolError):
            parse(data)
    for event in Deframer().feed(data):
        assert isinstance(event, Frame | Control)


@settings(deadline=None)
@given(infos, st.data())
def test_truncated_status_info_raises_protocol_error_or_loses_fields(
    info: StatusInfo, data: st.DataObject
) -> None:
    raw = status_info(info).data
    cut = data.draw(st.integers(0, max(0, len(raw) - 1)))
    with contextlib.suppress(ProtocolError):
        parse_status_info(raw[:cut])


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([0x04, 0x0B, 0x19, 0x22, 0x27, 0x3C, 0x87, 0x8B]),
        st.binary(max_size=40),
        max_size=6,
    )
)
def test_bmp_round_trip(fields: dict[int, bytes]) -> None:
    fixed = {0x04: 6, 0x0B: 3, 0x19: 1, 0x27: 1, 0x87: 2}
    fields = {
        t: (v.ljust(fixed[t], b"\0")[: fixed[t]] if t in fixed else v) for t, v in fields.items()
    }
    assert decode_bmps(encode_bmps(fields)) == fields
