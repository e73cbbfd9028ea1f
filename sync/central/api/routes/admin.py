"""/admin/v1: head office: stores, catalog, stock, conflicts, orders, reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from sync.central.api.deps import AdminDep, DbDep, NowDep, SettingsDep
from sync.central.models import Store, aware
from sync.central.services import catalog, conflicts, pickup, reports, stores
from sync.central.services.errors import Invalid
from sync.central.services.stock import availability
from sync.schemas import CatalogItem, PickupOrder, Sku, StoreStatus

router = APIRouter(prefix="/admin/v1", tags=["admin"], dependencies=[AdminDep])
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]


class StoreIn(BaseModel):
    """A new store."""

    model_config = ConfigDict(extra="forbid")

    store_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class StoreCreated(BaseModel):
    """The new store and its hub token: shown once, keep it in the hub's settings."""

    store_id: str
    name: str
    token: str


class ProductIn(CatalogItem):
    """A product as head office sets it; sku comes from the path."""

    sku: Sku | None = None  # type: ignore[assignment]
    safety_stock: int = Field(0, ge=0, le=10**9, description="kept back from online sales")


class ProductOut(CatalogItem):
    """A product with its feed version and safety stock."""

    version: int
    safety_stock: int


class ProductDeleted(BaseModel):
    """A tombstone."""

    sku: str
    version: int
    deleted: bool = True


class StockRow(BaseModel):
    """Stock of one sku at one store."""

    store_id: str
    sku: str
    on_hand: int
    reserved: int
    committed: int
    safety_stock: int
    available: int
    silent: bool


class ConflictOut(BaseModel):
    """An oversell and how it was settled."""

    id: int
    store_id: str
    sku: str
    status: str
    shortfall: int
    order_ids: list[str]
    resolution: str | None
    detail: dict[str, Any] | None
    opened_at: datetime
    resolved_at: datetime | None


class CountRequestOut(BaseModel):
    """A count central asked a store for."""

    id: int
    store_id: str
    sku: str
    reason: str
    created_at: datetime


@router.post("/stores", response_model=StoreCreated, status_code=201)
def create_store(body: StoreIn, db: DbDep) -> StoreCreated:
    """Add a store; the answer holds its hub token, shown only this once."""
    with db.transaction() as session:
        store, token = stores.create_store(session, body.store_id, body.name)
        return StoreCreated(store_id=store.store_id, name=store.name, token=token)


@router.get("/stores", response_model=list[StoreStatus])
def list_stores(db: DbDep, settings: SettingsDep, now: NowDep) -> list[StoreStatus]:
    """Every store with its hub's last seq, lag and last contact."""
    with db.transaction() as session:
        return stores.list_statuses(session, now, settings.silent_after_seconds)


def _product_out(product: Any) -> ProductOut:
    return ProductOut(**catalog.catalog_item(product).model_dump(), version=product.version,
                      safety_stock=product.safety_stock)


@router.put("/products/{sku}", response_model=ProductOut)
def put_product(sku: SkuPath, body: ProductIn, db: DbDep, now: NowDep) -> ProductOut:
    """Create or change a product and its price; every hub gets it in the feed."""
    if body.sku is not None and body.sku != sku:
        raise Invalid(f"The body says sku {body.sku} but the path says {sku}; they must match.")
    item = CatalogItem(**body.model_dump(exclude={"sku", "safety_stock"}), sku=sku)
    with db.transaction() as session:
        return _product_out(catalog.upsert_product(session, item, now, body.safety_stock))


@router.get("/products/{sku}", response_model=ProductOut)
def get_product(sku: SkuPath, db: DbDep) -> ProductOut:
    """One product with its version."""
    with db.transaction() as session:
        return _product_out(catalog.get_product(session, sku))


@router.delete("/products/{sku}", response_model=ProductDeleted)
def delete_product(sku: SkuPath, db: DbDep, now: NowDep) -> ProductDeleted:
    """Delete a product: hubs get a tombstone."""
    with db.transaction() as session:
        product = catalog.delete_product(session, sku, now)
        return ProductDeleted(sku=product.sku, version=product.version)


@router.get("/stock", response_model=list[StockRow])
def stock(
    db: DbDep,
    settings: SettingsDep,
    now: NowDep,
    store_id: Annotated[str | None, Query(max_length=64)] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
) -> list[StockRow]:
    """On-hand, reserved and available per store and sku (filter by store and/or sku)."""
    from sync.central.models import StockLevel

    with db.transaction() as session:
        query = select(Store).order_by(col(Store.store_id))
        if store_id:
            query = query.where(Store.store_id == store_id)
        chosen = list(session.exec(query).all())
        if store_id and not chosen:
            stores.get_store(session, store_id)  # 404 with a message
        if sku:
            skus = [sku]
        else:
            skus = sorted(set(session.exec(select(StockLevel.sku).where(
                col(StockLevel.store_id).in_([s.store_id for s in chosen]))).all()))
        rows = availability(session, chosen, skus, now, settings.silent_after_seconds)
        return [StockRow(store_id=a.store_id, sku=a.sku, on_hand=a.on_hand, reserved=a.reserved,
                         committed=a.committed, safety_stock=a.safety_stock,
                         available=a.available, silent=a.silent) for a in rows]


def _conflict_out(c: Any) -> ConflictOut:
    return ConflictOut(id=c.id, store_id=c.store_id, sku=c.sku, status=c.status,
                       shortfall=c.shortfall, order_ids=c.order_ids or [],
                       resolution=c.resolution, detail=c.detail, opened_at=aware(c.opened_at),
                       resolved_at=aware(c.resolved_at))


@router.get("/conflicts", response_model=list[ConflictOut])
def list_conflicts(
    db: DbDep, status: Annotated[Literal["open", "resolved"] | None, Query()] = None
) -> list[ConflictOut]:
    """Stock conflicts, newest first."""
    with db.transaction() as session:
        return [_conflict_out(c) for c in conflicts.list_conflicts(session, status)]


@router.post("/conflicts/{conflict_id}/resolve", response_model=ConflictOut)
def resolve_conflict(
    conflict_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: conflicts.Resolution,
    db: DbDep,
    settings: SettingsDep,
    now: NowDep,
) -> ConflictOut:
    """Move the orders to another store, back-order them, or cancel them; a count is queued."""
    with db.transaction() as session:
        return _conflict_out(conflicts.resolve_conflict(session, conflict_id, body, now,
                                                        settings.silent_after_seconds))


@router.get("/count-requests", response_model=list[CountRequestOut])
def count_requests(
    db: DbDep, store_id: Annotated[str | None, Query(max_length=64)] = None
) -> list[CountRequestOut]:
    """Counts central has asked stores for."""
    with db.transaction() as session:
        return [CountRequestOut(id=r.id or 0, store_id=r.store_id, sku=r.sku, reason=r.reason,
                                created_at=aware(r.created_at))  # type: ignore[arg-type]
                for r in conflicts.count_requests(session, store_id)]


@router.post("/orders/{order_id}/cancel", response_model=PickupOrder)
def cancel_order(
    order_id: Annotated[str, Path(max_length=36)], db: DbDep, now: NowDep
) -> PickupOrder:
    """Cancel a reserved pick-up order; the customer is told and the stock is free again."""
    with db.transaction() as session:
        return pickup.cancel_order(session, order_id, now, "head office cancelled the order.")


@router.get("/reports/sales", response_model=list[reports.StoreSales])
def sales_report(db: DbDep) -> list[reports.StoreSales]:
    """Per store: number of sales, gross, VAT, refunds."""
    with db.transaction() as session:
        return reports.sales_report(session)
