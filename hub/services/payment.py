"""Card payment attempts: the state machine, written to the database before and after the reader.

Nothing here talks to a reader; hub/devices/card_readers.py does, and calls these functions
between steps so that every step is on disk before the next byte goes out.
"""

from __future__ import annotations

import secrets
import sqlite3

from sqlmodel import Session, col, select

from drivers.card import Outcome, PaymentResult
from hub.models import PaymentAttempt, Sale, Tender
from hub.models.base import utcnow
from hub.models.payment import ACTIVE, FINAL, IN_DOUBT, PaymentPublic
from hub.models.sale import SalePublic
from hub.money import format_amount
from hub.services.auth import Actor, approve
from hub.services.complete import add_tender, apply_tender, read_cart
from hub.services.context import Shop
from hub.services.errors import Conflict, Invalid, NotFound
from hub.services.records import audit
from hub.services.sale import (
    cash_only_in_training,
    payable_row,
    sale_public,
)
from hub.services.sql import Row, Table, connection, new_row, raw, refresh, stamp

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_ROWS = Table(PaymentAttempt)


def public(attempt: PaymentAttempt | Row) -> PaymentPublic:
    """The client-facing picture of an attempt."""
    return PaymentPublic.model_validate(attempt, from_attributes=True)


def get_attempt(session: Session, attempt_id: str) -> PaymentAttempt:
    """An attempt, or a clear error."""
    attempt = session.get(PaymentAttempt, attempt_id)
    if attempt is None:
        raise NotFound(f"There is no card payment {attempt_id}.")
    return attempt


def create_attempt(
    session: Session,
    lane_id: str,
    actor: Actor,
    reader_url: str,
    amount: int | None,
    request_id: str | None = None,
) -> tuple[Row, bool]:
    """Record a card payment for the lane's cart before anything is sent; (attempt, is_new).

    Plain SQL (one insert, no ORM object): it is on the way to the terminal's first byte."""
    if request_id is not None and (done := by_request(session, request_id)) is not None:
        return done, False
    sale, due = payable_row(session, lane_id)  # also refuses while another card payment runs
    cash_only_in_training(sale, "a card payment")
    amount = due if amount is None else amount
    if not 0 < amount <= due:
        raise Invalid(
            f"A card payment is between 0,01 and what is due ({format_amount(due, sale.currency)})."
        )
    reference = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))
    attempt = new_row(PaymentAttempt, reference=reference, sale_id=sale.id, lane_id=lane_id,
                      reader=reader_url, amount=amount, currency=sale.currency,
                      request_id=request_id, created_by=actor.user_id)
    _ROWS.insert(raw(session), attempt)
    return Row(**attempt), True


def by_request(session: Session, request_id: str) -> Row | None:
    """The attempt a till's request started, if it did (a repeated request gets it back)."""
    found = _ROWS.rows(connection(session), "request_id = ?", request_id)
    return found[0] if found else None


def repeated_or_refused(session: Session, lane_id: str, request_id: str | None) -> Row | None:
    """While the lane's reader is busy, nothing is written: a repeated request's attempt, or
    the cart's own reason it cannot take a card now (a payment runs on it …); None if the
    cart has no such reason (the reader is busy with a refund)."""
    if request_id is not None and (done := by_request(session, request_id)) is not None:
        return done
    payable_row(session, lane_id)
    return None


def _read(con: sqlite3.Connection, attempt_id: str) -> Row:
    found = _ROWS.rows(con, "id = ?", attempt_id)
    if not found:
        raise NotFound(f"There is no card payment {attempt_id}.")
    return found[0]


def _write(session: Session, con: sqlite3.Connection, attempt: Row, status: str,
           **fields: object) -> None:
    """An attempt's new status and fields, in plain SQL (on the way to the sale's completion)."""
    values = {"status": status, **fields, "updated_at": utcnow()}
    con.execute(f"UPDATE {_ROWS.name} SET {', '.join(f'{name} = ?' for name in values)}"
                " WHERE id = ?", (*(_ROWS.stored(n, v) for n, v in values.items()), attempt.id))
    for name, value in values.items():
        setattr(attempt, name, value)
    refresh(session, PaymentAttempt, attempt.id, **values)


def _set(session: Session, attempt: PaymentAttempt, status: str, **fields: object) -> None:
    attempt.status = status
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.updated_at = utcnow()
    session.add(attempt)


