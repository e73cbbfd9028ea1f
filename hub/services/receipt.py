"""Receipts as text: what the customer takes home, for sales and refunds."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from drivers.printer import receipt as doc
from hub.config import Settings
from hub.models.sale import LinePublic, SalePublic
from hub.money import format_amount
from hub.services.fiscal import device_serial
from hub.services.refund import RefundPublic

WIDTH = 42


def _row(left: str, right: str = "") -> str:
    room = WIDTH - len(right) - 1
    return f"{left[:room]:<{room}} {right}"


def _center(text: str) -> str:
    return text[:WIDTH].center(WIDTH).rstrip()


def _rate(bp: int) -> str:
    return f"{bp // 100},{bp % 100:02d} %"


def _header(settings: Settings, lane_id: str, receipt_no: int | None, cashier: str,
            at: datetime | None, title: str, markings: tuple[str, ...] = ()) -> list[str]:
    local = (at or datetime.now().astimezone()).astimezone(ZoneInfo(settings.timezone))
    return [
        _center(settings.store_name),
        _center(settings.store_address),
        _center(f"Org.nr {settings.store_org_number}"),
        "",
        *(_center(f"*** {mark} ***") for mark in markings),
        _center(title),
        _row(f"Kassa {lane_id}", f"Kvitto nr {lane_id}-{receipt_no or 0:06d}"),
        _row(f"Kassör: {cashier}", local.strftime("%Y-%m-%d %H:%M")),
        "-" * WIDTH,
    ]


_TENDER_NAMES = {"cash": "Kontant", "card": "Kort", "card_external": "Kort",
                 "prepaid": "Betalt online", "qr": "QR-betalning"}


def _markings(copy: bool, training: bool) -> tuple[str, ...]:
    """The words a receipt carries large when it is not an ordinary original."""
    return (("KOPIA",) if copy else ()) + (("ÖVNINGSKVITTO",) if training else ())


def _fiscal_lines(settings: Settings, control_code: str | None, electronic: bool) -> list[str]:
    """The control unit's serial and control code, and the words for an electronic receipt."""
    out = []
    if serial := device_serial(settings):
        out += ["", f"Kontrollenhet: {serial}",
                f"Kontrollkod: {control_code or 'SAKNAS (enheten svarade inte)'}"]
    if electronic:
        out += ["", _center("Elektroniskt kassakvitto")]
    return out


def render_sale(sale: SalePublic, settings: Settings, cashier: str, copy: bool = False,
                electronic: bool = False) -> str:
    """The sale receipt: lines, discounts, VAT per rate, tenders, change and receipt number,
    with its markings (KOPIA, ÖVNINGSKVITTO) and the control unit's code."""
    cur = sale.currency
    out = _header(settings, sale.lane_id, sale.receipt_no, cashier, sale.completed_at,
                  "KVITTO", _markings(copy, sale.training))
    for line in sale.lines:
        if line.voided:
            continue
        out.append(_row(line.name, format_amount(line.gross, cur)))
        if detail := _quantity_detail(line, cur):
            out.append(f"  {detail}")
        if line.price_overridden:
            out.append("  Pris ändrat")
        if line.line_discount:
            out.append(_row("  Rabatt", format_amount(-line.line_discount, cur)))
    out.append("-" * WIDTH)
    cart_discount = sum(line.cart_discount_share for line in sale.lines)
    if cart_discount:
        out.append(_row("Rabatt på köpet", format_amount(-cart_discount, cur)))
    if sale.discount_total:
        out.append(_row("Varav rabatter totalt", format_amount(-sale.discount_total, cur)))
    out.append(_row("ATT BETALA", f"{format_amount(sale.total, cur)} {cur}"))
    if sale.rounding:
        out.append(_row("Öresavrundning", format_amount(sale.rounding, cur)))
    for tender in sale.tenders:
        name = _TENDER_NAMES.get(tender.method, tender.method)
        shown = tender.tendered if tender.method == "cash" else tender.amount
        out.append(_row(name, format_amount(shown, cur)))
        if tender.method != "cash" and tender.reference:
            out.append(f"  {tender.reference}")
    if sale.change:
        out.append(_row("Växel", format_amount(sale.change, cur)))
    out += _vat_table([(row.rate_bp, row.vat, row.net, row.gross) for row in sale.vat], cur)
    out += _fiscal_lines(settings, sale.control_code, electronic)
    out += ["", _center("Tack för besöket!")]
    return "\n".join(out) + "\n"


