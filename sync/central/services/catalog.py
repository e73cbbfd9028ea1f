"""The catalog central owns: every upsert and delete bumps the version and enters the feed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, or_, select

from sync.central.models import Product
from sync.central.services.errors import NotFound
from sync.central.services.feed import record_change
from sync.schemas import CatalogItem

FIELDS = ("gtin", "name", "category", "price", "currency", "vat_rate_bp", "unit", "age_limit",
          "active")


def catalog_item(product: Product) -> CatalogItem:
    """The wire shape of a product."""
    return CatalogItem(sku=product.sku, **{f: getattr(product, f) for f in FIELDS})


def upsert_product(
    session: Session, item: CatalogItem, now: datetime, safety_stock: int | None = None
) -> Product:
    """Create or change a product (a deleted one comes back) and publish it to every hub."""
    product = session.exec(
        select(Product).where(Product.sku == item.sku).with_for_update()
    ).first()
    if product is None:
        product = Product(sku=item.sku, version=0, price=item.price,
                          vat_rate_bp=item.vat_rate_bp, name=item.name)
    for field in FIELDS:
        setattr(product, field, getattr(item, field))
    if safety_stock is not None:
        product.safety_stock = safety_stock
    product.version += 1
    product.deleted = False
    product.updated_at = now
    session.add(product)
    record_change(session, "product", product.sku, product.version,
                  catalog_item(product).model_dump(mode="json"))
    return product


def delete_product(session: Session, sku: str, now: datetime) -> Product:
    """Delete a product: a tombstone in the feed; its stock history stays."""
    product = session.exec(select(Product).where(Product.sku == sku).with_for_update()).first()
    if product is None or product.deleted:
        raise NotFound(f"There is no product with sku {sku}.")
    product.deleted = True
    product.version += 1
    product.updated_at = now
    session.add(product)
    record_change(session, "product", sku, product.version, None, deleted=True)
    return product


def get_product(session: Session, sku: str) -> Product:
    """A live product by sku."""
    product = session.get(Product, sku)
    if product is None or product.deleted:
        raise NotFound(f"There is no product with sku {sku}.")
    return product


def search_products(session: Session, q: str, limit: int) -> list[Product]:
    """Live, active products whose name, sku or GTIN contains q."""
    query = select(Product).where(col(Product.deleted).is_(False), col(Product.active).is_(True))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(col(Product.name).ilike(like), col(Product.sku).ilike(like),
                                col(Product.gtin).ilike(like)))
    return list(session.exec(query.order_by(col(Product.sku)).limit(limit)).all())
