"""A register's day report (X or Z) as CSV, a printable HTML page, a PDF and plain text.

All four show the same figures, in the same sections with the same Swedish labels
(`sections`); money is integer minor units until it is shown.
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hub.models.fiscal import CountAmount, DayReportFigures, VatTotal
from hub.money import format_amount
from hub.services.sie import METHOD_TEXT, rate_text

if TYPE_CHECKING:
    from fpdf import FPDF

X_WARNING = "X-dagrapport – ej Z, dagen är inte avslutad"


@dataclass(frozen=True)
class Figure:
    """One line of a day report: a label with a count, an amount (minor units) or a text."""

    name: str
    count: int | None = None
    amount: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of figures."""

    title: str
    figures: tuple[Figure, ...]


def money(amount: int, currency: str, unit: bool = True) -> str:
    """Money as Swedes read it: 123450 SEK → '1 234,50 kr' (without unit: '1 234,50')."""
    text = format_amount(amount, currency)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(",")
    groups: list[str] = []
    while len(whole) > 3:
        whole, last = whole[:-3], whole[-3:]
        groups.insert(0, last)
    number = sign + " ".join([whole, *groups]) + (f",{frac}" if frac else "")
    if not unit:
        return number
    return f"{number} {'kr' if currency == 'SEK' else currency}"


def title(report: DayReportFigures) -> str:
    """'Z-dagrapport nr 7' or 'X-dagrapport'."""
    return f"{report.title} nr {report.z_no}" if report.z_no is not None else report.title


def _local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def heading(report: DayReportFigures, timezone: str = "Europe/Stockholm") -> list[tuple[str, str]]:
    """Who and when: company, org number, address, register and period."""
    start = _local(report.period_start, timezone) if report.period_start else "kassans början"
    return [
        ("Företag", report.company_name),
        ("Org.nr", report.org_number),
        ("Adress", report.address),
        ("Kassa", report.register_id),
        ("Period", f"{start} – {_local(report.period_end, timezone)}"),
        ("Utskriven", _local(report.created_at, timezone)),
        ("Valuta", report.currency),
    ]


def _vat_rows(rows: list[VatTotal], returns: bool = False) -> list[Figure]:
    out: list[Figure] = []
    for row in rows:
        rate = rate_text(row.rate_bp)
        names = (("Retur brutto", "Retur moms", "Retur netto") if returns
                 else ("Brutto", "Moms", "Netto"))
        out += [Figure(f"{name} {rate}", amount=amount)
                for name, amount in zip(names, (row.gross, row.vat, row.net), strict=True)]
    return out


def _both(name: str, figure: CountAmount) -> Figure:
    return Figure(name, count=figure.count, amount=figure.amount)


def sections(report: DayReportFigures) -> list[Section]:
    """Every figure of the report, grouped and labelled in Swedish."""
    receipt_range = (f"{report.first_receipt_no}–{report.last_receipt_no}"
                     if report.first_receipt_no is not None else "–")
    return [
        Section("Försäljning", (
            Figure("Försäljning inkl. moms", amount=report.sales_total),
            Figure("Försäljning exkl. moms", amount=report.sales_net),
            Figure("Antal kvitton", count=report.receipts),
            Figure("Kvittonummer", text=receipt_range),
            Figure("Öresavrundning", amount=report.rounding),
            Figure("Netto (försäljning − returer)", amount=report.net_total),
        )),
        Section("Moms", tuple(_vat_rows(report.vat))),
        Section("Varugrupper", tuple(Figure(g.name, count=g.count, amount=g.amount)
                                     for g in report.product_groups)),
        Section("Varor och tjänster", (Figure("Varor", count=report.goods_sold),
                                       Figure("Tjänster", count=report.services_sold))),
        Section("Betalmedel", tuple(Figure(METHOD_TEXT.get(p.name, p.name), count=p.count,
                                           amount=p.amount) for p in report.payments)),
        Section("Returer", (
            _both("Returer", report.returns),
            *_vat_rows(report.return_vat, returns=True),
            *(Figure(f"Återbetalt {METHOD_TEXT.get(p.name, p.name).lower()}", count=p.count,
                     amount=p.amount) for p in report.return_payments),
            Figure("Öresavrundning returer", amount=report.return_rounding),
        )),
        Section("Rabatter och reduceringar", (
            _both("Rabatter", report.discounts),
            _both("Övriga reduceringar", report.other_reductions),
        )),
        Section("Kassalåda", (
            Figure("Växelkassa", amount=report.cash_float),
            _both("Insättningar", report.pay_ins),
            _both("Uttag", report.pay_outs),
            Figure("Lådöppningar", count=report.drawer_openings),
            Figure("Lådöppningar utan försäljning", count=report.no_sales),
        )),
        Section("Övrigt", (
            _both("Kopior", report.copies),
            _both("Övningskvitton", report.training),
            _both("Proformakvitton (ej kvitto)", report.proforma),
            Figure("Prisförfrågningar", count=report.price_lookups),
            _both("Avbrutna köp", report.abandoned),
            Figure("Kvitton utan kontrollkod", count=report.missing_control_codes),
        )),
        Section("Grand total", (
            Figure("Grand total försäljning", amount=report.grand_total_sales),
            Figure("Grand total retur", amount=report.grand_total_returns),
            Figure("Grand total netto", amount=report.grand_total_net),
        )),
    ]


