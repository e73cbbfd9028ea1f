"""Concert v2 codec: exact bytes, round trips and fuzzed input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from drivers.concert.codec import (
    ACK,
    ENQ,
    ConcertAnswer,
    ConcertRequest,
    Control,
    Deframer,
    Frame,
    Transaction,
    decode_answer,
    decode_request,
    encode_answer,
    encode_request,
    frame,
    lrc,
)
from drivers.errors import ProtocolError


def test_request_is_34_characters_in_the_documented_order() -> None:
    req = ConcertRequest(
        pos_number="01", amount_minor=1250, currency_numeric=752, private_data="A1B2C3"
    )
    assert encode_request(req) == b"0100001250010752A1B2C3    A010B010"


def test_request_frame_ends_with_etx_and_lrc() -> None:
    message = b"0100001250010752A1B2C3    A010B010"
    framed = frame(message)
    expected_lrc = 0x03
    for byte in message:
        expected_lrc ^= byte
    assert framed == b"\x02" + message + b"\x03" + bytes([expected_lrc])
    assert framed[-1] == lrc(message) == 0x76


def test_short_answer_decodes_status_amount_and_private_data() -> None:
    raw = b"010000012501752A1B2C3    "
    assert frame(raw) == b"\x02" + raw + b"\x03\x45"
    ans = decode_answer(raw)
    assert ans == ConcertAnswer("01", "0", 1250, "1", 752, "A1B2C3")


def test_long_answer_carries_the_report() -> None:
    report = "VISA ****1234 AUTH 123456".ljust(55)
    raw = b"017000012501" + report.encode() + b"978REF0000001"
    ans = decode_answer(raw)
    assert (ans.status, ans.report, ans.currency_numeric, ans.private_data) == (
        "7",
        report,
        978,
        "REF0000001",
    )
    assert encode_answer(ans) == raw


def test_refund_request_uses_transaction_type_one() -> None:
    req = ConcertRequest("12", 99_999_99, 978, "R", transaction=Transaction.CREDIT)
    assert encode_request(req)[12:13] == b"1"
    assert decode_request(encode_request(req)) == req


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"01",
        b"0100001250010752A1B2C3    A010B0\x01\x02",
        b"xx000012500107520A1B2C3    A010B010",
    ],
)
def test_malformed_requests_raise_protocol_error(bad: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_request(bad)


def test_amount_too_large_for_the_field_is_refused() -> None:
    with pytest.raises(ProtocolError):
        encode_request(ConcertRequest("01", 100_000_000, 978))


def test_deframer_skips_noise_and_flags_a_wrong_lrc() -> None:
    d = Deframer()
    good = frame(b"HELLO")
    bad = good[:-1] + bytes([good[-1] ^ 0x01])
    events = d.feed(b"#?!" + bytes([ENQ]) + good[:3]) + d.feed(good[3:] + bad + bytes([ACK]))
    assert events == [Control(ENQ), Frame(b"HELLO", True), Frame(b"HELLO", False), Control(ACK)]


printable = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=10)
requests = st.builds(
    ConcertRequest,
    pos_number=st.integers(0, 99).map(lambda n: f"{n:02d}"),
    amount_minor=st.integers(0, 99_999_999),
    currency_numeric=st.integers(0, 999),
    private_data=printable,
    transaction=st.sampled_from(Transaction),
    long_answer=st.booleans(),
)
answers = st.builds(
    ConcertAnswer,
    pos_number=st.integers(0, 99).map(lambda n: f"{n:02d}"),
    status=st.sampled_from(["0", "7", "9"]),
    amount_minor=st.integers(0, 99_999_999),
    payment_mode=st.sampled_from(["1", "C", "0"]),
    currency_numeric=st.integers(0, 999),
    private_data=printable,
    report=st.none() | st.text(alphabet="ABCD 0123*", min_size=55, max_size=55),
)


@settings(deadline=None)
@given(requests)
def test_request_round_trip(req: ConcertRequest) -> None:
    assert decode_request(encode_request(req)) == req


@settings(deadline=None)
@given(answers)
def test_answer_round_trip_through_the_deframer(ans: ConcertAnswer) -> None:
    events = Deframer().feed(frame(encode_answer(ans)))
    assert len(events) == 1 and isinstance(events[0], Frame) and events[0].valid
    assert decode_answer(events[0].message) == ans


@settings(deadline=None)
@given(st.binary(max_size=120))
def test_random_bytes_never_crash_the_parsers(data: bytes) -> None:
    for parse in (decode_request, decode_answer):
        with contextlib.suppress(ProtocolError):
            parse(data)
    for event in Deframer().feed(data):
        assert isinstance(event, Frame | Control)


@settings(deadline=None)
@given(answers, st.data())
def test_truncated_answers_raise_protocol_error(ans: ConcertAnswer, data: st.DataObject) -> None:
    raw = encode_answer(ans)
    cut = data.draw(st.integers(0, len(raw) - 1))
    assume(cut != 25)  # a long answer cut at 25 characters can be a valid short one
    with pytest.raises(ProtocolError):
        decode_answer(raw[:cut])
