"""The one websocket endpoint: subscribe to lanes, receive typed events."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from hub.api.events import (
    CartUpdated,
    ClientMessage,
    ErrorMessage,
    Hello,
    Subscribe,
    Subscribed,
    Subscriber,
)
from hub.db import Database
from hub.models import Lane
from hub.services.auth import Actor, actor_for_token
from hub.services.context import Shop
from hub.services.errors import DomainError
from hub.services.sale import cart_of

router = APIRouter()
_client_message: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


def _token(ws: WebSocket) -> str:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:]
    return ws.query_params.get("token", "")


def _snapshots(db: Database, shop: Shop, actor: Actor, lanes: list[str]) -> list[CartUpdated]:
    with db.read() as s:
        for lane in lanes:
            actor.require_lane(lane)
            if s.get(Lane, lane) is None:
                raise DomainError(f"There is no lane '{lane}'.")
        return [CartUpdated(lane_id=lane, cart=cart_of(s, lane, shop)) for lane in lanes]


@router.websocket("/api/v1/ws")
async def events(ws: WebSocket) -> None:
    """Authenticate with ?token= (or a bearer header), send {"type":"subscribe","lanes":[..]}."""
    db: Database = ws.app.state.db
    shop: Shop = ws.app.state.shop
    bus = ws.app.state.bus

    def who() -> Actor:
        with db.read() as s:
            return actor_for_token(s, _token(ws))

    try:
        actor = await run_in_threadpool(who)
        actor.require("lane.read")
    except DomainError as exc:
        # Accept first, so every client (not only test clients) sees the close code and reason.
        await ws.accept()
        await ws.close(code=4401 if exc.status == 401 else 4403, reason=exc.message[:120])
        return
    await ws.accept()
    sub = Subscriber()
    bus.add(sub)
    own = [actor.lane_id] if actor.lane_id else []
    await sub.queue.put(Hello(role=actor.role, lanes=own))
    if own:
        sub.lanes = set(own)
        for snap in await run_in_threadpool(_snapshots, db, shop, actor, own):
            await sub.queue.put(snap)

    async def read() -> None:
        while True:
            text = await ws.receive_text()
            try:
                message = _client_message.validate_json(text)
            except ValidationError as exc:
                problem = exc.errors()[0].get("msg", "not understood")
                example = '{"type":"subscribe","lanes":["1"]}'
                await sub.queue.put(ErrorMessage(message=f"Send JSON like {example} ({problem})"))
                continue
            if isinstance(message, Subscribe):
                try:
                    snaps = await run_in_threadpool(_snapshots, db, shop, actor, message.lanes)
                except DomainError as exc:
                    await sub.queue.put(ErrorMessage(message=exc.message))
                    continue
                sub.lanes = set(message.lanes)
                await sub.queue.put(Subscribed(lanes=sorted(sub.lanes)))
                for snap in snaps:
                    await sub.queue.put(snap)

    async def write() -> None:
        while True:
            event = await sub.queue.get()
            if event is None:  # dropped for falling behind
                await ws.close(code=4408, reason="too slow; reconnect")
                return
            await ws.send_text(event.model_dump_json())

    tasks = [asyncio.create_task(read()), asyncio.create_task(write())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        bus.remove(sub)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError,
                                     Exception):
                await task
