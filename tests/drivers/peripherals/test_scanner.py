"""Serial barcode scanner on a real pty: terminators, prefix/suffix, garbage, unplugging."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.emulators.scanner import ScannerEmulator, load_codes
from drivers.errors import InvalidRequest
from drivers.scanner import BarcodeFramer, Rejected, ScannerError, SerialScanner
from tests.drivers.conftest import run


async def take(scanner: SerialScanner, count: int) -> list[str]:
    """The next `count` barcodes (the test's run() limit stops a hang)."""
    codes: list[str] = []
    async for code in scanner:
        codes.append(code)
        if len(codes) == count:
            break
    return codes


def test_framer_splits_cr_lf_and_crlf_across_reads() -> None:
    framer = BarcodeFramer()
    assert framer.feed(b"7310865004703\r73108") == ["7310865004703"]
    assert framer.feed(b"65071513\n\n4002") == ["7310865071513"]
    assert framer.feed(b"\r") == ["4002"]
    assert framer.feed(b"\n12345670\r\n") == ["12345670"]


def test_framer_prefix_suffix_and_rejections() -> None:
    framer = BarcodeFramer(prefix="]E0", suffix="#", max_length=13)
    assert framer.feed(b"]E07310865004703#\r") == ["7310865004703"]
    [no_prefix, no_suffix, noise, too_long, empty] = framer.feed(
        b"7310865004703#\r]E07310865004703\r]E0\x00\xff12#\r]E0" + b"1" * 40 + b"#\r]E0#\r"
    )
    assert no_prefix == Rejected("does not start with the prefix ']E0'", b"7310865004703#")
    assert isinstance(no_suffix, Rejected) and "suffix '#'" in no_suffix.reason
    assert noise == Rejected("non-printable bytes", b"]E0\x00\xff12#")
    assert isinstance(too_long, Rejected) and too_long.reason == "longer than 13 characters"
    assert len(too_long.raw) == 17  # what is kept is bounded
    assert empty == Rejected("empty barcode", b"]E0#")


def test_gs1_separator_is_allowed() -> None:
    assert BarcodeFramer().feed(b"0107310865004703\x1d10ABC\r") == ["0107310865004703\x1d10ABC"]


@given(st.binary(max_size=400))
def test_any_bytes_give_barcodes_or_rejections(data: bytes) -> None:
    framer = BarcodeFramer(max_length=16)
    for item in framer.feed(data):
        assert isinstance(item, Rejected) or (0 < len(item) <= 16 and item.isascii())


@pytest.mark.parametrize("terminator", ["\r", "\n", "\r\n"])
def test_scanner_on_a_pty(terminator: str) -> None:
    with ScannerEmulator(terminator=terminator) as emu:
        async def scenario() -> list[str]:
            async with SerialScanner(f"serial:{emu.path}?baud=9600") as scanner:
                emu.scan("7310865004703")
                emu.scan("12345670")
                return await take(scanner, 2)

        assert run(scenario()) == ["7310865004703", "12345670"]


def test_prefix_and_suffix_are_stripped_and_garbage_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with ScannerEmulator(prefix="STX", suffix="ETX") as emu:
        async def scenario() -> tuple[list[str], int]:
            async with SerialScanner(emu.path, prefix="STX", suffix="ETX") as scanner:
                emu.send(b"\x00\x13\xfe\xfe\r")  # line noise
                emu.send(b"STX" + b"9" * 500 + b"ETX\r")  # far too long
                emu.scan("7310865004703")
                return await take(scanner, 1), scanner.rejected

        with caplog.at_level(logging.WARNING, logger="drivers.scanner.reader"):
            assert run(scenario()) == (["7310865004703"], 2)
    assert [r.getMessage().split("(")[-1] for r in caplog.records] == [
        "non-printable bytes)",
        "longer than 128 characters)",
    ]


def test_replay_from_a_file(tmp_path: Path) -> None:
    codes = tmp_path / "codes.txt"
    codes.write_text("# demo basket\n7310865004703\n\n  12345670  \n7310865071513\n")
    assert load_codes(codes) == ["7310865004703", "12345670", "7310865071513"]
    with ScannerEmulator(load_codes(codes), delay=0.02) as emu:
        async def scenario() -> list[str]:
            async with SerialScanner(emu.path) as scanner:
                emu.replay()
                return await take(scanner, 3)

        assert run(scenario()) == ["7310865004703", "12345670", "7310865071513"]


def test_unplugged_scanner_ends_the_iterator_with_an_error() -> None:
    emu = ScannerEmulator()
    emu.start()

    async def scenario() -> list[str]:
        seen: list[str] = []
        async with SerialScanner(emu.path) as scanner:
            emu.scan("12345670")
            with pytest.raises(ScannerError, match="disconnected"):
                async for code in scanner:
                    seen.append(code)
                    emu.stop()
        return seen

    assert run(scenario()) == ["12345670"]


def test_closing_ends_the_iterator_quietly() -> None:
    with ScannerEmulator() as emu:
        async def scenario() -> list[str]:
            scanner = SerialScanner(emu.path)
            collected = asyncio.create_task(take(scanner, 5))
            await asyncio.sleep(0.2)
            await scanner.close()
            return await asyncio.wait_for(collected, 2)

        assert run(scenario()) == []


def test_missing_port_is_a_clear_error() -> None:
    async def scenario() -> None:
        with pytest.raises(ScannerError, match="cannot be opened"):
            await SerialScanner("serial:/dev/ttyNOPE9").open()

    run(scenario())


@pytest.mark.parametrize(
    ("url", "prefix", "suffix", "message"),
    [
        ("socket://scanner:9100", "", "", "needs a serial port"),
        ("serial:/dev/ttyACM0?parity=E", "", "", "unknown device option parity"),
        ("/dev/ttyACM0", "", "\r", "must not contain CR or LF"),
        ("/dev/ttyACM0", "é", "", "scanner settings"),
    ],
)
def test_bad_settings_are_refused(url: str, prefix: str, suffix: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        SerialScanner(url, prefix=prefix, suffix=suffix)
