"""The hub's routes take a plain `def` endpoint to the thread pool once per request."""

from __future__ import annotations

import threading

import anyio.to_thread
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from hub.api.routing import Router


class Answer(BaseModel):
    thread: str
    n: int


def _app(router: APIRouter) -> FastAPI:
    @router.get("/work/{n}")
    def work(n: int) -> Answer:
        return Answer(thread=threading.current_thread().name, n=n)

    @router.get("/loop")
    async def loop() -> str:
        return threading.current_thread().name

    app = FastAPI()
    app.include_router(router)
    return app


def _hops(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: object, *args: object, **kwargs: object) -> object:
        hops.append(func)
        return await run_sync(func, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return hops


@pytest.mark.parametrize(("router", "per_request"), [(Router(), 1), (APIRouter(), 2)])
def test_a_def_endpoint_hops_to_the_thread_pool_once(
        monkeypatch: pytest.MonkeyPatch, router: APIRouter, per_request: int) -> None:
    with TestClient(_app(router)) as client:
        loop_thread = client.get("/loop").json()
        hops = _hops(monkeypatch)
        answer = client.get("/work/7")
        invalid = client.get("/work/seven")
    assert answer.status_code == 200 and answer.json()["n"] == 7
    assert answer.json()["thread"] != loop_thread  # the blocking work is not on the event loop
    assert invalid.status_code == 422  # parameters are still checked from the signature
    assert len(hops) == per_request  # FastAPI alone: the endpoint, then its answer's check
