"""Finding products: by barcode and by name."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, col, or_, select

from hub.models import Product
from hub.services.errors import Invalid


class ProductPublic(SQLModel):
    """A product as clients see it."""

    id: int
    sku: str
    gtin: str | None
    name: str
    category: str
    price: int
    currency: str
    vat_rate_bp: int
    unit: str
    on_hand: int
    age_limit: int | None
    active: bool


def search(session: Session, query: str, limit: int = 50) -> list[Product]:
    """Products whose name starts with the query or has a word starting with it, or whose code
    starts with it."""
    query = query.strip()
    if not query:
        raise Invalid("Type part of a product name or code to search.")
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = (
        select(Product)
        .where(
            Product.active,
            or_(
                col(Product.name).ilike(f"{escaped}%", escape="\\"),
                col(Product.name).ilike(f"% {escaped}%", escape="\\"),
                col(Product.gtin).startswith(query),
                col(Product.sku).startswith(query),
            ),
        )
        .order_by(col(Product.name))
        .limit(limit)
    )
    return list(session.exec(stmt))
