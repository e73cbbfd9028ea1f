"""Head office's dashboard: one day's takings per store and for the chain, sales per hour,
top products, each hub's sync health and the open stock conflicts, all as SQL aggregates.

A day is the stores' local day (central's ``timezone``, Europe/Stockholm by default). Sales
count on the day they were completed, refunds on the day they were made (even when the sale
was on an earlier day), as on the stores' own Z reports.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Integer, cast, func
from sqlmodel import Session, col, select

from sync.central.models import (
    AppliedEvent,
    Product,
    RefundRow,
    SaleLineRow,
    SaleRow,
    StockConflict,
    Store,
    aware,
)
from sync.central.services.errors import Invalid
from sync.central.services.stores import get_store, is_silent

OPENING_HOUR, CLOSING_HOUR = 8, 21  # the hours always shown, so a quiet morning still reads
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Takings(BaseModel):
    """Sales and refunds of one day, minor units; net = gross − refunded (VAT included)."""

    sales: int = 0
    gross: int = 0
    vat: int = 0
    refunds: int = 0
    refunded: int = 0
    refunded_vat: int = 0
    net: int = 0


class SyncHealth(BaseModel):
    """How one store's hub keeps in touch with central."""

    last_seq: int
    last_contact: datetime | None
    silent_seconds: float | None  # since the last push or pull; None: never heard from
    lag_seconds: float | None  # now − when the newest event central has from it happened
    silent: bool
    rejected_today: int


class StoreDay(Takings):
    """One store's day."""

    store_id: str
    name: str
    sync: SyncHealth


class HourSales(BaseModel):
    """Net sales (sales − refunds) in one hour of the day, by its local starting hour."""

    hour: str
    starts_at: datetime
    net: int


class ProductSales(BaseModel):
    """What one product sold (before refunds)."""

    sku: str
    name: str
    quantity: int
    gross: int


class OpenConflict(BaseModel):
    """An oversell still waiting for head office."""

    id: int
    store_id: str
    store_name: str
    sku: str
    product_name: str
    shortfall: int
    orders: int
    opened_at: datetime


class Dashboard(BaseModel):
    """Everything the dashboard page shows."""

    day: date
    is_today: bool
    timezone: str
    generated_at: datetime
    currencies: list[str]
    silent_after_seconds: int
    totals: Takings
    stores: list[StoreDay]
    hourly: list[HourSales]
    top_products: list[ProductSales]
    conflicts: list[OpenConflict]


