"""The demo catalog at central, and the opening stock of a demo store as a count."""

from __future__ import annotations

from sqlmodel import Session

from sync.central.models import StockMove, utcnow
from sync.central.services.catalog import upsert_product
from sync.central.services.stock import levels_for
from sync.central.services.stores import get_store
from sync.demo_catalog import demo_catalog


def load_demo(session: Session, store_id: str | None = None) -> tuple[int, int]:
    """Upsert every demo product; count opening stock at the store if given."""
    now = utcnow()
    items = demo_catalog()
    for item, _ in items:
        upsert_product(session, item, now)
    if store_id is None:
        return len(items), 0
    get_store(session, store_id)
    levels = levels_for(session, store_id, [item.sku for item, _ in items])
    for item, opening in items:
        level = levels[item.sku]
        session.add(StockMove(store_id=store_id, sku=item.sku, delta=opening - level.on_hand,
                              reason="count", ref="demo opening stock", event_id="demo-seed"))
        level.on_hand = opening
        level.counted_at = now
        session.add(level)
    return len(items), len(items)
