"""SIE 4I export: the day voucher a bookkeeper imports balances, reads back, and says the day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hub.models.fiscal import CountAmount, DayReportFigures, GroupTotal, VatTotal
from hub.services.sie import (
    BAS_DEFAULTS,
    ParsedSie,
    SieAccounts,
    day_voucher,
    parse_sie,
    to_sie,
)
from tests.unit.day_report_sample import scripted_day

GEN = date(2025, 3, 4)

# The scripted day's voucher worked out by hand (öre, debit +). Sales side, then returns side.
EXPECTED_Z7 = [
    ("1580", 25000),  # card
    ("1910", 12400),  # cash taken in: 124,49 rounded to 124,00
    ("1930", 5600),  # Swish/QR
    ("3740", 49),  # rounded down 0,49: a cost
    ("3001", -20999),  # net sales 25 %: 200,00 + 9,99
    ("3002", -15000),  # net sales 12 %: 100,00 + 50,00
    ("2611", -5250),  # VAT 25 %: 50,00 + 2,50
    ("2621", -1800),  # VAT 12 %: 12,00 + 6,00
    ("3001", 999),  # the return: net 9,99 back off sales
    ("2611", 250),  # and its VAT 2,50
    ("3740", -49),  # 12,49 owed, 12,00 handed back: a gain
    ("1910", -1200),  # cash paid back
]


def second_day() -> DayReportFigures:
    """Z 8: a 6 % book on a standalone card terminal, a 0 % item paid online in advance."""
    return scripted_day(
        z_no=8, period_start=datetime(2025, 3, 1, 17, 5, tzinfo=UTC),
        period_end=datetime(2025, 3, 2, 23, 30, tzinfo=UTC),  # 00:30 on 3 March in Sweden
        sales_total=15600, sales_net=15000, receipts=2, rounding=0,
        vat=[VatTotal(rate_bp=600, gross=10600, vat=600, net=10000),
             VatTotal(rate_bp=0, gross=5000, vat=0, net=5000)],
        payments=[GroupTotal(name="card_external", count=1, amount=10600),
                  GroupTotal(name="prepaid", count=1, amount=5000)],
        returns=CountAmount(), return_vat=[], return_payments=[], return_rounding=0,
        net_total=15600)


def rows(parsed: ParsedSie, voucher: int = 0) -> list[tuple[str, int]]:
    """A parsed voucher's rows as (account, öre)."""
    return [(t.account, t.amount) for t in parsed.vouchers[voucher].transactions]


def test_the_day_voucher_is_the_one_worked_out_by_hand() -> None:
    data = to_sie([scripted_day()], generated=GEN)
    parsed = parse_sie(data)
    assert rows(parsed) == EXPECTED_Z7
    voucher = parsed.vouchers[0]
    assert (voucher.series, voucher.number, voucher.day) == ("K", "7", date(2025, 3, 1))
    assert voucher.text == "Z-dagrapport kassa 1 nr 7"
    assert voucher.balance == 0
    assert all(t.day == date(2025, 3, 1) for t in voucher.transactions)


def test_the_file_has_the_sie_4i_identification() -> None:
    data = to_sie([scripted_day()], generated=GEN)
    lines = data.decode("cp437").split("\r\n")
    assert lines[0] == "#FLAGGA 0" and lines[1].startswith('#PROGRAM "Kassa" "')
    assert lines[2:5] == ["#FORMAT PC8", "#GEN 20250304", "#SIETYP 4"]
    assert "#ORGNR 556677-8899" in lines
    assert '#FNAMN "Kioskbåten Åre AB"' in lines
    assert '#VER "K" 7 20250301 "Z-dagrapport kassa 1 nr 7"' in lines
    assert '   #TRANS 3740 {} 0.49 20250301 "Öresavrundning"' in lines
    assert '   #TRANS 1910 {} -12.00 20250301 "Returer kontant"' in lines
    parsed = parse_sie(data)
    assert (parsed.flag, parsed.format, parsed.sie_type) == ("0", "PC8", "4")
    assert parsed.generated == GEN and parsed.org_number == "556677-8899"
    # every account used, and only those, with its BAS name
    assert parsed.accounts == {
        "1580": "Fordringar för kontokort och kuponger", "1910": "Kassa",
        "1930": "Företagskonto/checkkonto/affärskonto",
        "2611": "Utgående moms på försäljning inom Sverige, 25 %",
        "2621": "Utgående moms på försäljning inom Sverige, 12 %",
        "3001": "Försäljning inom Sverige, 25 % moms",
        "3002": "Försäljning inom Sverige, 12 % moms", "3740": "Öres- och kronutjämning"}


