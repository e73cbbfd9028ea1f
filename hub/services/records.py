"""Writing the append-only records that go with a change: audit, outbox, stock moves."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from hub.models import AuditEntry
from hub.models.base import utcnow, uuid7
from hub.services import journal
from hub.services.auth import Actor
from hub.services.sql import raw, stamp


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


_QUEUE = ("INSERT INTO outboxevent (event_id, type, payload, occurred_at, hub_clock)"
          " VALUES (?, ?, ?, ?, ?)")


def emit(session: Session, type_: str, payload: dict[str, Any], at: datetime | None = None) -> None:
    """Queue an event for central in the caller's transaction (inserted at once, in order)."""
    now = stamp(utcnow())
    raw(session).execute(_QUEUE, (uuid7(), type_, json.dumps(payload),
                                  stamp(at) if at else now, now))


def journal_and_emit(session: Session, key: Ed25519PrivateKey, event_type: str, kind: str,
                     ref: str, payload: dict[str, Any], at: datetime | None) -> None:
    """Sign a final record into the journal and queue it for central with the journal's head
    (seq and hash), so central holds anchors that show if the journal is ever cut short."""
    entry = journal.append(session, key, kind, ref, payload)
    emit(session, event_type, {**payload, "journal": {"seq": entry.seq, "hash": entry.hash}}, at)


_ADD_STOCK = "UPDATE product SET on_hand = on_hand + ? WHERE id = ?"
_LEDGER = "INSERT INTO stockmovement (product_id, delta, reason, ref, at) VALUES (?, ?, ?, ?, ?)"


def move_stock(
    session: Session, moves: list[tuple[int, str, int]], reason: str, ref: str
) -> None:
    """Apply stock deltas (product id, sku, delta), keep the ledger, and queue one stock event
    for them. On-hand is changed in SQL: Product objects the session holds keep the old
    figure."""
    moves = [move for move in moves if move[2] != 0]
    if not moves:
        return
    at = stamp(utcnow())
    con = raw(session)
    con.executemany(_ADD_STOCK, [(delta, pid) for pid, _sku, delta in moves])
    con.executemany(_LEDGER, [(pid, delta, reason, ref, at) for pid, _sku, delta in moves])
    emit(session, "stock.moved", {"reason": reason, "ref": ref, "items": [
        {"product_id": pid, "sku": sku, "delta": delta} for pid, sku, delta in moves]})
