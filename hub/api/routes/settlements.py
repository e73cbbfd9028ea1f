"""Card terminals' end of day, reconciled against the hub's card payments."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from hub.api.deps import Actor, DbDep, LaneId, requires
from hub.api.routes.payments import CardDep
from hub.api.routing import Router
from hub.models.settlement import CardReconciliation
from hub.services import reconcile

router = Router(tags=["payments"])
Manager = Annotated[Actor, Depends(requires("approve"))]
Reader = Annotated[Actor, Depends(requires("audit.read"))]


@router.post("/lanes/{lane_id}/card/end-of-day", status_code=201)
async def card_end_of_day(lane_id: LaneId, cards: CardDep, actor: Manager) -> CardReconciliation:
    """Close the lane's card terminal's day and reconcile its totals with the hub's approved card
    payments since the lane's last reconciliation; `flagged` and `problems` say what differs."""
    actor.require_lane(lane_id)
    return await cards.settle_day(lane_id, actor)


@router.get("/card-settlements")
def card_settlements(
    db: DbDep, _: Reader,
    lane_id: Annotated[str | None, Query(min_length=1, max_length=32,
                                         pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[CardReconciliation]:
    """Stored reconciliations, newest first (of one lane with `lane_id`)."""
    with db.read() as s:
        return reconcile.list_settlements(s, lane_id, limit)
