"""Refunds: give back lines of a completed sale, never more than sold, to the original tender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, SQLModel, col, func, select

from hub.models import (
    PaymentAttempt,
    Product,
    Refund,
    RefundLine,
    RefundTender,
    Sale,
    SaleLine,
    Tender,
)
from hub.money import div_half_up, format_amount, round_cash
from hub.services.auth import Actor, approve
from hub.services.context import Shop
from hub.services.delivery import queue_print
from hub.services.errors import Conflict, Invalid, NotFound
from hub.services.fiscal import record, seal
from hub.services.records import audit, journal_and_emit, move_stock
from hub.services.sale import get_lane, open_shift_of


@dataclass(frozen=True)
class RefundItem:
    """A quantity of one sale line to give back."""

    line_id: int
    quantity: int


class RefundLinePublic(SQLModel):
    """A refunded line as clients see it."""

    sale_line_id: int
    name: str
    sku: str
    quantity: int
    amount: int
    vat: int
    vat_rate_bp: int


class RefundTenderPublic(SQLModel):
    """Money paid back on one tender; cash is handed over rounded."""

    method: str
    amount: int
    rounding: int
    paid_out: int


class RefundPublic(SQLModel):
    """A refund as clients see it."""

    id: str
    sale_id: str
    sale_lane_id: str
    sale_receipt_no: int | None
    lane_id: str
    receipt_no: int
    currency: str
    total: int
    reason: str
    cashier_id: int | None
    approved_by: int | None
    lines: list[RefundLinePublic]
    tenders: list[RefundTenderPublic]
    control_code: str | None = None
    created_at: datetime


def _refunded_so_far(session: Session, line_id: int) -> tuple[int, int, int]:
    row = session.exec(
        select(
            func.coalesce(func.sum(RefundLine.quantity), 0),
            func.coalesce(func.sum(RefundLine.amount), 0),
            func.coalesce(func.sum(RefundLine.vat), 0),
        ).where(RefundLine.sale_line_id == line_id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _tender_refunded(session: Session, tender_id: int) -> tuple[int, int]:
    """What was refunded on a tender so far: (amount owed back, amount actually paid out)."""
    row = session.exec(
        select(func.coalesce(func.sum(RefundTender.amount), 0),
               func.coalesce(func.sum(RefundTender.amount + RefundTender.rounding), 0))
        .where(RefundTender.tender_id == tender_id)
    ).one()
    return int(row[0]), int(row[1])


def refund_public(session: Session, refund: Refund) -> RefundPublic:
    """The client-facing picture of a refund."""
    sale = session.get(Sale, refund.sale_id)
    lines = session.exec(select(RefundLine).where(RefundLine.refund_id == refund.id)).all()
    tenders = session.exec(select(RefundTender).where(RefundTender.refund_id == refund.id)).all()
    sold = {line.id: line for line in session.exec(
        select(SaleLine).where(SaleLine.sale_id == refund.sale_id))}
    return RefundPublic(
        id=refund.id,
        sale_id=refund.sale_id,
        sale_lane_id=sale.lane_id if sale else "",
        sale_receipt_no=sale.receipt_no if sale else None,
        lane_id=refund.lane_id,
        receipt_no=refund.receipt_no,
        currency=refund.currency,
        total=refund.total,
        reason=refund.reason,
        cashier_id=refund.cashier_id,
        approved_by=refund.approved_by,
        control_code=refund.control_code,
        lines=[
            RefundLinePublic(
                sale_line_id=rl.sale_line_id,
                name=sold[rl.sale_line_id].name,
                sku=sold[rl.sale_line_id].sku,
                quantity=rl.quantity,
                amount=rl.amount,
                vat=rl.vat,
                vat_rate_bp=rl.vat_rate_bp,
            )
            for rl in lines
        ],
        tenders=[
            RefundTenderPublic(
                method=t.method, amount=t.amount, rounding=t.rounding,
                paid_out=t.amount + t.rounding,
            )
            for t in tenders
        ],
        created_at=refund.created_at,
    )


class CardRefundNeeded(Conflict):
    """This refund owes money back on a card: credit it on the card reader, then try again."""

    def __init__(self, amount: int, currency: str) -> None:
        super().__init__(f"{format_amount(amount, currency)} goes back on the card: the card "
                         "reader must refund it first.", amount=amount)
        self.amount = amount


def _card_credit(session: Session, sale: Sale, amount: int,
                 credit_id: str | None) -> PaymentAttempt:
    """The approved card credit that pays this refund, not yet used by another refund."""
    used = set(session.exec(select(RefundTender.payment_id).where(
        col(RefundTender.payment_id).is_not(None))))
    query = select(PaymentAttempt).where(
        PaymentAttempt.sale_id == sale.id, PaymentAttempt.kind == "credit",
        PaymentAttempt.status == "approved", PaymentAttempt.amount == amount)
    if credit_id is not None:
        query = query.where(PaymentAttempt.id == credit_id)
    for attempt in session.exec(query):
        if attempt.id not in used:
            return attempt
    raise CardRefundNeeded(amount, sale.currency)


def _vat_by_rate(planned: list[tuple[SaleLine, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """(rate, VAT, net, gross) per rate of the lines being returned."""
    rates: dict[int, tuple[int, int]] = {}
    for line, _, amount, vat in planned:
        gross, tax = rates.get(line.vat_rate_bp, (0, 0))
        rates[line.vat_rate_bp] = (gross + amount, tax + vat)
    return [(rate, tax, gross - tax, gross) for rate, (gross, tax) in sorted(rates.items())]


def refund_lines(
    session: Session,
    shop: Shop,
    sale_id: str,
    lane_id: str,
    actor: Actor,
    items: list[RefundItem],
    reason: str = "",
    approval: tuple[str, str] | None = None,
    request_id: str | None = None,
    card_credit_id: str | None = None,
) -> RefundPublic:
    """Give back some lines of a completed sale; restock them; pay back on the original tender.

    Money owed back on a card the hub charged goes back through the card reader first: without
    an approved credit on the terminal this raises CardRefundNeeded with the amount.
    """
    if request_id is not None:
        done = session.exec(select(Refund).where(Refund.request_id == request_id)).first()
        if done is not None:
            return refund_public(session, done)
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise NotFound(f"There is no sale {sale_id}.")
    if sale.status != "completed":
        raise Conflict("Only a completed sale can be refunded.")
    if sale.training:
        raise Conflict("A training receipt took no real money: it cannot be returned.")
    if not items:
        raise Invalid("Choose at least one line to refund.")
    lane = get_lane(session, lane_id)
    seen: set[int] = set()
    planned: list[tuple[SaleLine, int, int, int]] = []
    for item in items:
        if item.line_id in seen:
            raise Invalid(f"Line {item.line_id} is listed twice; give its total quantity once.")
        seen.add(item.line_id)
        line = session.get(SaleLine, item.line_id)
        if line is None or line.sale_id != sale.id or line.voided:
            raise NotFound(f"Line {item.line_id} is not a sold line of this sale.")
        done_qty, done_amount, done_vat = _refunded_so_far(session, item.line_id)
        left = line.quantity - done_qty
        if item.quantity < 1:
            raise Invalid("A refund quantity is at least 1.")
        if item.quantity > left:
            raise Conflict(
                f"{line.name}: {line.quantity} sold, {done_qty} already refunded; "
                f"at most {left} can be refunded.",
                line_id=line.id, refundable=left,
            )
        if done_qty + item.quantity == line.quantity:  # the last units take what is left
            amount, vat = line.net - done_amount, line.vat - done_vat
        else:
            amount = div_half_up(line.net * item.quantity, line.quantity)
            vat = div_half_up(line.vat * item.quantity, line.quantity)
        planned.append((line, item.quantity, amount, vat))
    total = sum(p[2] for p in planned)

    approved_by = None
    refunded_before = int(session.exec(
        select(func.coalesce(func.sum(Refund.total), 0)).where(Refund.sale_id == sale.id)).one())
    if refunded_before + total > shop.settings.refund_approval_minor:  # splitting doesn't help
        approved_by = approve(
            session, actor, approval, shop.settings,
            f"a refund of {format_amount(total, sale.currency)}",
        )

    # Back to the original tenders: cards first (exact), then cash (rounded when handed over).
    tenders = list(session.exec(select(Tender).where(Tender.sale_id == sale.id)))
    tenders.sort(key=lambda t: (t.method == "cash", t.id))
    plan: list[tuple[Tender, int, int]] = []
    left_to_pay = total
    for tender in tenders:
        owed_before, paid_before = _tender_refunded(session, tender.id or 0)
        share = min(tender.amount - owed_before, left_to_pay)
        if share <= 0:
            continue
        rounding = 0
        if tender.method == "cash":  # round what was refunded in all, not each refund alone
            step = shop.settings.cash_step(sale.currency)
            rounding = round_cash(owed_before + share, step) - paid_before - share
        plan.append((tender, share, rounding))
        left_to_pay -= share
    if left_to_pay:
        raise Conflict("The sale's tenders cannot cover this refund; it was refunded already.")
    shift = open_shift_of(session, lane_id)
    if any(t.method == "cash" for t, _, _ in plan) and lane.kind == "register" and shift is None:
        raise Conflict(f"Lane {lane_id} has no open shift to pay cash out of.")
    card_amount = sum(share for t, share, _ in plan if t.method == "card")
    credit = (_card_credit(session, sale, card_amount, card_credit_id) if card_amount
              else None)

    lane.last_receipt_no += 1
    session.add(lane)
    refund = Refund(
        sale_id=sale.id, lane_id=lane_id, receipt_no=lane.last_receipt_no, currency=sale.currency,
        cashier_id=actor.user_id, approved_by=approved_by, shift_id=shift.id if shift else None,
        total=total, reason=reason[:200], request_id=request_id,
    )
    session.add(refund)
    session.flush()
    for line, quantity, amount, vat in planned:
        session.add(RefundLine(refund_id=refund.id, sale_line_id=line.id or 0, quantity=quantity,
                               amount=amount, vat=vat, vat_rate_bp=line.vat_rate_bp))
    for tender, share, rounding in plan:
        session.add(RefundTender(refund_id=refund.id, tender_id=tender.id or 0,
                                 method=tender.method, amount=share, rounding=rounding,
                                 payment_id=credit.id if credit and tender.method == "card"
                                 else None))
    session.flush()
    moves = []
    for line, quantity, _, _ in planned:
        product = session.get(Product, line.product_id)
        assert product is not None
        moves.append((line.product_id, product.sku,
                      line.weight_g if line.weight_g is not None else quantity))
    move_stock(session, moves, "refund", refund.id)
    seal(session, shop, refund, kind="return",
         vat=[(rate, vat) for rate, vat, _, _ in _vat_by_rate(planned)],
         cash_only=all(t.method == "cash" for t, _, _ in plan))
    public = refund_public(session, refund)
    audit(session, "refund", actor, approved_by=approved_by, lane_id=lane_id, ref=refund.id,
          sale_id=sale.id, total=total)
    journal_and_emit(session, shop.key, "refund.completed", "refund",
                     f"{lane_id}-{refund.receipt_no}", public.model_dump(mode="json"),
                     refund.created_at)
    cash = any(t.method == "cash" for t in public.tenders)
    if cash:
        record(session, shop, "drawer_open", lane_id=lane_id, actor=actor, ref=refund.id,
               reason="refund", signed=False)
    queue_print(session, shop, lane_id, refund_id=refund.id, open_drawer=cash)
    return public