def test_swedish_letters_are_codepage_437_bytes() -> None:
    data = to_sie([scripted_day()], generated=GEN)
    assert b'"Kioskb\x86ten \x8fre AB"' in data  # å is 0x86 and Å 0x8f in CP437
    assert b"\x99res- och kronutj\x84mning" in data  # Ö 0x99, ä 0x84
    assert b"F\x94retagskonto" in data  # ö 0x94
    assert "å".encode() not in data  # no UTF-8 anywhere


def test_the_voucher_says_the_same_figures_as_the_report() -> None:
    report = scripted_day()
    booked: dict[str, int] = {}
    for account, amount in rows(parse_sie(to_sie([report], generated=GEN))):
        booked[account] = booked.get(account, 0) + amount
    sales_accounts, vat_accounts = ("3001", "3002"), ("2611", "2621")
    net_sales = -sum(booked[a] for a in sales_accounts)
    vat = -sum(booked[a] for a in vat_accounts)
    assert net_sales == report.sales_net - sum(v.net for v in report.return_vat)
    assert vat == sum(v.vat for v in report.vat) - sum(v.vat for v in report.return_vat)
    assert net_sales + vat == report.net_total
    assert booked["1910"] == 12400 - 1200
    assert booked["3740"] == 0  # −0,49 on the sale, +0,49 on the return
    assert sum(booked.values()) == 0


def test_payments_as_taken_in_give_the_same_voucher() -> None:
    report = scripted_day(
        payments=[GroupTotal(name="card", count=1, amount=25000),
                  GroupTotal(name="cash", count=1, amount=12400),  # the cash that came in
                  GroupTotal(name="qr", count=1, amount=5600)],
        return_payments=[GroupTotal(name="cash", count=1, amount=1200)])  # what went out
    assert rows(parse_sie(to_sie([report], generated=GEN))) == EXPECTED_Z7


def test_several_z_reports_are_several_balanced_vouchers() -> None:
    parsed = parse_sie(to_sie([scripted_day(), second_day()], generated=GEN))
    assert [v.number for v in parsed.vouchers] == ["7", "8"]
    assert all(v.balance == 0 for v in parsed.vouchers)
    assert parsed.vouchers[1].day == date(2025, 3, 3)  # the local date, not the UTC one
    assert rows(parsed, 1) == [("1580", 10600), ("2420", 5000), ("3003", -10000),
                               ("3004", -5000), ("2631", -600)]
    assert parsed.accounts["2420"] == "Förskott från kunder"


def test_two_registers_need_two_series() -> None:
    other = scripted_day(register_id="2")
    with pytest.raises(ValueError, match="its own series"):
        to_sie([scripted_day(), other], generated=GEN)
    parsed = parse_sie(to_sie([scripted_day(), other], series={"1": "K1", "2": "K2"},
                              generated=GEN))
    assert [(v.series, v.number) for v in parsed.vouchers] == [("K1", "7"), ("K2", "7")]


def test_the_store_can_choose_its_accounts() -> None:
    overrides = {"card": "1581 Fordran kortinlösen", "qr": "1940", "sales_2500": "3010"}
    parsed = parse_sie(to_sie([scripted_day()], overrides, generated=GEN))
    accounts = [account for account, _ in rows(parsed)]
    assert accounts[:3] == ["1581", "1910", "1940"] and "3010" in accounts
    assert "1580" not in accounts and "3001" not in accounts
    assert parsed.accounts["1581"] == "Fordran kortinlösen"
    assert parsed.accounts["1940"] == BAS_DEFAULTS["qr"].name  # no name given: the role's
    assert parsed.vouchers[0].balance == 0


