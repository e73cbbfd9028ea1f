"""The manager's dashboard: today's live figures from the database (open carts, stock problems,
in-doubt payments, latest Z and card settlement per register) and the SVG charts of a report."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, col, func, select

from hub.models import Lane, PickupOrder, Product, Sale, SaleLine, SyncRejection
from hub.models.base import utcnow
from hub.models.payment import PaymentPublic
from hub.money import format_amount
from hub.services import analytics, day_report, payment
from hub.services.analytics import Bucket, Summary
from hub.services.errors import NotFound
from sync import charts

CHARTS = ("hour", "channel", "products", "categories", "cashiers")
LIST_LIMIT = 20  # rows of a problem list; the count says how many there are in all
SETTLEMENTS_MISSING = ("Kortavstämning finns inte i den här versionen av hubben ännu "
                       "(hub/services/reconcile.py saknas).")


def kr(amount: int, currency: str = "SEK") -> str:
    """Money as people read it: 123450 → '1 234,50 kr' (other currencies: '1 234,50 EUR')."""
    text = format_amount(amount, currency)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(",")
    groups: list[str] = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    grouped = " ".join([whole, *groups])
    unit = "kr" if currency == "SEK" else currency
    return f"{sign}{grouped}{',' + frac if frac else ''} {unit}"


class CountAmountPublic(SQLModel):
    """How many and how much (minor units)."""

    count: int
    amount: int


class StockProblem(SQLModel):
    """Something about stock the hub knows is wrong, in a sentence."""

    kind: str  # negative | pickup_overdue | sync_rejected
    ref: str
    message: str


class StockProblems(SQLModel):
    """Stock problems: how many of each kind, and the first few."""

    negative: int  # products with less than nothing on hand
    pickups_waiting: int  # pick-up orders reserved or picked, not yet handed over
    pickups_overdue: int  # … whose reservation has run out
    sync_rejected: int  # events central refused
    items: list[StockProblem]


class ZLatest(SQLModel):
    """A register's latest Z report (None: its day was never closed)."""

    id: int
    z_no: int
    period_end: datetime
    sales_total: int
    returns_total: int
    net_total: int
    receipts: int


class SettlementLatest(SQLModel):
    """A lane's latest card-terminal reconciliation."""

    id: int | None
    period_end: datetime
    created_at: datetime | None
    hub_amount: int
    terminal_amount: int
    amount_difference: int
    flagged: bool
    problems: list[str]  # in Swedish


class LaneStatus(SQLModel):
    """One lane on the dashboard: today's sales, open cart, latest Z and card settlement."""

    id: str
    name: str
    kind: str
    training: bool
    sales: int
    amount: int
    open_cart: int  # the amount in the lane's cart now (0: empty)
    latest_z: ZLatest | None
    card_settlement: SettlementLatest | None


class StoreDay(SQLModel):
    """What the database says about the store today."""

    day: date
    timezone: str
    currency: str
    at: datetime
    summary: Summary
    open_carts: CountAmountPublic
    in_doubt: list[PaymentPublic]
    stock: StockProblems
    lanes: list[LaneStatus]
    card_settlements_available: bool
    card_settlements_message: str


def open_carts(session: Session) -> dict[str, int]:
    """Lanes whose cart holds something now → the cart's amount."""
    live = select(SaleLine.sale_id).where(col(SaleLine.voided).is_(False))
    rows = session.exec(select(Sale.lane_id, func.sum(Sale.total)).where(
        Sale.status == "open", col(Sale.id).in_(live)).group_by(col(Sale.lane_id))).all()
    return {lane: int(total or 0) for lane, total in rows}


def stock_problems(session: Session, now: datetime) -> StockProblems:
    """Negative stock, pick-up orders past their reservation, events central refused."""
    items: list[StockProblem] = []
    below = session.exec(select(Product).where(col(Product.on_hand) < 0)
                         .order_by(col(Product.on_hand)).limit(LIST_LIMIT)).all()
    for p in below:
        amount = f"{p.on_hand} g" if p.unit == "kg" else f"{p.on_hand} st"
        items.append(StockProblem(kind="negative", ref=p.sku,
                                  message=f"{p.name} ({p.sku}): {amount} i lager."))
    waiting = (col(PickupOrder.status).in_(("reserved", "picked")),)
    overdue = session.exec(select(PickupOrder).where(
        *waiting, col(PickupOrder.reserved_until) < now)
        .order_by(col(PickupOrder.reserved_until)).limit(LIST_LIMIT)).all()
    for o in overdue:
        items.append(StockProblem(
            kind="pickup_overdue", ref=o.order_id,
            message=f"Hämtorder {o.order_no} ({o.customer_name}) har inte hämtats; "
                    "reservationen har gått ut."))
    rejected = session.exec(select(SyncRejection).order_by(col(SyncRejection.seq).desc())
                            .limit(LIST_LIMIT)).all()
    for r in rejected:
        items.append(StockProblem(kind="sync_rejected", ref=str(r.seq),
                                  message=f"Centralen avvisade händelse {r.seq}: {r.reason}"))

    def count(query: Any) -> int:
        return int(session.exec(query).one())

    return StockProblems(
        negative=count(select(func.count()).select_from(Product).where(col(Product.on_hand) < 0)),
        pickups_waiting=count(select(func.count()).select_from(PickupOrder).where(*waiting)),
        pickups_overdue=count(select(func.count()).select_from(PickupOrder).where(
            *waiting, col(PickupOrder.reserved_until) < now)),
        sync_rejected=count(select(func.count()).select_from(SyncRejection)),
        items=items)