def to_csv(report: DayReportFigures, timezone: str = "Europe/Stockholm") -> str:
    """Every figure on its own row, semicolons and decimal commas as Swedish Excel reads them;
    the text starts with a BOM so Excel knows it is UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Avsnitt", "Post", "Antal", "Belopp", "Öre", "Text"])
    writer.writerow(["Rapport", "Rapport", "", "", "", title(report)])
    for label, value in [*heading(report, timezone), ("Kontrollenhet", report.fiscal_device)]:
        writer.writerow(["Rapport", label, "", "", "", value])
    for section in sections(report):
        for f in section.figures:
            amount = "" if f.amount is None else format_amount(f.amount, report.currency)
            writer.writerow([section.title, f.name, "" if f.count is None else f.count, amount,
                             "" if f.amount is None else f.amount, f.text or ""])
    return out.getvalue()


_CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 10pt;
       color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-size: 26pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 1mm; border-bottom: 1px solid #000; }
.device { font-style: italic; margin: 2mm 0 0; }
.warning { font-size: 13pt; font-weight: bold; border: 2px solid #000; padding: 2mm; }
dl { display: grid; grid-template-columns: 32mm auto; gap: 0.5mm 4mm; margin: 0; }
dt { font-weight: bold; } dd { margin: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 0.8mm 1mm; border-bottom: 0.5px solid #999; text-align: left; }
th.num, td.num { text-align: right; white-space: nowrap; width: 30mm; }
section { break-inside: avoid; }
"""


def _cell(f: Figure, currency: str) -> tuple[str, str]:
    count = "" if f.count is None else str(f.count)
    amount = money(f.amount, currency) if f.amount is not None else (f.text or "")
    return count, amount


