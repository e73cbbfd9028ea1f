"""Shifts and cash: float, pay-in, pay-out, no-sale, and the count that closes the shift."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case
from sqlmodel import Session, SQLModel, col, func, select

from hub.models import (
    CashMovement,
    Refund,
    RefundLine,
    RefundTender,
    Sale,
    SaleLine,
    Shift,
    Tender,
    User,
)
from hub.models.base import utcnow
from hub.models.sale import VatRow
from hub.money import format_amount
from hub.services.auth import Actor, approve
from hub.services.context import Shop
from hub.services.delivery import queue_print
from hub.services.errors import Conflict, Invalid
from hub.services.fiscal import record
from hub.services.records import audit, emit, journal_and_emit
from hub.services.sale import current_cart, get_lane, open_shift_of, sale_public

MAX_CASH = 100_000_000_00  # a drawer never holds a hundred million
MAX_DENOMINATION = 100_000  # the largest note in minor units (1 000 kr)


class CashSummary(SQLModel):
    """Where the drawer's cash came from and went to during a shift."""

    float_amount: int
    cash_sales: int  # cash kept for sales, after rounding
    cash_refunds: int  # cash handed back, after rounding
    pay_ins: int
    pay_outs: int
    expected_cash: int


class ShiftPublic(SQLModel):
    """A shift as clients see it."""

    id: int
    lane_id: str
    status: str
    currency: str
    opened_by: int
    opened_at: datetime
    closed_by: int | None
    closed_at: datetime | None
    float_amount: int
    sales_count: int
    cash: CashSummary
    counted_cash: int | None
    over_short: int | None
    counted_detail: dict[str, int] | None


def counted_total(counted: int | None, denominations: dict[str, int] | None) -> int:
    """Cash counted, given as a total or by denomination ({'10000': 3} = three 100-kronor notes)."""
    if denominations:
        total = 0
        for face, pieces in denominations.items():
            if not face.isdigit() or not 0 < int(face) <= MAX_DENOMINATION or pieces < 0:
                raise Invalid(f"'{face}: {pieces}' is not a denomination (in minor units, at "
                              f"most {MAX_DENOMINATION}) and a count of pieces.")
            total += int(face) * pieces
        if counted is not None and counted != total:
            raise Invalid(f"The denominations add up to {total}, not the {counted} given.")
    elif counted is None or counted < 0:
        raise Invalid("Give the cash counted, as a total or by denomination.")
    else:
        total = counted
    if total > MAX_CASH:
        raise Invalid("That is more cash than any drawer holds: count again.")
    return total


def _check_amount(amount: int, what: str) -> None:
    if not 0 < amount <= MAX_CASH:
        raise Invalid(f"{what} must be a positive amount in minor units.")


def cash_summary(session: Session, shift: Shift) -> CashSummary:
    """Expected cash in the drawer: float + cash sales − cash refunds + pay-ins − pay-outs."""
    sales = session.exec(
        select(func.coalesce(func.sum(Tender.amount + Tender.rounding), 0))
        .join(Sale, col(Sale.id) == Tender.sale_id)
        .where(Sale.shift_id == shift.id, Sale.status == "completed",
               col(Sale.training).is_(False), Tender.method == "cash")
    ).one()
    refunds = session.exec(
        select(func.coalesce(func.sum(RefundTender.amount + RefundTender.rounding), 0))
        .join(Refund, col(Refund.id) == RefundTender.refund_id)
        .where(Refund.shift_id == shift.id, RefundTender.method == "cash")
    ).one()

    def moved(kind: str) -> int:
        return int(session.exec(
            select(func.coalesce(func.sum(CashMovement.amount), 0)).where(
                CashMovement.shift_id == shift.id, CashMovement.kind == kind)
        ).one())

    pay_ins, pay_outs = moved("pay_in"), moved("pay_out")
    return CashSummary(
        float_amount=shift.float_amount,
        cash_sales=int(sales),
        cash_refunds=int(refunds),
        pay_ins=pay_ins,
        pay_outs=pay_outs,
        expected_cash=shift.float_amount + int(sales) - int(refunds) + pay_ins - pay_outs,
    )


