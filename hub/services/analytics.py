"""The store manager's breakdowns of a period: sales per hour, channel, product, category,
cashier and register, each from SQL sums (GROUP BY in SQLite), and the cashiers whose refunds,
voids, discounts or no-sales stand out from the rest of the store."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, func, select

from hub.models import CashMovement, Lane, Refund, Sale, SalesDay, SalesHour, User
from hub.models.fiscal import CountAmount
from hub.money import div_half_up
from hub.services.errors import Invalid

MAX_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)  # keeps date arithmetic in range
SELF_SERVICE = "självbetjäning"
OTHER_CATEGORY = "Övrigt"
CHANNELS = ("kassa", "kiosk", "mobil", "hämtning")

# The anomaly rule (see `unusual_rate`): shown to managers in docs/manager.md.
FLAG_FACTOR = 3.0  # more than this many times the other cashiers' median rate …
FLAG_MIN_EVENTS = 3  # … and at least this many events, so one refund never flags anyone
FLAG_MIN_SALES = 5  # a cashier needs this many sales to count towards the store's median
FLAG_FLOOR_PER_100 = 1.0  # a median below this (per 100 sales) counts as this
FLAG_WORDS = {  # metric → how a manager says it (plural: a flag needs ≥ FLAG_MIN_EVENTS)
    "refunds": "returer",
    "voids": "makulerade rader",
    "discounts": "rabatter",
    "no_sales": "lådöppningar utan köp",
}


# --- the period -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days, first to last, as a half-open UTC interval [start, end)."""

    first_day: date
    last_day: date
    timezone: str
    start: datetime
    end: datetime

    @property
    def zone(self) -> ZoneInfo:
        """The store's timezone."""
        return ZoneInfo(self.timezone)


def period(timezone: str, first: date | None = None, last: date | None = None,
           today: date | None = None) -> Period:
    """The days asked for (default: today in the store's timezone), or a clear error."""
    zone = ZoneInfo(timezone)
    today = today or datetime.now(zone).date()
    if first is None and last is None:
        first = last = today
    elif last is None:
        last = max(first or today, today)
    elif first is None:
        first = last
    assert first is not None and last is not None
    if first < EARLIEST or last > LATEST:
        raise Invalid(f"Dates must lie between {EARLIEST} and {LATEST}.")
    if first > last:
        raise Invalid(f"'from' ({first}) is after 'to' ({last}): swap them.")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"A report covers at most {MAX_DAYS} days; "
                      f"{first}–{last} is {(last - first).days + 1}.")

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)

    return Period(first, last, timezone, midnight(first), midnight(last + timedelta(days=1)))


# --- what the report holds --------------------------------------------------------------------


class Summary(SQLModel):
    """The period's takings in a few figures (sales are VAT included, after discounts)."""

    sales: int  # completed sales (receipts)
    amount: int
    average: int  # per sale
    refunds: CountAmount
    net: int  # sales − refunds
    discounts: int
    abandoned: CountAmount  # carts given up on


class Bucket(SQLModel):
    """Sales of one slice (an hour, a channel, a category …)."""

    key: str
    label: str
    count: int  # sales (per hour, channel, register, cashier) or units (product, category)
    amount: int


class RegisterFigures(Bucket):
    """One lane: its sales and what was given back at it."""

    kind: str
    refunds: CountAmount


class CashierFigures(SQLModel):
    """What one member of staff (or self-service) did in the period."""

    user_id: int | None
    name: str
    self_service: bool
    sales: int
    amount: int
    refunds: CountAmount
    voided_lines: int  # lines taken off sales that were then completed
    discounts: CountAmount  # discounted lines, and what they took off
    price_overrides: CountAmount  # lines sold at another price, and how much below the list
    no_sales: int  # drawer openings without a sale
    abandoned: CountAmount  # carts given up on
    flags: list[str]  # the metrics flagged (keys of FLAG_WORDS)


class Flag(SQLModel):
    """A cashier whose rate of something stands out, in a sentence a manager understands."""

    user_id: int | None
    name: str
    metric: str  # refunds | voids | discounts | no_sales
    count: int
    sales: int
    rate: float | None  # per 100 sales (None: no sales of their own)
    store_median: float  # the other cashiers' median rate per 100 sales
    message: str