def to_html(report: DayReportFigures, timezone: str = "Europe/Stockholm") -> str:
    """The report as a complete printable page (A4), every text escaped."""
    name = title(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        f'<head><meta charset="utf-8"><title>{escape(name)} – kassa '
        f"{escape(report.register_id)}</title><style>{_CSS}</style></head>",
        "<body>",
        f"<header><h1>{escape(name)}</h1>",
    ]
    if report.kind != "Z":
        parts.append(f'<p class="warning">{escape(X_WARNING)}</p>')
    parts.append("<dl>")
    parts += [f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
              for label, value in heading(report, timezone)]
    parts.append(f'</dl><p class="device">{escape(report.fiscal_device)}</p></header>')
    for section in sections(report):
        parts.append(f"<section><h2>{escape(section.title)}</h2>")
        if not section.figures:
            parts.append("<p>Inga.</p></section>")
            continue
        parts.append('<table><thead><tr><th>Post</th><th class="num">Antal</th>'
                     '<th class="num">Belopp</th></tr></thead><tbody>')
        for f in section.figures:
            count, amount = _cell(f, report.currency)
            parts.append(f'<tr><td>{escape(f.name)}</td><td class="num">{escape(count)}</td>'
                         f'<td class="num">{escape(amount)}</td></tr>')
        parts.append("</tbody></table></section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _latin1(text: str) -> str:
    """Text the PDF core fonts can draw (Latin-1): dashes and minus made plain."""
    for wide, narrow in (("–", "-"), ("—", "-"), ("−", "-"), ("’", "'"), ("“", '"'),
                         ("”", '"'), ("…", "...")):
        text = text.replace(wide, narrow)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Shorten a text with '...' until it fits the width (mm)."""
    text = _latin1(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def to_pdf(report: DayReportFigures, timezone: str = "Europe/Stockholm") -> bytes:
    """The report as an A4 PDF with the same content as the HTML page."""
    # Imported here: fpdf (with fontTools) costs ~0.25 s of CPU, paid only when a PDF is asked
    # for, not by every hub start.
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_latin1(f"{title(report)} kassa {report.register_id}"))
    pdf.set_creator("Kassa")
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(width, 11, _fit(pdf, title(report), width), new_x="LMARGIN", new_y="NEXT")
    if report.kind != "Z":
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(width, 9, _latin1(X_WARNING), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in heading(report, timezone):
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(32, 5.5, _latin1(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(width - 32, 5.5, _fit(pdf, value, width - 32), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 10)
    pdf.cell(width, 6, _fit(pdf, report.fiscal_device, width), new_x="LMARGIN", new_y="NEXT")
    label_w, count_w, amount_w = width - 70, 25, 45
    for section in sections(report):
        rows = max(len(section.figures), 1)
        if pdf.will_page_break(10 + 5.5 * rows) and rows < 30:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(width, 7, _latin1(section.title), border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        if not section.figures:
            pdf.cell(width, 5.5, "Inga.", new_x="LMARGIN", new_y="NEXT")
        for f in section.figures:
            count, amount = _cell(f, report.currency)
            pdf.cell(label_w, 5.5, _fit(pdf, f.name, label_w), border="B")
            pdf.cell(count_w, 5.5, count, border="B", align="R")
            pdf.cell(amount_w, 5.5, _latin1(amount), border="B", align="R",
                     new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _wrap(text: str, columns: int) -> list[str]:
    return textwrap.wrap(text, columns, break_long_words=True, break_on_hyphens=False) or [""]


def _text_row(f: Figure, currency: str, columns: int) -> list[str]:
    """Label left, count and amount right; the label on its own lines when they do not fit."""
    amount = money(f.amount, currency, unit=False) if f.amount is not None else (f.text or "")
    count = "" if f.count is None else str(f.count)
    right = f"{count:>4} {amount:>12}".strip() if count and amount else (count or amount)
    if len(f.name) + 1 + len(right) <= columns:
        return [f"{f.name}{right:>{columns - len(f.name)}}" if right else f.name]
    return [*_wrap(f.name, columns), *(f"{line:>{columns}}" for line in _wrap(right, columns))]


def to_text(report: DayReportFigures, columns: int = 42,
            timezone: str = "Europe/Stockholm") -> str:
    """The report as monospaced text for the cashier's screen or a receipt printer."""
    if columns < 20:
        raise ValueError(f"A day report needs at least 20 columns, not {columns}.")
    lines = [line.center(columns).rstrip() for line in _wrap(title(report), columns)]
    if report.kind != "Z":
        lines += ["", *(line.center(columns).rstrip() for line in _wrap(X_WARNING, columns))]
    lines.append("")
    for label, value in heading(report, timezone):
        lines += _wrap(f"{label}: {value}", columns)
    lines += _wrap(report.fiscal_device, columns)
    lines.append(f"Belopp i {'kr' if report.currency == 'SEK' else report.currency}")
    for section in sections(report):
        lines += ["", section.title.upper()[:columns], "-" * columns]
        if not section.figures:
            lines.append("Inga.")
        for f in section.figures:
            lines += _text_row(f, report.currency, columns)
    lines += ["", "=" * columns]
    return "\n".join(lines) + "\n"
