"""Receipt layout: exact ESC/POS bytes for 58 mm and 80 mm paper, against python-escpos's Dummy."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequest
from drivers.printer import ItemLine, Receipt, Row, Tender, VatRow, as_text, drawer_kick, render

INIT, CP858 = b"\x1b@", b"\x1bt\x13"
LEFT, CENTER = b"\x1ba\x00", b"\x1ba\x01"
BOLD, NOT_BOLD = b"\x1bE\x01", b"\x1bE\x00"
BIG, NORMAL = b"\x1d!\x11", b"\x1d!\x00"
CUT = b"\x1bd\x06" + b"\x1dV\x01"  # feed six lines past the cutter, partial cut


def qr(module: int) -> bytes:
    return (
        b"\x1d(k\x04\x00" b"1A2\x00"  # model 2
        + b"\x1d(k\x03\x00" b"1C" + bytes([module])  # dots per module
        + b"\x1d(k\x03\x00" b"1E1"  # error correction M
        + b"\x1d(k\x13\x00" b"1P0https://k.se/r/1"  # store 16 bytes
        + b"\x1d(k\x03\x00" b"1Q0"  # print the symbol
    )


RECEIPT = Receipt(
    store_lines=("Kassa Butik",),
    markings=("KOPIA",),
    register="1",
    receipt_no="1-000042",
    cashier="Maria",
    time="2024-05-02 14:03",
    items=(ItemLine("Mjölk", "15,90", detail="2 x 7,95", discount="-1,00"),),
    totals=(Row("ATT BETALA", "14,90 SEK", bold=True),),
    tenders=(Tender("Kontant", "20,00"),),
    change="5,10",
    vat=(VatRow("12,00 %", "1,60", "13,30", "14,90"),),
    footer_lines=("Tack!",),
    qr_url="https://k.se/r/1",
)


def test_receipt_bytes_on_58mm_paper() -> None:
    assert render(RECEIPT, "58mm") == (
        INIT + CP858
        + CENTER + BOLD + b"Kassa Butik\n"
        + LEFT + NOT_BOLD + b"\n"
        + CENTER + BIG + b"KOPIA\n"
        + NORMAL + BOLD + b"KVITTO\n"
        + LEFT + NOT_BOLD + b"Kassa 1" + b" " * 7 + b"Kvitto nr 1-000042\n"
        + b"Kass\x94r: Maria" + b" " * 3 + b"2024-05-02 14:03\n"
        + b"-" * 32 + b"\n"
        + b"Mj\x94lk" + b" " * 22 + b"15,90\n"
        + b"  2 x 7,95\n"
        + b"  Rabatt" + b" " * 19 + b"-1,00\n"
        + b"-" * 32 + b"\n"
        + BOLD + b"ATT BETALA" + b" " * 13 + b"14,90 SEK\n"
        + NOT_BOLD + b"Kontant" + b" " * 20 + b"20,00\n"
        + b"V\x84xel" + b" " * 23 + b"5,10\n"
        + b"\n"
        + b"Moms %      Moms   Netto  Brutto\n"
        + b"12,00 %     1,60   13,30   14,90\n"
        + b"\n"
        + CENTER + b"Tack!\n"
        + LEFT + b"\n"
        + CENTER + qr(4)
        + LEFT + b"\n"
        + CUT
    )


def test_receipt_bytes_on_80mm_paper() -> None:
    assert render(RECEIPT, "80mm") == (
        INIT + CP858
        + CENTER + BOLD + b"Kassa Butik\n"
        + LEFT + NOT_BOLD + b"\n"
        + CENTER + BIG + b"KOPIA\n"
        + NORMAL + BOLD + b"KVITTO\n"
        + LEFT + NOT_BOLD + b"Kassa 1" + b" " * 23 + b"Kvitto nr 1-000042\n"
        + b"Kass\x94r: Maria" + b" " * 19 + b"2024-05-02 14:03\n"
        + b"-" * 48 + b"\n"
        + b"Mj\x94lk" + b" " * 38 + b"15,90\n"
        + b"  2 x 7,95\n"
        + b"  Rabatt" + b" " * 35 + b"-1,00\n"
        + b"-" * 48 + b"\n"
        + BOLD + b"ATT BETALA" + b" " * 29 + b"14,90 SEK\n"
        + NOT_BOLD + b"Kontant" + b" " * 36 + b"20,00\n"
        + b"V\x84xel" + b" " * 39 + b"5,10\n"
        + b"\n"
        + b"Moms %" + b" " * 14 + b"Moms" + b" " * 7 + b"Netto" + b" " * 6 + b"Brutto\n"
        + b"12,00 %" + b" " * 13 + b"1,60" + b" " * 7 + b"13,30" + b" " * 7 + b"14,90\n"
        + b"\n"
        + CENTER + b"Tack!\n"
        + LEFT + b"\n"
        + CENTER + qr(6)
        + LEFT + b"\n"
        + CUT
    )


def test_swedish_letters_in_cp858() -> None:
    job = render(Receipt(store_lines=("Mjölk",), items=(ItemLine("åäöÅÄÖ é", "1,00"),)), "58mm")
    assert job.startswith(INIT + CP858)  # ESC t 19 chosen explicitly, right after ESC @
    assert b"Mj\x94lk\n" in job
    assert b"\x86\x84\x94\x8f\x8e\x99 \x82" in job


def test_drawer_kick_bytes() -> None:
    assert drawer_kick() == b"\x1bp\x00\x32\x32"  # ESC p, pin 2, 100 ms on, 100 ms off
    assert drawer_kick(5) == b"\x1bp\x01\x32\x32"
    assert drawer_kick(2, on_ms=50, off_ms=500) == b"\x1bp\x00\x19\xfa"


def test_drawer_kick_only_when_asked() -> None:
    plain = render(RECEIPT, "58mm")
    kicked = render(RECEIPT, "58mm", open_drawer=True, drawer_pin=5)
    assert b"\x1bp" not in plain
    assert kicked == INIT + CP858 + b"\x1bp\x01\x32\x32" + plain[len(INIT + CP858) :]


def test_control_characters_in_texts_cannot_become_commands() -> None:
    job = render(Receipt(items=(ItemLine("Evil\x1bp\x00\x19\x19name", "1,00"),)), "58mm")
    assert b"\x1bp" not in job
    assert b"Evil p  " in job


def test_long_names_wrap_and_amounts_are_never_cut() -> None:
    receipt = Receipt(items=(ItemLine("Kaffe mellanrost extra fint malet 450 g", "59,90"),))
    assert as_text(receipt, "58mm").splitlines()[3:5] == [
        "Kaffe mellanrost extra     59,90",
        "fint malet 450 g",
    ]


def test_wide_amounts_give_a_vat_block_instead_of_columns() -> None:
    receipt = Receipt(vat=(VatRow("25,00 %", "12 345,00", "49 380,00", "61 725,00"),))
    assert as_text(receipt, "58mm").splitlines()[-4:] == [
        "Moms 25,00 %",
        "  Moms                 12 345,00",
        "  Netto                49 380,00",
        "  Brutto               61 725,00",
    ]


@pytest.mark.parametrize(
    ("receipt", "paper", "message"),
    [
        (RECEIPT, "110mm", "paper '110mm'"),
        (Receipt(totals=(Row("X", "9" * 40),)), "58mm", "wider than the paper"),
        (Receipt(qr_url="https://k.se/" + "x" * 3000), "80mm", "at most 2331"),
    ],
)
def test_bad_documents_give_clear_errors(receipt: Receipt, paper: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        render(receipt, paper)


def test_bad_drawer_pins_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="pin must be 2 or 5"):
        drawer_kick(3)
