"""Central's tables (their own registry: the hub's tables never mix in)."""

from __future__ import annotations

from sync.central.models.base import CentralTable, aware, metadata, utcnow
from sync.central.models.catalog import FeedChange, FeedHead, Product
from sync.central.models.orders import Notification, PickupLineRow, PickupOrderRow
from sync.central.models.records import RefundRow, SaleLineRow, SaleRow, StoreRecord
from sync.central.models.stock import CountRequest, StockConflict, StockLevel, StockMove
from sync.central.models.store import AppliedEvent, Store

__all__ = [
    "AppliedEvent", "CentralTable", "CountRequest", "FeedChange", "FeedHead", "Notification",
    "PickupLineRow", "PickupOrderRow", "Product", "RefundRow", "SaleLineRow", "SaleRow",
    "StockConflict", "StockLevel", "StockMove", "Store", "StoreRecord", "aware", "metadata",
    "utcnow",
]