def mark_sent(session: Session, attempt_id: str) -> Row:
    """The request is about to go to the reader: from now on a crash means 'in doubt'."""
    sent = connection(session).execute(
        f"UPDATE {_ROWS.name} SET status = 'sent', updated_at = ? WHERE id = ?"
        f" AND status = 'created' RETURNING {', '.join(_ROWS.columns)}",
        (stamp(utcnow()), attempt_id)).fetchone()
    if sent is None:
        raise Conflict(f"Card payment {get_attempt(session, attempt_id).id} was already sent.")
    return _ROWS.row(sent)


def abandon(session: Session, attempt_id: str) -> None:
    """An attempt whose request never went to the reader (the hub stopped before the first
    byte, or its commit failed): failed, so that its cart takes another payment (a refund's
    sale another refund)."""
    connection(session).execute(
        f"UPDATE {_ROWS.name} SET status = 'failed', message = ?, updated_at = ? WHERE id = ?"
        " AND status IN ('created', 'sent')",
        ("Nothing was sent to the terminal: the hub could not start the payment.",
         stamp(utcnow()), attempt_id))


def create_credit(session: Session, sale_id: str, lane_id: str, actor: Actor, reader_url: str,
                  amount: int) -> PaymentAttempt:
    """Record a card refund (credit) before it goes to the reader."""
    sale = session.get(Sale, sale_id)
    if sale is None or sale.status != "completed":
        raise Conflict("Only a completed sale's card payment can be refunded.")
    open_credit = session.exec(select(PaymentAttempt).where(
        PaymentAttempt.sale_id == sale_id, PaymentAttempt.kind == "credit",
        col(PaymentAttempt.status).in_((*ACTIVE, IN_DOUBT)))).first()
    if open_credit is not None:  # it may have paid out: a second credit could pay twice
        raise Conflict(f"A card refund on this sale is {open_credit.status}: settle it first "
                       "(in-doubt payments), then refund what is still owed.")
    reference = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))
    attempt = PaymentAttempt(reference=reference, sale_id=sale.id, lane_id=lane_id,
                             reader=reader_url, kind="credit", amount=amount,
                             currency=sale.currency, created_by=actor.user_id)
    session.add(attempt)
    session.flush()
    return attempt


def _terminal_fields(result: PaymentResult) -> dict[str, object]:
    return {
        "masked_pan": result.masked_pan, "brand": result.brand, "auth_code": result.auth_code,
        "trace_no": result.trace_no, "terminal_receipt_no": result.receipt_no,
        "terminal_id": result.terminal_id, "receipt_lines": list(result.receipt_lines),
        "message": result.message[:200],
    }


def _take(session: Session, shop: Shop, attempt: Row, actor: Actor) -> SalePublic:
    """Put an approved card payment on its sale (which completes if now fully paid)."""
    cart = read_cart(connection(session), "id = ?", attempt.sale_id)
    assert cart is not None
    reference = " ".join(x for x in (attempt.brand, attempt.masked_pan, attempt.auth_code) if x)
    add_tender(session, cart, method="card", amount=attempt.amount,
               reference=reference[:64] or attempt.reference, payment_id=attempt.id)
    return apply_tender(session, shop, cart.sale.id, actor, cart)


def sale_can_take(session: Session, attempt: PaymentAttempt) -> bool:
    """Whether the attempt's sale is still open and owes at least the attempt's amount."""
    sale = session.get(Sale, attempt.sale_id)
    if sale is None or sale.status != "open":
        return False
    paid = sum(t.amount for t in session.exec(select(Tender).where(Tender.sale_id == sale.id)))
    return sale.total - paid >= attempt.amount