class SalesReport(SQLModel):
    """Every breakdown of a period, and the flags."""

    first_day: date
    last_day: date
    timezone: str
    currency: str
    summary: Summary
    hours: list[Bucket]  # 0–23, local time, summed over the days
    channels: list[Bucket]
    products: list[Bucket]  # top N by amount
    categories: list[Bucket]
    registers: list[RegisterFigures]
    cashiers: list[CashierFigures]
    flags: list[Flag]


# --- the rule ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """Why a count was flagged: its rate and the store's median rate, per 100 sales."""

    rate: float | None  # None: events without a single sale of one's own
    median: float


def unusual_rate(count: int, sales: int, others: Sequence[tuple[int, int]]) -> Verdict | None:
    """The anomaly rule: flag `count` events on `sales` sales when there are at least
    FLAG_MIN_EVENTS of them and their rate per 100 sales is more than FLAG_FACTOR times the
    median rate of the *other* cashiers with at least FLAG_MIN_SALES sales (a median under
    FLAG_FLOOR_PER_100 counts as that floor; with nobody to compare, the floor is the median).
    Events with no sales at all are flagged once there are FLAG_MIN_EVENTS of them."""
    peers = [100 * n / s for s, n in others if s >= FLAG_MIN_SALES]
    median = statistics.median(peers) if peers else 0.0
    if count < FLAG_MIN_EVENTS:
        return None
    if sales <= 0:
        return Verdict(None, median)
    rate = 100 * count / sales
    return Verdict(rate, median) if rate > FLAG_FACTOR * max(median, FLAG_FLOOR_PER_100) else None


def _decimal(value: float) -> str:
    """1 decimal, Swedish comma, no trailing ',0'."""
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def flag_message(name: str, metric: str, count: int, sales: int, verdict: Verdict) -> str:
    """The flag in Swedish: 'Erik: 6 returer på 40 köp – 3,5 gånger butikens mittvärde'."""
    what = f"{name}: {count} {FLAG_WORDS[metric]}"
    if verdict.rate is None:
        return f"{what} utan ett enda eget köp."
    if verdict.median > 0:
        return (f"{what} på {sales} köp – {_decimal(verdict.rate / verdict.median)} gånger "
                f"butikens mittvärde ({_decimal(verdict.median)} per 100 köp).")
    return (f"{what} på {sales} köp ({_decimal(verdict.rate)} per 100 köp) – butikens "
            "mittvärde är 0.")


def _metric_counts(row: CashierFigures) -> dict[str, int]:
    return {"refunds": row.refunds.count, "voids": row.voided_lines,
            "discounts": row.discounts.count, "no_sales": row.no_sales}


def flag_cashiers(cashiers: list[CashierFigures]) -> list[Flag]:
    """Apply the rule to every person (not self-service) and every metric; marks the rows."""
    people = [c for c in cashiers if not c.self_service]
    flags = []
    for row in people:
        for metric, count in _metric_counts(row).items():
            others = [(o.sales, _metric_counts(o)[metric]) for o in people if o is not row]
            verdict = unusual_rate(count, row.sales, others)
            if verdict is None:
                continue
            row.flags.append(metric)
            flags.append(Flag(user_id=row.user_id, name=row.name, metric=metric, count=count,
                              sales=row.sales, rate=verdict.rate, store_median=verdict.median,
                              message=flag_message(row.name, metric, count, row.sales, verdict)))
    return flags


# --- the sums ---------------------------------------------------------------------------------


def _ca(row: Any) -> CountAmount:
    return CountAmount(count=int(row[0] or 0), amount=int(row[1] or 0))


def _hour_sums(session: Session, p: Period, key: Any) -> dict[Any, tuple[int, int]]:
    """Sales and amount per `key` of the hourly sums (hub/services/rollup.py) in the period."""
    day = col(SalesHour.day)
    rows = session.exec(select(key, func.sum(SalesHour.sales), func.sum(SalesHour.amount))
                        .where(day >= p.first_day, day <= p.last_day).group_by(key)).all()
    return {k: (int(n or 0), int(total or 0)) for k, n, total in rows}


def sales_by_hour(session: Session, p: Period) -> list[Bucket]:
    """Sales per local hour of day (the hour is the store's, taken when the sale completed)."""
    found = _hour_sums(session, p, col(SalesHour.hour))
    return [Bucket(key=f"{h:02d}", label=f"{h:02d}", count=found.get(h, (0, 0))[0],
                   amount=found.get(h, (0, 0))[1]) for h in range(24)]


