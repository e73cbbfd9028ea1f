"""Digital receipts: a page per sale behind its unguessable id (the link in the receipt QR)."""

from __future__ import annotations

import html
import io
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response

from hub.api.deps import DbDep, ShopDep
from hub.api.routing import Router
from hub.models import Sale, User
from hub.services import receipt
from hub.services.errors import NotFound
from hub.services.sale import sale_public

pages = Router(include_in_schema=False)
SaleId = Annotated[str, Path(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")]


def receipt_url(request: Request, sale_id: str) -> str:
    """Where the digital receipt of a sale lives."""
    return f"{request.app.state.shop.settings.public_url}/receipt/{sale_id}"


@pages.get("/receipt/{sale_id}", response_class=HTMLResponse)
def digital_receipt(sale_id: SaleId, db: DbDep, shop: ShopDep) -> HTMLResponse:
    """The receipt as a page for the shopper's phone (the sale id is 128 random bits)."""
    with db.read() as s:
        sale = s.get(Sale, sale_id)
        if sale is None or sale.status != "completed":
            raise NotFound("There is no such receipt.")
        cashier = s.get(User, sale.cashier_id) if sale.cashier_id else None
        text = receipt.render_sale(sale_public(s, sale), shop.settings,
                                   cashier.display_name if cashier else "självbetjäning",
                                   electronic=True)
    body = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Kvitto – {html.escape(shop.settings.store_name)}</title><style>"
        "body{background:#f4f4f1;margin:0;font-family:system-ui,sans-serif}"
        "pre{background:#fff;max-width:26rem;margin:1rem auto;padding:1rem;border-radius:12px;"
        "font-size:.85rem;white-space:pre-wrap}p{text-align:center}</style></head><body>"
        f"<pre>{html.escape(text)}</pre></body></html>"
    )
    return HTMLResponse(body)


@pages.get("/receipt/{sale_id}/qr.svg")
def digital_receipt_qr(sale_id: SaleId, request: Request, db: DbDep) -> Response:
    """The QR that leads to the digital receipt (shown on a kiosk or customer display)."""
    from drivers.qr.render import make_symbol

    with db.read() as s:
        sale = s.get(Sale, sale_id)
        if sale is None or sale.status != "completed":
            raise NotFound("There is no such receipt.")
    out = io.BytesIO()
    make_symbol(receipt_url(request, sale_id)).qr.save(out, kind="svg", scale=6, border=4)
    return Response(out.getvalue(), media_type="image/svg+xml")
