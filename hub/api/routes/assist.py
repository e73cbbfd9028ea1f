"""Staff help for self-service lanes: a shopper asks for help or an age check."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends
from pydantic import BaseModel, Field

from hub.api.deps import Actor, BusDep, DbDep, LaneId, requires
from hub.api.events import AssistRequested
from hub.api.routing import Router
from hub.services.records import audit
from hub.services.sale import get_lane

router = Router(tags=["assist"])


class AssistRequest(BaseModel):
    """Why staff are called to the lane."""

    reason: Literal["help", "age_check"]
    note: str = Field(default="", max_length=200)


@router.post("/lanes/{lane_id}/assist", status_code=202)
def call_staff(lane_id: LaneId, body: AssistRequest, db: DbDep, bus: BusDep,
               actor: Annotated[Actor, Depends(requires("cart.write"))]) -> AssistRequested:
    """Call staff to a lane; every staff screen gets an assist.requested event."""
    actor.require_lane(lane_id)
    with db.write() as s:
        get_lane(s, lane_id)
        audit(s, "assist_requested", actor, lane_id=lane_id, reason=body.reason)
    event = AssistRequested(lane_id=None, lane=lane_id, reason=body.reason, note=body.note)
    bus.publish(event)
    return event
