"""Day report exports: CSV for Excel, a printable page, a PDF and the till's text all show
every figure, in Swedish, and survive odd names."""

from __future__ import annotations

import csv
import re
import zlib
from html.parser import HTMLParser

import pytest

from hub.models.fiscal import DayReportFigures, GroupTotal
from hub.services.report_export import money, to_csv, to_html, to_pdf, to_text
from tests.unit.day_report_sample import scripted_day

# Every figure of the scripted day as the CSV must show it: (section, label) → (count, öre).
EXPECTED = {
    ("Försäljning", "Försäljning inkl. moms"): ("", "43049"),
    ("Försäljning", "Försäljning exkl. moms"): ("", "35999"),
    ("Försäljning", "Antal kvitton"): ("3", ""),
    ("Försäljning", "Öresavrundning"): ("", "-49"),
    ("Försäljning", "Netto (försäljning − returer)"): ("", "41800"),
    ("Moms", "Brutto 25 %"): ("", "26249"), ("Moms", "Moms 25 %"): ("", "5250"),
    ("Moms", "Netto 25 %"): ("", "20999"), ("Moms", "Brutto 12 %"): ("", "16800"),
    ("Moms", "Moms 12 %"): ("", "1800"), ("Moms", "Netto 12 %"): ("", "15000"),
    ("Varugrupper", "Kaffe"): ("2", "25000"), ("Varugrupper", "Livsmedel"): ("3", "18049"),
    ("Varor och tjänster", "Varor"): ("5", ""), ("Varor och tjänster", "Tjänster"): ("0", ""),
    ("Betalmedel", "Kort"): ("1", "25000"), ("Betalmedel", "Kontant"): ("1", "12449"),
    ("Betalmedel", "Swish/QR"): ("1", "5600"),
    ("Returer", "Returer"): ("1", "1249"), ("Returer", "Retur brutto 25 %"): ("", "1249"),
    ("Returer", "Retur moms 25 %"): ("", "250"), ("Returer", "Retur netto 25 %"): ("", "999"),
    ("Returer", "Återbetalt kontant"): ("1", "1249"),
    ("Returer", "Öresavrundning returer"): ("", "-49"),
    ("Rabatter och reduceringar", "Rabatter"): ("1", "500"),
    ("Rabatter och reduceringar", "Övriga reduceringar"): ("1", "200"),
    ("Kassalåda", "Växelkassa"): ("", "50000"), ("Kassalåda", "Insättningar"): ("0", "0"),
    ("Kassalåda", "Uttag"): ("1", "10000"), ("Kassalåda", "Lådöppningar"): ("3", ""),
    ("Kassalåda", "Lådöppningar utan försäljning"): ("1", ""),
    ("Övrigt", "Kopior"): ("1", "25000"), ("Övrigt", "Övningskvitton"): ("2", "30000"),
    ("Övrigt", "Proformakvitton (ej kvitto)"): ("0", "0"),
    ("Övrigt", "Prisförfrågningar"): ("4", ""), ("Övrigt", "Avbrutna köp"): ("1", "3900"),
    ("Övrigt", "Kvitton utan kontrollkod"): ("0", ""),
    ("Grand total", "Grand total försäljning"): ("", "1234567"),
    ("Grand total", "Grand total retur"): ("", "23456"),
    ("Grand total", "Grand total netto"): ("", "1211111"),
}


SHOWN_FIELDS = {  # every field of the model, each shown by one of the rows above or the heading
    "kind", "z_no", "title", "company_name", "org_number", "address", "register_id",
    "created_at", "period_start", "period_end", "currency", "fiscal_device", "sales_total",
    "sales_net", "receipts", "first_receipt_no", "last_receipt_no", "product_groups", "vat",
    "cash_float", "goods_sold", "services_sold", "drawer_openings", "no_sales", "copies",
    "training", "proforma", "price_lookups", "payments", "rounding", "returns", "return_vat",
    "return_payments", "return_rounding", "discounts", "other_reductions", "abandoned",
    "pay_ins", "pay_outs", "missing_control_codes", "net_total", "grand_total_sales",
    "grand_total_returns", "grand_total_net",
}