def shift_public(session: Session, shift: Shift) -> ShiftPublic:
    """The client-facing picture of a shift."""
    sales_count = session.exec(
        select(func.count()).select_from(Sale).where(
            Sale.shift_id == shift.id, Sale.status == "completed", col(Sale.training).is_(False))
    ).one()
    return ShiftPublic(
        id=shift.id or 0, lane_id=shift.lane_id, status=shift.status, currency=shift.currency,
        opened_by=shift.opened_by, opened_at=shift.opened_at, closed_by=shift.closed_by,
        closed_at=shift.closed_at, float_amount=shift.float_amount, sales_count=int(sales_count),
        cash=cash_summary(session, shift), counted_cash=shift.counted_cash,
        over_short=shift.over_short, counted_detail=shift.counted_detail,
    )


def _movement(session: Session, shift: Shift, actor: Actor, kind: str, amount: int,
              reason: str, approved_by: int | None = None) -> None:
    movement = CashMovement(shift_id=shift.id or 0, lane_id=shift.lane_id, kind=kind,
                            amount=amount, reason=reason[:200], user_id=actor.user_id or 0,
                            approved_by=approved_by)
    session.add(movement)
    session.flush()
    emit(session, "cash.moved", {
        "id": movement.id, "shift_id": shift.id, "lane_id": shift.lane_id, "kind": kind,
        "amount": amount, "currency": shift.currency, "reason": movement.reason,
        "user_id": movement.user_id, "approved_by": approved_by,
    }, at=movement.created_at)


def _require_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise Invalid("Log in as a member of staff to handle cash.")
    return actor.user_id


def _require_shift(session: Session, lane_id: str) -> Shift:
    get_lane(session, lane_id)
    shift = open_shift_of(session, lane_id)
    if shift is None:
        raise Conflict(f"Lane {lane_id} has no open shift.")
    return shift


def open_shift(session: Session, shop: Shop, lane_id: str, actor: Actor,
               float_amount: int | None,
               denominations: dict[str, int] | None = None) -> ShiftPublic:
    """Start a shift on a register lane with a counted cash float."""
    user_id = _require_user(actor)
    lane = get_lane(session, lane_id)
    if lane.kind != "register":
        raise Conflict(f"Lane {lane_id} is a {lane.kind}; only registers hold cash shifts.")
    if open_shift_of(session, lane_id) is not None:
        raise Conflict(f"Lane {lane_id} already has an open shift; close it first.")
    amount = counted_total(float_amount, denominations)
    if amount > MAX_CASH:
        raise Invalid("That float is larger than any drawer holds.")
    shift = Shift(lane_id=lane_id, opened_by=user_id, float_amount=amount,
                  currency=shop.settings.currency)
    session.add(shift)
    session.flush()
    _movement(session, shift, actor, "float", amount, "opening float")
    return shift_public(session, shift)


def _cash_move_shift(session: Session, lane_id: str, actor: Actor, amount: int, reason: str,
                     direction: str) -> Shift:
    _require_user(actor)
    _check_amount(amount, f"A pay-{direction}")
    if not reason.strip():
        raise Invalid(f"Say why cash is paid {direction}.")
    return _require_shift(session, lane_id)


def pay_in(session: Session, lane_id: str, actor: Actor, amount: int, reason: str) -> ShiftPublic:
    """Put cash into the drawer (change from the safe, for example)."""
    shift = _cash_move_shift(session, lane_id, actor, amount, reason, "in")
    _movement(session, shift, actor, "pay_in", amount, reason)
    return shift_public(session, shift)


def pay_out(session: Session, lane_id: str, actor: Actor, amount: int, reason: str) -> ShiftPublic:
    """Take cash out of the drawer for a purpose (a delivery paid cash, for example)."""
    shift = _cash_move_shift(session, lane_id, actor, amount, reason, "out")
    expected = cash_summary(session, shift).expected_cash
    if amount > expected:
        raise Conflict(f"The drawer should hold only {format_amount(expected, shift.currency)}; "
                       "pay out less, or count the drawer and close the shift.")
    _movement(session, shift, actor, "pay_out", amount, reason)
    return shift_public(session, shift)


def no_sale(session: Session, shop: Shop, lane_id: str, actor: Actor, reason: str,
            approval: tuple[str, str] | None = None) -> ShiftPublic:
    """Open the drawer without a sale: a manager's decision, always audited."""
    _require_user(actor)
    shift = _require_shift(session, lane_id)
    approver = approve(session, actor, approval, shop.settings, "opening the drawer")
    _movement(session, shift, actor, "no_sale", 0, reason or "no sale", approved_by=approver)
    audit(session, "no_sale", actor, approved_by=approver, lane_id=lane_id, reason=reason)
    record(session, shop, "drawer_open", lane_id=lane_id, actor=actor, reason="no_sale",
           approved_by=approver)
    queue_print(session, shop, lane_id, open_drawer=True)  # the drawer opens off the printer
    return shift_public(session, shift)


