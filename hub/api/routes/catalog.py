"""The product catalog: search and barcode look-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from sqlmodel import select

from hub.api.deps import Actor, DbDep, ShopDep, requires
from hub.api.routing import Router
from hub.barcode import BarcodeError, parse_scan
from hub.models import Product
from hub.services import catalog
from hub.services.catalog import ProductPublic
from hub.services.errors import Invalid, NotFound

router = Router(tags=["catalog"])
Browser = Annotated[Actor, Depends(requires("catalog.read"))]


def _public(p: Product) -> ProductPublic:
    return ProductPublic.model_validate(p, from_attributes=True)


@router.get("/products")
def search_products(db: DbDep, _: Browser,
                    q: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
                    category: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[ProductPublic]:
    """Products by name (prefix or word) or by the start of their code, or in a category."""
    with db.read() as s:
        return [_public(p) for p in catalog.search(s, q, limit, category)]


@router.get("/products/categories")
def categories(db: DbDep, _: Browser) -> list[str]:
    """The catalog's categories, for browsing."""
    with db.read() as s:
        return catalog.categories(s)


@router.get("/products/by-barcode/{code}")
def product_by_barcode(code: Annotated[str, Path(min_length=1, max_length=32)], db: DbDep,
                       shop: ShopDep, _: Browser) -> ProductPublic:
    """The product behind a scanned code (price- and weight-embedded codes too)."""
    settings = shop.settings
    try:
        scan = parse_scan(code, settings.price_embedded_prefixes, settings.weight_embedded_prefixes)
    except BarcodeError as exc:
        raise Invalid(str(exc)) from exc
    with db.read() as s:
        product = s.exec(select(Product).where(Product.gtin == scan.gtin)).first()
        if product is None:
            raise NotFound(f"No product has the barcode {code}.")
        return _public(product)


@router.get("/products/{product_id}")
def get_product(product_id: Annotated[int, Path(ge=1, le=2**62)], db: DbDep,
                _: Browser) -> ProductPublic:
    """One product."""
    with db.read() as s:
        product = s.get(Product, product_id)
        if product is None:
            raise NotFound(f"There is no product {product_id}.")
        return _public(product)
