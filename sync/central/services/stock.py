"""On-hand, reservations and available-to-promise per store and sku; oversell conflicts.

available-to-promise = on-hand − reserved − committed − safety stock, never below 0, and 0 at
a store whose hub has been silent too long. `committed` is stock promised by other channels
(e.g. click-and-deliver); central has none yet, so it is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import sqlite
from sqlmodel import Session, col, select

from sync.central.models import (
    PickupLineRow,
    PickupOrderRow,
    Product,
    StockConflict,
    StockLevel,
    Store,
)
from sync.central.services.rows import lookup
from sync.central.services.stores import is_silent

HOLDING = ("reserved",)  # order statuses whose lines hold stock


@dataclass(frozen=True)
class Availability:
    """What one store has of one sku, and what it can still promise online."""

    store_id: str
    sku: str
    on_hand: int
    reserved: int
    committed: int
    safety_stock: int
    silent: bool

    @property
    def available(self) -> int:
        """Available-to-promise: what the online shop may still sell for pick-up here."""
        if self.silent:
            return 0
        return max(0, self.on_hand - self.reserved - self.committed - self.safety_stock)


def levels_for(session: Session, store_id: str, skus: Iterable[str]) -> dict[str, StockLevel]:
    """The stock rows of a store for these skus, made (at 0) where missing."""
    wanted = sorted(set(skus))
    rows = session.exec(
        select(StockLevel).where(StockLevel.store_id == store_id,
                                 col(StockLevel.sku).in_(wanted))
    ).all()
    found = {r.sku: r for r in rows}
    for sku in wanted:
        if sku not in found:
            found[sku] = StockLevel(store_id=store_id, sku=sku, on_hand=0)
            session.add(found[sku])
    return found


def on_hand_for(session: Session, store_id: str, skus: Iterable[str]) -> dict[str, int]:
    """On-hand of a store for these skus; 0 for a sku it has no stock row for yet."""
    wanted = set(skus)
    table = StockLevel.__table__  # type: ignore[attr-defined]
    found: dict[str, int] = dict(lookup(session, table, "sku", wanted, ("on_hand",),
                                        store_id=store_id))
    return {sku: found.get(sku, 0) for sku in wanted}


def stock_for(session: Session, store_id: str,
              skus: Iterable[str]) -> tuple[set[str], dict[str, int], dict[str, int]]:
    """For these skus: those that are products, and of those this store's on-hand (0 where it
    has no stock row yet) and units held by its pick-up orders — one query on PostgreSQL."""
    wanted = sorted(set(skus))
    if not wanted:
        return set(), {}, {}
    if session.get_bind().dialect.name != "postgresql":
        table = Product.__table__  # type: ignore[attr-defined]
        products = {sku for sku, in lookup(session, table, "sku", wanted)}
        held = reserved_by(session, [store_id], products) if products else {}
        return (products, on_hand_for(session, store_id, products),
                {sku: held.get((store_id, sku), 0) for sku in products})
    # Each key probes its unique index on its own (see rows.lookup); the held units are read
    # from the store's holding orders, as reserved_by reads them.
    rows = session.connection().exec_driver_sql(
        "WITH held AS (SELECT l.sku, sum(l.quantity) AS units FROM pickup_order o "
        "JOIN pickup_line l ON l.order_id = o.order_id "
        "WHERE o.store_id = %(store)s AND o.status = ANY(%(holding)s) "
        "AND l.sku = ANY(%(skus)s) GROUP BY l.sku) "
        "SELECT wanted.sku, coalesce(level.on_hand, 0), coalesce(held.units, 0) "
        "FROM unnest(%(skus)s::text[]) AS wanted(sku) "
        "JOIN LATERAL (SELECT 1 FROM product WHERE sku = wanted.sku LIMIT 1) AS product ON true "
        "LEFT JOIN LATERAL (SELECT on_hand FROM stock_level WHERE store_id = %(store)s "
        "AND sku = wanted.sku LIMIT 1) AS level ON true "
        "LEFT JOIN held ON held.sku = wanted.sku",
        {"store": store_id, "holding": list(HOLDING), "skus": wanted}).all()
    return ({sku for sku, _, _ in rows}, {sku: int(units) for sku, units, _ in rows},
            {sku: int(held) for sku, _, held in rows})


def save_on_hand(session: Session, store_id: str, on_hand: Mapping[str, int],
                 counted_at: Mapping[str, datetime], now: datetime) -> None:
    """Write these skus' on-hand (and when counted, for those in counted_at) in one statement,
    making the rows that do not exist yet."""
    if not on_hand:
        return
    skus = sorted(on_hand)
    if session.get_bind().dialect.name == "postgresql":  # the rows as one array per column
        session.connection().exec_driver_sql(
            "INSERT INTO stock_level (store_id, sku, on_hand, counted_at, updated_at) "
            "SELECT %s, * FROM unnest(%s::text[], %s::int8[], %s::timestamptz[]), "
            "CAST(%s AS timestamptz) "
            "ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, "
            "updated_at = EXCLUDED.updated_at, "
            "counted_at = coalesce(EXCLUDED.counted_at, stock_level.counted_at)",
            (store_id, skus, [on_hand[s] for s in skus], [counted_at.get(s) for s in skus],
             now))
        return
    table = StockLevel.__table__  # type: ignore[attr-defined]
    upsert: Any = sqlite.insert(table)
    upsert = upsert.on_conflict_do_update(
        index_elements=["store_id", "sku"],
        set_={"on_hand": upsert.excluded.on_hand, "updated_at": upsert.excluded.updated_at,
              "counted_at": func.coalesce(upsert.excluded.counted_at, table.c.counted_at)})
    session.execute(upsert, [
        {"store_id": store_id, "sku": sku, "on_hand": on_hand[sku],
         "counted_at": counted_at.get(sku), "updated_at": now} for sku in skus])


def reserved_by(
    session: Session, store_ids: Iterable[str], skus: Iterable[str]
) -> dict[tuple[str, str], int]:
    """Quantities held by pick-up orders, per (store, sku)."""
    orders = PickupOrderRow.__table__.c  # type: ignore[attr-defined]
    lines = PickupLineRow.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(  # Core columns: every push asks, and skips the ORM's compiling
        select(orders.store_id, lines.sku, func.sum(lines.quantity))
        .select_from(PickupLineRow.__table__  # type: ignore[attr-defined]
                     .join(PickupOrderRow.__table__,  # type: ignore[attr-defined]
                           orders.order_id == lines.order_id))
        .where(orders.status.in_(HOLDING), orders.store_id.in_(list(store_ids)),
               lines.sku.in_(list(skus)))
        .group_by(orders.store_id, lines.sku)
    ).all()
    return {(store, sku): int(qty or 0) for store, sku, qty in rows}


def availability(
    session: Session, stores: list[Store], skus: list[str], now: datetime, silent_after: int
) -> list[Availability]:
    """Availability of each sku at each store (store-major order)."""
    store_ids = [s.store_id for s in stores]
    on_hand = {
        (r.store_id, r.sku): r.on_hand
        for r in session.exec(select(StockLevel).where(col(StockLevel.store_id).in_(store_ids),
                                                       col(StockLevel.sku).in_(skus))).all()
    }
    safety = {
        p.sku: p.safety_stock
        for p in session.exec(select(Product).where(col(Product.sku).in_(skus))).all()
    }
    reserved = reserved_by(session, store_ids, skus)
    return [
        Availability(store_id=store.store_id, sku=sku,
                     on_hand=on_hand.get((store.store_id, sku), 0),
                     reserved=reserved.get((store.store_id, sku), 0), committed=0,
                     safety_stock=safety.get(sku, 0),
                     silent=is_silent(store, now, silent_after))
        for store in stores
        for sku in skus
    ]


def holding_orders(session: Session, store_id: str, sku: str) -> list[str]:
    """Order ids whose reservation at this store holds this sku, oldest first."""
    rows = session.exec(
        select(PickupOrderRow.order_id)
        .join(PickupLineRow, col(PickupOrderRow.order_id) == col(PickupLineRow.order_id))
        .where(PickupOrderRow.store_id == store_id, PickupLineRow.sku == sku,
               col(PickupOrderRow.status).in_(HOLDING))
        .order_by(col(PickupOrderRow.id))
    ).all()
    return list(dict.fromkeys(rows))


def open_conflicts_for_oversell(
    session: Session, store_id: str, on_hand: Mapping[str, int], now: datetime,
    holding: Mapping[str, int] | None = None,
) -> list[StockConflict]:
    """Open (or update) a conflict for each sku whose on-hand fell below what is reserved.

    holding: the units this store's pick-up orders hold per sku, if read already in this
    transaction with the store's row locked (orders are placed under that lock); read here
    if not given or if it lacks one of the skus."""
    if not on_hand:
        return []
    if holding is not None and all(sku in holding for sku in on_hand):
        reserved = {(store_id, sku): units for sku, units in holding.items()}
    else:
        reserved = reserved_by(session, [store_id], on_hand)
    opened = []
    for sku, units in sorted(on_hand.items()):
        held = reserved.get((store_id, sku), 0)
        if held == 0 or units >= held:  # nothing promised online: no one to let down
            continue
        conflict = session.exec(
            select(StockConflict).where(StockConflict.store_id == store_id,
                                        StockConflict.sku == sku,
                                        StockConflict.status == "open")
        ).first()
        if conflict is None:
            conflict = StockConflict(store_id=store_id, sku=sku, shortfall=0, opened_at=now)
        conflict.shortfall = held - units
        conflict.order_ids = holding_orders(session, store_id, sku)
        session.add(conflict)
        opened.append(conflict)
    return opened
