"""Shifts and the cash drawer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from pydantic import BaseModel, Field

from hub.api.deps import (
    Actor,
    Approval,
    BusDep,
    DbDep,
    LaneId,
    Money,
    ShopDep,
    approval_of,
    requires,
)
from hub.api.events import EventBus, ShiftChanged
from hub.api.routing import Router
from hub.models import Shift
from hub.services import shift as shifts
from hub.services.errors import NotFound
from hub.services.sale import get_lane, open_shift_of
from hub.services.shift import ShiftPublic, ShiftReport

router = Router(tags=["shifts"])
Staff = Annotated[Actor, Depends(requires("shift"))]
ShiftId = Annotated[int, Path(ge=1, le=2**62)]
Denominations = Annotated[
    dict[Annotated[str, Field(max_length=12)], Annotated[int, Field(ge=0, le=100_000)]] | None,
    Field(default=None, max_length=40,
          description="Pieces per denomination in minor units, e.g. {\"10000\": 3}"),
]


class CashCount(BaseModel):
    """Cash counted: a total, or pieces per denomination (or both, which must agree)."""

    counted: Money | None = None
    denominations: Denominations = None


class CashMove(BaseModel):
    """Cash in or out of the drawer, with the reason."""

    amount: Money
    reason: str = Field(min_length=1, max_length=200)


class NoSale(BaseModel):
    """Open the drawer without a sale."""

    reason: str = Field(default="", max_length=200)
    approval: Approval | None = None


def _publish(bus: EventBus, shift: ShiftPublic) -> ShiftPublic:
    bus.publish(ShiftChanged(lane_id=shift.lane_id, shift=shift))
    return shift


@router.get("/lanes/{lane_id}/shift")
def current_shift(lane_id: LaneId, db: DbDep, _: Staff) -> ShiftPublic:
    """The lane's open shift with its expected cash."""
    with db.read() as s:
        get_lane(s, lane_id)
        shift = open_shift_of(s, lane_id)
        if shift is None:
            raise NotFound(f"Lane {lane_id} has no open shift.")
        return shifts.shift_public(s, shift)


@router.post("/lanes/{lane_id}/shift/open", status_code=201)
def open_shift(lane_id: LaneId, body: CashCount, db: DbDep, shop: ShopDep, bus: BusDep,
               actor: Staff) -> ShiftPublic:
    """Open a shift with the float counted into the drawer."""
    with db.write() as s:
        shift = shifts.open_shift(s, shop, lane_id, actor, body.counted, body.denominations)
    return _publish(bus, shift)


@router.post("/lanes/{lane_id}/shift/pay-in")
def pay_in(lane_id: LaneId, body: CashMove, db: DbDep, bus: BusDep, actor: Staff) -> ShiftPublic:
    """Put cash into the drawer."""
    with db.write() as s:
        shift = shifts.pay_in(s, lane_id, actor, body.amount, body.reason)
    return _publish(bus, shift)


@router.post("/lanes/{lane_id}/shift/pay-out")
def pay_out(lane_id: LaneId, body: CashMove, db: DbDep, bus: BusDep, actor: Staff) -> ShiftPublic:
    """Take cash out of the drawer."""
    with db.write() as s:
        shift = shifts.pay_out(s, lane_id, actor, body.amount, body.reason)
    return _publish(bus, shift)


@router.post("/lanes/{lane_id}/drawer/no-sale")
def no_sale(lane_id: LaneId, body: NoSale, db: DbDep, shop: ShopDep, bus: BusDep,
            actor: Staff) -> ShiftPublic:
    """Open the drawer without a sale (a manager, or a cashier with a manager's approval)."""
    with db.write() as s:
        shift = shifts.no_sale(s, shop, lane_id, actor, body.reason, approval_of(body.approval))
    return _publish(bus, shift)


@router.post("/lanes/{lane_id}/shift/close")
def close_shift(lane_id: LaneId, body: CashCount, db: DbDep, shop: ShopDep, bus: BusDep,
                actor: Staff) -> ShiftPublic:
    """Count the drawer and close the shift: expected vs counted, over/short."""
    with db.write() as s:
        shift = shifts.close_shift(s, shop, lane_id, actor, body.counted, body.denominations)
    return _publish(bus, shift)


@router.get("/lanes/{lane_id}/shift/report")
def open_shift_report(lane_id: LaneId, db: DbDep, _: Staff) -> ShiftReport:
    """The X report: the running figures of the lane's open shift (nothing is closed)."""
    with db.read() as s:
        get_lane(s, lane_id)
        shift = open_shift_of(s, lane_id)
        if shift is None:
            raise NotFound(f"Lane {lane_id} has no open shift.")
        return shifts.shift_report(s, shift)


@router.get("/shifts/{shift_id}/report")
def shift_report(shift_id: ShiftId, db: DbDep, _: Staff) -> ShiftReport:
    """A shift's report; for a closed shift the Z report with the count and over/short."""
    with db.read() as s:
        shift = s.get(Shift, shift_id)
        if shift is None:
            raise NotFound(f"There is no shift {shift_id}.")
        return shifts.shift_report(s, shift)
