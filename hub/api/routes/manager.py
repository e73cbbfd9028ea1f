"""The store manager's view: a period's breakdowns and flags, their charts, today's overview,
and the /manager page that shows them."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub.api.deps import Actor, DbDep, ShopDep, requires
from hub.api.events import DeviceState, ReaderState
from hub.api.routing import Router
from hub.services import analytics, dashboard
from hub.services.analytics import SalesReport
from hub.services.dashboard import StoreDay
from hub.services.errors import NotFound
from hub.services.sync import SyncStatus

router = Router(tags=["reports"])
pages = Router(include_in_schema=False)
Manager = Annotated[Actor, Depends(requires("reports.read"))]
FromDay = Annotated[date | None, Query(
    alias="from", description="First day (the store's local date, YYYY-MM-DD); default today")]
ToDay = Annotated[date | None, Query(
    alias="to", description="Last day, included; default today ('from' alone: up to today)")]
Top = Annotated[int, Query(ge=1, le=100, description="How many products to list")]
PAGE = FilePath(__file__).resolve().parents[3] / "kiosk_ui" / "static" / "manager" / "index.html"


class Overview(StoreDay):
    """Today's live figures and the health of everything the store runs on."""

    devices: list[DeviceState]  # printers, scanners, pole displays
    readers: list[ReaderState]  # card readers
    sync: SyncStatus | None  # None: the sync worker is not running


def _report(db: DbDep, shop: ShopDep, first: date | None, last: date | None,
            top: int = 10) -> SalesReport:
    settings = shop.settings
    span = analytics.period(settings.timezone, first, last)
    with db.read() as s:
        return analytics.sales_report(s, span, settings.currency, top)


@router.get("/reports/sales")
def sales_report(db: DbDep, shop: ShopDep, _: Manager, first: FromDay = None,
                 last: ToDay = None, top: Top = 10) -> SalesReport:
    """Sales of a period (default today) per hour, channel, product, category, register and
    cashier; per cashier refunds, voids, discounts, overrides, no-sales; and the flags."""
    return _report(db, shop, first, last, top)


@router.get("/reports/charts/{name}.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def chart(name: Annotated[str, Path(max_length=40)], db: DbDep, shop: ShopDep, _: Manager,
          first: FromDay = None, last: ToDay = None) -> Response:
    """A chart of the period as SVG: hour, channel, products, categories or cashiers."""
    if name not in dashboard.CHARTS:
        raise NotFound(f"There is no chart '{name}'; the charts are "
                       f"{', '.join(dashboard.CHARTS)}.")
    settings = shop.settings
    span = analytics.period(settings.timezone, first, last)
    with db.read() as s:
        svg = dashboard.chart_svg(s, span, settings.currency, name)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/reports/overview")
def overview(request: Request, db: DbDep, shop: ShopDep, _: Manager) -> Overview:
    """Today so far: sales, refunds, open carts, in-doubt payments, stock problems, the latest
    Z report and card settlement per register, devices, card readers and sync."""
    with db.read() as s:
        day = dashboard.store_day(s, shop.settings.timezone, shop.settings.currency)
    state = request.app.state
    devices = getattr(state, "devices", None)
    cards = getattr(state, "card_payments", None)
    worker = getattr(state, "sync", None)
    return Overview(**day.model_dump(),
                    devices=devices.states() if devices else [],
                    readers=cards.states() if cards else [],
                    sync=worker.status() if worker else None)


@pages.get("/manager", response_class=HTMLResponse)
def manager_page(shop: ShopDep) -> HTMLResponse:
    """The store manager's dashboard (logs in with a manager's username and PIN)."""
    page = PAGE.read_text(encoding="utf-8").replace(
        "{{store}}", html.escape(shop.settings.store_name))
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
