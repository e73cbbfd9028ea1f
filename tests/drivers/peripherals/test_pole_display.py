"""2×20 pole display: exact bytes of both command sets, and the lines seen on an emulated one."""

from __future__ import annotations

import pytest

from drivers.emulators.pole_display import DisplayScreen, PoleDisplayEmulator
from drivers.errors import InvalidRequest
from drivers.pole_display import DisplayError, PoleDisplay, item_line, total_line, two_columns
from drivers.pole_display.codec import DIALECTS, encode
from tests.drivers.conftest import run


def test_epson_bytes() -> None:
    epson = DIALECTS["epson"]
    assert epson.init() == b"\x1b@" + b"\x1bt\x00" + b"\x1f\x01" + b"\x1fC\x00"
    assert epson.clear() == b"\x0c"
    assert epson.show("Mjölk", "15,90") == (
        b"\x1f$\x01\x01" + b"Mj\x94lk" + b" " * 15 + b"\x1f$\x01\x02" + b"15,90" + b" " * 15
    )


def test_cd5220_bytes() -> None:
    cd5220 = DIALECTS["cd5220"]
    assert cd5220.init() == b"\x1b@\x11"
    assert cd5220.clear() == b"\x0c"
    assert cd5220.show("Mjölk", "15,90") == (
        b"\x1bQA" + b"Mj\x94lk" + b" " * 15 + b"\r" + b"\x1bQB" + b"15,90" + b" " * 15 + b"\r"
    )


def test_swedish_letters_in_cp437_and_the_rest_as_question_marks() -> None:
    assert encode("åäöÅÄÖé€\x1b") == b"\x86\x84\x94\x8f\x8e\x99\x82? " + b" " * 11


def test_item_and_total_lines_are_twenty_columns() -> None:
    assert item_line("Mjölk 1 l", "15,90") == "Mjölk 1 l      15,90"
    assert item_line("Kaffe mellanrost 450 g", "59,90") == "Kaffe mellanro 59,90"
    assert total_line("249,00 kr") == "TOTAL      249,00 kr"
    assert total_line("12 349,00 kr", label="ATT BETALA") == "ATT BET 12 349,00 kr"
    assert all(len(line) == 20 for line in (item_line("x" * 40, "1,00"), total_line("1,00")))
    assert two_columns("", "1 234 567 890,00 kr") == " 1 234 567 890,00 kr"
    with pytest.raises(InvalidRequest, match="does not fit a 20-column display"):
        item_line("Bil", "1 234 567 890 123,00 kr")


@pytest.mark.parametrize("dialect", ["epson", "cd5220"])
def test_screen_reads_bytes_split_anywhere(dialect: str) -> None:
    codec = DIALECTS[dialect]
    data = codec.init() + codec.show("Hej", "Välkommen!") + codec.show("Mjölk 1 l", "15,90")
    screen = DisplayScreen(dialect)
    for byte in data:
        screen.feed(bytes([byte]))
    assert screen.lines == ("Mjölk 1 l", "15,90") and screen.unknown == []


@pytest.mark.parametrize("dialect", ["epson", "cd5220"])
def test_display_on_a_pty(dialect: str) -> None:
    with PoleDisplayEmulator(dialect) as emu:
        async def scenario() -> None:
            async with PoleDisplay(f"serial:{emu.path}?dialect={dialect}&baud=9600") as display:
                await display.show("Välkommen!", "Kassa 1")
                emu.wait_for(("Välkommen!", "Kassa 1"))
                await display.show(item_line("Mjölk 1 l", "15,90"), total_line("15,90 kr"))
                emu.wait_for(("Mjölk 1 l      15,90", "TOTAL       15,90 kr"))
                await display.show("Räksmörgås ÅÄÖ é", "")
                emu.wait_for(("Räksmörgås ÅÄÖ é", ""))
                await display.clear()
                emu.wait_for(("", ""))
                assert display.lines == ("", "")

        run(scenario())
        assert emu.screen.unknown == []


def test_the_display_cut_to_twenty_columns() -> None:
    with PoleDisplayEmulator("cd5220") as emu:
        async def scenario() -> tuple[str, str]:
            async with PoleDisplay(f"serial:{emu.path}?dialect=cd5220") as display:
                await display.show("A" * 30, "B\rC")
                return display.lines

        assert run(scenario()) == ("A" * 20, "B C")
        emu.wait_for(("A" * 20, "B C"))


def test_unplugged_display_gives_a_clear_error() -> None:
    emu = PoleDisplayEmulator()
    emu.start()

    async def scenario() -> None:
        display = PoleDisplay(emu.path, timeout=1.0)
        await display.show("Hej", "")
        emu.wait_for(("Hej", ""))
        emu.stop()
        with pytest.raises(DisplayError, match="pole display on"):
            for _ in range(20):  # the loss shows on the next write or on reopening
                await display.show("Hej då", "")
        await display.close()

    run(scenario())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("serial:/dev/ttyUSB1?dialect=logic", "dialect 'logic' is not one of epson, cd5220"),
        ("socket://display:9100", "needs a serial port"),
        ("serial:/dev/ttyUSB1?brightness=4", "unknown device option brightness"),
    ],
)
def test_bad_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        PoleDisplay(url)


def test_missing_port_is_a_display_error() -> None:
    async def scenario() -> None:
        with pytest.raises(DisplayError, match="cannot be opened"):
            await PoleDisplay("/dev/ttyNOPE7").show("Hej", "")

    run(scenario())
