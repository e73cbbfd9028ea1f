"""QR payments: the confirmation loop of QR.md, in the database.

created → presented (expires_at) → pending → paid | declined | expired | cancelled; money that
arrives after expiry or cancel is flagged late_payment for reconciliation. Providers are
called by the caller; these functions only move state, each in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from hub.models import QrAttempt, Sale, Tender, WebhookReceipt
from hub.models.base import utcnow
from hub.models.qr import QR_OPEN, QrPublic
from hub.models.sale import SalePublic
from hub.psp.base import ProviderStatus
from hub.services.auth import Actor
from hub.services.complete import apply_tender
from hub.services.context import Shop
from hub.services.errors import Conflict, NotFound
from hub.services.fiscal import require_ready
from hub.services.records import audit
from hub.services.sale import cash_only_in_training, payable_row

SYSTEM = Actor(role="manager", name="hub")


def public(attempt: QrAttempt) -> QrPublic:
    """What screens show; the QR encodes the pay page link."""
    return QrPublic(**attempt.model_dump(include=set(QrPublic.model_fields) - {"payload"}),
                    payload=attempt.pay_url)


def get_qr(session: Session, attempt_id: str) -> QrAttempt:
    """An attempt, or a clear error."""
    attempt = session.get(QrAttempt, attempt_id)
    if attempt is None:
        raise NotFound(f"There is no QR payment {attempt_id}.")
    return attempt


def create(session: Session, shop: Shop, lane_id: str, provider: str,
           request_id: str | None) -> tuple[QrAttempt, bool]:
    """Record a QR payment for what is due on the lane's cart, before the provider hears of it."""
    if request_id is not None:
        done = session.exec(select(QrAttempt).where(QrAttempt.request_id == request_id)).first()
        if done is not None:
            return done, False
    require_ready(shop)
    sale, due = payable_row(session, lane_id)
    cash_only_in_training(sale, "a QR payment")
    if due <= 0:
        raise Conflict("Nothing is due on this cart.")
    open_one = session.exec(select(QrAttempt).where(
        QrAttempt.sale_id == sale.id, col(QrAttempt.status).in_(QR_OPEN))).first()
    if open_one is not None:
        raise Conflict("A QR payment is already showing for this cart: wait, or cancel it.",
                       qr_id=open_one.id)
    attempt = QrAttempt(sale_id=sale.id, lane_id=lane_id, provider=provider, amount=due,
                        currency=sale.currency, request_id=request_id,
                        expires_at=utcnow() + timedelta(seconds=shop.settings.qr_expiry_seconds))
    session.add(attempt)
    session.flush()
    return attempt, True


def presented(session: Session, attempt_id: str, provider_ref: str, pay_url: str) -> QrAttempt:
    """The provider opened the payment: the QR can be shown until expires_at."""
    attempt = get_qr(session, attempt_id)
    attempt.provider_ref, attempt.pay_url = provider_ref, pay_url
    _set(session, attempt, "presented")
    return attempt


def _set(session: Session, attempt: QrAttempt, status: str) -> None:
    attempt.status, attempt.updated_at = status, utcnow()
    session.add(attempt)


def apply_status(session: Session, shop: Shop, attempt: QrAttempt,
                 status: ProviderStatus) -> SalePublic | None:
    """Move the attempt to what the provider says; a payment pays the sale (once)."""
    if status == "paid":
        if attempt.status == "paid":
            return None  # twice is harmless
        if attempt.status not in QR_OPEN:  # money after expiry or cancel: reconcile it
            if not attempt.late_payment:
                attempt.late_payment = True
                session.add(attempt)
                audit(session, "qr_late_payment", SYSTEM, lane_id=attempt.lane_id,
                      ref=attempt.id, amount=attempt.amount, status=attempt.status)
            return None
        sale = session.get(Sale, attempt.sale_id)
        assert sale is not None
        if sale.status != "open":
            attempt.late_payment = True
            _set(session, attempt, "paid")
            audit(session, "qr_late_payment", SYSTEM, lane_id=attempt.lane_id, ref=attempt.id,
                  amount=attempt.amount, status="sale no longer open")
            return None
        _set(session, attempt, "paid")
        session.add(Tender(sale_id=sale.id, method="qr", amount=attempt.amount,
                           reference=f"{attempt.provider} {attempt.provider_ref}"[:64],
                           payment_id=attempt.id))
        session.flush()
        return apply_tender(session, shop, sale.id, SYSTEM)
    if attempt.status not in QR_OPEN:
        return None  # a late decline or cancel changes nothing that is settled
    if status == "pending" and attempt.status != "pending":
        _set(session, attempt, "pending")
    elif status in ("declined", "cancelled"):
        _set(session, attempt, status)
    return None


def take_webhook(session: Session, shop: Shop, provider: str, event_id: str, attempt_id: str,
                 status: ProviderStatus) -> tuple[QrAttempt | None, SalePublic | None, bool]:
    """Apply a verified webhook once: the event id is recorded in the same transaction as the
    state change. `status` is the provider's state re-read by the caller, not the webhook's."""
    if session.get(WebhookReceipt, event_id) is not None:
        return None, None, True
    attempt = session.get(QrAttempt, attempt_id)
    if attempt is None or attempt.provider != provider:
        raise NotFound(f"No {provider} QR payment {attempt_id}.")
    session.add(WebhookReceipt(event_id=event_id, provider=provider, attempt_id=attempt_id))
    cart = apply_status(session, shop, attempt, status)
    return attempt, cart, False


def open_attempts(session: Session) -> list[QrAttempt]:
    """Attempts still waiting for the shopper (for the sweeper)."""
    return list(session.exec(select(QrAttempt).where(col(QrAttempt.status).in_(QR_OPEN))))


def expire(session: Session, attempt: QrAttempt, now: datetime) -> bool:
    """Expire an attempt past its time (the caller cancels it with the provider first)."""
    if attempt.status in QR_OPEN and attempt.expires_at <= now:
        _set(session, attempt, "expired")
        return True
    return False


def cancel(session: Session, attempt_id: str) -> QrAttempt:
    """The cashier or shopper gives up on this QR (the caller cancels it with the provider)."""
    attempt = get_qr(session, attempt_id)
    if attempt.status not in QR_OPEN:
        raise Conflict(f"This QR payment is already {attempt.status}.")
    _set(session, attempt, "cancelled")
    return attempt
