"""A minimal HTTP/1.1 keep-alive client for load generation.

httpx costs ~1.5 ms of CPU per request, so a Python load generator built on it saturates a core
long before the hub does (at 300 sales/s × 6 requests it would need ~2.7 cores). This client
writes pre-encoded requests on one asyncio connection and reads `Content-Length` bodies; it
speaks only what the hub's JSON API answers (no chunked bodies, no redirects, no TLS).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    """A response: status and body."""

    status: int
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")


class Connection:
    """One keep-alive connection to a server; one request at a time."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {self.host}:{self.port}\r\n{extra}"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()

    async def request(self, method: str, path: str, body: Any = None) -> Reply:
        """Send one request and read its whole response."""
        assert self._reader is not None and self._writer is not None, "use `async with`"
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {self.prefix}{path} HTTP/1.1\r\n{self._head}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        self._writer.write(head.encode() + b"\r\n" + data)
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"transfer-encoding":
                raise ConnectionError("chunked responses are not supported here")
        return Reply(int(status_line.split()[1]), await self._reader.readexactly(length))

    async def get(self, path: str) -> Reply:
        """GET a path."""
        return await self.request("GET", path)

    async def post(self, path: str, json: Any = None) -> Reply:  # noqa: A002 - httpx's name
        """POST a JSON body."""
        return await self.request("POST", path, {} if json is None else json)