def _quantity_detail(line: LinePublic, cur: str) -> str:
    """"0,734 kg x 24,95/kg" or "2 x 16,95"; nothing for one piece."""
    if line.weight_g is not None:
        kg = f"{line.weight_g // 1000},{line.weight_g % 1000:03d} kg"
        return f"{kg} x {format_amount(line.unit_price, cur)}/kg"
    if line.quantity != 1:
        return f"{line.quantity} x {format_amount(line.unit_price, cur)}"
    return ""


def _refund_vat(refund: RefundPublic) -> list[tuple[int, int, int, int]]:
    """(rate, vat, net, gross) per VAT rate of a refund, negative: money going back."""
    rates: dict[int, list[int]] = {}
    for line in refund.lines:
        r = rates.setdefault(line.vat_rate_bp, [0, 0])
        r[0] += line.vat
        r[1] += line.amount
    return [(rate, -vat, -(gross - vat), -gross)
            for rate, (vat, gross) in sorted(rates.items(), reverse=True)]


def _vat_table(rows: list[tuple[int, int, int, int]], cur: str) -> list[str]:
    out = ["", f"{'Moms':<10}{'Moms':>10}{'Netto':>11}{'Brutto':>11}"]
    for rate, vat, net, gross in rows:
        out.append(f"{_rate(rate):<10}{format_amount(vat, cur):>10}"
                   f"{format_amount(net, cur):>11}{format_amount(gross, cur):>11}")
    return out


def render_refund(refund: RefundPublic, settings: Settings, cashier: str, copy: bool = False,
                  electronic: bool = False) -> str:
    """The return receipt: what came back, VAT per rate and how the money was paid back."""
    cur = refund.currency
    out = _header(settings, refund.lane_id, refund.receipt_no, cashier, refund.created_at,
                  "RETURKVITTO", _markings(copy, False))
    out.append(f"Retur av kvitto nr {refund.sale_lane_id}-{refund.sale_receipt_no or 0:06d}")
    for line in refund.lines:
        out.append(_row(f"{line.quantity} x {line.name}", format_amount(-line.amount, cur)))
    out.append("-" * WIDTH)
    out.append(_row("ÅTERBETALT", f"{format_amount(-refund.total, cur)} {cur}"))
    for tender in refund.tenders:
        if tender.rounding:
            out.append(_row("Öresavrundning", format_amount(-tender.rounding, cur)))
        name = _TENDER_NAMES.get(tender.method, tender.method)
        out.append(_row(name, format_amount(-tender.paid_out, cur)))
    out += _vat_table(_refund_vat(refund), cur)
    if refund.reason:
        out += ["", f"Orsak: {refund.reason}"]
    out += _fiscal_lines(settings, refund.control_code, electronic)
    return "\n".join(out) + "\n"


def render_proforma(cart: SalePublic, settings: Settings) -> str:
    """A slip of the cart before payment, marked as not being a receipt (EJ KVITTO)."""
    cur = cart.currency
    out = [_center(settings.store_name), _center(settings.store_address),
           _center(f"Org.nr {settings.store_org_number}"), "",
           _center("*** EJ KVITTO ***"), _center("Pro forma"),
           _row(f"Kassa {cart.lane_id}", _local_time(settings, None)), "-" * WIDTH]
    for line in cart.lines:
        if not line.voided:
            out.append(_row(line.name, format_amount(line.net, cur)))
    out += ["-" * WIDTH, _row("SUMMA", f"{format_amount(cart.total, cur)} {cur}")]
    out += _vat_table([(row.rate_bp, row.vat, row.net, row.gross) for row in cart.vat], cur)
    out += ["", _center("*** EJ KVITTO ***")]
    return "\n".join(out) + "\n"


def _local_time(settings: Settings, at: datetime | None) -> str:
    local = (at or datetime.now().astimezone()).astimezone(ZoneInfo(settings.timezone))
    return local.strftime("%Y-%m-%d %H:%M")