def _latest_z(session: Session, lane_id: str) -> ZLatest | None:
    reports = day_report.z_reports(session, lane_id, limit=1)
    if not reports:
        return None
    report = reports[0]
    figures = day_report.figures_of(report)
    return ZLatest(id=report.id or 0, z_no=report.z_no, period_end=report.period_end,
                   sales_total=figures.sales_total, returns_total=figures.returns.amount,
                   net_total=figures.net_total, receipts=figures.receipts)


def settlements_available() -> bool:
    """Whether this hub has card reconciliation (hub/services/reconcile.py) yet."""
    return importlib.util.find_spec("hub.services.reconcile") is not None


def _latest_settlement(session: Session, lane_id: str) -> SettlementLatest | None:
    from hub.services import reconcile  # optional: see settlements_available

    found = reconcile.list_settlements(session, lane_id, 1)
    if not found:
        return None
    s = found[0]
    return SettlementLatest(id=s.id, period_end=s.period_end, created_at=s.created_at,
                            hub_amount=s.hub_amount, terminal_amount=s.terminal_amount,
                            amount_difference=s.amount_difference, flagged=s.flagged,
                            problems=[p.sv for p in s.problems])


def store_day(session: Session, timezone: str, currency: str,
              now: datetime | None = None) -> StoreDay:
    """Today's figures for the dashboard, all from SQL sums."""
    now = now or utcnow()
    today = analytics.period(timezone, today=now.astimezone(ZoneInfo(timezone)).date())
    per_lane = {r.key: r for r in analytics.sales_by_register(session, today)}
    carts = open_carts(session)
    with_settlements = settlements_available()
    lanes = []
    for lane in session.exec(select(Lane).order_by(col(Lane.kind).desc(), col(Lane.id))).all():
        sold = per_lane.get(lane.id)
        lanes.append(LaneStatus(
            id=lane.id, name=lane.name or lane.id, kind=lane.kind, training=lane.training,
            sales=sold.count if sold else 0, amount=sold.amount if sold else 0,
            open_cart=carts.get(lane.id, 0), latest_z=_latest_z(session, lane.id),
            card_settlement=_latest_settlement(session, lane.id) if with_settlements else None))
    return StoreDay(
        day=today.first_day, timezone=timezone, currency=currency, at=now,
        summary=analytics.summary(session, today),
        open_carts=CountAmountPublic(count=len(carts), amount=sum(carts.values())),
        in_doubt=[payment.public(a) for a in payment.in_doubt(session)],
        stock=stock_problems(session, now), lanes=lanes,
        card_settlements_available=with_settlements,
        card_settlements_message="" if with_settlements else SETTLEMENTS_MISSING)


# --- charts -----------------------------------------------------------------------------------


def _hours(buckets: list[Bucket]) -> list[Bucket]:
    """Opening hours (08–20) and any hour outside them that sold something."""
    sold = [int(b.key) for b in buckets if b.count]
    first, last = min([8, *sold]), max([20, *sold])
    return [b for b in buckets if first <= int(b.key) <= last]


def chart_svg(session: Session, span: analytics.Period, currency: str, name: str) -> str:
    """One of the dashboard's charts of a period as a standalone SVG document (only the
    breakdown that chart needs is summed)."""
    def money(value: int) -> str:
        return kr(value, currency)

    days = (f"{span.first_day}" if span.first_day == span.last_day
            else f"{span.first_day} – {span.last_day}")
    if name == "hour":
        points = [(b.label, b.amount) for b in _hours(analytics.sales_by_hour(session, span))]
        return charts.column_chart(points, title=f"Försäljning per timme, {days}",
                                   format_value=money)
    if name == "channel":
        points = [(b.label, b.amount) for b in analytics.sales_by_channel(session, span)]
        return charts.share_chart(points, title=f"Försäljning per kanal, {days}",
                                  format_value=money)
    if name == "products":
        points = [(b.label, b.amount) for b in analytics.sales_by_product(session, span)]
        return charts.bar_chart(points, title=f"Topp {len(points)} varor, {days}",
                                format_value=money)
    if name == "categories":
        points = [(b.label, b.amount) for b in analytics.sales_by_category(session, span)]
        return charts.bar_chart(points, title=f"Försäljning per varugrupp, {days}",
                                format_value=money)
    if name == "cashiers":
        points = [(c.name, c.amount) for c in analytics.cashier_figures(session, span)]
        return charts.bar_chart(points, title=f"Försäljning per kassör, {days}",
                                format_value=money)
    raise NotFound(f"There is no chart '{name[:40]}'; the charts are {', '.join(CHARTS)}.")