def parse_day(text: str | None, now: datetime, zone: ZoneInfo) -> date:
    """The day asked for (YYYY-MM-DD), or today in the stores' time zone."""
    if text is None or text == "":
        return now.astimezone(zone).date()
    if not DAY.match(text):
        raise Invalid(f"{text!r} is not a day: give it as YYYY-MM-DD, e.g. 2026-03-02.")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(f"{text} is not a day in the calendar: {exc}.") from exc
    if not 2000 <= day.year <= 9000:
        raise Invalid("Give a day between the years 2000 and 9000.")
    return day


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local day starts and the next one starts (DST-aware)."""
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def kronor(minor: int) -> str:
    """Swedish kronor as people read them: "1 234,50 kr", "−12,00 kr"."""
    sign = "\u2212" if minor < 0 else ""
    whole, ore = divmod(abs(minor), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{ore:02d}\u00a0kr"


def dashboard(session: Session, now: datetime, zone: ZoneInfo, silent_after: int,
              day: date | None = None, top: int = 10) -> Dashboard:
    """The whole dashboard for one day (today if none is given)."""
    today = now.astimezone(zone).date()
    day = day or today
    start, end = day_bounds(day, zone)
    stores = store_days(session, start, end, now, silent_after)
    totals = Takings()
    for store in stores:
        for field in Takings.model_fields:
            setattr(totals, field, getattr(totals, field) + getattr(store, field))
    return Dashboard(
        day=day, is_today=day == today, timezone=zone.key, generated_at=now,
        currencies=currencies(session, start, end), silent_after_seconds=silent_after,
        totals=totals, stores=stores, hourly=hourly_sales(session, start, end, zone),
        top_products=top_products(session, start, end, limit=top),
        conflicts=open_conflicts(session),
    )


def store_days(session: Session, start: datetime, end: datetime, now: datetime,
               silent_after: int) -> list[StoreDay]:
    """Every store's takings between start and end, with its sync health, by store id."""
    sales = {row[0]: row[1:] for row in session.exec(
        select(SaleRow.store_id, func.count(), func.coalesce(func.sum(SaleRow.total), 0),
               func.coalesce(func.sum(SaleRow.vat), 0))
        .where(*_sold_between(start, end)).group_by(col(SaleRow.store_id))).all()}
    refunds = {row[0]: row[1:] for row in session.exec(
        select(RefundRow.store_id, func.count(), func.coalesce(func.sum(RefundRow.total), 0),
               func.coalesce(func.sum(RefundRow.vat), 0))
        .join(AppliedEvent, col(AppliedEvent.event_id) == col(RefundRow.event_id))
        .where(*_refunded_between(start, end)).group_by(col(RefundRow.store_id))).all()}
    rejected = dict(session.exec(  # type: ignore[call-overload]
        select(AppliedEvent.store_id, func.count())
        .where(AppliedEvent.outcome == "rejected", col(AppliedEvent.received_at) >= start,
               col(AppliedEvent.received_at) < end)
        .group_by(col(AppliedEvent.store_id))).all())
    days = []
    for store in session.exec(select(Store).order_by(col(Store.store_id))).all():
        n, gross, vat = sales.get(store.store_id, (0, 0, 0))
        rn, refunded, rvat = refunds.get(store.store_id, (0, 0, 0))
        days.append(StoreDay(
            store_id=store.store_id, name=store.name, sales=n, gross=int(gross), vat=int(vat),
            refunds=rn, refunded=int(refunded), refunded_vat=int(rvat),
            net=int(gross) - int(refunded),
            sync=_health(store, now, silent_after, int(rejected.get(store.store_id, 0)))))
    return days


def hourly_sales(session: Session, start: datetime, end: datetime, zone: ZoneInfo,
                 store_id: str | None = None) -> list[HourSales]:
    """Net sales per hour of the day, the shop's usual hours always included."""
    if store_id is not None:
        get_store(session, store_id)
    dialect = session.get_bind().dialect.name
    sale_hour = _hour_index(col(SaleRow.completed_at), start, dialect)
    refund_hour = _hour_index(col(AppliedEvent.occurred_at), start, dialect)
    sales = select(sale_hour, func.sum(SaleRow.total)).where(*_sold_between(start, end))
    refunds = (select(refund_hour, func.sum(RefundRow.total))
               .join(AppliedEvent, col(AppliedEvent.event_id) == col(RefundRow.event_id))
               .where(*_refunded_between(start, end)))
    if store_id is not None:
        sales = sales.where(SaleRow.store_id == store_id)
        refunds = refunds.where(RefundRow.store_id == store_id)
    net: dict[int, int] = {}
    for index, amount in session.exec(sales.group_by(sale_hour)).all():
        net[int(index)] = net.get(int(index), 0) + int(amount)
    for index, amount in session.exec(refunds.group_by(refund_hour)).all():
        net[int(index)] = net.get(int(index), 0) - int(amount)
    hours = round((end - start).total_seconds() / 3600)  # 23 or 25 on the days clocks move
    starts = [start + timedelta(hours=k) for k in range(hours)]
    local = [s.astimezone(zone).hour for s in starts]
    shown = [k for k in range(hours) if OPENING_HOUR <= local[k] <= CLOSING_HOUR or k in net]
    first, last = min(shown), max(shown)
    return [HourSales(hour=f"{local[k]:02d}", starts_at=starts[k], net=net.get(k, 0))
            for k in range(first, last + 1)]


