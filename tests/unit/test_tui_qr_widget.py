"""The terminal's QR widget: half blocks that decode back to exactly segno's module matrix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import segno

from terminal_client.screens.qr import time_left
from terminal_client.widgets.qr_code import QUIET_ZONE, half_blocks, make_qr, qr_matrix

# What each character cell shows: (upper module dark, lower module dark).
CELL_MODULES = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
PAYLOADS = [
    "http://127.0.0.1:8000/pay/0123456789abcdef0123456789abcdef",
    "https://kassa.example.se/pay/0123456789abcdef0123456789abcdef",
    "https://x.se/pay/1",
    "Smörgås & kaffe – 12,50 kr",
]


def decode_blocks(lines: list[str]) -> list[list[bool]]:
    """Read half-block text back into module rows (two per line), as a camera would."""
    rows: list[list[bool]] = []
    for line in lines:
        cells = [CELL_MODULES[char] for char in line]
        rows.append([upper for upper, _ in cells])
        rows.append([lower for _, lower in cells])
    return rows


def segno_matrix(qr: segno.QRCode, border: int = QUIET_ZONE) -> list[list[bool]]:
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=border)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_text_decodes_to_segnos_matrix(payload: str) -> None:
    qr = make_qr(payload)
    expected = segno_matrix(segno.make(payload, error=qr.error, version=qr.version,
                                       micro=False, boost_error=False))
    lines = half_blocks(qr_matrix(payload))
    decoded = decode_blocks(lines)
    size = len(expected)
    assert size == qr.symbol_size(scale=1, border=QUIET_ZONE)[0] == 17 + 4 * int(qr.version) + 4
    assert size % 2 == 1  # QR symbols are odd: the last line's lower half is light margin
    assert decoded[:size] == expected
    assert decoded[size:] == [[False] * size]
    assert all(len(line) == size for line in lines) and len(lines) == (size + 1) // 2


@pytest.mark.parametrize("payload", PAYLOADS)
def test_smallest_version_at_level_l_or_m(payload: str) -> None:
    qr = make_qr(payload)
    assert qr.version == segno.make(payload, error="L", micro=False, boost_error=False).version
    assert qr.error in ("L", "M")
    if qr.error == "L":  # M only when it would need a bigger symbol
        with pytest.raises(segno.DataOverflowError):
            segno.make(payload, error="M", version=qr.version, micro=False, boost_error=False)


def test_a_typical_pay_link_fits_beside_the_words_in_80x24() -> None:
    lines = half_blocks(qr_matrix("http://127.0.0.1:54321/pay/" + "f" * 32))
    assert len(lines[0]) == 37 and len(lines) == 19  # version 4: room left for 40 columns


def test_half_blocks_of_each_pair() -> None:
    assert half_blocks([[True, False, True, False], [True, True, False, False]]) == ["█▄▀ "]
    assert half_blocks([[True, False]]) == ["▀ "]  # an odd row gets a light row below
    assert half_blocks([]) == []


def test_a_payload_too_long_for_any_qr_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        qr_matrix("x" * 3000)


def test_time_left_counts_down_to_zero_and_says_so_when_it_cannot_tell() -> None:
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert time_left("2025-03-01T12:04:05Z", now) == "4:05"
    assert time_left("2025-03-01T12:00:30", now) == "0:30"  # no zone: the hub's UTC
    assert time_left("2025-03-01T13:00:30+01:00", now) == "0:30"
    assert time_left("2025-03-01T11:59:00Z", now) == "0:00"  # past: never negative
    assert time_left("snart", now) == "?"
