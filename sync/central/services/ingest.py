"""Push: a hub's outbox events applied at central exactly once and in the hub's order.

One transaction per batch with the store's row locked. Events at or below last_seq are
skipped, a gap stops the batch, a business-invalid event is recorded as rejected and the queue
moves on, and each event_id takes effect once even if re-sent under another seq.

The work is set-based so that catching up a long offline backlog is fast: what the events
look up is read in a few queries per batch, and the rows they make (their applied_event rows
included) are queued and written with one COPY per table (services/rows.py). Should another
store's push record one of these event ids in the meantime, applied_event's key refuses the
batch, and the careful pass claims the events first with INSERT … ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from sync.central.models import (
    AppliedEvent,
    Product,
    RefundRow,
    SaleLineRow,
    SaleRow,
    StockMove,
    Store,
    StoreRecord,
    aware,
)
from sync.central.services import payloads as p
from sync.central.services.errors import Conflict, Invalid
from sync.central.services.pickup import hand_over
from sync.central.services.rows import insert_new_rows, insert_rows, lookup, table_of
from sync.central.services.stock import (
    on_hand_for,
    open_conflicts_for_oversell,
    save_on_hand,
    stock_for,
)
from sync.central.services.stores import lock_store
from sync.schemas import OutboxEvent, PushReply, PushRequest, RejectedEvent

STOCK_TYPES = ("stock.moved", "stock.counted")
KEPT_TYPES = ("cash.moved", "shift.closed")
STORAGE_ERRORS = (IntegrityError, DataError)  # the event's data, not the database, is at fault

# The columns of the rows a push queues, in the order their values are given (the others
# take their defaults).
APPLIED_COLUMNS = ("event_id", "store_id", "hub_seq", "type", "outcome", "reason",
                   "occurred_at", "received_at")
MOVE_COLUMNS = ("store_id", "sku", "delta", "reason", "ref", "event_id", "created_at")
SALE_COLUMNS = ("store_id", "sale_id", "event_id", "lane_id", "receipt_no", "currency", "total",
                "vat", "completed_at")
LINE_COLUMNS = ("store_id", "sale_id", "sku", "name", "quantity", "weight_g", "net", "vat",
                "vat_rate_bp", "voided")
Columns = tuple[str, ...]


class Rejected(Exception):
    """An event that breaks a business rule; the reason is recorded and the queue moves on."""


@dataclass
class Batch:
    """What one push transaction has loaded and touched."""

    session: Session
    store_id: str  # read for every row: a plain value, not the ORM Store's attribute
    now: datetime
    nul_free: bool = False  # the body was seen to hold no NUL: no payload needs the scan
    products: set[str] = field(default_factory=set)
    on_hand: dict[str, int] = field(default_factory=dict)  # as the batch leaves it, per sku
    counted_at: dict[str, datetime] = field(default_factory=dict)  # skus counted, and when
    changed: set[str] = field(default_factory=set)  # skus whose on-hand is not written yet
    sales: set[str] = field(default_factory=set)
    refunds: set[str] = field(default_factory=set)
    # Units held by the store's pick-up orders per sku, read with on-hand; None once an event
    # of the batch changed an order (then they are read again at the end).
    held: dict[str, int] | None = None
    rows: dict[type[Any], tuple[Columns, list[tuple[Any, ...]]]] = field(default_factory=dict)

    def queue(self, table: type[Any], columns: Columns) -> list[tuple[Any, ...]]:
        """The queue of table's rows: append tuples of values in the order of columns (the
        same for every row of a table); write_rows writes each table's rows in one go."""
        queued = self.rows.get(table)
        if queued is None:
            queued = self.rows[table] = (columns, [])
        elif queued[0] is not columns:
            raise ValueError(f"rows of {table.__name__} queued with different columns")
        return queued[1]

    def write_rows(self) -> None:
        """Insert every queued row, one statement per table, and write the changed on-hand;
        nothing is left queued afterwards, even if the database refuses a row (the caller
        then rolls back, and the event's savepoint in careful mode)."""
        queued, self.rows = self.rows, {}
        changed, self.changed = self.changed, set()
        for table, (columns, rows) in queued.items():
            insert_rows(self.session, table_of(table), columns, rows)
        save_on_hand(self.session, self.store_id,
                     {sku: self.on_hand[sku] for sku in changed},
                     {sku: self.counted_at[sku] for sku in changed if sku in self.counted_at},
                     self.now)

    def level(self, sku: str) -> int:
        """This store's on-hand of sku (read once per batch)."""
        if sku not in self.on_hand:
            self.on_hand.update(on_hand_for(self.session, self.store_id, [sku]))
        return self.on_hand[sku]

    def set_level(self, sku: str, units: int) -> None:
        """Change this store's on-hand of sku (written by write_rows)."""
        self.on_hand[sku] = units
        self.changed.add(sku)

    def snapshot(self) -> tuple[Any, ...]:
        """What applying one event may change in memory, to put back if its savepoint fails."""
        return (dict(self.on_hand), dict(self.counted_at), set(self.changed),
                set(self.products), set(self.sales), set(self.refunds))

    def restore(self, saved: tuple[Any, ...]) -> None:
        """Put back a snapshot; rows queued since are dropped."""
        (self.on_hand, self.counted_at, self.changed, self.products, self.sales,
         self.refunds) = saved
        self.rows = {}


