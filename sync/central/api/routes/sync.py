"""/sync/v1: hubs push their outbox and pull the catalog and their pick-up orders."""

from __future__ import annotations

import zlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlmodel import Session

from sync.central.api.deps import DbDep, HubTokenDep, NowDep, StoreDep
from sync.central.api.errors import describe
from sync.central.db import Database
from sync.central.models import Store
from sync.central.services import ingest
from sync.central.services.errors import Forbidden, Invalid, TooLarge
from sync.central.services.feed import MAX_PULL, pull_changes
from sync.central.services.stores import (
    hash_token,
    lock_store,
    lock_store_for_token,
    store_for_token,
)
from sync.schemas import MAX_BODY_BYTES, PullReply, PushReply, PushRequest

router = APIRouter(prefix="/sync/v1", tags=["sync"])

PUSH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
}


def document_push_body(openapi: dict[str, Any]) -> dict[str, Any]:
    """Put PushRequest (read by hand for gzip and size limits) into the OpenAPI components."""
    shape = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components.update(shape.pop("$defs", {}))
    components["PushRequest"] = shape
    return openapi


def _too_large() -> TooLarge:
    return TooLarge(f"A push may be at most {MAX_BODY_BYTES // (1024 * 1024)} MiB once "
                    "inflated; send fewer events per batch.")


async def read_body(request: Request) -> bytes:
    """The request body, inflated if gzip; refused past MAX_BODY_BYTES either way."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise _too_large()
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return bytes(raw)
    if encoding != "gzip":
        raise Invalid(f"Content-Encoding {encoding} is not understood; use gzip or none.")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(bytes(raw), MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise Invalid(f"The gzip body is damaged ({exc}); nothing was applied.") from exc
    if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise _too_large()
    return body


def parse_push(body: bytes) -> PushRequest:
    """The batch, or a 422 that says what is wrong with it."""
    try:
        return PushRequest.model_validate_json(body)
    except ValidationError as exc:
        problems: list[dict[str, object]] = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        raise Invalid(f"The batch is not valid: {describe(problems)}",
                      problems=problems[:20]) from exc


def holds_no_nul(body: bytes) -> bool:
    """True if no string in this JSON can hold a NUL: JSON must write one as \\u0000 (a raw
    NUL byte is not valid JSON), so not finding that escape proves it for the whole batch."""
    return b"\\u0000" not in body and b"\x00" not in body


def authenticate(db: Database, token: str) -> Store:
    """The store whose hub token this is (401 if none), in a transaction of its own."""
    with db.transaction() as session:
        return store_for_token(session, token)


def apply_push(db: Database, token: str, request: PushRequest, now: object,
               nul_free: bool = False) -> PushReply:
    """One transaction for the batch, which finds the store by its hub's token and locks it;
    if the data trips the database, again event by event."""
    try:
        with db.transaction() as session:
            return _push(session, token, request, now, careful=False, nul_free=nul_free)
    except ingest.STORAGE_ERRORS:
        with db.transaction() as session:
            return _push(session, token, request, now, careful=True, nul_free=nul_free)


def _push(session: Session, token: str, request: PushRequest, now: object, *, careful: bool,
          nul_free: bool) -> PushReply:
    store = lock_store_for_token(session, token)
    if request.hub_id != store.store_id:
        raise Forbidden(f"This token belongs to store {store.store_id}, not {request.hub_id}; "
                        "nothing was applied.", last_seq=store.last_seq)
    return ingest.push(session, store.store_id, request, now,  # type: ignore[arg-type]
                       careful=careful, nul_free=nul_free, locked=store)


@router.post("/push", response_model=PushReply, openapi_extra=PUSH_BODY,
             responses={503: {"description": "database unavailable; retry, nothing applied"}})
async def push(request: Request, token: HubTokenDep, db: DbDep, now: NowDep) -> PushReply:
    """Apply a batch of the hub's outbox events, in order and each once.

    The token is checked before the body is read only the first time this process sees it:
    the push's own transaction finds the store by the token (and locks it), so a known token
    costs no transaction of its own. Tokens are never changed or withdrawn (a store keeps the
    one it was made with); were one withdrawn, its push would still be refused (401) there.
    """
    digest = hash_token(token)
    known: set[str] = request.app.state.__dict__.setdefault("known_hub_tokens", set())
    if digest not in known:
        await run_in_threadpool(authenticate, db, token)  # 401 before the body is read
        known.add(digest)
    try:
        body = await read_body(request)
        batch = parse_push(body)
    except (Invalid, TooLarge) as exc:  # the reply says where central stands
        store = await run_in_threadpool(authenticate, db, token)
        exc.detail = {"last_seq": store.last_seq, **exc.detail}
        raise
    return await run_in_threadpool(apply_push, db, token, batch, now, holds_no_nul(body))


@router.get("/pull", response_model=PullReply)
def pull(
    store: StoreDep,
    db: DbDep,
    now: NowDep,
    cursor: Annotated[int, Query(ge=0, le=2**62, description="last seq seen; 0 = everything")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL)] = 500,
) -> PullReply:
    """The changes after cursor: catalog for every store, pick-up orders for this one."""
    with db.transaction() as session:
        reply = pull_changes(session, store.store_id, cursor, limit)
    with db.transaction() as session:  # a pull is a sign of life too
        lock_store(session, store.store_id).last_contact = now
    return reply
