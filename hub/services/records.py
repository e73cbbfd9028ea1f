"""Writing the append-only records that go with a change: audit, outbox, stock moves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from hub.models import AuditEntry, OutboxEvent, Product, StockMovement
from hub.models.base import utcnow
from hub.services import journal
from hub.services.auth import Actor


def audit(
    session: Session,
    action: str,
    actor: Actor,
    *,
    approved_by: int | None = None,
    lane_id: str | None = None,
    ref: str | None = None,
    **detail: Any,
) -> None:
    """Record a sensitive action with who did it and who approved it."""
    session.add(
        AuditEntry(
            action=action,
            user_id=actor.user_id,
            device_id=actor.device_id,
            approved_by=approved_by,
            lane_id=lane_id,
            ref=ref,
            detail=detail,
        )
    )


def emit(session: Session, type_: str, payload: dict[str, Any], at: datetime | None = None) -> None:
    """Queue an event for central in the caller's transaction."""
    session.add(OutboxEvent(type=type_, payload=payload, occurred_at=at or utcnow()))


def journal_and_emit(session: Session, key: Ed25519PrivateKey, event_type: str, kind: str,
                     ref: str, payload: dict[str, Any], at: datetime | None) -> None:
    """Sign a final record into the journal and queue it for central with the journal's head
    (seq and hash), so central holds anchors that show if the journal is ever cut short."""
    entry = journal.append(session, key, kind, ref, payload)
    emit(session, event_type, {**payload, "journal": {"seq": entry.seq, "hash": entry.hash}}, at)


def move_stock(
    session: Session, moves: list[tuple[Product, int]], reason: str, ref: str
) -> None:
    """Apply stock deltas, keep the ledger, and queue one stock event for them."""
    items = []
    for product, delta in moves:
        if delta == 0:
            continue
        product.on_hand += delta
        session.add(product)
        session.add(StockMovement(product_id=product.id or 0, delta=delta, reason=reason, ref=ref))
        items.append({"product_id": product.id, "sku": product.sku, "delta": delta})
    if items:
        emit(session, "stock.moved", {"reason": reason, "ref": ref, "items": items})
