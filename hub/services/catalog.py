"""Finding products: by barcode and by name."""

from __future__ import annotations

from sqlalchemy import ColumnElement, TextClause
from sqlmodel import Session, SQLModel, col, or_, select

from hub.models import Product
from hub.services.errors import Invalid
from hub.services.search import (
    Source,
    first_in_order,
    fts_rows,
    match_expression,
    matching_ids,
    starts_with,
    unindexed,
)


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
    """Active products, in name order, where every word of the query begins a word of the name,
    or whose barcode or SKU starts with the query; optionally only one category."""
    query = (query or "").strip()
    if not query and not category:
        raise Invalid("Type part of a product name or code to search, or pick a category.")
    where: list[ColumnElement[bool]] = [col(Product.active).is_(True)]
    if category:
        where.append(col(Product.category) == category)
    if not query:
        return list(session.exec(select(Product).where(*where)
                                 .order_by(col(Product.name)).limit(limit)))
    # Index-backed: the name's words through product_fts, codes as ranges on their indexes.
    sources = [Source(select(col(Product.id)).where(_code_starts(query, True)),
                      lambda indexed: _code_starts(query, indexed))]
    match = match_expression(query)
    if match is not None:
        sources.append(Source(fts_rows("product", match),
                              lambda indexed: matching_ids("product", match, indexed=indexed)))
    return first_in_order(session, Product, sources, where, [col(Product.name)], limit)


def _code_starts(query: str, indexed: bool) -> ColumnElement[bool] | TextClause:
    """The barcode or the SKU begins with the query."""
    gtin, sku = (col(Product.gtin), col(Product.sku)) if indexed else (
        unindexed(Product.gtin), unindexed(Product.sku))
    return or_(starts_with(gtin, query), starts_with(sku, query))


def categories(session: Session) -> list[str]:
    """Every category with an active product, in order."""
    # A skip scan over ix_product_category_name: one index seek per category, not per product.
    rows = session.connection().exec_driver_sql(
        "WITH RECURSIVE c(name) AS ("
        " SELECT min(category) FROM product"
        " UNION ALL"
        " SELECT (SELECT min(category) FROM product WHERE category > c.name) FROM c"
        " WHERE c.name IS NOT NULL)"
        " SELECT name FROM c WHERE name IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM product WHERE category = c.name AND active)")
    return [c for (c,) in rows if c]
