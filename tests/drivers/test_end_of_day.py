"""End of day: ZVT 06 50 and BMP 60 totals to the byte, fuzzed, and over the emulated terminal;
Concert, which has no totals message, says so."""

from __future__ import annotations

import contextlib
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.card import BrandTotals, Outcome, TerminalTotals
from drivers.concert import ConcertReader
from drivers.emulators.zvt import ZvtEmulator
from drivers.errors import DriverError, NoTotals, ProtocolError, UnsupportedOperation
from drivers.zvt import codec
from drivers.zvt.codec import (
    TOTALS_GROUPS,
    Apdu,
    StatusInfo,
    Totals,
    encode_totals,
    parse_status_info,
    parse_totals,
)
from drivers.zvt.reader import ZvtReader, terminal_totals
from tests.drivers.conftest import ZVT_TIMERS, run

# Receipts 0001-0003; Mastercard 1 × 12,50; Visa 2 × 25,00; every other group empty.
TOTALS_BYTES = bytes.fromhex(
    "0001" "0003"
    "00" "000000000000"  # girocard
    "00" "000000000000"  # JCB
    "01" "000000001250"  # Mastercard (Eurocard)
    "00" "000000000000"  # Amex
    "02" "000000002500"  # Visa
    "00" "000000000000"  # Diners
    "00" "000000000000"  # other
)
# 04 0F as a terminal ends its day: result 00, total 37,50, currency 978, trace 000042,
# terminal id 52500001, then BMP 60 (LLLVAR length F0 F5 F3 = 53 bytes).
END_OF_DAY_STATUS = bytes.fromhex(
    "040F4E" "2700" "04000000003750" "490978" "0B000042" "2952500001" "60F0F5F3"
) + TOTALS_BYTES


def test_end_of_day_command_is_06_50_with_the_password() -> None:
    assert bytes(codec.password_command(codec.END_OF_DAY, "123456")) == bytes.fromhex(
        "0650 03 123456")


def test_totals_encode_to_the_53_byte_layout() -> None:
    totals = Totals("0001", "0003", (("Visa", 2, 2500), ("Mastercard", 1, 1250)))
    assert encode_totals(totals) == TOTALS_BYTES
    assert len(TOTALS_BYTES) == 4 + 7 * len(TOTALS_GROUPS) == 53


def test_end_of_day_status_information_decodes_to_terminal_totals() -> None:
    apdu = codec.decode_apdu(END_OF_DAY_STATUS)
    assert apdu.command == codec.STATUS_INFO
    totals = terminal_totals(parse_status_info(apdu.data), ["END OF DAY"], "SEK", None)
    assert totals == TerminalTotals(
        terminal_id="52500001", currency="EUR", transaction_count=3, total_minor=3750,
        brands=(BrandTotals("Mastercard", 1, 1250), BrandTotals("Visa", 2, 2500)),
        first_receipt_no="0001", last_receipt_no="0003", trace_no="000042",
        receipt_lines=("END OF DAY",))
    assert totals.debit_minor is None and totals.credit_minor is None  # ZVT does not split them


def test_a_short_totals_field_and_a_missing_total_are_read_as_far_as_they_go() -> None:
    short = parse_totals(bytes.fromhex("0010" "0012" "03" "000000000990"))
    assert short == Totals("0010", "0012", (("girocard", 3, 990),))
    info = StatusInfo(result_code=0, totals=bytes.fromhex("0010" "0012" "03" "000000000990"))
    totals = terminal_totals(info, [], "SEK", "1")
    assert (totals.total_minor, totals.transaction_count, totals.currency) == (990, 3, "SEK")
    bare = terminal_totals(StatusInfo(result_code=0, amount_minor=500), [], "SEK", "1")
    assert (bare.total_minor, bare.transaction_count, bare.brands) == (500, None, ())


