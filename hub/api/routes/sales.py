"""Completed sales, receipts and refunds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from hub.api.deps import Actor, Approval, DbDep, LaneId, RequestId, ShopDep, approval_of, requires
from hub.api.routes.payments import CardDep
from hub.api.routing import Router
from hub.models import Refund, Sale, User
from hub.models.sale import SalePublic
from hub.services import fiscal, receipt
from hub.services.errors import Conflict, NotFound
from hub.services.records import audit
from hub.services.refund import (
    CardRefundNeeded,
    RefundItem,
    RefundPublic,
    refund_lines,
    refund_public,
)
from hub.services.sale import sale_public

router = Router(tags=["sales"])
Clerk = Annotated[Actor, Depends(requires("sales.read"))]
SaleId = Annotated[str, Path(min_length=1, max_length=32)]


class RefundLineIn(BaseModel):
    """A quantity of one sale line to give back."""

    line_id: int = Field(ge=1, le=2**62)
    quantity: int = Field(default=1, ge=1, le=9999)


class RefundCreate(BaseModel):
    """Which lines to refund, on which lane, and why."""

    lane_id: str = Field(min_length=1, max_length=32)
    lines: list[RefundLineIn] = Field(min_length=1, max_length=500)
    reason: str = Field(default="", max_length=200)
    approval: Approval | None = None
    request_id: RequestId = None


def _sale(s: Session, sale_id: str) -> Sale:
    sale = s.get(Sale, sale_id)
    if sale is None:
        raise NotFound(f"There is no sale {sale_id}.")
    return sale


def _cashier_name(s: Session, user_id: int | None) -> str:
    user = s.get(User, user_id) if user_id else None
    return user.display_name if user else "självbetjäning"


@router.get("/sales")
def list_sales(db: DbDep, _: Clerk, lane_id: Annotated[str | None, Query(max_length=32)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[SalePublic]:
    """The newest completed sales, optionally on one lane."""
    with db.read() as s:
        stmt = select(Sale).where(Sale.status == "completed")
        if lane_id:
            stmt = stmt.where(Sale.lane_id == lane_id)
        rows = s.exec(stmt.order_by(col(Sale.completed_at).desc()).limit(limit)).all()
        return [sale_public(s, sale) for sale in rows]


@router.get("/sales/by-receipt/{lane_id}/{receipt_no}")
def sale_by_receipt(lane_id: LaneId, receipt_no: Annotated[int, Path(ge=1, le=2**62)],
                    db: DbDep, _: Clerk) -> SalePublic:
    """Find a sale by its lane and receipt number (as printed: lane-number)."""
    with db.read() as s:
        sale = s.exec(select(Sale).where(Sale.lane_id == lane_id,
                                         Sale.receipt_no == receipt_no)).first()
        if sale is None:
            raise NotFound(f"No sale has receipt number {lane_id}-{receipt_no}.")
        return sale_public(s, sale)


@router.get("/sales/{sale_id}")
def get_sale(sale_id: SaleId, db: DbDep,
             actor: Annotated[Actor, Depends(requires("lane.read"))]) -> SalePublic:
    """One sale (a kiosk or display may read the sales of its own lane)."""
    with db.read() as s:
        sale = _sale(s, sale_id)
        actor.require_lane(sale.lane_id)
        return sale_public(s, sale)


@router.get("/sales/{sale_id}/receipt", response_class=PlainTextResponse)
def sale_receipt(sale_id: SaleId, db: DbDep, shop: ShopDep, actor: Clerk,
                 copy: Annotated[bool, Query(description="a reprint, marked KOPIA")] = False
                 ) -> str:
    """The sale's receipt as text; a copy for the customer (at most one) is marked KOPIA and
    journaled."""
    with db.write() if copy else db.read() as s:
        sale = _sale(s, sale_id)
        if sale.status != "completed":
            raise NotFound("This sale is not completed, so it has no receipt yet.")
        if copy:
            fiscal.issue_copy(s, shop, actor, sale=sale, channel="screen")
            audit(s, "receipt_copy", actor, lane_id=sale.lane_id, ref=sale.id,
                  receipt_no=sale.receipt_no)
        return receipt.render_sale(sale_public(s, sale), shop.settings,
                                   _cashier_name(s, sale.cashier_id), copy=copy)


@router.get("/sales/{sale_id}/refunds")
def sale_refunds(sale_id: SaleId, db: DbDep, _: Clerk) -> list[RefundPublic]:
    """Every refund made against a sale."""
    with db.read() as s:
        _sale(s, sale_id)
        rows = s.exec(select(Refund).where(Refund.sale_id == sale_id)).all()
        return [refund_public(s, r) for r in rows]


@router.post("/sales/{sale_id}/refunds", status_code=201)
async def create_refund(sale_id: SaleId, body: RefundCreate, db: DbDep, shop: ShopDep,
                        cards: CardDep,
                        actor: Annotated[Actor, Depends(requires("refund"))]) -> RefundPublic:
    """Refund lines of a completed sale; above the threshold a manager approves. What goes back
    on a card the hub charged is credited on the lane's card reader first."""
    actor.require_lane(body.lane_id)

    def refund(credit_id: str | None = None) -> RefundPublic:
        with db.write() as s:
            return refund_lines(
                s, shop, sale_id, body.lane_id, actor,
                [RefundItem(line.line_id, line.quantity) for line in body.lines],
                body.reason, approval_of(body.approval), body.request_id, credit_id,
            )

    try:
        return await run_in_threadpool(refund)
    except CardRefundNeeded as need:
        credit = await cards.refund(body.lane_id, actor, sale_id, need.amount)
    if credit.status != "approved":
        raise Conflict(f"The card terminal did not refund the money ({credit.status}"
                       f"{': ' + credit.message if credit.message else ''}); nothing was "
                       "refunded.", payment_id=credit.id)
    return await run_in_threadpool(refund, credit.id)


@router.get("/refunds/{refund_id}")
def get_refund(refund_id: SaleId, db: DbDep, _: Clerk) -> RefundPublic:
    """One refund."""
    with db.read() as s:
        refund = s.get(Refund, refund_id)
        if refund is None:
            raise NotFound(f"There is no refund {refund_id}.")
        return refund_public(s, refund)


@router.get("/refunds/{refund_id}/receipt", response_class=PlainTextResponse)
def refund_receipt(refund_id: SaleId, db: DbDep, shop: ShopDep, actor: Clerk,
                   copy: Annotated[bool, Query(description="a reprint, marked KOPIA")] = False
                   ) -> str:
    """The return receipt as text; a copy (at most one) is marked KOPIA and journaled."""
    with db.write() if copy else db.read() as s:
        refund = s.get(Refund, refund_id)
        if refund is None:
            raise NotFound(f"There is no refund {refund_id}.")
        if copy:
            fiscal.issue_copy(s, shop, actor, refund=refund, channel="screen")
        return receipt.render_refund(refund_public(s, refund), shop.settings,
                                     _cashier_name(s, refund.cashier_id), copy=copy)
