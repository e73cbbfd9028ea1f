"""Cart arithmetic: line amounts, discounts, VAT per rate. Pure functions over sale rows."""

from __future__ import annotations

from collections import defaultdict

from hub.models import Sale, SaleLine, Tender
from hub.models.sale import LinePublic, SalePublic, TenderPublic, VatRow
from hub.money import allocate, div_half_up, percent_of, vat_included
from hub.services.errors import Invalid

DISCOUNT_KINDS = ("percent", "amount")


def discount_amount(base: int, kind: str | None, value: int) -> int:
    """The discount in minor units: 'percent' in basis points, or a fixed 'amount'; never > base."""
    if kind is None or value == 0:
        return 0
    if kind == "percent":
        return min(base, percent_of(base, value))
    if kind == "amount":
        return min(base, value)
    raise Invalid(f"A discount is 'percent' (basis points) or 'amount', not '{kind}'.")


def line_gross(line: SaleLine) -> int:
    """Price times quantity, or price per kg times weight (half-up to the minor unit)."""
    if line.weight_g is not None:
        return div_half_up(line.unit_price * line.weight_g, 1000)
    return line.unit_price * line.quantity


def recompute(sale: Sale, lines: list[SaleLine]) -> None:
    """Refresh every line's amounts and the sale total after any change."""
    active = [line for line in lines if not line.voided]
    for line in lines:
        line.gross = line_gross(line)
        line.line_discount = discount_amount(line.gross, line.discount_kind, line.discount_value)
        if line.voided:
            line.cart_discount_share = 0
            line.net = 0
            line.vat = 0
    bases = [line.gross - line.line_discount for line in active]
    cart_discount = discount_amount(sum(bases), sale.cart_discount_kind, sale.cart_discount_value)
    for line, base, share in zip(active, bases, allocate(cart_discount, bases), strict=True):
        line.cart_discount_share = share
        line.net = base - share
        line.vat = vat_included(line.net, line.vat_rate_bp)
    sale.total = sum(line.net for line in active)


def vat_rows(lines: list[SaleLine]) -> list[VatRow]:
    """VAT per rate: the sums of the lines' own (half-up) VAT, highest rate first."""
    gross: dict[int, int] = defaultdict(int)
    vat: dict[int, int] = defaultdict(int)
    for line in lines:
        if not line.voided:
            gross[line.vat_rate_bp] += line.net
            vat[line.vat_rate_bp] += line.vat
    return [
        VatRow(rate_bp=rate, gross=gross[rate], vat=vat[rate], net=gross[rate] - vat[rate])
        for rate in sorted(gross, reverse=True)
    ]


def to_public(sale: Sale, lines: list[SaleLine], tenders: list[Tender]) -> SalePublic:
    """The client-facing picture of a sale."""
    paid = sum(t.amount for t in tenders)
    active = [line for line in lines if not line.voided]
    return SalePublic(
        id=sale.id,
        lane_id=sale.lane_id,
        status=sale.status,
        currency=sale.currency,
        receipt_no=sale.receipt_no,
        cashier_id=sale.cashier_id,
        version=sale.version,
        lines=[LinePublic.model_validate(line, from_attributes=True) for line in lines],
        tenders=[TenderPublic.model_validate(t, from_attributes=True) for t in tenders],
        cart_discount_kind=sale.cart_discount_kind,
        cart_discount_value=sale.cart_discount_value,
        discount_total=sum(line.line_discount + line.cart_discount_share for line in active),
        total=sale.total,
        paid=paid,
        due=sale.total - paid,
        rounding=sale.rounding,
        change=sale.change,
        vat=vat_rows(lines),
        age_check_required=None if sale.age_checked_by else max(
            (line.age_limit or 0 for line in active), default=0) or None,
        training=sale.training,
        control_code=sale.control_code,
        created_at=sale.created_at,
        completed_at=sale.completed_at,
    )
