"""FastAPI dependencies as Annotated aliases: the database, the shop, who is calling."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, Strict
from starlette.concurrency import run_in_threadpool

from hub.api.events import EventBus
from hub.db import Database
from hub.services.auth import Actor, actor_for_token
from hub.services.context import Shop
from hub.services.errors import Unauthenticated

bearer = HTTPBearer(auto_error=False, description="A login token or a paired device token")


# The dependencies that only look something up are async: FastAPI runs a plain `def`
# dependency in the thread pool, a thread hop per request for reading an attribute.
async def get_db(request: Request) -> Database:
    """The hub database."""
    return request.app.state.db  # type: ignore[no-any-return]


async def get_shop(request: Request) -> Shop:
    """The store's settings and the hub's signing key."""
    return request.app.state.shop  # type: ignore[no-any-return]


async def get_bus(request: Request) -> EventBus:
    """The websocket event bus."""
    return request.app.state.bus  # type: ignore[no-any-return]


DbDep = Annotated[Database, Depends(get_db)]
ShopDep = Annotated[Shop, Depends(get_shop)]
BusDep = Annotated[EventBus, Depends(get_bus)]


class ActorCache:
    """Recently seen tokens → who holds them, so a busy till does not look its token up on
    every scan. Entries live a few seconds; logging out drops one at once."""

    def __init__(self, seconds: float = 10.0) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[Actor, float]] = {}

    def get(self, token: str) -> Actor | None:
        """The cached actor for a token, if still fresh."""
        entry = self._entries.get(token)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, token: str, actor: Actor) -> None:
        """Remember who holds a token."""
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[token] = (actor, time.monotonic() + self.seconds)

    def drop(self, token: str) -> None:
        """Forget a token (logout)."""
        self._entries.pop(token, None)

    def drop_device(self, device_id: int) -> None:
        """Forget every token of an unpaired device."""
        for token, (actor, _) in list(self._entries.items()):
            if actor.device_id == device_id:
                self._entries.pop(token, None)


async def get_actor(
    request: Request, db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """Who holds the bearer token."""
    if credentials is None:
        raise Unauthenticated("Log in first: send 'Authorization: Bearer <token>'.")
    cache: ActorCache = request.app.state.actors
    token = credentials.credentials
    actor = cache.get(token)
    if actor is None:

        def look_up() -> Actor:
            with db.read() as session:
                return actor_for_token(session, token)

        actor = await run_in_threadpool(look_up)
        cache.put(token, actor)
    return replace(actor, source=request.client.host if request.client else "")


ActorDep = Annotated[Actor, Depends(get_actor)]


def requires(capability: str) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets only callers whose role grants the capability through."""

    async def check(actor: ActorDep) -> Actor:
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
