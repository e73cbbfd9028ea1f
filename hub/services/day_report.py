"""X and Z day reports of a register (SKVFS 2014:9), from SQL sums over the period since the
register's last Z report. A Z report closes that period: numbered without gaps, journaled, and
kept in a table the database will not let anyone change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from hub.models import (
    CashMovement,
    DayReport,
    Refund,
    RefundLine,
    RefundTender,
    RegisterEvent,
    Sale,
    SaleLine,
    Tender,
)
from hub.models.base import utcnow
from hub.models.fiscal import CountAmount, DayReportFigures, GroupTotal, VatTotal
from hub.services import journal
from hub.services.auth import Actor
from hub.services.context import Shop
from hub.services.errors import Conflict, NotFound
from hub.services.fiscal import device_text, record
from hub.services.sale import current_cart, get_lane

TITLES = {"X": "X-dagrapport", "Z": "Z-dagrapport"}


def last_z(session: Session, lane_id: str) -> DayReport | None:
    """The register's latest Z report."""
    return session.exec(select(DayReport).where(DayReport.lane_id == lane_id)
                        .order_by(col(DayReport.z_no).desc()).limit(1)).first()


def _in(column: Any, start: datetime | None, end: datetime) -> list[Any]:
    """Rows of the period: after the last Z report, up to and including `end`."""
    where = [column <= end]
    if start is not None:
        where.append(column > start)
    return where


def _count_amount(row: Any) -> CountAmount:
    return CountAmount(count=int(row[0] or 0), amount=int(row[1] or 0))


def _vat(rows: list[Any]) -> list[VatTotal]:
    return [VatTotal(rate_bp=int(rate), gross=int(gross), vat=int(vat), net=int(gross) - int(vat))
            for rate, gross, vat in sorted(rows, key=lambda row: -row[0])]


def _groups(rows: list[Any]) -> list[GroupTotal]:
    return [GroupTotal(name=name or "Övrigt", count=int(count), amount=int(amount))
            for name, count, amount in rows]


