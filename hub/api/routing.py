"""How the hub's routes run: a plain `def` endpoint goes to the thread pool once.

FastAPI runs a `def` endpoint in the thread pool and then, for its return value, hops to the
thread pool a second time just to validate the response model against it. Each hop hands the
interpreter from the event loop to a worker thread and back, which on the sale path is the
largest cost left outside the services (docs/benchmarks-history.md, checkout round 4). `Route`
wraps such an endpoint in a coroutine that makes the one hop itself, so FastAPI validates the
answer on the event loop. Endpoints still read as plain functions; `async def` ones are left
alone.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool


def in_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine running `endpoint` in the thread pool, with its signature for FastAPI."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


class Route(APIRoute):
    """An API route whose plain `def` endpoint makes one trip to the thread pool, not two."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint) and not inspect.isgeneratorfunction(endpoint):
            endpoint = in_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)


def Router(**kwargs: Any) -> APIRouter:  # noqa: N802 - stands for APIRouter
    """An APIRouter whose routes are `Route`s."""
    return APIRouter(route_class=Route, **kwargs)
