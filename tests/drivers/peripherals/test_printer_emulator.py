"""Printer and emulator over real TCP: round trip to text and PNG, status, drawer, lost printer."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
from PIL import Image

from drivers.emulators.printer import PrinterEmulator
from drivers.errors import InvalidRequest
from drivers.printer import (
    ItemLine,
    Printer,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    Receipt,
    as_text,
    render,
)
from tests.drivers.conftest import run
from tests.drivers.peripherals.test_receipt_layout import RECEIPT

FULL = Receipt(
    store_lines=("Kassa Butik", "Storgatan 1, 903 26 Umeå", "Org.nr 556677-8899"),
    markings=("ÖVNING", "KOPIA"),
    title="KVITTO",
    register="1",
    receipt_no="1-000043",
    cashier="Erik",
    time="2024-05-02 14:05",
    items=tuple(ItemLine(f"Vara {n} med ett ganska långt namn", f"{n},00") for n in range(1, 15)),
    terminal_lines=("KORTKVITTO", "VISA  ************1234", "GODKÄND  123456"),
    footer_lines=("Tack för besöket!", "Öppet 8-22 alla dagar"),
    qr_url="https://kassa.example/r/5f0c9a7e-2b1d-4c1e-9d5e-2a7b1c3d4e5f",
)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emu = PrinterEmulator(tmp_path / "out")
    emu.start_tcp()
    yield emu
    emu.stop()


def printer(emu: PrinterEmulator, timeout: float = 5.0, **kw: object) -> Printer:
    """A printer on the emulator. The emulator answers from a thread of this process, so on a
    loaded machine an answer can take longer than a real printer's would: only the test of a
    printer that never answers waits as briefly as a till would."""
    return Printer(emu.url, timeout=timeout, connect_timeout=1.0, **kw)  # type: ignore[arg-type]


def test_round_trip_80mm_text_png_and_qr(emulator: PrinterEmulator) -> None:
    async def scenario() -> PrinterStatus:
        async with printer(emulator) as p:
            return await p.print_receipt(FULL)

    assert run(scenario()) == PrinterStatus(True, "ok", False, False, None)
    [receipt] = emulator.wait_for_receipts(1)
    assert receipt.text == as_text(FULL, "80mm")
    assert receipt.text.splitlines()[:8] == [
        "                  Kassa Butik",
        "            Storgatan 1, 903 26 Umeå",
        "               Org.nr 556677-8899",
        "",
        "                  ÖVNING",
        "                   KOPIA",
        "                     KVITTO",
        "Kassa 1                       Kvitto nr 1-000043",
    ]
    assert receipt.cut == "partial" and receipt.drawer_kicks == 0
    assert receipt.text_path is not None and receipt.text_path.read_text() == receipt.text
    assert receipt.png_path is not None and receipt.png_path.stat().st_size > 1000
    png = Image.open(receipt.png_path).convert("L")
    assert png.width == 576
    [code] = receipt.qr_codes
    expected = segno.make_qr(FULL.qr_url, error="M", boost_error=False)
    assert (code.data, code.error, code.module, code.size) == (FULL.qr_url, "M", 6,
                                                                expected.symbol_size(border=0)[0])
    drawn = [
        [png.getpixel((code.left + c * 6 + 3, code.top + r * 6 + 3)) == 0 for c in range(code.size)]
        for r in range(code.size)
    ]
    assert drawn == [[bool(v) for v in row] for row in expected.matrix]


def test_round_trip_58mm(tmp_path: Path) -> None:
    with PrinterEmulator(tmp_path, paper="58mm") as emu:
        async def scenario() -> None:
            async with Printer(emu.url, paper="58mm", timeout=5.0) as p:
                await p.print_receipt(RECEIPT)
                await p.print_receipt(FULL)

        run(scenario())
        first, second = emu.wait_for_receipts(2)
    assert first.text == as_text(RECEIPT, "58mm") and second.text == as_text(FULL, "58mm")
    assert Image.open(first.png_path or "").width == 384
    assert sorted(os.listdir(tmp_path)) == ["receipt-0001.png", "receipt-0001.txt",
                                            "receipt-0002.png", "receipt-0002.txt"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({"paper": "low"}, PrinterStatus(True, "low", False, False, None)),
        ({"paper": "out"}, PrinterStatus(False, "out", False, False,
                                         "Out of paper: load a new roll")),
        ({"drawer_open": True}, PrinterStatus(True, "ok", True, False, None)),
        ({"offline": True}, PrinterStatus(False, "ok", False, False, "Printer offline")),
        ({"cover_open": True}, PrinterStatus(False, "ok", False, True,
                                             "Printer cover open: close it")),
    ],
)
def test_status_from_the_emulated_printer(
    emulator: PrinterEmulator, setup: dict[str, object], expected: PrinterStatus
) -> None:
    for name, value in setup.items():
        setattr(emulator, name, value)

    async def scenario() -> PrinterStatus:
        async with printer(emulator) as p:
            return await p.status()

    assert run(scenario()) == expected
    assert emulator.status_requests == [1, 2, 4]


def test_paper_out_refuses_the_receipt_before_sending_it(emulator: PrinterEmulator) -> None:
    emulator.paper = "out"

    async def scenario() -> None:
        async with printer(emulator) as p:
            with pytest.raises(PrinterOffline, match="Out of paper") as caught:
                await p.print_receipt(RECEIPT)
            assert caught.value.status is not None and caught.value.status.paper == "out"
            emulator.paper = "ok"  # a new roll: the same document prints
            await p.print_receipt(RECEIPT)

    run(scenario())
    assert [r.text for r in emulator.wait_for_receipts(1)] == [as_text(RECEIPT)]


def test_drawer_kick_and_drawer_status(emulator: PrinterEmulator) -> None:
    async def scenario() -> list[bool | None]:
        async with printer(emulator, drawer_pin=5) as p:
            seen = [(await p.status()).drawer_open]
            await p.kick_drawer()
            seen.append((await p.status()).drawer_open)
            emulator.drawer_open = False  # the cashier shuts it
            seen.append((await p.status()).drawer_open)
            await p.print_receipt(RECEIPT, open_drawer=True)
            return seen

    assert run(scenario()) == [False, True, False]
    assert emulator.drawer_kicks == 2 and emulator.kicks == [(5, 100, 100), (5, 100, 100)]
    assert emulator.wait_for_receipts(1)[0].drawer_kicks == 1


def test_printer_unplugged_mid_receipt_then_reprinted(emulator: PrinterEmulator) -> None:
    job = render(FULL)
    emulator.disconnect_after = len(job) // 2

    async def scenario() -> None:
        p = printer(emulator)
        try:
            with pytest.raises(PrinterOffline, match="print it again"):
                await p.print_receipt(FULL)
            await p.print_receipt(FULL)  # the queue retries the same document
        finally:
            await p.close()

    run(scenario())
    [receipt] = emulator.wait_for_receipts(1)
    assert receipt.text == as_text(FULL)


def test_a_printer_that_never_answers_times_out(emulator: PrinterEmulator) -> None:
    emulator.mute = True

    async def scenario() -> float:
        started = time.monotonic()
        async with printer(emulator, timeout=0.5) as p:
            with pytest.raises(PrinterOffline, match="did not answer a status request within"):
                await p.status()
        return time.monotonic() - started

    assert run(scenario()) < 2.0


def test_a_garbage_status_answer_is_a_clear_error(emulator: PrinterEmulator) -> None:
    emulator.status_override = 0xFF

    async def scenario() -> None:
        async with printer(emulator) as p:
            with pytest.raises(PrinterError, match="0xFF to status request 1"):
                await p.status()

    run(scenario())


def test_nobody_listening_is_offline() -> None:
    emu = PrinterEmulator()
    url = emu.start_tcp()
    emu.stop()

    async def scenario() -> None:
        with pytest.raises(PrinterOffline, match="not reachable"):
            await Printer(url, timeout=0.5, connect_timeout=1.0).status()

    run(scenario())


def test_file_printer_appends_and_reports_unknown(tmp_path: Path) -> None:
    target = tmp_path / "lp0.bin"

    async def scenario() -> PrinterStatus:
        p = Printer(f"file:{target}", paper="58mm")
        await p.print_receipt(RECEIPT)
        await p.kick_drawer()
        return await p.status()

    status = run(scenario())
    assert status == PrinterStatus(True, "unknown", None, None, None)
    assert target.read_bytes() == render(RECEIPT, "58mm") + b"\x1bp\x00\x32\x32"


def test_missing_device_node_is_offline() -> None:
    async def scenario() -> None:
        with pytest.raises(PrinterOffline, match="cannot be opened"):
            await Printer("file:/dev/usb/no-such-lp9").print_receipt(RECEIPT)

    run(scenario())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("socket://", "names no host"),
        ("serial:/dev/ttyUSB0?baud=fast", "baud='fast' is not a whole number"),
        ("serial:/dev/ttyUSB0?speed=9600", "unknown device option speed"),
        ("serial:/dev/ttyUSB0?mode=9X1", "is not like '8N1'"),
        ("usb://zz:01", "usb://VID:PID in hex"),
        ("ftp:printer", "use serial:, socket://"),
        ("socket://printer:9100?drawer=sideways", "drawer= must be high or low"),
    ],
)
def test_bad_urls_are_refused_up_front(url: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        Printer(url)


def test_two_printers_do_not_hang_each_other(emulator: PrinterEmulator) -> None:
    async def scenario() -> None:
        async with printer(emulator) as a, printer(emulator) as b:
            await asyncio.gather(a.print_receipt(RECEIPT), b.print_receipt(FULL), a.status())

    run(scenario())
    assert sorted(r.text for r in emulator.wait_for_receipts(2)) == sorted(
        [as_text(RECEIPT), as_text(FULL)]
    )