class GapError(Conflict):
    """The batch starts after a seq central has not seen."""

    code = "gap"


def check_order(request: PushRequest, last_seq: int) -> None:
    """A batch lists its events in strictly increasing seq order."""
    seqs = [e.seq for e in request.events]
    if any(b <= a for a, b in zip(seqs, seqs[1:], strict=False)):
        raise Invalid("Events must be in increasing seq order, each seq once; send the outbox "
                      "rows as they are numbered.", last_seq=last_seq)
    for event in request.events:
        if "\x00" in event.event_id or "\x00" in event.type:
            raise Invalid(f"Event {event.seq} has a NUL character in its id or type.",
                          last_seq=last_seq)
        for moment in (event.occurred_at, event.hub_clock):
            if not 2000 <= moment.year <= 9000:
                raise Invalid(f"Event {event.seq} has a date outside 2000–9000; check the "
                              "hub's clock.", last_seq=last_seq)


def push(session: Session, store_id: str, request: PushRequest, now: datetime,
         *, careful: bool = False, nul_free: bool = False,
         locked: Store | None = None) -> PushReply:
    """Apply a batch for a store; careful=True isolates each event in a savepoint.

    nul_free: the caller saw no NUL (raw or escaped) anywhere in the request body, so no
    payload needs to be searched for one. locked: the store's row, already locked in this
    transaction (found by its hub's token); otherwise it is locked here.
    """
    store = locked if locked is not None else lock_store(session, store_id)
    check_order(request, store.last_seq)
    store.last_contact = now
    session.add(store)
    pending = [e for e in request.events if e.seq > store.last_seq]
    if pending and pending[0].seq != store.last_seq + 1:
        raise GapError(f"Central has events up to seq {store.last_seq}; this batch starts at "
                       f"{pending[0].seq}. Send from seq {store.last_seq + 1}.",
                       last_seq=store.last_seq)
    batch_events: list[OutboxEvent] = []
    for event in pending:
        if event.seq != store.last_seq + 1 + len(batch_events):
            break  # a gap: nothing after it is applied
        batch_events.append(event)
    store_id = store.store_id
    batch = Batch(session, store_id, now, nul_free=nul_free)
    _preload(batch, batch_events)
    known = _known_events(session, batch_events)
    if careful:  # claimed up front, so that a refused event still leaves its row
        known.update(_claim_events(session, store_id,
                                   [e for e in batch_events if e.event_id not in known], now))
    applied, rejected, refused = 0, [], []
    # Queued once for the whole batch: only the fast pass writes them (at its very end).
    applied_rows = [] if careful else batch.queue(AppliedEvent, APPLIED_COLUMNS)
    newest = aware(store.newest_event_at)
    for event in batch_events:
        occurred = aware(event.occurred_at)
        if event.event_id in known:
            first = known[event.event_id]
            rejected.append(RejectedEvent(
                seq=event.seq, event_id=event.event_id,
                reason=f"event {event.event_id} was applied already (as seq {first})"))
        else:
            reason = _apply_isolated(batch, event) if careful else _apply(batch, event)
            known[event.event_id] = event.seq
            if reason:
                rejected.append(RejectedEvent(seq=event.seq, event_id=event.event_id,
                                              reason=reason))
            else:
                applied += 1
            if not careful:
                applied_rows.append(_applied_row(store_id, event, occurred, reason, now))
            elif reason:  # claimed as applied up front: say it was not
                refused.append({"refused_id": event.event_id, "why": reason[:500]})
        if occurred is not None and (newest is None or occurred > newest):
            newest = occurred
    if batch_events:
        store.last_seq = batch_events[-1].seq
        store.newest_event_at = newest
    batch.write_rows()
    _record_rejections(session, refused)
    open_conflicts_for_oversell(session, store_id, batch.on_hand, now, batch.held)
    session.flush()
    return PushReply(last_seq=store.last_seq, applied=applied, rejected=rejected)