def close_shift(session: Session, shop: Shop, lane_id: str, actor: Actor, counted: int | None,
                denominations: dict[str, int] | None = None) -> ShiftPublic:
    """Count the drawer and close: expected vs counted, over/short recorded and journaled."""
    user_id = _require_user(actor)
    shift = _require_shift(session, lane_id)
    cart = current_cart(session, lane_id)
    if cart is not None and sale_public(session, cart).lines:
        raise Conflict("A sale on this lane is not finished: complete or cancel it first.")
    total = counted_total(counted, denominations)
    summary = cash_summary(session, shift)
    shift.status = "closed"
    shift.closed_by = user_id
    shift.closed_at = utcnow()
    shift.expected_cash = summary.expected_cash
    shift.counted_cash = total
    shift.over_short = total - summary.expected_cash
    shift.counted_detail = denominations or None
    session.add(shift)
    session.flush()
    public = shift_public(session, shift)
    journal_and_emit(session, shop.key, "shift.closed", "shift_close",
                     f"{lane_id}-shift-{shift.id}", public.model_dump(mode="json"),
                     shift.closed_at)
    if shift.over_short:
        audit(session, "cash_over_short", actor, lane_id=lane_id, ref=str(shift.id),
              over_short=shift.over_short)
    return public


class TenderTotal(SQLModel):
    """Money taken (or given back) on one kind of tender: how many payments and how much."""

    method: str  # cash|card|card_external|qr|prepaid …
    count: int
    amount: int  # applied to the sales (or owed back), before cash rounding
    rounding: int  # cash rounding on top of the amount (0 for other tenders)


class MovementTotal(SQLModel):
    """Cash moved in or out of the drawer outside a sale: how often and how much."""

    count: int
    amount: int


class ShiftReport(SQLModel):
    """A shift's figures: the X report while it is open, the Z report once it is closed."""

    shift_id: int
    lane_id: str
    status: str
    currency: str
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    float_amount: int
    sales_count: int  # completed sales (receipts)
    first_receipt_no: int | None
    last_receipt_no: int | None
    sales_total: int  # what the customers owed, VAT included, before cash rounding
    discount_total: int
    rounding_total: int  # cash rounding of the sales
    tenders: list[TenderTotal]
    vat: list[VatRow]  # of the sales, per rate
    refunds_count: int
    refunds_total: int
    refund_tenders: list[TenderTotal]
    refund_vat: list[VatRow]
    net_sales: int  # sales minus refunds
    voided_lines: int  # lines taken off sales that were completed
    cancelled_carts: int  # carts abandoned on the lane during the shift
    cancelled_total: int
    pay_ins: MovementTotal
    pay_outs: MovementTotal
    no_sales: int  # drawer openings without a sale
    cash: CashSummary
    expected_cash: int
    counted_cash: int | None
    over_short: int | None
    counted_detail: dict[str, int] | None


def _user_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.display_name if user else f"#{user_id}"


def _vat_rows(rows: list[tuple[int, int, int]]) -> list[VatRow]:
    """(rate, gross, vat) sums → VAT rows, highest rate first."""
    return [VatRow(rate_bp=int(rate), gross=int(gross), vat=int(vat), net=int(gross) - int(vat))
            for rate, gross, vat in sorted(rows, key=lambda row: row[0], reverse=True)]


def _tender_totals(rows: list[tuple[str, int, int, int]]) -> list[TenderTotal]:
    return [TenderTotal(method=method, count=int(count), amount=int(amount),
                        rounding=int(rounding)) for method, count, amount, rounding in rows]


