"""The hub's HTTP client for central: push outbox batches, pull the change feed."""

from __future__ import annotations

import gzip
from collections.abc import Sequence

import httpx

from sync.schemas import MAX_BATCH, OutboxEvent, PullReply, PushReply, PushRequest

# gzip level of a push body, measured on a 500-event batch of sales (323 kB of JSON): level 1
# makes 30.6 kB in 0.8 ms of CPU, level 5 23.0 kB in 1.5 ms, level 6 21.9 kB in 2.3 ms. Level 5
# saves 7.6 kB a batch for 0.7 ms: sending 7.6 kB takes longer than 0.7 ms on any uplink
# slower than ~90 Mbit/s (61 ms at 1 Mbit/s), and a store's uplink is often that slow.
GZIP_LEVEL = 5


class CentralError(Exception):
    """Central could not be reached or refused a request."""

    def __init__(self, message: str, *, transient: bool, last_seq: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient  # retry later with back-off
        self.last_seq = last_seq  # central's position, when its reply carried one


def push_body(hub_id: str, events: Sequence[str]) -> bytes:
    """A PushRequest's JSON from events that are each one OutboxEvent's JSON object already:
    the bytes PushRequest.model_dump_json() makes, without parsing the events again."""
    if len(events) > MAX_BATCH:
        raise ValueError(f"a push holds at most {MAX_BATCH} events, not {len(events)}")
    empty = PushRequest(hub_id=hub_id, events=[]).model_dump_json()  # checks hub_id as before
    return f"{empty[:-2]}{','.join(events)}]}}".encode()


class CentralClient:
    """Talks to central as one hub (store) with its own bearer token."""

    def __init__(self, base_url: str, hub_id: str, token: str, timeout: float = 30.0) -> None:
        self.hub_id = hub_id
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"})

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def push(self, events: list[OutboxEvent]) -> PushReply:
        """Send one batch (gzip); the reply says how far central has taken this hub."""
        return self._push(PushRequest(hub_id=self.hub_id, events=events).model_dump_json()
                          .encode())

    def push_encoded(self, events: Sequence[str]) -> PushReply:
        """Send one batch whose events are JSON objects already (as the hub's outbox reads
        them, see push_body); the reply is push's."""
        return self.push_packed(self.pack(events))

    def pack(self, events: Sequence[str]) -> bytes:
        """The gzip body of a push of events that are JSON objects already (for push_packed;
        needs no connection, so it can be made on another thread while a push is in flight)."""
        return gzip.compress(push_body(self.hub_id, events), GZIP_LEVEL)

    def push_packed(self, body: bytes) -> PushReply:
        """Send one batch packed by pack(); the reply is push's."""
        response = self._send("POST", "/sync/v1/push", content=body,
                              headers={"Content-Encoding": "gzip",
                                       "Content-Type": "application/json"})
        return PushReply.model_validate_json(response.content)

    def _push(self, body: bytes) -> PushReply:
        return self.push_packed(gzip.compress(body, GZIP_LEVEL))

    def pull(self, cursor: int, limit: int = 500) -> PullReply:
        """Read the change feed after cursor."""
        response = self._send("GET", "/sync/v1/pull", params={"cursor": cursor, "limit": limit})
        return PullReply.model_validate_json(response.content)

    def _send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise CentralError(f"central unreachable: {exc}", transient=True) from exc
        if response.status_code < 400:
            return response
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = body.get("message") or response.text[:200] or response.reason_phrase
        last_seq = body.get("last_seq") if isinstance(body.get("last_seq"), int) else None
        transient = response.status_code in (408, 425, 429) or response.status_code >= 500
        raise CentralError(f"central answered {response.status_code}: {message}",
                           transient=transient, last_seq=last_seq)