def has_nul(value: object) -> bool:
    """True if a NUL character hides anywhere in a payload (PostgreSQL text cannot hold it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def _applied_row(store_id: str, event: OutboxEvent, occurred: datetime | None,
                 reason: str | None, now: datetime) -> tuple[Any, ...]:
    """The applied_event row (APPLIED_COLUMNS) of an event taken now: applied, or rejected
    with its reason."""
    return (event.event_id, store_id, event.seq, event.type[:40],
            "rejected" if reason else "applied", reason[:500] if reason else None, occurred,
            now)


def _known_events(session: Session, events: list[OutboxEvent]) -> dict[str, int]:
    """The events central has taken before: event_id → the seq it came as then."""
    return dict(lookup(session, table_of(AppliedEvent), "event_id",
                       [e.event_id for e in events], ("hub_seq",)))


def _claim_events(session: Session, store_id: str, events: list[OutboxEvent],
                  now: datetime) -> dict[str, int]:
    """Record these events in applied_event, each event_id once, as applied (rejections are
    marked afterwards); returns those another push recorded first: event_id → its seq."""
    firsts: dict[str, OutboxEvent] = {}
    for event in events:
        firsts.setdefault(event.event_id, event)  # a later copy in the batch is a resend
    rows = [_applied_row(store_id, e, aware(e.occurred_at), None, now) for e in firsts.values()]
    claimed = insert_new_rows(session, table_of(AppliedEvent), APPLIED_COLUMNS, rows,
                              "event_id")
    taken = [event_id for event_id in firsts if event_id not in claimed]
    return dict(lookup(session, table_of(AppliedEvent), "event_id", taken, ("hub_seq",)))


def _record_rejections(session: Session, refused: list[dict[str, str]]) -> None:
    """Mark claimed events that broke a rule as rejected, with the reason."""
    if refused:
        applied = table_of(AppliedEvent)
        session.execute(applied.update()
                        .where(applied.c.event_id == bindparam("refused_id"))
                        .values(outcome="rejected", reason=bindparam("why")), refused)


def _preload(batch: Batch, events: list[OutboxEvent]) -> None:
    """Load in a few queries what the batch's events will look up one by one."""
    skus: set[str] = set()
    sale_ids: set[str] = set()
    refund_ids: set[str] = set()
    for event in events:
        if not batch.nul_free and has_nul(event.payload):
            continue
        items = event.payload.get("items")
        if event.type in STOCK_TYPES and isinstance(items, list):
            skus.update(i["sku"] for i in items
                        if isinstance(i, dict) and isinstance(i.get("sku"), str))
        elif event.type == "sale.completed":
            sale_ids.add(str(event.payload.get("id")))
        elif event.type == "refund.completed":
            refund_ids.add(str(event.payload.get("id")))
    session, store_id = batch.session, batch.store_id
    if skus:
        batch.products, batch.on_hand, batch.held = stock_for(session, store_id, skus)
    batch.sales = {sale_id for sale_id, in lookup(session, table_of(SaleRow), "sale_id",
                                                  sale_ids, store_id=store_id)}
    batch.refunds = {refund_id for refund_id, in lookup(session, table_of(RefundRow),
                                                        "refund_id", refund_ids,
                                                        store_id=store_id)}


def _apply(batch: Batch, event: OutboxEvent) -> str | None:
    """Apply one event; returns the reason it was rejected, or None."""
    handler = HANDLERS.get(event.type)
    if not batch.nul_free and has_nul(event.payload):
        return "the payload holds a NUL character, which central cannot store"
    if handler is None:
        return f"unknown event type {event.type!r}"
    try:
        handler(batch, event)
    except ValidationError as exc:
        return p.explain(exc).replace("\x00", "")
    except Rejected as exc:
        return str(exc).replace("\x00", "")
    return None