def build(session: Session, shop: Shop, lane_id: str, kind: str, *, z_no: int | None,
          end: datetime) -> DayReportFigures:
    """Every figure of the register's period that ends at `end` (since its last Z report)."""
    previous = last_z(session, lane_id)
    start = previous.period_end if previous else None
    sold = (Sale.lane_id == lane_id, Sale.status == "completed", col(Sale.training).is_(False),
            *_in(col(Sale.completed_at), start, end))
    sales = session.exec(select(func.count(), func.sum(Sale.total), func.sum(Sale.rounding))
                         .where(*sold)).one()
    numbers = session.exec(select(func.min(Sale.receipt_no), func.max(Sale.receipt_no))
                           .where(*sold)).one()
    # One pass over the period's lines, grouped as finely as any figure needs.
    in_sale = (col(SaleLine.voided).is_(False), *sold)
    units = case((col(SaleLine.weight_g).is_not(None), 1), else_=SaleLine.quantity)
    reduction = col(SaleLine.line_discount) + col(SaleLine.cart_discount_share)
    lowered = case((col(SaleLine.list_price) > SaleLine.unit_price,
                    col(SaleLine.list_price) - SaleLine.unit_price), else_=0)
    per_mille = func.coalesce(SaleLine.weight_g, SaleLine.quantity * 1000)
    columns: list[Any] = [
        SaleLine.category, SaleLine.vat_rate_bp, SaleLine.service,
        func.sum(units), func.sum(SaleLine.net), func.sum(SaleLine.vat),
        func.sum(case((reduction > 0, 1), else_=0)), func.sum(reduction),
        func.sum(case((lowered > 0, 1), else_=0)),
        func.sum((lowered * per_mille * 2 + 1000) // 2000),  # half up, whole öre
    ]
    line_rows = session.execute(
        sa_select(*columns).join(Sale, col(Sale.id) == SaleLine.sale_id).where(*in_sale)
        .group_by(col(SaleLine.category), col(SaleLine.vat_rate_bp), col(SaleLine.service))
    ).all()
    groups: dict[str, list[int]] = {}
    vat_sums: dict[int, list[int]] = {}
    kinds = {False: 0, True: 0}
    discounts = [0, 0]
    reductions = [0, 0]
    for category, rate, service, n, net, tax, n_disc, disc, n_low, low in line_rows:
        group = groups.setdefault(category, [0, 0])
        group[0] += int(n)
        group[1] += int(net)
        rate_sums = vat_sums.setdefault(int(rate), [0, 0])
        rate_sums[0] += int(net)
        rate_sums[1] += int(tax)
        kinds[bool(service)] += int(n)
        discounts[0] += int(n_disc)
        discounts[1] += int(disc)
        reductions[0] += int(n_low)
        reductions[1] += int(low)
    payments = session.exec(select(Tender.method, func.count(), func.sum(Tender.amount))
                            .join(Sale, col(Sale.id) == Tender.sale_id).where(*sold)
                            .group_by(Tender.method).order_by(Tender.method)).all()
    training = session.exec(select(func.count(), func.sum(Sale.total)).where(
        Sale.lane_id == lane_id, Sale.status == "completed", col(Sale.training).is_(True),
        *_in(col(Sale.completed_at), start, end))).one()
    abandoned = session.exec(select(func.count(), func.sum(Sale.total)).where(
        Sale.lane_id == lane_id, Sale.status == "cancelled", col(Sale.training).is_(False),
        *_in(col(Sale.completed_at), start, end))).one()

    returned = (Refund.lane_id == lane_id, *_in(col(Refund.created_at), start, end))
    returns = session.exec(select(func.count(), func.sum(Refund.total)).where(*returned)).one()
    return_vat = session.exec(
        select(RefundLine.vat_rate_bp, func.sum(RefundLine.amount), func.sum(RefundLine.vat))
        .join(Refund, col(Refund.id) == RefundLine.refund_id).where(*returned)
        .group_by(col(RefundLine.vat_rate_bp))).all()
    return_payments = session.exec(
        select(RefundTender.method, func.count(), func.sum(RefundTender.amount))
        .join(Refund, col(Refund.id) == RefundTender.refund_id).where(*returned)
        .group_by(RefundTender.method).order_by(RefundTender.method)).all()
    return_rounding = session.exec(
        select(func.sum(RefundTender.rounding))
        .join(Refund, col(Refund.id) == RefundTender.refund_id).where(*returned)).one()

    def events(kind: str) -> CountAmount:
        return _count_amount(session.exec(
            select(func.count(), func.sum(RegisterEvent.amount)).where(
                RegisterEvent.lane_id == lane_id, RegisterEvent.kind == kind,
                *_in(col(RegisterEvent.at), start, end))).one())

    def moved(kind: str) -> CountAmount:
        return _count_amount(session.exec(
            select(func.count(), func.sum(CashMovement.amount)).where(
                CashMovement.lane_id == lane_id, CashMovement.kind == kind,
                *_in(col(CashMovement.created_at), start, end))).one())

    sales_total, returns_total = int(sales[1] or 0), int(returns[1] or 0)
    vat_rows = _vat([(rate, net, tax) for rate, (net, tax) in vat_sums.items()])
    before = previous.figures if previous else {}
    grand_sales = int(before.get("grand_total_sales", 0)) + sales_total
    grand_returns = int(before.get("grand_total_returns", 0)) + returns_total
    settings = shop.settings
    return DayReportFigures(
        kind=kind, z_no=z_no, title=TITLES[kind], company_name=settings.store_name,
        org_number=settings.store_org_number, address=settings.store_address,
        register_id=lane_id, created_at=utcnow(), period_start=start, period_end=end,
        currency=settings.currency, fiscal_device=device_text(shop),
        sales_total=sales_total, sales_net=sales_total - sum(row.vat for row in vat_rows),
        receipts=int(sales[0]), first_receipt_no=numbers[0], last_receipt_no=numbers[1],
        product_groups=_groups([(name, n, net) for name, (n, net) in sorted(groups.items())]),
        vat=vat_rows,
        cash_float=moved("float").amount,
        goods_sold=kinds[False], services_sold=kinds[True],
        drawer_openings=events("drawer_open").count, no_sales=moved("no_sale").count,
        copies=events("copy"), training=_count_amount(training), proforma=events("proforma"),
        price_lookups=events("price_lookup").count,
        payments=_groups(list(payments)), rounding=int(sales[2] or 0),
        returns=_count_amount(returns), return_vat=_vat(list(return_vat)),
        return_payments=_groups(list(return_payments)),
        return_rounding=int(return_rounding or 0),
        discounts=CountAmount(count=discounts[0], amount=discounts[1]),
        other_reductions=CountAmount(count=reductions[0], amount=reductions[1]),
        abandoned=_count_amount(abandoned), pay_ins=moved("pay_in"), pay_outs=moved("pay_out"),
        missing_control_codes=events("control_code_missing").count,
        net_total=sales_total - returns_total, grand_total_sales=grand_sales,
        grand_total_returns=grand_returns, grand_total_net=grand_sales - grand_returns,
    )


def x_report(session: Session, shop: Shop, lane_id: str, actor: Actor) -> DayReportFigures:
    """The register's figures so far today; taking one is journaled, it closes nothing."""
    get_lane(session, lane_id)
    report = build(session, shop, lane_id, "X", z_no=None, end=utcnow())
    record(session, shop, "x_report", lane_id=lane_id, actor=actor, amount=report.sales_total,
           at=report.created_at, returns=report.returns.amount, receipts=report.receipts)
    return report


def close_day(session: Session, shop: Shop, lane_id: str, actor: Actor) -> DayReport:
    """Take the Z report: close the register's day with the next number, in the journal."""
    lane = get_lane(session, lane_id)
    cart = current_cart(session, lane_id)
    if cart is not None and cart.total:
        raise Conflict(f"A sale on lane {lane_id} is not finished: complete or cancel it before "
                       "closing the day.")
    previous = last_z(session, lane_id)
    z_no = previous.z_no + 1 if previous else 1
    end = utcnow()
    figures = build(session, shop, lane.id, "Z", z_no=z_no, end=end)
    payload = figures.model_dump(mode="json")
    entry = journal.append(session, shop.key, "z_report", f"{lane_id}-Z{z_no}", payload)
    report = DayReport(lane_id=lane_id, z_no=z_no, period_start=figures.period_start,
                       period_end=end, created_by=actor.user_id, figures=payload,
                       journal_seq=entry.seq)
    session.add(report)
    session.flush()
    return report


def z_reports(session: Session, lane_id: str | None = None, limit: int = 100) -> list[DayReport]:
    """Z reports, newest first (of one register, or all)."""
    query = select(DayReport).order_by(col(DayReport.period_end).desc()).limit(limit)
    if lane_id is not None:
        query = query.where(DayReport.lane_id == lane_id)
    return list(session.exec(query))


def z_report(session: Session, report_id: int) -> DayReport:
    """One Z report, or a clear error."""
    report = session.get(DayReport, report_id)
    if report is None:
        raise NotFound(f"There is no Z report {report_id}.")
    return report


def figures_of(report: DayReport) -> DayReportFigures:
    """A stored Z report's figures, exactly as they were when the day was closed."""
    return DayReportFigures.model_validate(report.figures)