def record_result(
    session: Session, shop: Shop, attempt_id: str, result: PaymentResult, actor: Actor,
    how: str | None = None,
) -> tuple[Row, SalePublic | None]:
    """Write what the reader answered; an approval pays the sale (and may complete it).

    Plain SQL, as the sale's completion is: it stands between the terminal's answer and the
    till's."""
    con = connection(session)  # (an operator's reopened attempt is flushed first)
    attempt = _read(con, attempt_id)
    if attempt.status in FINAL:
        return attempt, None  # already settled (a repeated answer is harmless)
    fields = _terminal_fields(result)
    if attempt.kind == "credit":  # a refund: the refund itself is written once it is approved
        status = "approved" if result.outcome is Outcome.APPROVED else {
            Outcome.DECLINED: "declined", Outcome.CANCELLED: "cancelled",
            Outcome.FAILED: "failed", Outcome.UNKNOWN: IN_DOUBT}[result.outcome]
        _write(session, con, attempt, status, resolved_how=how, **fields)
        return attempt, None
    if result.outcome is Outcome.APPROVED:
        if result.amount_minor != attempt.amount:
            _write(session, con, attempt, IN_DOUBT, **{**fields, "message": (
                f"The terminal approved {format_amount(result.amount_minor, attempt.currency)} "
                f"instead of {format_amount(attempt.amount, attempt.currency)}; partial "
                "approvals are refused: reverse it on the terminal.")})
            return attempt, None
        _write(session, con, attempt, "approved", resolved_how=how, **fields)
        return attempt, _take(session, shop, attempt, actor)
    status = {Outcome.DECLINED: "declined", Outcome.CANCELLED: "cancelled",
              Outcome.FAILED: "failed", Outcome.UNKNOWN: IN_DOUBT}[result.outcome]
    _write(session, con, attempt, status, resolved_how=how, **fields)
    return attempt, sale_public(session, session.get(Sale, attempt.sale_id))  # type: ignore[arg-type]


def interrupted(session: Session) -> list[PaymentAttempt]:
    """After a restart: never-sent attempts failed; sent ones are in doubt until resolved."""
    changed = []
    for attempt in session.exec(
        select(PaymentAttempt).where(col(PaymentAttempt.status).in_(ACTIVE))
    ):
        if attempt.status == "created":
            _set(session, attempt, "failed", message="The hub stopped before sending it.")
        else:
            _set(session, attempt, IN_DOUBT,
                 message="The hub stopped while the terminal had it: in doubt until resolved.")
        changed.append(attempt)
    return changed


def in_doubt(session: Session) -> list[PaymentAttempt]:
    """Every attempt whose outcome is unknown, oldest first."""
    return list(session.exec(
        select(PaymentAttempt).where(PaymentAttempt.status == IN_DOUBT)
        .order_by(col(PaymentAttempt.created_at))
    ))


def known_terminal_receipts(session: Session, reader_url: str, but: str) -> set[str]:
    """Terminal receipt numbers already matched to other settled attempts on this reader
    (approved or not: a declined payment's receipt is just as surely not this one's)."""
    rows = session.exec(
        select(PaymentAttempt.terminal_receipt_no).where(
            PaymentAttempt.reader == reader_url, PaymentAttempt.id != but,
            col(PaymentAttempt.terminal_receipt_no).is_not(None),
            col(PaymentAttempt.status).in_(FINAL))
    )
    return {r for r in rows if r}


def resolve_by_operator(
    session: Session, shop: Shop, attempt_id: str, outcome: str, actor: Actor,
    approval: tuple[str, str] | None, note: str,
) -> tuple[Row, SalePublic | None]:
    """A manager settles an in-doubt payment from the terminal's own printout or totals."""
    attempt = get_attempt(session, attempt_id)
    if attempt.status != IN_DOUBT:
        raise Conflict(f"Card payment {attempt_id} is {attempt.status}, not in doubt.")
    if outcome not in ("approved", "declined"):
        raise Invalid("An in-doubt card payment is resolved as 'approved' or 'declined'.")
    approver = approve(session, actor, approval, shop.settings, "settling an in-doubt payment")
    if outcome == "approved" and not sale_can_take(session, attempt):
        raise Conflict("The sale no longer needs this amount: refund it on the terminal, then "
                       "resolve the payment as 'declined' with a note.")
    audit(session, "payment_resolved", actor, approved_by=approver, lane_id=attempt.lane_id,
          ref=attempt.id, outcome=outcome, amount=attempt.amount, note=note[:200])
    result = PaymentResult(outcome=Outcome(outcome), amount_minor=attempt.amount,
                           currency=attempt.currency, message=f"operator: {note}"[:200])
    attempt.status = "sent"  # reopen for record_result; written once, in this transaction
    attempt.resolved_by = approver
    return record_result(session, shop, attempt_id, result, actor, how="operator")
