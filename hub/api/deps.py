"""FastAPI dependencies as Annotated aliases: the database, the shop, who is calling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, Strict

from hub.api.events import EventBus
from hub.db import Database
from hub.services.auth import Actor, actor_for_token
from hub.services.context import Shop
from hub.services.errors import Unauthenticated

bearer = HTTPBearer(auto_error=False, description="A login token or a paired device token")


def get_db(request: Request) -> Database:
    """The hub database."""
    return request.app.state.db  # type: ignore[no-any-return]


def get_shop(request: Request) -> Shop:
    """The store's settings and the hub's signing key."""
    return request.app.state.shop  # type: ignore[no-any-return]


def get_bus(request: Request) -> EventBus:
    """The websocket event bus."""
    return request.app.state.bus  # type: ignore[no-any-return]


DbDep = Annotated[Database, Depends(get_db)]
ShopDep = Annotated[Shop, Depends(get_shop)]
BusDep = Annotated[EventBus, Depends(get_bus)]


def get_actor(
    db: DbDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    """Who holds the bearer token."""
    if credentials is None:
        raise Unauthenticated("Log in first: send 'Authorization: Bearer <token>'.")
    with db.read() as session:
        return actor_for_token(session, credentials.credentials)


ActorDep = Annotated[Actor, Depends(get_actor)]


def requires(capability: str) -> Callable[[Actor], Actor]:
    """A dependency that lets only callers whose role grants the capability through."""

    def check(actor: ActorDep) -> Actor:
        actor.require(capability)
        return actor

    return check


LaneId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Money = Annotated[
    int, Strict(), Field(ge=0, le=10**11, description="Integer minor units (öre for SEK)")
]
RequestId = Annotated[
    str | None,
    Field(default=None, max_length=64,
          description="Idempotency key: the same request sent twice is applied once"),
]


class Approval(BaseModel):
    """A manager's username and PIN, keyed in at the till to approve an action."""

    username: str = Field(min_length=1, max_length=40)
    pin: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$")

    def pair(self) -> tuple[str, str]:
        """As (username, pin)."""
        return self.username, self.pin


def approval_of(approval: Approval | None) -> tuple[str, str] | None:
    """The approval as the services take it."""
    return approval.pair() if approval else None