def sales_by_channel(session: Session, p: Period) -> list[Bucket]:
    """Register lanes, kiosks, phones, and pick-up hand-overs (paid online: a prepaid tender)."""
    found = _hour_sums(session, p, col(SalesHour.channel))
    return [Bucket(key=name, label=name, count=found.get(name, (0, 0))[0],
                   amount=found.get(name, (0, 0))[1]) for name in CHANNELS]


@dataclass(frozen=True)
class LineSums:
    """The period's sold lines summed per member of staff, product and product group: the one
    pass over the lines that every line-based figure is made from."""

    cashier_id: int | None
    product_id: int
    name: str
    category: str
    voided: int  # lines taken off completed sales
    units: int  # a weighed line counts once
    amount: int
    discounted: int  # lines with a discount
    discount: int
    overridden: int  # lines sold at an overridden price
    below_list: int  # what the overrides took off the list price


def line_sums(session: Session, p: Period) -> list[LineSums]:
    """The period's lines by cashier, product and group, from the daily sums the sale path
    keeps (hub/services/rollup.py): thousands of rows however many lines were sold."""
    day = col(SalesDay.day)
    columns: list[Any] = [
        SalesDay.cashier_id, SalesDay.product_id, func.max(SalesDay.name), SalesDay.category,
        func.sum(SalesDay.voided), func.sum(SalesDay.units), func.sum(SalesDay.amount),
        func.sum(SalesDay.discounted), func.sum(SalesDay.discount),
        func.sum(SalesDay.overridden), func.sum(SalesDay.below_list),
    ]
    rows = session.execute(
        sa_select(*columns).where(day >= p.first_day, day <= p.last_day)
        .group_by(col(SalesDay.cashier_id), col(SalesDay.product_id), col(SalesDay.category))
    ).all()
    return [LineSums(uid or None, int(pid), name or "", category or "",
                     *(int(v or 0) for v in values))
            for uid, pid, name, category, *values in rows]


def _top_products(sums: list[LineSums], top: int) -> list[Bucket]:
    totals: dict[int, list[Any]] = {}
    for row in sums:
        entry = totals.setdefault(row.product_id, [row.name, 0, 0])
        entry[1] += row.units
        entry[2] += row.amount
    best = sorted(((pid, *v) for pid, v in totals.items() if v[1] or v[2]),
                  key=lambda r: (-r[3], r[0]))[:top]
    return [Bucket(key=str(pid), label=name, count=n, amount=total)
            for pid, name, n, total in best]


def _categories(sums: list[LineSums]) -> list[Bucket]:
    totals: dict[str, list[int]] = {}
    for row in sums:
        entry = totals.setdefault(row.category, [0, 0])
        entry[0] += row.units
        entry[1] += row.amount
    ordered = sorted(((c, n, a) for c, (n, a) in totals.items() if n or a),
                     key=lambda r: (-r[2], r[0]))
    return [Bucket(key=name, label=name or OTHER_CATEGORY, count=n, amount=total)
            for name, n, total in ordered]


def sales_by_product(session: Session, p: Period, top: int = 10) -> list[Bucket]:
    """The best-selling products by amount (count: units; a weighed line counts once)."""
    return _top_products(line_sums(session, p), top)


def sales_by_category(session: Session, p: Period) -> list[Bucket]:
    """Sales per main product group, as sold (count: units)."""
    return _categories(line_sums(session, p))


def sales_by_register(session: Session, p: Period) -> list[RegisterFigures]:
    """Every lane: its sales and its refunds."""
    sold = _hour_sums(session, p, col(SalesHour.lane_id))
    returned = dict((lane, (int(n), int(total or 0))) for lane, n, total in session.exec(
        select(Refund.lane_id, func.count(), func.sum(Refund.total)).where(
            col(Refund.created_at) >= p.start, col(Refund.created_at) < p.end)
        .group_by(col(Refund.lane_id))).all())
    lanes = session.exec(select(Lane).order_by(col(Lane.kind).desc(), col(Lane.id))).all()
    return [RegisterFigures(key=lane.id, label=lane.name or lane.id, kind=lane.kind,
                            count=sold.get(lane.id, (0, 0))[0],
                            amount=sold.get(lane.id, (0, 0))[1],
                            refunds=_ca(returned.get(lane.id, (0, 0)))) for lane in lanes]


def _by_user(rows: Sequence[Any]) -> dict[int | None, tuple[int, ...]]:
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


