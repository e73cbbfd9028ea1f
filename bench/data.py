"""Data sets for the benchmarks, written straight into a migrated hub database.

`trading_day` fills a hub with one busy day: N completed sales of ~10 lines each spread over the
registers and the opening hours, paid in cash (rounded) and by card, with a few refunds, voided
lines, discounts and no-sales. The rows are what the sale path writes (same columns, same sums),
inserted in bulk so a 50,000-line day takes seconds to make.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from hub.config import Settings
from hub.db import Database, upgrade
from hub.demo import load_demo_data
from hub.models import (
    CashMovement,
    Lane,
    Product,
    Refund,
    RefundLine,
    RefundTender,
    RegisterEvent,
    Sale,
    SaleLine,
    Shift,
    Tender,
    User,
)
from hub.money import div_half_up, round_cash


@dataclass(frozen=True)
class DayFacts:
    """What was generated, for the benchmark's report and its checks."""

    sales: int
    lines: int
    refunds: int
    sales_total: int
    lanes: tuple[str, ...]


def _vat(gross: int, rate_bp: int) -> int:
    return div_half_up(gross * rate_bp, 10000 + rate_bp)


def new_hub(data_dir: Path) -> tuple[Settings, Database]:
    """A migrated hub with the demo store (catalog, users, lanes) in `data_dir`."""
    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.write() as s:
        load_demo_data(s)
    return settings, db


def trading_day(db: Database, *, sales: int = 5000, lines_per_sale: int = 10,
                lanes: tuple[str, ...] = ("1", "2", "3"), seed: int = 1,
                day: datetime | None = None) -> DayFacts:
    """Write one trading day of completed sales into the hub database."""
    rng = random.Random(seed)
    # The day ran 13 hours and ended an hour ago (so every report taken now covers all of it).
    opening = (day or datetime.now(UTC) - timedelta(hours=14)).replace(second=0, microsecond=0)
    with db.write() as s:
        products = [p for p in s.exec(select(Product).where(Product.unit == "each"))]
        cashiers = [u.id for u in s.exec(select(User)) if u.role == "cashier"]
        shifts = {}
        for lane_id in lanes:
            shift = Shift(lane_id=lane_id, opened_by=cashiers[0], opened_at=opening,
                          float_amount=100000)
            s.add(shift)
            s.flush()
            shifts[lane_id] = shift.id
            s.add(CashMovement(shift_id=shift.id or 0, lane_id=lane_id, kind="float",
                               amount=100000, user_id=cashiers[0], created_at=opening))
        sale_rows: list[dict[str, Any]] = []
        line_rows: list[dict[str, Any]] = []
        tender_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        receipt_no = dict.fromkeys(lanes, 0)
        step = timedelta(seconds=13 * 3600 / max(sales, 1))
        total_sum = line_count = 0
        sold: list[tuple[str, str, list[dict[str, Any]], str]] = []
        for n in range(sales):
            lane_id = lanes[n % len(lanes)]
            receipt_no[lane_id] += 1
            at = opening + step * n
            sale_id = uuid.uuid4().hex
            lines = []
            for _ in range(max(1, lines_per_sale + rng.randint(-3, 3))):
                product = rng.choice(products)
                quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
                gross = product.price * quantity
                discount = div_half_up(gross, 10) if rng.random() < 0.03 else 0
                net = gross - discount
                voided = rng.random() < 0.01
                lines.append({
                    "sale_id": sale_id, "product_id": product.id, "name": product.name,
                    "sku": product.sku, "gtin": product.gtin, "category": product.category,
                    "service": product.service, "quantity": quantity, "weight_g": None,
                    "unit_price": product.price, "price_overridden": False, "list_price": None,
                    "vat_rate_bp": product.vat_rate_bp, "age_limit": None, "gross": gross,
                    "discount_kind": "percent" if discount else None,
                    "discount_value": 1000 if discount else 0, "discount_approved_by": None,
                    "line_discount": discount, "cart_discount_share": 0, "net": net,
                    "vat": _vat(net, product.vat_rate_bp), "voided": voided})
            total = sum(line["net"] for line in lines if not line["voided"])
            cash = rng.random() < 0.4
            rounding = round_cash(total, 100) - total if cash else 0
            sale_rows.append({
                "id": sale_id, "lane_id": lane_id, "status": "completed", "currency": "SEK",
                "cashier_id": rng.choice(cashiers), "shift_id": shifts[lane_id],
                "receipt_no": receipt_no[lane_id], "cart_discount_kind": None,
                "cart_discount_value": 0, "cart_discount_approved_by": None,
                "age_checked_by": None, "total": total, "rounding": rounding, "change": 0,
                "version": 1, "training": False, "control_code": None, "copies": 0,
                "created_at": at, "completed_at": at})
            tender_rows.append({
                "sale_id": sale_id, "method": "cash" if cash else "card", "payment_id": None,
                "amount": total, "tendered": total + rounding if cash else 0, "change": 0,
                "rounding": rounding, "reference": None, "request_id": None, "created_at": at})
            if cash:
                event_rows.append({"lane_id": lane_id, "kind": "drawer_open", "at": at,
                                   "user_id": None, "ref": sale_id, "amount": 0,
                                   "detail": {"reason": "sale"}})
            line_rows += lines
            total_sum += total
            line_count += len(lines)
            sold.append((sale_id, lane_id, lines, "cash" if cash else "card"))
        s.execute(insert(Sale.__table__), sale_rows)  # type: ignore[attr-defined]
        s.execute(insert(SaleLine.__table__), line_rows)  # type: ignore[attr-defined]
        s.execute(insert(Tender.__table__), tender_rows)  # type: ignore[attr-defined]
        if event_rows:
            s.execute(insert(RegisterEvent.__table__), event_rows)  # type: ignore[attr-defined]
        refunds = _refunds(s, sold[:: max(1, sales // 50)], receipt_no, shifts, opening)
        for lane_id in lanes:
            lane = s.get(Lane, lane_id)
            assert lane is not None
            lane.last_receipt_no = receipt_no[lane_id]
            s.add(lane)
    return DayFacts(sales=sales, lines=line_count, refunds=refunds, sales_total=total_sum,
                    lanes=lanes)


def _refunds(s: Any, picked: list[tuple[str, str, list[dict[str, Any]], str]],
             receipt_no: dict[str, int], shifts: dict[str, int | None],
             opening: datetime) -> int:
    """Some sales get their first line back, on their own tender."""
    for n, (sale_id, lane_id, _, method) in enumerate(picked):
        line = s.exec(select(SaleLine).where(SaleLine.sale_id == sale_id,
                                             col(SaleLine.voided).is_(False))
                      .limit(1)).first()
        tender = s.exec(select(Tender).where(Tender.sale_id == sale_id)).first()
        if line is None or tender is None:
            continue
        receipt_no[lane_id] += 1
        at = opening + timedelta(hours=12, seconds=n)
        refund = Refund(sale_id=sale_id, lane_id=lane_id, receipt_no=receipt_no[lane_id],
                        total=line.net, shift_id=shifts[lane_id], reason="bench",
                        created_at=at)
        s.add(refund)
        s.flush()
        s.add(RefundLine(refund_id=refund.id, sale_line_id=line.id or 0,
                         quantity=line.quantity, amount=line.net, vat=line.vat,
                         vat_rate_bp=line.vat_rate_bp))
        rounding = round_cash(line.net, 100) - line.net if method == "cash" else 0
        s.add(RefundTender(refund_id=refund.id, tender_id=tender.id or 0, method=method,
                           amount=line.net, rounding=rounding))
    return len(picked)