def test_no_figure_of_the_model_is_left_out() -> None:
    assert set(DayReportFigures.model_fields) == SHOWN_FIELDS


def x_report(**changes: object) -> DayReportFigures:
    """The same day as an X report (the day still open)."""
    return scripted_day(kind="X", z_no=None, title="X-dagrapport", **changes)


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(text[1:].splitlines(), delimiter=";"))


def pdf_text(data: bytes) -> str:
    """The text drawn on the PDF's pages (its content streams, inflated, strings unescaped)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    shown = []
    for stream in streams:
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        shown += re.findall(rb"\((.*?)(?<!\\)\) Tj", content)
    return "\n".join(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in shown)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.cells.append(data.strip())


def html_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.cells


@pytest.mark.parametrize("minor, currency, shown", [
    (123450, "SEK", "1 234,50 kr"), (-49, "SEK", "-0,49 kr"), (0, "SEK", "0,00 kr"),
    (123456789, "SEK", "1 234 567,89 kr"), (99999, "SEK", "999,99 kr"),
    (100000, "SEK", "1 000,00 kr"), (1250, "EUR", "12,50 EUR"), (5000, "JPY", "5 000 JPY"),
])
def test_money_is_shown_the_swedish_way(minor: int, currency: str, shown: str) -> None:
    assert money(minor, currency) == shown


def test_csv_has_every_figure_in_kronor_and_ore() -> None:
    rows = csv_rows(to_csv(scripted_day()))
    assert rows[0] == ["Avsnitt", "Post", "Antal", "Belopp", "Öre", "Text"]
    assert all(len(row) == 6 for row in rows)
    figures = {(r[0], r[1]): (r[2], r[4]) for r in rows[1:] if r[0] != "Rapport"}
    assert figures == {**EXPECTED, ("Försäljning", "Kvittonummer"): ("", "")}
    for row in rows[1:]:  # the kronor column says what the öre column does
        if row[4]:
            assert int(row[3].replace(",", "")) == int(row[4])
            assert re.fullmatch(r"-?\d+,\d\d", row[3])
    info = {r[1]: r[5] for r in rows if r[0] == "Rapport"}
    assert info["Rapport"] == "Z-dagrapport nr 7" and info["Org.nr"] == "556677-8899"
    assert info["Period"] == "2025-02-28 18:00 – 2025-03-01 18:05"  # Swedish time
    assert info["Kontrollenhet"] == "Kontrollenhet CU-SIM-0001"


def test_csv_amounts_sum_back_to_the_totals() -> None:
    report = scripted_day()
    rows = csv_rows(to_csv(report))

    def ore(section: str, prefix: str = "") -> int:
        return sum(int(r[4]) for r in rows if r[0] == section and r[1].startswith(prefix))

    assert ore("Betalmedel") == report.sales_total
    assert ore("Varugrupper") == report.sales_total
    assert ore("Moms", "Brutto") == report.sales_total
    assert ore("Moms", "Moms") + ore("Moms", "Netto") == report.sales_total
    assert ore("Returer", "Återbetalt") == report.returns.amount
    assert ore("Returer", "Retur brutto") == report.returns.amount
    assert ore("Grand total", "Grand total f") - ore("Grand total", "Grand total r") == (
        report.grand_total_net)


def test_the_page_is_complete_printable_and_in_swedish() -> None:
    page = to_html(scripted_day())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<html lang="sv">' in page and '<meta charset="utf-8">' in page
    assert "size: A4" in page
    assert "<h1>Z-dagrapport nr 7</h1>" in page
    cells = html_text(page)
    for label in ("Kioskbåten Åre AB", "556677-8899", "Storgatan 1, 830 13 Åre",
                  "Kontrollenhet CU-SIM-0001", "Moms", "Växelkassa", "Antal kvitton",
                  "Lådöppningar", "Kopior", "Övningskvitton", "Returer", "Rabatter",
                  "Övriga reduceringar", "Avbrutna köp", "Grand total försäljning",
                  "Grand total retur", "Grand total netto", "Varor", "Tjänster", "Betalmedel"):
        assert label in cells, label
    assert cells[cells.index("Grand total försäljning") + 1] == "12 345,67 kr"
    assert cells[cells.index("Kontant") + 1:cells.index("Kontant") + 3] == ["1", "124,49 kr"]
    assert "dagen är inte avslutad" not in page


def test_an_x_report_says_the_day_is_not_closed() -> None:
    page = to_html(x_report())
    assert "<h1>X-dagrapport</h1>" in page
    assert "X-dagrapport – ej Z, dagen är inte avslutad" in html_text(page)


def test_names_are_escaped_on_the_page() -> None:
    page = to_html(scripted_day(
        company_name='<script>alert("Åre")</script>',
        product_groups=[GroupTotal(name="Bröd & <b>bullar</b>", count=1, amount=43049)]))
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;Åre&quot;)&lt;/script&gt;" in page
    assert "Bröd &amp; &lt;b&gt;bullar&lt;/b&gt;" in page


def test_the_pdf_is_an_a4_pdf_with_the_figures() -> None:
    data = to_pdf(scripted_day())
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4 in points
    text = pdf_text(data)
    for shown in ("Z-dagrapport nr 7", "Kioskbåten Åre AB", "556677-8899",
                  "Kontrollenhet CU-SIM-0001", "Försäljning inkl. moms", "430,49 kr",
                  "Moms 25 %", "52,50 kr", "Växelkassa", "Lådöppningar", "Övningskvitton",
                  "Grand total netto", "12 111,11 kr", "Netto (försäljning - returer)"):
        assert shown in text, shown
    assert "ej Z" not in text


def test_the_pdf_of_an_x_report_and_odd_names() -> None:
    report = x_report(company_name="Kafé (Åre) € 北京 " + "lång " * 40,
                      product_groups=[GroupTotal(name="x" * 300, count=1, amount=43049)])
    text = pdf_text(to_pdf(report))
    assert "X-dagrapport - ej Z, dagen är inte avslutad" in text
    assert "Kafé (Åre) ? ?? lång" in text  # what Latin-1 cannot draw becomes '?'
    assert "xxx..." in text  # a name too long for its column is cut, not drawn over the rest


@pytest.mark.parametrize("columns", [32, 42])
def test_text_fits_the_paper(columns: int) -> None:
    report = x_report(company_name="Kioskbåten i Åre med en mycket lång firma AB",
                      grand_total_sales=98765432100, grand_total_net=98765408644)
    text = to_text(report, columns)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "Grand total netto" in text and "987 654 086,44" in text
    assert "avslutad" in text
    for label in ("Antal kvitton", "Lådöppningar", "Kopior", "Övningskvitton", "Returer",
                  "Rabatter", "Övriga reduceringar", "Avbrutna köp", "Varor", "Tjänster",
                  "Växelkassa", "BETALMEDEL", "MOMS"):
        assert any(line.startswith(label) for line in lines), label


def test_text_puts_labels_left_and_amounts_right() -> None:
    lines = to_text(scripted_day(), 42).splitlines()
    assert lines[0].strip() == "Z-dagrapport nr 7"
    row = next(line for line in lines if line.startswith("Försäljning inkl. moms"))
    assert row.endswith("430,49") and len(row) == 42
    row = next(line for line in lines if line.startswith("Kontant"))
    assert row.split() == ["Kontant", "1", "124,49"] and len(row) == 42
    assert "Kontrollenhet CU-SIM-0001" in lines
    narrow = to_text(scripted_day(), 32).splitlines()
    at = narrow.index("Grand total försäljning")  # too long beside its amount: wrapped
    assert narrow[at + 1] == f"{'12 345,67':>32}"


def test_text_refuses_a_too_narrow_paper() -> None:
    with pytest.raises(ValueError, match="at least 20 columns"):
        to_text(scripted_day(), 12)
