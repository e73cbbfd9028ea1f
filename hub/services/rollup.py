"""Keeping `SalesDay` and `SalesHour` (hub/models/rollup.py): upserts with each completed sale
(one per product, one for the sale), and a rebuild from the sales for data that predates them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from hub.models import Sale, SaleLine
from hub.services.sql import raw

_UPSERT = """
INSERT INTO salesday (day, lane_id, cashier_id, product_id, category, name, units, amount,
                      voided, discounted, discount, overridden, below_list)
VALUES (:day, :lane_id, :cashier_id, :product_id, :category, :name, :units, :amount,
        :voided, :discounted, :discount, :overridden, :below_list)
ON CONFLICT (day, lane_id, cashier_id, product_id, category) DO UPDATE SET
    name = excluded.name, units = units + excluded.units, amount = amount + excluded.amount,
    voided = voided + excluded.voided, discounted = discounted + excluded.discounted,
    discount = discount + excluded.discount, overridden = overridden + excluded.overridden,
    below_list = below_list + excluded.below_list
"""

_UPSERT_HOUR = """
INSERT INTO saleshour (day, hour, lane_id, cashier_id, channel, sales, amount)
VALUES (:day, :hour, :lane_id, :cashier_id, :channel, 1, :amount)
ON CONFLICT (day, hour, lane_id, cashier_id, channel) DO UPDATE SET
    sales = sales + 1, amount = amount + excluded.amount
"""

# NULL never equals NULL in a UNIQUE index: self-service sales are kept under cashier 0.
SELF_SERVICE_ID = 0


def channel(lane_kind: str, methods: set[str]) -> str:
    """Where a sale was made: a pick-up hand-over (paid online), a kiosk, a phone or a till."""
    if "prepaid" in methods:
        return "hämtning"
    return {"kiosk": "kiosk", "phone": "mobil"}.get(lane_kind, "kassa")


def _below_list(line: SaleLine) -> int:
    if line.list_price is None or line.list_price <= line.unit_price:
        return 0
    per_mille = line.weight_g if line.weight_g is not None else line.quantity * 1000
    return ((line.list_price - line.unit_price) * per_mille * 2 + 1000) // 2000


def add_sale(session: Session, sale: Sale, lines: list[SaleLine], timezone: str, *,
             lane_kind: str, methods: set[str]) -> None:
    """Add a completed (non-training) sale to its day's and hour's sums, in its transaction."""
    assert sale.completed_at is not None
    local = sale.completed_at.astimezone(ZoneInfo(timezone))
    day = local.date().isoformat()
    con = raw(session)  # the sums are written straight to their tables
    con.execute(_UPSERT_HOUR, {
        "day": day, "hour": local.hour, "lane_id": sale.lane_id,
        "cashier_id": sale.cashier_id or SELF_SERVICE_ID,
        "channel": channel(lane_kind, methods), "amount": sale.total})
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for line in lines:
        row = rows.setdefault((line.product_id, line.category), {
            "day": day, "lane_id": sale.lane_id,
            "cashier_id": sale.cashier_id or SELF_SERVICE_ID, "product_id": line.product_id,
            "category": line.category, "name": line.name, "units": 0, "amount": 0,
            "voided": 0, "discounted": 0, "discount": 0, "overridden": 0, "below_list": 0})
        if line.voided:
            row["voided"] += 1
            continue
        reduction = line.line_discount + line.cart_discount_share
        row["units"] += 1 if line.weight_g is not None else line.quantity
        row["amount"] += line.net
        row["discounted"] += 1 if reduction > 0 else 0
        row["discount"] += reduction
        row["overridden"] += 1 if line.price_overridden else 0
        row["below_list"] += _below_list(line)
    con.executemany(_UPSERT, list(rows.values()))


def rebuild(session: Session, timezone: str) -> int:
    """Sum every completed sale's lines again (after the table was added, or to check it);
    returns how many sales were summed."""
    session.execute(text("DELETE FROM salesday"))
    session.execute(text("DELETE FROM saleshour"))
    sales = session.execute(text(
        "SELECT id, completed_at FROM sale WHERE status = 'completed' AND training = 0")).all()
    if not sales:
        return 0
    session.execute(text("CREATE TEMP TABLE IF NOT EXISTS sale_day (sale_id TEXT PRIMARY KEY, "
                         "day DATE NOT NULL, hour INTEGER NOT NULL)"))
    session.execute(text("DELETE FROM sale_day"))
    zone = ZoneInfo(timezone)

    def local(stamp: Any) -> datetime:
        at = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
        return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)

    moments = [(sid, local(at)) for sid, at in sales]
    session.execute(text("INSERT INTO sale_day (sale_id, day, hour) VALUES (:s, :d, :h)"),
                    [{"s": sid, "d": at.date().isoformat(), "h": at.hour} for sid, at in moments])
    session.execute(text(f"""
        INSERT INTO saleshour (day, hour, lane_id, cashier_id, channel, sales, amount)
        SELECT d.day, d.hour, s.lane_id, coalesce(s.cashier_id, {SELF_SERVICE_ID}),
               CASE WHEN EXISTS (SELECT 1 FROM tender t WHERE t.sale_id = s.id
                                    AND t.method = 'prepaid') THEN 'hämtning'
                    WHEN l.kind = 'kiosk' THEN 'kiosk' WHEN l.kind = 'phone' THEN 'mobil'
                    ELSE 'kassa' END AS channel,
               count(*), sum(s.total)
          FROM sale s JOIN sale_day d ON d.sale_id = s.id JOIN lane l ON l.id = s.lane_id
         GROUP BY d.day, d.hour, s.lane_id, s.cashier_id, channel"""))
    session.execute(text(f"""
        INSERT INTO salesday (day, lane_id, cashier_id, product_id, category, name, units,
                              amount, voided, discounted, discount, overridden, below_list)
        SELECT d.day, s.lane_id, coalesce(s.cashier_id, {SELF_SERVICE_ID}), sl.product_id,
               sl.category, max(sl.name),
               sum(CASE WHEN sl.voided THEN 0 WHEN sl.weight_g IS NOT NULL THEN 1
                        ELSE sl.quantity END),
               sum(CASE WHEN sl.voided THEN 0 ELSE sl.net END),
               sum(CASE WHEN sl.voided THEN 1 ELSE 0 END),
               sum(CASE WHEN NOT sl.voided AND sl.line_discount + sl.cart_discount_share > 0
                        THEN 1 ELSE 0 END),
               sum(CASE WHEN sl.voided THEN 0 ELSE sl.line_discount + sl.cart_discount_share END),
               sum(CASE WHEN NOT sl.voided AND sl.price_overridden THEN 1 ELSE 0 END),
               sum(CASE WHEN NOT sl.voided AND sl.list_price > sl.unit_price
                        THEN ((sl.list_price - sl.unit_price)
                              * coalesce(sl.weight_g, sl.quantity * 1000) * 2 + 1000) / 2000
                        ELSE 0 END)
          FROM saleline sl JOIN sale s ON s.id = sl.sale_id JOIN sale_day d ON d.sale_id = s.id
         GROUP BY d.day, s.lane_id, s.cashier_id, sl.product_id, sl.category"""))
    session.execute(text("DROP TABLE sale_day"))
    return len(sales)


def needs_rebuild(session: Session) -> bool:
    """True when completed sales exist but no sums (data from before the table existed)."""
    return bool(session.execute(text(
        "SELECT NOT EXISTS (SELECT 1 FROM salesday) AND EXISTS (SELECT 1 FROM sale "
        "WHERE status = 'completed' AND training = 0)")).scalar())