def shift_report(session: Session, shift: Shift) -> ShiftReport:
    """The shift's figures from SQL sums: sales, tenders, VAT, refunds, cash moved, the count."""
    completed = (Sale.shift_id == shift.id, Sale.status == "completed",
                 col(Sale.training).is_(False))
    sales = session.exec(
        select(func.count(), func.coalesce(func.sum(Sale.total), 0),
               func.coalesce(func.sum(Sale.rounding), 0))
        .where(*completed)
    ).one()
    receipts = session.exec(
        select(func.min(Sale.receipt_no), func.max(Sale.receipt_no)).where(*completed)).one()
    tenders = session.exec(
        select(Tender.method, func.count(), func.coalesce(func.sum(Tender.amount), 0),
               func.coalesce(func.sum(Tender.rounding), 0))
        .join(Sale, col(Sale.id) == Tender.sale_id)
        .where(*completed).group_by(Tender.method).order_by(Tender.method)
    ).all()
    sold = (*completed, col(SaleLine.voided).is_(False))
    vat = session.exec(
        select(SaleLine.vat_rate_bp, func.sum(SaleLine.net), func.sum(SaleLine.vat))
        .join(Sale, col(Sale.id) == SaleLine.sale_id)
        .where(*sold).group_by(col(SaleLine.vat_rate_bp))
    ).all()
    lines = session.exec(
        select(func.coalesce(func.sum(case(
                   (col(SaleLine.voided).is_(False),
                    SaleLine.line_discount + SaleLine.cart_discount_share), else_=0)), 0),
               func.coalesce(func.sum(case((col(SaleLine.voided).is_(True), 1), else_=0)), 0))
        .join(Sale, col(Sale.id) == SaleLine.sale_id)
        .where(*completed)
    ).one()
    refunds = session.exec(
        select(func.count(), func.coalesce(func.sum(Refund.total), 0))
        .where(Refund.shift_id == shift.id)
    ).one()
    refund_tenders = session.exec(
        select(RefundTender.method, func.count(), func.coalesce(func.sum(RefundTender.amount), 0),
               func.coalesce(func.sum(RefundTender.rounding), 0))
        .join(Refund, col(Refund.id) == RefundTender.refund_id)
        .where(Refund.shift_id == shift.id)
        .group_by(RefundTender.method).order_by(RefundTender.method)
    ).all()
    refund_vat = session.exec(
        select(RefundLine.vat_rate_bp, func.sum(RefundLine.amount), func.sum(RefundLine.vat))
        .join(Refund, col(Refund.id) == RefundLine.refund_id)
        .where(Refund.shift_id == shift.id).group_by(col(RefundLine.vat_rate_bp))
    ).all()
    # A cancelled cart never gets a shift: it belongs to the shift its lane had when it ended.
    cancelled_query = select(func.count(), func.coalesce(func.sum(Sale.total), 0)).where(
        Sale.lane_id == shift.lane_id, Sale.status == "cancelled",
        col(Sale.completed_at) >= shift.opened_at)
    if shift.closed_at is not None:
        cancelled_query = cancelled_query.where(col(Sale.completed_at) <= shift.closed_at)
    cancelled = session.exec(cancelled_query).one()
    moved = {kind: MovementTotal(count=int(count), amount=int(amount))
             for kind, count, amount in session.exec(
                 select(CashMovement.kind, func.count(),
                        func.coalesce(func.sum(CashMovement.amount), 0))
                 .where(CashMovement.shift_id == shift.id).group_by(CashMovement.kind))}
    none = MovementTotal(count=0, amount=0)
    cash = cash_summary(session, shift)
    return ShiftReport(
        shift_id=shift.id or 0, lane_id=shift.lane_id, status=shift.status,
        currency=shift.currency, opened_at=shift.opened_at,
        opened_by=_user_name(session, shift.opened_by) or "", closed_at=shift.closed_at,
        closed_by=_user_name(session, shift.closed_by), float_amount=shift.float_amount,
        sales_count=int(sales[0]), first_receipt_no=receipts[0], last_receipt_no=receipts[1],
        sales_total=int(sales[1]), discount_total=int(lines[0]), rounding_total=int(sales[2]),
        tenders=_tender_totals(list(tenders)), vat=_vat_rows(list(vat)),
        refunds_count=int(refunds[0]), refunds_total=int(refunds[1]),
        refund_tenders=_tender_totals(list(refund_tenders)), refund_vat=_vat_rows(list(refund_vat)),
        net_sales=int(sales[1]) - int(refunds[1]), voided_lines=int(lines[1]),
        cancelled_carts=int(cancelled[0]), cancelled_total=int(cancelled[1]),
        pay_ins=moved.get("pay_in", none), pay_outs=moved.get("pay_out", none),
        no_sales=moved.get("no_sale", none).count, cash=cash,
        expected_cash=(shift.expected_cash if shift.expected_cash is not None
                       else cash.expected_cash),
        counted_cash=shift.counted_cash, over_short=shift.over_short,
        counted_detail=shift.counted_detail,
    )
