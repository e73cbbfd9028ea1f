"""Day reports (X and Z), training mode, price look-ups and pro-forma slips."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from hub.api.deps import (
    Actor,
    Approval,
    BusDep,
    DbDep,
    LaneId,
    ShopDep,
    approval_of,
    requires,
)
from hub.api.events import publish_cart
from hub.api.routing import Router
from hub.models.fiscal import DayReportFigures
from hub.services import day_report, delivery, fiscal
from hub.services.context import Shop
from hub.services.errors import Conflict, Invalid
from hub.services.receipt import render_proforma
from hub.services.sale import cart_of, get_lane

router = Router(tags=["reports"])
Closer = Annotated[Actor, Depends(requires("day.report"))]
Manager = Annotated[Actor, Depends(requires("reports.read"))]
Seller = Annotated[Actor, Depends(requires("cart.write"))]
ReportId = Annotated[int, Path(ge=1, le=2**62)]
Format = Literal["json", "text", "csv", "html", "pdf", "sie"]
FormatQuery = Annotated[Format, Query(description="json, text (42 columns), csv, html, pdf; "
                                                   "sie for a Z report (SIE 4I voucher)")]


class ZReportSummary(BaseModel):
    """A closed day in a list."""

    id: int
    lane_id: str
    z_no: int
    period_start: datetime | None
    period_end: datetime
    sales_total: int
    returns_total: int
    net_total: int
    receipts: int


class ZReportPublic(ZReportSummary):
    """A Z report with every figure."""

    figures: DayReportFigures


class PrintOn(BaseModel):
    """The lane whose printer prints the report."""

    lane_id: str = Field(min_length=1, max_length=32)


class TrainingMode(BaseModel):
    """Switch training mode on or off (a manager approves)."""

    on: bool
    approval: Approval | None = None


class TrainingState(BaseModel):
    """Whether the lane is in training mode."""

    lane_id: str
    training: bool


class PriceLookup(BaseModel):
    """A barcode or article number to look up without selling."""

    code: str = Field(min_length=1, max_length=64)


class PriceAnswer(BaseModel):
    """The price of a product, VAT included."""

    sku: str
    name: str
    price: int
    currency: str
    unit: str
    vat_rate_bp: int


class ProForma(BaseModel):
    """A pro-forma slip of the cart: not a receipt."""

    text: str
    total: int


def _summary(report: day_report.DayReport) -> dict[str, object]:
    figures = day_report.figures_of(report)
    return {"id": report.id, "lane_id": report.lane_id, "z_no": report.z_no,
            "period_start": report.period_start, "period_end": report.period_end,
            "sales_total": figures.sales_total, "returns_total": figures.returns.amount,
            "net_total": figures.net_total, "receipts": figures.receipts}


def _render(figures: DayReportFigures, fmt: Format, shop: Shop) -> Response:
    """The report in the asked format (exports are imported only when asked for)."""
    if fmt == "json":
        return Response(figures.model_dump_json(), media_type="application/json")
    from hub.services import report_export, sie

    zone = shop.settings.timezone
    name = (f"z-{figures.register_id}-{figures.z_no}" if figures.kind == "Z"
            else f"x-{figures.register_id}")
    if fmt == "text":
        return PlainTextResponse(report_export.to_text(figures, timezone=zone))
    if fmt == "csv":
        return Response(report_export.to_csv(figures, timezone=zone),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "html":
        return Response(report_export.to_html(figures, timezone=zone),
                        media_type="text/html; charset=utf-8")
    if fmt == "pdf":
        return Response(report_export.to_pdf(figures, timezone=zone),
                        media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})
    if figures.kind != "Z":
        raise Invalid("An SIE voucher is made from a Z report (a closed day), not an X report.")
    try:
        data = sie.to_sie([figures], shop.settings.sie_accounts,
                          series=f"K{figures.register_id}"[:8], timezone=zone)
    except ValueError as exc:  # a mapping the store configured that cannot be used
        raise Conflict(f"The SIE voucher cannot be made: {exc}") from exc
    return Response(data, media_type="text/plain; charset=cp437",
                    headers={"Content-Disposition": f'attachment; filename="{name}.si"'})


@router.get("/lanes/{lane_id}/x-report")
def x_report(lane_id: LaneId, db: DbDep, shop: ShopDep, actor: Closer,
             format: FormatQuery = "json") -> Response:
    """The register's X day report: today's figures so far (journaled; closes nothing)."""
    with db.write() as s:
        figures = day_report.x_report(s, shop, lane_id, actor)
    return _render(figures, format, shop)


@router.post("/lanes/{lane_id}/x-report/print", status_code=202)
def print_x_report(lane_id: LaneId, request: Request, db: DbDep, shop: ShopDep,
                   actor: Closer) -> DayReportFigures:
    """Print an X report on the lane's printer."""
    with db.write() as s:
        figures = day_report.x_report(s, shop, lane_id, actor)
        _queue_report(s, shop, lane_id, figures)
    request.app.state.devices.kick(lane_id)
    return figures