def _apply_isolated(batch: Batch, event: OutboxEvent) -> str | None:
    """Apply one event in a savepoint: data the database refuses rejects only this event."""
    saved = batch.snapshot()
    try:
        with batch.session.begin_nested():
            reason = _apply(batch, event)
            batch.write_rows()
            batch.session.flush()
    except STORAGE_ERRORS as exc:
        batch.restore(saved)
        return f"central could not store this event: {type(exc.orig).__name__}"
    return reason


def _check_skus(batch: Batch, skus: list[str]) -> None:
    unknown = sorted({s for s in skus if s not in batch.products})
    if unknown:
        known = {sku for sku, in lookup(batch.session, table_of(Product), "sku", unknown)}
        batch.products |= known
        unknown = [s for s in unknown if s not in known]
    if unknown:
        raise Rejected(f"unknown sku {', '.join(unknown)}")


def _stock_moved(batch: Batch, event: OutboxEvent) -> None:
    moved = p.StockMoved.model_validate(event.payload)
    _check_skus(batch, [i.sku for i in moved.items])
    moves = batch.queue(StockMove, MOVE_COLUMNS)
    for item in moved.items:
        batch.set_level(item.sku, batch.level(item.sku) + item.delta)
        moves.append((batch.store_id, item.sku, item.delta, moved.reason, moved.ref,
                      event.event_id, batch.now))


def _stock_counted(batch: Batch, event: OutboxEvent) -> None:
    counted = p.StockCounted.model_validate(event.payload)
    _check_skus(batch, [i.sku for i in counted.items])
    moves = batch.queue(StockMove, MOVE_COLUMNS)
    for item in counted.items:
        delta = item.counted - batch.level(item.sku)  # the ledger still adds up to on-hand
        batch.set_level(item.sku, item.counted)
        batch.counted_at[item.sku] = aware(event.occurred_at) or batch.now
        moves.append((batch.store_id, item.sku, delta, "count", counted.ref,
                      event.event_id, batch.now))


def _sale_completed(batch: Batch, event: OutboxEvent) -> None:
    sale = p.SaleCompleted.model_validate(event.payload)
    if sale.id in batch.sales:
        raise Rejected(f"sale {sale.id} is recorded already")
    batch.sales.add(sale.id)
    store_id = batch.store_id
    batch.queue(SaleRow, SALE_COLUMNS).append((
        store_id, sale.id, event.event_id, sale.lane_id, sale.receipt_no, sale.currency,
        sale.total, sum(line.vat for line in sale.lines if not line.voided),
        aware(sale.completed_at) or aware(event.occurred_at)))
    batch.queue(SaleLineRow, LINE_COLUMNS).extend(
        (store_id, sale.id, line.sku, line.name, line.quantity, line.weight_g, line.net,
         line.vat, line.vat_rate_bp, line.voided) for line in sale.lines)


def _refund_completed(batch: Batch, event: OutboxEvent) -> None:
    refund = p.RefundCompleted.model_validate(event.payload)
    if refund.id in batch.refunds:
        raise Rejected(f"refund {refund.id} is recorded already")
    batch.refunds.add(refund.id)
    vat = refund.vat
    if vat is None:
        vat = sum(v for line in refund.lines if isinstance(v := line.get("vat"), int))
    batch.session.add(RefundRow(store_id=batch.store_id, refund_id=refund.id,
                                sale_id=refund.sale_id, event_id=event.event_id,
                                total=refund.total, vat=vat, payload=event.payload))


def _kept(batch: Batch, event: OutboxEvent) -> None:
    batch.session.add(StoreRecord(store_id=batch.store_id, type=event.type,
                                  event_id=event.event_id, payload=event.payload,
                                  occurred_at=aware(event.occurred_at) or batch.now))


def _pickup_handed_over(batch: Batch, event: OutboxEvent) -> None:
    handed = p.PickupHandedOver.model_validate(event.payload)
    batch.held = None  # the order no longer holds its stock
    why_not = hand_over(batch.session, batch.store_id, handed.order_id, handed.sale_id,
                        batch.now)
    if why_not:
        raise Rejected(why_not)


HANDLERS: dict[str, Callable[[Batch, OutboxEvent], None]] = {
    "stock.moved": _stock_moved,
    "stock.counted": _stock_counted,
    "sale.completed": _sale_completed,
    "refund.completed": _refund_completed,
    "cash.moved": _kept,
    "card.settled": _kept,
    "shift.closed": _kept,
    "pickup.handed_over": _pickup_handed_over,
}
