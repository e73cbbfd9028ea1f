"""The hub's side of sync, in the database: what to push, what central took, applying the
change feed, and handing over pick-up orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, cast

from sqlmodel import Session, SQLModel, col, func, select

from hub.models import (
    OutboxEvent,
    PickupOrder,
    Product,
    Sale,
    SaleLine,
    SyncRejection,
    SyncState,
    Tender,
)
from hub.models.base import utcnow
from hub.models.sale import SalePublic
from hub.services.auth import Actor
from hub.services.cart import recompute
from hub.services.complete import complete_sale
from hub.services.context import Shop
from hub.services.errors import Conflict, NotFound
from hub.services.fiscal import record
from hub.services.records import emit
from hub.services.sale import get_lane
from sync.schemas import PUSH_BYTES, CatalogItem, Change, PushReply
from sync.schemas import OutboxEvent as WireEvent
from sync.schemas import PickupOrder as WireOrder


class SyncStatus(SQLModel):
    """How the hub stands with central."""

    enabled: bool
    waiting: int  # events central has not taken yet
    acked_seq: int
    last_seq: int  # newest event in the outbox
    last_push_at: datetime | None
    last_pull_at: datetime | None
    lag_seconds: float | None  # age of the oldest event still waiting
    online: bool
    last_error: str
    rejected: int


def state(session: Session) -> SyncState:
    """The single sync-state row (made on first use)."""
    row = session.get(SyncState, 1)
    if row is None:
        row = SyncState(id=1)
        session.add(row)
        session.flush()
    return row


@dataclass(frozen=True)
class PendingEvents:
    """The next events for central, each already one OutboxEvent's JSON object (for
    CentralClient.push_encoded)."""

    events: list[str]
    last_seq: int  # the seq of the last of them (0 when there are none)
    waiting: int  # events after the batch's start (central's acked seq), these included


# The outbox's columns as SQLite stores them: the payload as JSON text, instants as naive UTC
# text (SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff").
_PENDING = ("SELECT seq, event_id, type, payload, occurred_at, hub_clock FROM outboxevent"
            " WHERE seq > ? ORDER BY seq LIMIT ?")
_LAST_SEQ = "SELECT max(seq) FROM outboxevent"
_string = cast(Callable[[str], str], encode_basestring)  # a JSON string, as json.dumps writes it


def pending(session: Session, limit: int, after: int | None = None,
            max_bytes: int = PUSH_BYTES) -> PendingEvents:
    """The next events after seq `after` (by default: central's acknowledged seq), oldest
    first, encoded for the push: at most `limit`, and no more than fit in `max_bytes` of JSON
    (always at least one). With `after` given the session only reads.

    The stored payload text goes into the body as it is: parsing it and writing it again (the
    ORM row, then the wire model) cost ~15 ms of a 500-event batch. The body parses to what
    the wire models made; an event whose stored text could differ from theirs (see _encoded)
    is still encoded through them."""
    start = state(session).acked_seq if after is None else after
    connection = session.connection()
    events: list[str] = []
    size = last_seq = 0
    # Row by row, not fetchall(): a batch of large events stops well before `limit` rows.
    with connection.exec_driver_sql(_PENDING, (start, limit)) as rows:
        for row in rows:
            event = _encoded(row) or _encoded_by_model(session, row[0])
            size += len(event) + 1
            if events and size > max_bytes:
                break
            events.append(event)
            last_seq = row[0]
    last = connection.exec_driver_sql(_LAST_SEQ).scalar() or 0
    return PendingEvents(events=events, last_seq=last_seq, waiting=max(0, last - start))


def _encoded(row: Any) -> str | None:
    """One outbox row as the wire OutboxEvent's JSON, or None where only the model can say.

    json.dumps (the JSON column's writer) and pydantic agree on every value but NaN and
    infinities (bare words here, null there) and a lone surrogate (escaped here, an error
    there); "\\ud" is in every escaped surrogate, so an emoji takes the model's way too."""
    seq, event_id, type_, payload, occurred_at, hub_clock = row
    if (not isinstance(seq, int) or seq < 1 or not isinstance(event_id, str)
            or len(event_id) != 36 or not isinstance(type_, str) or not 1 <= len(type_) <= 40
            or not isinstance(payload, str) or not payload.startswith("{")
            or "NaN" in payload or "Infinity" in payload or "\\ud" in payload):
        return None
    occurred, clock = _instant(occurred_at), _instant(hub_clock)
    if occurred is None or clock is None:
        return None
    return (f'{{"seq":{seq},"event_id":{_string(event_id)},"type":{_string(type_)},'
            f'"payload":{payload},"occurred_at":"{occurred}","hub_clock":"{clock}"}}')


def _instant(stored: object) -> str | None:
    """A stored naive-UTC instant as pydantic writes the aware one: ISO, microseconds only
    when there are any, "Z"."""
    if not isinstance(stored, str) or len(stored) != 26 or stored[10] != " " \
            or stored[19] != ".":
        return None
    fraction = "" if stored.endswith("000000") else stored[19:]
    return f"{stored[:10]}T{stored[11:19]}{fraction}Z"


def _encoded_by_model(session: Session, seq: int) -> str:
    """The row read through the ORM and the wire model, as every event was before."""
    r = session.get_one(OutboxEvent, seq)
    return WireEvent(seq=r.seq or 0, event_id=r.event_id, type=r.type, payload=r.payload,
                     occurred_at=r.occurred_at, hub_clock=r.hub_clock).model_dump_json()


def record_push(session: Session, reply: PushReply) -> None:
    """Central took everything up to reply.last_seq; remember it and any rejections."""
    row = state(session)
    now = utcnow()
    if reply.last_seq > row.acked_seq:  # (a lower one, after central restored a backup, makes
        session.exec(                    # the hub send again; central drops what it has)  # type: ignore[call-overload]
            OutboxEvent.__table__.update()  # type: ignore[attr-defined]
            .where(OutboxEvent.__table__.c.seq > row.acked_seq,  # type: ignore[attr-defined]
                   OutboxEvent.__table__.c.seq <= reply.last_seq,  # type: ignore[attr-defined]
                   OutboxEvent.__table__.c.pushed_at.is_(None))  # type: ignore[attr-defined]
            .values(pushed_at=now)
        )
    row.acked_seq = reply.last_seq
    for rejected in reply.rejected:
        if session.get(SyncRejection, rejected.seq) is None:
            session.add(SyncRejection(seq=rejected.seq, event_id=rejected.event_id,
                                      reason=rejected.reason[:300]))
            row.rejected += 1
    row.last_push_at = now
    row.last_error = ""
    session.add(row)


def record_error(session: Session, message: str) -> None:
    """Remember why the last sync attempt failed (shown in the status)."""
    row = state(session)
    row.last_error, row.last_error_at = message[:300], utcnow()
    session.add(row)


def status(session: Session, enabled: bool, online: bool) -> SyncStatus:
    """The sync status staff see."""
    row = state(session)
    last = session.exec(select(func.max(OutboxEvent.seq))).one() or 0
    oldest = session.exec(select(func.min(OutboxEvent.occurred_at))
                          .where(col(OutboxEvent.seq) > row.acked_seq)).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return SyncStatus(
        enabled=enabled, waiting=max(0, last - row.acked_seq), acked_seq=row.acked_seq,
        last_seq=last, last_push_at=row.last_push_at, last_pull_at=row.last_pull_at,
        lag_seconds=(utcnow() - oldest).total_seconds() if oldest else 0.0, online=online,
        last_error=row.last_error, rejected=row.rejected,
    )


def apply_changes(session: Session, changes: list[Change], next_cursor: int,
                  shop: Shop) -> list[str]:
    """Apply central's changes (newer versions only); returns the pick-up orders that changed.
    Every price that changes is journaled (the fiscal rules ask for price changes)."""
    touched: list[str] = []
    for change in changes:
        if change.kind == "product":
            _apply_product(session, change, shop)
        elif change.kind == "pickup_order" and _apply_order(session, change):
            touched.append(change.key)
    row = state(session)
    row.pull_cursor, row.last_pull_at = next_cursor, utcnow()
    session.add(row)
    return touched


def _apply_product(session: Session, change: Change, shop: Shop) -> None:
    product = session.exec(select(Product).where(Product.sku == change.key)).first()
    if product is not None and product.version >= change.version:
        return
    if change.deleted or change.data is None:
        if product is not None:
            product.active, product.version = False, change.version
            session.add(product)
        return
    item = CatalogItem.model_validate(change.data)
    fields = item.model_dump()
    if product is None:
        if item.gtin:  # a code another sku used before moves to the new one
            clash = session.exec(select(Product).where(Product.gtin == item.gtin)).first()
            if clash is not None:
                clash.gtin = None
                session.add(clash)
                session.flush()
        session.add(Product(**fields, version=change.version))
        return
    if item.price != product.price:
        record(session, shop, "price_change", lane_id=None, actor=None, ref=product.sku,
               amount=item.price, old_price=product.price, name=item.name)
    for name, value in fields.items():
        setattr(product, name, value)
    product.version = change.version
    session.add(product)


def _apply_order(session: Session, change: Change) -> bool:
    order = session.get(PickupOrder, change.key)
    if order is not None and order.version >= change.version:
        return False
    if change.deleted or change.data is None:
        if order is not None:
            order.status, order.version = "cancelled", change.version
            session.add(order)
        return order is not None
    wire = WireOrder.model_validate(change.data)
    if order is None:
        order = PickupOrder(order_id=wire.order_id, order_no=wire.order_no, status=wire.status,
                            customer_name=wire.customer_name, reserved_until=wire.reserved_until)
    if order.status == "handed_over":  # done here: a late 'reserved' from central changes nothing
        order.version = change.version
        session.add(order)
        return False
    order.order_no, order.status = wire.order_no, wire.status
    order.customer_name, order.customer_email = wire.customer_name, wire.customer_email
    order.lines = [line.model_dump() for line in wire.lines]
    order.total, order.currency = wire.total, wire.currency
    order.reserved_until, order.version = wire.reserved_until, change.version
    session.add(order)
    return True


def pickup_queue(session: Session) -> list[PickupOrder]:
    """Orders waiting to be picked or handed over, soonest expiry first."""
    return list(session.exec(
        select(PickupOrder).where(col(PickupOrder.status).in_(("reserved", "picked")))
        .order_by(col(PickupOrder.reserved_until))))


def _order(session: Session, order_id: str) -> PickupOrder:
    order = session.get(PickupOrder, order_id)
    if order is None:
        raise NotFound(f"There is no pick-up order {order_id}.")
    if order.status not in ("reserved", "picked"):
        raise Conflict(f"Order {order.order_no} is {order.status}; it cannot be handed over.")
    return order


def mark_picked(session: Session, order_id: str) -> PickupOrder:
    """The goods are collected and waiting at the counter."""
    order = _order(session, order_id)
    order.picked, order.status = True, "picked"
    session.add(order)
    return order


def hand_over(session: Session, shop: Shop, order_id: str, lane_id: str,
              actor: Actor) -> SalePublic:
    """Give the customer the order at a till: a sale paid online that consumes the reservation."""
    order = _order(session, order_id)
    get_lane(session, lane_id)
    sale = Sale(lane_id=lane_id, currency=order.currency, cashier_id=actor.user_id)
    session.add(sale)
    session.flush()
    lines = []
    for item in order.lines:
        product = session.exec(select(Product).where(Product.sku == item["sku"])).first()
        if product is None:
            raise Conflict(f"Order {order.order_no} has {item['name']}, which this store does "
                           "not know yet: sync the catalog first.")
        line = SaleLine(sale_id=sale.id, product_id=product.id or 0, name=item["name"],
                        sku=product.sku, gtin=product.gtin, category=product.category,
                        service=product.service, quantity=item["quantity"],
                        unit_price=item["unit_price"], vat_rate_bp=product.vat_rate_bp)
        session.add(line)
        lines.append(line)
    recompute(sale, lines)
    session.add(Tender(sale_id=sale.id, method="prepaid", amount=sale.total,
                       reference=f"online order {order.order_no}"[:64]))
    session.flush()
    public = complete_sale(session, shop, sale.id, actor)
    order.status, order.sale_id = "handed_over", sale.id
    session.add(order)
    emit(session, "pickup.handed_over", {"order_id": order.order_id, "sale_id": sale.id,
                                         "order_no": order.order_no})
    return public
