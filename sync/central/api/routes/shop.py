"""/shop/v1: the online shop (no login): products with availability per store, pick-up orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlmodel import Session, col, select

from sync.central.api.deps import DbDep, NowDep, SettingsDep
from sync.central.models import Product, Store
from sync.central.services.catalog import catalog_item, get_product, search_products
from sync.central.services.pickup import OrderIn, get_order, place_order
from sync.central.services.stock import availability
from sync.schemas import CatalogItem, PickupOrder

router = APIRouter(prefix="/shop/v1", tags=["shop"])


class StoreAvailability(BaseModel):
    """How many a store can promise for pick-up now."""

    store_id: str
    name: str
    available: int


class ShopProduct(CatalogItem):
    """A product as the shop shows it, with what each store can promise."""

    availability: list[StoreAvailability]


def _with_availability(
    session: Session, products: list[Product], now: object, silent_after: int
) -> list[ShopProduct]:
    stores = list(session.exec(select(Store).order_by(col(Store.store_id))).all())
    names = {s.store_id: s.name for s in stores}
    rows = availability(session, stores, [p.sku for p in products], now,  # type: ignore[arg-type]
                        silent_after)
    per_sku: dict[str, list[StoreAvailability]] = {}
    for a in rows:
        per_sku.setdefault(a.sku, []).append(
            StoreAvailability(store_id=a.store_id, name=names[a.store_id], available=a.available))
    return [ShopProduct(**catalog_item(p).model_dump(), availability=per_sku.get(p.sku, []))
            for p in products]


@router.get("/products", response_model=list[ShopProduct])
def products(
    db: DbDep,
    settings: SettingsDep,
    now: NowDep,
    q: Annotated[str, Query(max_length=100, description="part of a name, sku or GTIN")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ShopProduct]:
    """Products on sale online, with availability per store."""
    with db.transaction() as session:
        found = search_products(session, q, limit)
        return _with_availability(session, found, now, settings.silent_after_seconds)


@router.get("/products/{sku}", response_model=ShopProduct)
def product(
    sku: Annotated[str, Path(max_length=64)], db: DbDep, settings: SettingsDep, now: NowDep
) -> ShopProduct:
    """One product with availability per store."""
    with db.transaction() as session:
        return _with_availability(session, [get_product(session, sku)], now,
                                  settings.silent_after_seconds)[0]


@router.post("/orders", response_model=PickupOrder, status_code=201,
             responses={409: {"description": "the store cannot promise it; see available"}})
def order(body: OrderIn, db: DbDep, settings: SettingsDep, now: NowDep) -> PickupOrder:
    """Place a pick-up order: reserves the lines at the store if it can promise them."""
    with db.transaction() as session:
        return place_order(session, body, now, settings.silent_after_seconds,
                           settings.reservation_hours)


@router.get("/orders/{order_id}", response_model=PickupOrder)
def order_status(order_id: Annotated[str, Path(max_length=36)], db: DbDep) -> PickupOrder:
    """Where a pick-up order stands."""
    with db.transaction() as session:
        return get_order(session, order_id)