@pytest.mark.parametrize("raw", [
    b"", b"\x00\x01\x00", bytes.fromhex("00010003" "01"),  # shorter than a group
    bytes.fromhex("00010003" "01" "0000000012A0"),  # turnover is not BCD
    bytes.fromhex("0A010003"),  # receipt number is not BCD
])
def test_malformed_totals_raise_protocol_error(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_totals(raw)


def test_totals_the_layout_cannot_carry_are_refused() -> None:
    with pytest.raises(ProtocolError):
        encode_totals(Totals("0001", "0001", (("Visa", 256, 100),)))
    with pytest.raises(ProtocolError):
        encode_totals(Totals("0001", "0001", (("Swish", 1, 100),)))


groups = st.lists(
    st.tuples(st.sampled_from(TOTALS_GROUPS), st.integers(0, 255),
              st.integers(0, 999_999_999_999)),
    max_size=7, unique_by=lambda g: g[0])


@settings(deadline=None)
@given(st.integers(0, 9999), st.integers(0, 9999), groups)
def test_totals_round_trip(first: int, last: int, items: list[tuple[str, int, int]]) -> None:
    totals = Totals(f"{first:04d}", f"{last:04d}", tuple(items))
    decoded = parse_totals(encode_totals(totals))
    assert decoded.first_receipt_no == totals.first_receipt_no
    assert {g for g in decoded.groups if g[1] or g[2]} == {g for g in items if g[1] or g[2]}
    assert (decoded.count, decoded.amount_minor) == (totals.count, totals.amount_minor)


@settings(deadline=None)
@given(st.binary(max_size=120))
def test_garbage_never_crashes_the_totals_parsers(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse_totals(data)
    with contextlib.suppress(ProtocolError):
        terminal_totals(parse_status_info(data), [], "EUR", None)
    with contextlib.suppress(ProtocolError):  # garbage inside a well-formed BMP 60
        terminal_totals(StatusInfo(totals=data), [], "EUR", None)


@settings(deadline=None)
@given(st.data())
def test_a_cut_end_of_day_answer_raises_protocol_error_or_loses_fields(
        data: st.DataObject) -> None:
    cut = data.draw(st.integers(3, len(END_OF_DAY_STATUS) - 1))
    with contextlib.suppress(ProtocolError):
        terminal_totals(parse_status_info(END_OF_DAY_STATUS[3:cut]), [], "EUR", None)


def test_the_emulated_terminal_reports_its_period_and_starts_again(
        zvt_emulator: ZvtEmulator) -> None:
    async def scenario() -> tuple[TerminalTotals, TerminalTotals]:
        async with ZvtReader(zvt_emulator.url, currency="EUR", timers=ZVT_TIMERS) as terminal:
            assert (await terminal.pay(1000, "EUR", "a")).outcome is Outcome.APPROVED
            zvt_emulator.card_name = "MASTERCARD"
            assert (await terminal.pay(2000, "EUR", "b")).outcome is Outcome.APPROVED
            zvt_emulator.script.extend(["decline"])
            assert (await terminal.pay(700, "EUR", "c")).outcome is Outcome.DECLINED
            assert (await terminal.refund(500, "EUR", "d")).outcome is Outcome.APPROVED
            zvt_emulator.card_name = "VISA"
            zvt_emulator.record("payment", 300, 978, 0)  # keyed in on the terminal itself
            first = await terminal.end_of_day()
            second = await terminal.end_of_day()
        return first, second

    first, second = run(scenario())
    assert (first.total_minor, first.transaction_count, first.currency) == (2800, 4, "EUR")
    assert first.brands == (BrandTotals("Mastercard", 2, 1500), BrandTotals("Visa", 2, 1300))
    assert (first.first_receipt_no, first.last_receipt_no) == ("0001", "0005")
    assert first.terminal_id == "52500001" and "END OF DAY" in first.receipt_lines
    assert (second.total_minor, second.transaction_count, second.brands) == (0, 0, ())
    eod = [c for c in zvt_emulator.commands if c.command == codec.END_OF_DAY]
    assert [bytes(c) for c in eod] == [bytes.fromhex("0650 03 000000")] * 2


def test_the_emulator_refuses_an_end_of_day_without_password() -> None:
    with ZvtEmulator() as emulator:
        host, port = emulator.start_tcp()
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(bytes(Apdu(*codec.END_OF_DAY)))
            reply = codec.decode_apdu(sock.recv(3))
    assert codec.is_negative_ack(reply)


def test_concert_says_it_reports_no_totals() -> None:
    async def scenario() -> None:
        terminal = ConcertReader("loop://")
        assert not terminal.capabilities.end_of_day
        with pytest.raises(NoTotals, match="reports no totals"):
            await terminal.end_of_day()

    run(scenario())
    assert issubclass(NoTotals, UnsupportedOperation) and issubclass(NoTotals, DriverError)
