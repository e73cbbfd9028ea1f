"""QR images: byte mode, ECI 26 only for non-ASCII payloads, level M for EPC, sizes that fit."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from drivers.qr import encode
from drivers.qr.render import make_symbol, text_blocks, write_png, write_svg
from tests.drivers.qr.strategies import PIX_EXAMPLE

# Data codewords of QR versions 1–15 at level M (ISO/IEC 18004 table 7).
M_CODEWORDS = [16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334, 365, 415]
EPC_UTF8 = encode("epc", name="Åsa Öberg", iban="DE89370400440532013000", amount=995)


def byte_mode_version(payload: str, eci: bool) -> int:
    """Smallest version at level M holding `payload` as one byte-mode segment (+ ECI header)."""
    size = len(payload.encode("utf-8"))
    for version, codewords in enumerate(M_CODEWORDS, start=1):
        bits = (12 if eci else 0) + 4 + (8 if version < 10 else 16) + 8 * size
        if bits <= codewords * 8:
            return version
    raise AssertionError("payload too long for this table")


@pytest.mark.parametrize(
    ("payload", "eci"),
    [
        (PIX_EXAMPLE, False),
        ("C1237856901;100,00;12229445;0", False),
        (encode("pix", key="k@example.com", merchant_name="Padaria São João", city="RIO"), True),
        (EPC_UTF8, True),
    ],
)
def test_payload_is_one_byte_mode_segment(payload: str, eci: bool) -> None:
    symbol = make_symbol(payload)
    assert symbol.mode == "byte"
    assert symbol.eci is eci
    assert symbol.version == byte_mode_version(payload, eci)


def test_digit_heavy_emv_payload_is_not_split_into_numeric_segments() -> None:
    # An automatic mode choice could encode "000201…" runs as numeric: a smaller symbol.
    symbol = make_symbol(PIX_EXAMPLE)
    assert symbol.mode == "byte" and symbol.version == 8


def test_epc_uses_error_level_m_exactly() -> None:
    assert make_symbol(EPC_UTF8).error == "M"
    assert make_symbol(PIX_EXAMPLE).error in ("M", "Q", "H")


def test_eci_changes_the_symbol_for_utf8_text() -> None:
    assert make_symbol(EPC_UTF8).qr.matrix != make_symbol(EPC_UTF8.replace("Å", "A")).qr.matrix


def test_png_is_a_png_of_the_right_size(tmp_path: Path) -> None:
    path = tmp_path / "pix.png"
    symbol = write_png(PIX_EXAMPLE, path, scale=4)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    modules = (17 + 4 * symbol.version) + 2 * 4
    assert width == height == modules * 4


def test_svg_is_well_formed_and_sized(tmp_path: Path) -> None:
    path = tmp_path / "epc.svg"
    symbol = write_svg(EPC_UTF8, path, scale=2)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.get("width", "0")) == ((17 + 4 * symbol.version) + 8) * 2


def test_text_blocks_cover_the_symbol_two_rows_per_line() -> None:
    symbol = make_symbol(PIX_EXAMPLE)
    size = (17 + 4 * symbol.version) + 2 * 2
    lines = text_blocks(PIX_EXAMPLE).split("\n")
    assert len(lines) == (size + 1) // 2
    assert {len(line) for line in lines} == {size}
    assert set("".join(lines)) <= set(" ▀▄█")
    assert lines[0] == "█" * size  # the quiet zone is light
