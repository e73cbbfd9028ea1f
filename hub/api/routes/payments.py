"""Card payments on the lane's reader, and settling the ones in doubt."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Request
from pydantic import BaseModel, Field

from hub.api.deps import (
    Actor,
    Approval,
    DbDep,
    LaneId,
    Money,
    RequestId,
    ShopDep,
    approval_of,
    requires,
)
from hub.api.events import PaymentUpdated, ReaderState, publish_cart
from hub.api.routing import Router
from hub.devices.card_readers import CardPayments
from hub.models.payment import PaymentPublic
from hub.services import payment as payments
from hub.services.fiscal import require_ready

router = Router(tags=["payments"])
Payer = Annotated[Actor, Depends(requires("tender"))]
Staff = Annotated[Actor, Depends(requires("sales.read"))]
Watcher = Annotated[Actor, Depends(requires("lane.read"))]
PaymentId = Annotated[str, Path(min_length=1, max_length=32)]


async def get_card_payments(request: Request) -> CardPayments:
    """The hub's card payment runner."""
    return request.app.state.card_payments  # type: ignore[no-any-return]


CardDep = Annotated[CardPayments, Depends(get_card_payments)]


class CardTender(BaseModel):
    """Pay on the lane's card reader; amount defaults to what is due."""

    amount: Money | None = None
    request_id: RequestId = None


class Resolution(BaseModel):
    """Settle an in-doubt payment: without an outcome the hub asks the terminal (ZVT); with one,
    a manager decides from the terminal's printout or totals (Concert)."""

    outcome: Literal["approved", "declined"] | None = None
    note: str = Field(default="", max_length=200)
    approval: Approval | None = None


@router.post("/lanes/{lane_id}/cart/tenders/card", status_code=202)
async def tender_card(lane_id: LaneId, body: CardTender, cards: CardDep, shop: ShopDep,
                      actor: Payer) -> PaymentPublic:
    """Start a card payment; its progress and outcome arrive as payment.updated events."""
    actor.require_lane(lane_id)
    require_ready(shop)  # no card is charged while the control unit cannot seal the receipt
    return await cards.pay(lane_id, actor, body.amount, body.request_id)


@router.get("/payments/in-doubt")
def list_in_doubt(db: DbDep, _: Staff) -> list[PaymentPublic]:
    """Card payments whose outcome is not known yet."""
    with db.read() as s:
        return [payments.public(a) for a in payments.in_doubt(s)]


@router.get("/payments/{payment_id}")
def get_payment(payment_id: PaymentId, db: DbDep, cards: CardDep,
                actor: Watcher) -> PaymentPublic:
    """One card payment (a running one with the terminal's latest progress)."""
    with db.read() as s:
        attempt = payments.get_attempt(s, payment_id)
    actor.require_lane(attempt.lane_id)
    return cards.live(payment_id) or payments.public(attempt)


@router.post("/payments/{payment_id}/cancel")
async def cancel_payment(payment_id: PaymentId, db: DbDep, cards: CardDep,
                         actor: Payer) -> PaymentPublic:
    """Ask the terminal to abort a running payment."""
    with db.read() as s:
        actor.require_lane(payments.get_attempt(s, payment_id).lane_id)
    return await cards.cancel(payment_id)


@router.post("/payments/{payment_id}/resolve")
async def resolve_payment(payment_id: PaymentId, body: Resolution, request: Request,
                          cards: CardDep, db: DbDep, shop: ShopDep,
                          actor: Staff) -> PaymentPublic:
    """Settle an in-doubt payment, by the terminal's record or by a manager's decision."""
    if body.outcome is None:
        return await cards.resolve_from_terminal(payment_id)
    with db.write() as s:
        attempt, cart = payments.resolve_by_operator(
            s, shop, payment_id, body.outcome, actor, approval_of(body.approval), body.note)
        public = payments.public(attempt)
    bus = request.app.state.bus
    bus.publish(PaymentUpdated(lane_id=public.lane_id, payment=public))
    if cart is not None:
        publish_cart(bus, cart)
    return public


@router.get("/devices/card-readers")
def card_readers(cards: CardDep, _: Staff) -> list[ReaderState]:
    """Every lane's card reader: available, busy, last error."""
    return cards.states()
