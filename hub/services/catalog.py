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


def search(session: Session, query: str | None, limit: int = 50,
           category: str | None = None) -> list[Product]:
    """Products whose name starts with the query or has a word starting with it, or whose code
    starts with it; optionally only one category."""
    query = (query or "").strip()
    if not query and not category:
        raise Invalid("Type part of a product name or code to search, or pick a category.")
    stmt = select(Product).where(Product.active)
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(or_(
            col(Product.name).ilike(f"{escaped}%", escape="\\"),
            col(Product.name).ilike(f"% {escaped}%", escape="\\"),
            col(Product.gtin).startswith(query),
            col(Product.sku).startswith(query),
        ))
    if category:
        stmt = stmt.where(Product.category == category)
    return list(session.exec(stmt.order_by(col(Product.name)).limit(limit)))


def categories(session: Session) -> list[str]:
    """Every category with an active product, in order."""
    rows = session.exec(select(Product.category).where(Product.active).distinct()
                        .order_by(col(Product.category)))
    return [c for c in rows if c]