def cashier_figures(session: Session, p: Period,
                    sums: list[LineSums] | None = None) -> list[CashierFigures]:
    """Per member of staff (sales without one: self-service): sales, refunds, voids,
    discounts, price overrides, no-sales and abandoned carts."""
    sales = {uid or None: sums
             for uid, sums in _hour_sums(session, p, col(SalesHour.cashier_id)).items()}
    refunds = _by_user(session.exec(
        select(Refund.cashier_id, func.count(), func.sum(Refund.total)).where(
            col(Refund.created_at) >= p.start, col(Refund.created_at) < p.end)
        .group_by(col(Refund.cashier_id))).all())
    lines: dict[int | None, tuple[int, int, int]] = {}
    overrides: dict[int | None, tuple[int, int]] = {}
    for row in sums if sums is not None else line_sums(session, p):
        voided, discounted, discount = lines.get(row.cashier_id, (0, 0, 0))
        lines[row.cashier_id] = (voided + row.voided, discounted + row.discounted,
                                 discount + row.discount)
        n, below = overrides.get(row.cashier_id, (0, 0))
        overrides[row.cashier_id] = (n + row.overridden, below + row.below_list)
    no_sales = _by_user(session.exec(
        select(CashMovement.user_id, func.count()).where(
            CashMovement.kind == "no_sale", col(CashMovement.created_at) >= p.start,
            col(CashMovement.created_at) < p.end)
        .group_by(col(CashMovement.user_id))).all())
    abandoned = _by_user(session.exec(
        select(Sale.cashier_id, func.count(), func.sum(Sale.total)).where(
            Sale.status == "cancelled", col(Sale.training).is_(False),
            col(Sale.completed_at) >= p.start, col(Sale.completed_at) < p.end)
        .group_by(col(Sale.cashier_id))).all())
    ids = set(sales) | set(refunds) | set(lines) | set(no_sales) | set(abandoned)
    people = [i for i in ids if i is not None]
    names = dict(session.exec(select(User.id, User.display_name)
                              .where(col(User.id).in_(people))).all()) if people else {}
    rows = []
    for uid in ids:
        sold, back = sales.get(uid, (0, 0)), refunds.get(uid, (0, 0))
        voided, discounted, discount = lines.get(uid, (0, 0, 0))
        overridden, below = overrides.get(uid, (0, 0))
        rows.append(CashierFigures(
            user_id=uid, name=SELF_SERVICE if uid is None else names.get(uid, f"#{uid}"),
            self_service=uid is None, sales=sold[0], amount=sold[1], refunds=_ca(back),
            voided_lines=voided, discounts=CountAmount(count=discounted, amount=discount),
            price_overrides=CountAmount(count=overridden, amount=below),
            no_sales=no_sales.get(uid, (0,))[0], abandoned=_ca(abandoned.get(uid, (0, 0))),
            flags=[]))
    return sorted(rows, key=lambda r: (r.self_service, -r.amount, r.name))


def sales_report(session: Session, p: Period, currency: str, top: int = 10) -> SalesReport:
    """Every breakdown of the period, and the flags."""
    sums = line_sums(session, p)
    cashiers = cashier_figures(session, p, sums)
    flags = flag_cashiers(cashiers)
    return SalesReport(
        first_day=p.first_day, last_day=p.last_day, timezone=p.timezone, currency=currency,
        summary=summary(session, p, cashiers), hours=sales_by_hour(session, p),
        channels=sales_by_channel(session, p), products=_top_products(sums, top),
        categories=_categories(sums), registers=sales_by_register(session, p),
        cashiers=cashiers, flags=flags)


def summary(session: Session, p: Period,
            cashiers: list[CashierFigures] | None = None) -> Summary:
    """The period's headline figures (from the per-cashier sums when they are at hand)."""
    if cashiers is None:
        cashiers = cashier_figures(session, p)
    count = sum(c.sales for c in cashiers)
    amount = sum(c.amount for c in cashiers)
    refunds = CountAmount(count=sum(c.refunds.count for c in cashiers),
                          amount=sum(c.refunds.amount for c in cashiers))
    return Summary(
        sales=count, amount=amount, average=div_half_up(amount, count) if count else 0,
        refunds=refunds, net=amount - refunds.amount,
        discounts=sum(c.discounts.amount for c in cashiers),
        abandoned=CountAmount(count=sum(c.abandoned.count for c in cashiers),
                              amount=sum(c.abandoned.amount for c in cashiers)))
