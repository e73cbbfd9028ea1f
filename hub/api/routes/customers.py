"""The store's members: staff find them at the till and register new ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from hub.api.deps import ActorDep, DbDep
from hub.api.routing import Router
from hub.models.customer import Customer, CustomerCreate, CustomerPublic
from hub.services import customers
from hub.services.auth import USER_ROLES, Actor
from hub.services.errors import NotAllowed

router = Router(tags=["customers"])


async def staff(actor: ActorDep) -> Actor:
    """Only logged-in staff see members' details; kiosks and displays do not."""
    if actor.role not in USER_ROLES:
        raise NotAllowed("Only staff logged in with a PIN may look up members.")
    return actor


Staff = Annotated[Actor, Depends(staff)]


def _public(c: Customer) -> CustomerPublic:
    return CustomerPublic.model_validate(c, from_attributes=True)


@router.get("/customers")
def search_customers(
    db: DbDep, _: Staff,
    q: Annotated[str, Query(min_length=1, max_length=80,
                            description="Part of a name, phone digits or a member number")],
    limit: Annotated[int, Query(ge=1, le=customers.MAX_RESULTS)] = customers.MAX_RESULTS,
) -> list[CustomerPublic]:
    """Active members whose name has words starting with the query, whose phone number starts
    with its digits, or whose member number starts with it; in name order."""
    with db.read() as s:
        return [_public(c) for c in customers.search(s, q, limit)]


@router.post("/customers", status_code=201)
def register_customer(new: CustomerCreate, db: DbDep, _: Staff) -> CustomerPublic:
    """Register a new member."""
    with db.write() as s:
        return _public(customers.register(s, new))
