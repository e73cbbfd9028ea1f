"""`python -m drivers.qr.cli` (mounted as `kassa qr`) run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.drivers.qr.strategies import PIX_EXAMPLE

ROOT = Path(__file__).resolve().parents[3]


def qr(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the QR CLI from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "drivers.qr.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_decode_valid_prints_json_and_exits_0() -> None:
    result = qr("decode", PIX_EXAMPLE)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scheme"] == "pix"
    assert out["fields"]["key"] == "123e4567-e12b-12d1-a456-426655440000"
    assert out["fields"]["currency"] == "BRL"


def test_decode_bad_crc_exits_2_with_one_line_naming_the_crc() -> None:
    result = qr("decode", PIX_EXAMPLE[:-4] + "0000")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "error: bad CRC: expected 1D3D, found 0000\n"


def test_encode_pix_prints_the_payload_and_writes_images(tmp_path: Path) -> None:
    png, svg = tmp_path / "pix.png", tmp_path / "pix.svg"
    result = qr(
        "encode", "pix",
        "--key", "123e4567-e12b-12d1-a456-426655440000",
        "--merchant-name", "Fulano de Tal",
        "--city", "BRASILIA",
        "--png", str(png),
        "--svg", str(svg),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == PIX_EXAMPLE + "\n"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 100
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_encode_epc_and_swish_and_link() -> None:
    epc = qr(
        "encode", "epc",
        "--name", "Kassa AB",
        "--iban", "DE89 3704 0044 0532 0130 00",
        "--amount", "1250",
        "--currency", "EUR",
        "--remittance", "Invoice 42",
    )  # fmt: skip
    assert (
        epc.stdout
        == "BCD\n002\n1\nSCT\n\nKassa AB\nDE89370400440532013000\nEUR12.5\n\n\nInvoice 42\n"
    )
    swish = qr(
        "encode", "swish", "--payee", "1237856901", "--amount=10000", "--message", "12229445"
    )
    assert swish.stdout == "C1237856901;100,00;12229445;0\n"
    link = qr("encode", "link", "--url", "https://pay.example/pay/att1")
    assert (link.returncode, link.stdout) == (0, "https://pay.example/pay/att1\n")


def test_encode_refusals_exit_2_with_a_message() -> None:
    result = qr("encode", "epc", "--name", "A", "--iban", "DE00370400440532013000")
    assert result.returncode == 2
    assert "IBAN 'DE00370400440532013000' is not valid" in result.stderr
    amount = qr("encode", "swish", "--payee", "1237856901", "--amount", "12.50")
    assert amount.returncode == 2 and "--amount must be a whole number" in amount.stderr
