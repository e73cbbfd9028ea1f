"""ESC/POS without I/O: status bytes to PrinterStatus, and the job parser the emulator uses."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.printer import PrinterError, PrinterStatus, decode_status, render
from drivers.printer.codec import (
    Command,
    Event,
    JobParser,
    Text,
    status_byte,
    status_request,
)
from tests.drivers.peripherals.test_receipt_layout import RECEIPT

OK = 0x12  # fixed bits only: online, nothing to report


def test_status_requests_are_dle_eot() -> None:
    assert [status_request(n) for n in (1, 2, 4)] == [b"\x10\x04\x01", b"\x10\x04\x02",
                                                      b"\x10\x04\x04"]


def test_all_well() -> None:
    assert decode_status(OK, OK, OK) == PrinterStatus(True, "ok", False, False, None)


def test_paper_low_still_prints() -> None:
    status = decode_status(OK, OK, 0x1E)
    assert status == PrinterStatus(True, "low", False, False, None) and status.ready


def test_paper_out() -> None:
    status = decode_status(0x1A, 0x32, 0x7E)
    assert status == PrinterStatus(False, "out", False, False, "Out of paper: load a new roll")
    assert not status.ready


def test_drawer_open_on_pin_3_high_or_low() -> None:
    assert decode_status(0x16, OK, OK).drawer_open is True
    assert decode_status(OK, OK, OK).drawer_open is False
    assert decode_status(OK, OK, OK, drawer_open_level="low").drawer_open is True


def test_offline_cover_open_and_error() -> None:
    assert decode_status(0x1A, OK, OK) == PrinterStatus(False, "ok", False, False,
                                                        "Printer offline")
    assert decode_status(0x1A, 0x16, OK).error == "Printer cover open: close it"
    assert decode_status(0x1A, 0x16, OK).cover_open is True
    assert decode_status(0x1A, 0x52, OK).error.startswith("Printer error")  # type: ignore[union-attr]


@pytest.mark.parametrize("answer", [0x00, 0xFF, 0x41, 0x13])
def test_answers_without_the_fixed_bits_are_refused(answer: int) -> None:
    with pytest.raises(PrinterError, match=f"0x{answer:02X} to status request 2"):
        decode_status(OK, answer, OK)


def test_emulator_status_bytes_decode_back() -> None:
    for paper in ("ok", "low", "out"):
        printer, cause, roll = (status_byte(n, paper=paper, drawer_high=True) for n in (1, 2, 4))
        status = decode_status(printer, cause, roll)
        assert status.paper == paper and status.drawer_open is True


def test_parser_reads_a_job_split_anywhere() -> None:
    job = render(RECEIPT, "58mm")
    whole = JobParser().feed(job)
    for cut in (1, 2, 5, 100, 269):
        parser = JobParser()
        pieces = [job[i : i + cut] for i in range(0, len(job), cut)]
        events = [event for piece in pieces for event in parser.feed(piece)]
        merged = _merge_text(events)
        assert merged == _merge_text(whole) and parser.pending == b""
    assert Command("GS V", b"\x01") in whole and Command("ESC t", b"\x13") in whole


def _merge_text(events: Sequence[Event]) -> list[Event]:
    out: list[Event] = []
    for event in events:
        if isinstance(event, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].data + event.data)
        else:
            out.append(event)
    return out


@given(st.binary(max_size=300))
def test_any_bytes_parse_without_crashing(data: bytes) -> None:
    parser = JobParser()
    events = parser.feed(data)
    assert len(parser.pending) <= max(len(data), 0)
    assert all(isinstance(event, Text | Command) or event.data for event in events)  # type: ignore[union-attr]