@router.post("/lanes/{lane_id}/z-report", status_code=201)
def close_day(lane_id: LaneId, request: Request, db: DbDep, shop: ShopDep, actor: Closer,
              print_it: Annotated[bool, Query(alias="print")] = False) -> ZReportPublic:
    """Close the register's day: the next Z report, final and journaled (print=true prints it)."""
    with db.write() as s:
        report = day_report.close_day(s, shop, lane_id, actor)
        if print_it:
            _queue_report(s, shop, lane_id, day_report.figures_of(report))
        closed = ZReportPublic.model_validate(
            {**_summary(report), "figures": day_report.figures_of(report)})
    if print_it:
        request.app.state.devices.kick(lane_id)
    return closed


@router.get("/z-reports")
def list_z_reports(db: DbDep, _: Closer,
                   lane_id: Annotated[str | None, Query(max_length=32)] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[ZReportSummary]:
    """Closed days, newest first."""
    with db.read() as s:
        return [ZReportSummary.model_validate(_summary(r))
                for r in day_report.z_reports(s, lane_id, limit)]


@router.get("/z-reports/{report_id}")
def get_z_report(report_id: ReportId, db: DbDep, shop: ShopDep, _: Closer,
                 format: FormatQuery = "json") -> Response:
    """One Z report as it was made: JSON, text, CSV, printable HTML or PDF, or SIE 4I."""
    with db.read() as s:
        figures = day_report.figures_of(day_report.z_report(s, report_id))
    return _render(figures, format, shop)


@router.post("/z-reports/{report_id}/print", status_code=202)
def print_z_report(report_id: ReportId, body: PrintOn, request: Request, db: DbDep,
                   shop: ShopDep, _: Closer) -> ZReportSummary:
    """Print a Z report again (a reprint of a closed day shows the same figures)."""
    with db.write() as s:
        get_lane(s, body.lane_id)
        report = day_report.z_report(s, report_id)
        _queue_report(s, shop, body.lane_id, day_report.figures_of(report))
        summary = ZReportSummary.model_validate(_summary(report))
    request.app.state.devices.kick(body.lane_id)
    return summary


def _queue_report(session: day_report.Session, shop: Shop, lane_id: str,
                  figures: DayReportFigures) -> None:
    if delivery.queue_print(session, shop, lane_id,
                            report=figures.model_dump(mode="json")) is None:
        raise Conflict(f"Lane {lane_id} has no receipt printer; view the report on screen or "
                       "print it as PDF.")


@router.post("/lanes/{lane_id}/training")
def set_training(lane_id: LaneId, body: TrainingMode, db: DbDep, shop: ShopDep, bus: BusDep,
                 actor: Seller) -> TrainingState:
    """Switch training mode (övningsläge) on the lane; a manager approves; always journaled."""
    actor.require_lane(lane_id)
    with db.write() as s:
        lane = fiscal.set_training(s, shop, lane_id, actor, body.on, approval_of(body.approval))
        cart = cart_of(s, lane_id, shop)
    publish_cart(bus, cart)
    return TrainingState(lane_id=lane.id, training=lane.training)


@router.get("/lanes/{lane_id}/training")
def get_training(lane_id: LaneId, db: DbDep, actor: Seller) -> TrainingState:
    """Whether the lane is in training mode."""
    with db.read() as s:
        lane = get_lane(s, lane_id)
        return TrainingState(lane_id=lane.id, training=lane.training)


@router.post("/lanes/{lane_id}/price-lookup")
def price_lookup(lane_id: LaneId, body: PriceLookup, db: DbDep, shop: ShopDep,
                 actor: Seller) -> PriceAnswer:
    """Look a price up without selling (the journal keeps every look-up)."""
    actor.require_lane(lane_id)
    with db.write() as s:
        get_lane(s, lane_id)
        product = fiscal.price_lookup(s, shop, lane_id, actor, body.code)
        return PriceAnswer(sku=product.sku, name=product.name, price=product.price,
                           currency=product.currency, unit=product.unit,
                           vat_rate_bp=product.vat_rate_bp)


@router.post("/lanes/{lane_id}/cart/proforma")
def proforma(lane_id: LaneId, db: DbDep, shop: ShopDep, actor: Seller) -> ProForma:
    """A pro-forma slip of the cart, marked EJ KVITTO (not a receipt); journaled."""
    actor.require_lane(lane_id)
    with db.write() as s:
        cart = cart_of(s, lane_id, shop)
        if not any(not line.voided for line in cart.lines):
            raise Conflict("The cart is empty: there is nothing to put on a pro-forma slip.")
        fiscal.record(s, shop, "proforma", lane_id=lane_id, actor=actor, ref=cart.id,
                      amount=cart.total)
        return ProForma(text=render_proforma(cart, shop.settings), total=cart.total)