def _store_lines(settings: Settings) -> tuple[str, ...]:
    return (settings.store_name, settings.store_address, f"Org.nr {settings.store_org_number}")


def _fiscal_footer(settings: Settings, control_code: str | None) -> tuple[str, ...]:
    serial = device_serial(settings)
    if not serial:
        return ()
    return (f"Kontrollenhet: {serial}",
            f"Kontrollkod: {control_code or 'SAKNAS (enheten svarade inte)'}")


def sale_document(sale: SalePublic, settings: Settings, cashier: str, *, copy: bool = False,
                  qr_url: str = "", terminal_lines: tuple[str, ...] = ()) -> doc.Receipt:
    """The sale receipt as a printer-neutral document (the same facts as `render_sale`)."""
    cur = sale.currency
    items = []
    for line in sale.lines:
        if line.voided:
            continue
        detail = _quantity_detail(line, cur)
        if line.price_overridden:
            detail = f"{detail} (pris ändrat)".strip()
        items.append(doc.ItemLine(
            line.name, format_amount(line.gross, cur), detail,
            format_amount(-line.line_discount, cur) if line.line_discount else ""))
    totals = []
    cart_discount = sum(line.cart_discount_share for line in sale.lines)
    if cart_discount:
        totals.append(doc.Row("Rabatt på köpet", format_amount(-cart_discount, cur)))
    totals.append(doc.Row("ATT BETALA", f"{format_amount(sale.total, cur)} {cur}", bold=True))
    tenders = tuple(
        doc.Tender(_TENDER_NAMES.get(t.method, t.method),
                   format_amount(t.tendered if t.method == "cash" else t.amount, cur),
                   t.reference if t.method != "cash" and t.reference else "")
        for t in sale.tenders)
    return doc.Receipt(
        store_lines=_store_lines(settings), title="KVITTO",
        markings=_markings(copy, sale.training),
        register=sale.lane_id, receipt_no=f"{sale.lane_id}-{sale.receipt_no or 0:06d}",
        cashier=cashier, time=_local_time(settings, sale.completed_at), items=tuple(items),
        totals=tuple(totals),
        rounding=format_amount(sale.rounding, cur) if sale.rounding else "",
        tenders=tenders, change=format_amount(sale.change, cur) if sale.change else "",
        vat=tuple(doc.VatRow(_rate(r.rate_bp), format_amount(r.vat, cur),
                             format_amount(r.net, cur), format_amount(r.gross, cur))
                  for r in sale.vat),
        terminal_lines=terminal_lines,
        footer_lines=(*_fiscal_footer(settings, sale.control_code), "Tack för besöket!"),
        qr_url=qr_url)


def refund_document(refund: RefundPublic, settings: Settings, cashier: str, *,
                    copy: bool = False) -> doc.Receipt:
    """The return receipt as a printer-neutral document (the same facts as `render_refund`)."""
    cur = refund.currency
    return doc.Receipt(
        store_lines=_store_lines(settings), title="RETURKVITTO",
        markings=_markings(copy, False), register=refund.lane_id,
        receipt_no=f"{refund.lane_id}-{refund.receipt_no:06d}", cashier=cashier,
        time=_local_time(settings, refund.created_at),
        info_lines=(f"Retur av kvitto nr {refund.sale_lane_id}-"
                    f"{refund.sale_receipt_no or 0:06d}",),
        items=tuple(doc.ItemLine(line.name, format_amount(-line.amount, cur),
                                 f"{line.quantity} st") for line in refund.lines),
        totals=(doc.Row("ÅTERBETALT", f"{format_amount(-refund.total, cur)} {cur}", bold=True),),
        rounding=format_amount(-sum(t.rounding for t in refund.tenders), cur)
        if any(t.rounding for t in refund.tenders) else "",
        tenders=tuple(doc.Tender(_TENDER_NAMES.get(t.method, t.method),
                                 format_amount(-t.paid_out, cur)) for t in refund.tenders),
        vat=tuple(doc.VatRow(_rate(rate), format_amount(vat, cur), format_amount(net, cur),
                             format_amount(gross, cur))
                  for rate, vat, net, gross in _refund_vat(refund)),
        footer_lines=((f"Orsak: {refund.reason}",) if refund.reason else ())
        + _fiscal_footer(settings, refund.control_code))
