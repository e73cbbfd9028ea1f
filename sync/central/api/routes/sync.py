"""/sync/v1: hubs push their outbox and pull the catalog and their pick-up orders."""

from __future__ import annotations

import zlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from sync.central.api.deps import DbDep, NowDep, StoreDep
from sync.central.api.errors import describe
from sync.central.db import Database
from sync.central.services import ingest
from sync.central.services.errors import Forbidden, Invalid, TooLarge
from sync.central.services.feed import MAX_PULL, pull_changes
from sync.central.services.stores import lock_store
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


async def read_body(request: Request, last_seq: int) -> bytes:
    """The request body, inflated if gzip; refused past MAX_BODY_BYTES either way."""
    too_large = TooLarge(f"A push may be at most {MAX_BODY_BYTES // (1024 * 1024)} MiB once "
                         "inflated; send fewer events per batch.", last_seq=last_seq)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise too_large
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return bytes(raw)
    if encoding != "gzip":
        raise Invalid(f"Content-Encoding {encoding} is not understood; use gzip or none.",
                      last_seq=last_seq)
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(bytes(raw), MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise Invalid(f"The gzip body is damaged ({exc}); nothing was applied.",
                      last_seq=last_seq) from exc
    if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise too_large
    return body


def parse_push(body: bytes, last_seq: int) -> PushRequest:
    """The batch, or a 422 that says what is wrong with it."""
    try:
        return PushRequest.model_validate_json(body)
    except ValidationError as exc:
        problems: list[dict[str, object]] = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        raise Invalid(f"The batch is not valid: {describe(problems)}", last_seq=last_seq,
                      problems=problems[:20]) from exc


def holds_no_nul(body: bytes) -> bool:
    """True if no string in this JSON can hold a NUL: JSON must write one as \\u0000 (a raw
    NUL byte is not valid JSON), so not finding that escape proves it for the whole batch."""
    return b"\\u0000" not in body and b"\x00" not in body


def apply_push(db: Database, store_id: str, request: PushRequest, now: object,
               nul_free: bool = False) -> PushReply:
    """One transaction for the batch; if the data trips the database, again event by event."""
    try:
        with db.transaction() as session:
            return ingest.push(session, store_id, request, now,  # type: ignore[arg-type]
                               nul_free=nul_free)
    except ingest.STORAGE_ERRORS:
        with db.transaction() as session:
            return ingest.push(session, store_id, request, now,  # type: ignore[arg-type]
                               careful=True, nul_free=nul_free)


@router.post("/push", response_model=PushReply, openapi_extra=PUSH_BODY,
             responses={503: {"description": "database unavailable; retry, nothing applied"}})
async def push(request: Request, store: StoreDep, db: DbDep, now: NowDep) -> PushReply:
    """Apply a batch of the hub's outbox events, in order and each once."""
    body = await read_body(request, store.last_seq)
    batch = parse_push(body, store.last_seq)
    if batch.hub_id != store.store_id:
        raise Forbidden(f"This token belongs to store {store.store_id}, not {batch.hub_id}; "
                        "nothing was applied.", last_seq=store.last_seq)
    return await run_in_threadpool(apply_push, db, store.store_id, batch, now,
                                   holds_no_nul(body))


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