def top_products(session: Session, start: datetime, end: datetime, *, limit: int = 10,
                 store_id: str | None = None) -> list[ProductSales]:
    """The products that sold for the most money, most first (voided lines left out)."""
    if store_id is not None:
        get_store(session, store_id)
    sku = func.coalesce(col(SaleLineRow.sku), "")
    gross = func.sum(SaleLineRow.net)
    query = (
        select(sku, func.max(SaleLineRow.name), func.sum(SaleLineRow.quantity), gross)
        .join(SaleRow, (col(SaleRow.store_id) == col(SaleLineRow.store_id))
              & (col(SaleRow.sale_id) == col(SaleLineRow.sale_id)))
        .where(*_sold_between(start, end), col(SaleLineRow.voided).is_(False))
        .group_by(sku).order_by(gross.desc(), sku).limit(limit)
    )
    if store_id is not None:
        query = query.where(SaleRow.store_id == store_id)
    rows = session.exec(query).all()
    names = _product_names(session, [r[0] for r in rows])
    return [ProductSales(sku=s, name=names.get(s) or name or s or "(no sku)",
                         quantity=int(q), gross=int(g)) for s, name, q, g in rows]


def open_conflicts(session: Session) -> list[OpenConflict]:
    """Stock conflicts not yet resolved, oldest first, with store and product names."""
    rows = session.exec(
        select(StockConflict, Store.name)
        .join(Store, col(Store.store_id) == col(StockConflict.store_id))
        .where(StockConflict.status == "open").order_by(col(StockConflict.opened_at))
    ).all()
    names = _product_names(session, [c.sku for c, _ in rows])
    return [OpenConflict(id=c.id or 0, store_id=c.store_id, store_name=store_name, sku=c.sku,
                         product_name=names.get(c.sku, c.sku), shortfall=c.shortfall,
                         orders=len(c.order_ids or []), opened_at=aware(c.opened_at) or c.opened_at)
            for c, store_name in rows]


def currencies(session: Session, start: datetime, end: datetime) -> list[str]:
    """The currencies the day's sales were in (the figures add up only if there is one)."""
    return sorted(session.exec(
        select(SaleRow.currency).where(*_sold_between(start, end)).distinct()).all())


def _health(store: Store, now: datetime, silent_after: int, rejected: int) -> SyncHealth:
    last = aware(store.last_contact)
    newest = aware(store.newest_event_at)
    return SyncHealth(
        last_seq=store.last_seq, last_contact=last,
        silent_seconds=None if last is None else max(0.0, (now - last).total_seconds()),
        lag_seconds=None if newest is None else max(0.0, (now - newest).total_seconds()),
        silent=is_silent(store, now, silent_after), rejected_today=rejected)


def _sold_between(start: datetime, end: datetime) -> tuple[Any, ...]:
    return (col(SaleRow.completed_at) >= start, col(SaleRow.completed_at) < end)


def _refunded_between(start: datetime, end: datetime) -> tuple[Any, ...]:
    return (col(AppliedEvent.occurred_at) >= start, col(AppliedEvent.occurred_at) < end)


def _hour_index(column: Any, start: datetime, dialect: str) -> Any:
    """Whole hours from the day's start to column: real hours, so DST days bucket right."""
    origin = int(start.timestamp())
    if dialect == "postgresql":
        return cast(func.floor((func.extract("epoch", column) - origin) / 3600), Integer)
    # SQLite (the embedded demo): rows are filtered to the day, so truncating is flooring.
    return cast((cast(func.strftime("%s", column), Integer) - origin) / 3600, Integer)


def _product_names(session: Session, skus: list[str]) -> dict[str, str]:
    if not skus:
        return {}
    return dict(session.exec(  # type: ignore[call-overload]
        select(Product.sku, Product.name).where(col(Product.sku).in_(skus))).all())