@pytest.mark.parametrize("overrides, message", [
    ({"kort": "1581"}, "Unknown SIE account key.*'kort'.*cash, card"),
    ({"card": "15 81"}, "SIE account for 'card' must be an account number"),
    ({"cash": ""}, "SIE account for 'cash'"),
])
def test_bad_account_settings_are_refused_plainly(overrides: dict[str, str],
                                                  message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SieAccounts(overrides)


def test_an_unknown_payment_method_is_named() -> None:
    report = scripted_day(payments=[GroupTotal(name="card", count=1, amount=25000),
                                    GroupTotal(name="cash", count=1, amount=12400),
                                    GroupTotal(name="voucher", count=1, amount=5600)])
    with pytest.raises(ValueError, match="payment method 'voucher'"):
        to_sie([report])


def test_an_unknown_vat_rate_is_named() -> None:
    report = second_day().model_copy(update={"vat": [
        VatTotal(rate_bp=1000, gross=10600, vat=964, net=9636),
        VatTotal(rate_bp=0, gross=5000, vat=0, net=5000)]})
    with pytest.raises(ValueError, match="no SIE account for VAT rate 10 %"):
        to_sie([report])


@pytest.mark.parametrize("changes, message", [
    ({"payments": [GroupTotal(name="card", count=1, amount=43049)]}, "no cash payment"),
    ({"rounding": -250}, "more than a cash rounding"),
    ({"payments": [GroupTotal(name="card", count=1, amount=25000),
                   GroupTotal(name="cash", count=1, amount=12000),
                   GroupTotal(name="qr", count=1, amount=5600)]}, "does not balance"),
    ({"sales_total": 43000}, "VAT rows do not add up to the sales"),
    ({"return_payments": [GroupTotal(name="cash", count=1, amount=1100)]},
     "payments of the returns .11,00 kr. are neither"),
    ({"return_payments": [GroupTotal(name="card", count=1, amount=1249)]}, "no cash payment"),
    ({"vat": [VatTotal(rate_bp=2500, gross=26249, vat=5250, net=21000),
              VatTotal(rate_bp=1200, gross=16800, vat=1800, net=15000)]}, "gross"),
])
def test_figures_that_do_not_balance_are_refused(changes: dict[str, object],
                                                 message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_sie([scripted_day(**changes)])


def test_only_z_reports_are_booked() -> None:
    with pytest.raises(ValueError, match="Only a Z report"):
        day_voucher(scripted_day(kind="X", z_no=None, title="X-dagrapport"), SieAccounts())
    with pytest.raises(ValueError, match="no Z reports"):
        to_sie([])


def test_a_quiet_day_books_nothing() -> None:
    quiet = scripted_day(sales_total=0, sales_net=0, vat=[], payments=[], rounding=0,
                         returns=CountAmount(), return_vat=[], return_payments=[],
                         return_rounding=0)
    parsed = parse_sie(to_sie([quiet], generated=GEN))
    assert parsed.vouchers == [] and parsed.accounts == {}


def test_quotes_in_names_survive_the_round_trip() -> None:
    report = scripted_day(company_name='Café "Hörnan" \\ Co', register_id='1 "bak"')
    parsed = parse_sie(to_sie([report], generated=GEN))
    assert parsed.company == 'Café "Hörnan" \\ Co'
    assert parsed.vouchers[0].text == 'Z-dagrapport kassa 1 "bak" nr 7'


def test_the_parser_reads_object_lists_and_ignores_what_it_does_not_know() -> None:
    text = ('#FLAGGA 0\n#SIETYP 4\n#KPTYP BAS2014\n#VER A "" 20250101 "Hyra"\n{\n'
            '\t#TRANS 5010 {1 "Butik" 6 "47"} 8000 "" "Hyra januari"\n'
            '\t#BTRANS 1930 {} -9000\n\t#TRANS 1930 {} -8000.00\n}\n')
    voucher = parse_sie(text.encode("cp437")).vouchers[0]
    assert voucher.number == "" and voucher.balance == 0
    assert voucher.transactions[0].objects == ["1", "Butik", "6", "47"]
    assert voucher.transactions[0].amount == 800000
    assert voucher.transactions[0].day is None


@pytest.mark.parametrize("text, message", [
    ('#VER A 1 20250101\n{\n#TRANS 1930 {} 12,50\n}\n', "not an amount"),
    ('#VER A 1 20251301\n{\n}\n', "not a date"),
    ('#VER A 1 20250101\n{\n#TRANS 1930 {} 1.00\n', "ends inside a voucher"),
    ('#TRANS 1930 {} 1.00\n', "outside a voucher"),
    ('#FNAMN "open\n', "not closed"),
    ('#VER A 1 20250101\n{\n#TRANS 1930 1.00\n}\n', "needs an account"),
    ('hello\n', "not a SIE label line"),
])
def test_the_parser_explains_bad_files(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sie(text.encode("cp437"))
