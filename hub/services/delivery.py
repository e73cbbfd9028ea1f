"""The receipt outbox: queue a print (or a drawer kick) with the sale, take the next, mark it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from hub.models import ReceiptDelivery
from hub.models.base import utcnow
from hub.services.context import Shop

RETRY_MAX_SECONDS = 60.0


def queue_print(session: Session, shop: Shop, lane_id: str, *, sale_id: str | None = None,
                refund_id: str | None = None, is_copy: bool = False,
                open_drawer: bool = False,
                report: dict[str, Any] | None = None) -> ReceiptDelivery | None:
    """Queue a receipt or a day report (or, with none of them, only a drawer kick) for the
    lane's printer, in the caller's transaction; None when the lane has no printer."""
    if lane_id not in shop.settings.printers:
        return None
    delivery = ReceiptDelivery(kind="print", target=lane_id, sale_id=sale_id,
                               refund_id=refund_id, is_copy=is_copy, open_drawer=open_drawer,
                               report=report)
    session.add(delivery)
    session.flush()
    return delivery


def next_print(session: Session, lane_id: str) -> ReceiptDelivery | None:
    """The oldest print waiting for the lane's printer (receipts come out in order)."""
    return session.exec(
        select(ReceiptDelivery).where(
            ReceiptDelivery.kind == "print", ReceiptDelivery.target == lane_id,
            ReceiptDelivery.status == "pending").order_by(col(ReceiptDelivery.id)).limit(1)
    ).first()


def pending_prints(session: Session, lane_id: str) -> int:
    """How many prints wait for the lane's printer."""
    return session.exec(
        select(func.count()).select_from(ReceiptDelivery).where(
            ReceiptDelivery.kind == "print", ReceiptDelivery.target == lane_id,
            ReceiptDelivery.status == "pending")).one()


def mark_done(session: Session, delivery_id: int) -> None:
    """The printer (or mail server) took it."""
    delivery = session.get(ReceiptDelivery, delivery_id)
    if delivery is not None:
        delivery.status, delivery.done_at = "done", utcnow()
        session.add(delivery)


def mark_attempt(session: Session, delivery_id: int, error: str) -> None:
    """It did not go out; keep it pending, say why, and try again later (backing off)."""
    delivery = session.get(ReceiptDelivery, delivery_id)
    if delivery is not None:
        delivery.attempts += 1
        delivery.last_error = error[:300]
        delay = min(RETRY_MAX_SECONDS, 2.0 ** min(delivery.attempts, 10))
        delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
        session.add(delivery)
