"""Runs sync with central: pushes the outbox in batches, pulls the change feed, with back-off.

Exactly one process pushes a hub's outbox: the one holding the lock file in the data
directory (kill -9 releases it). The same Syncer serves the hub's background worker and
`kassa sync now`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from hub.api.events import EventBus, PickupUpdated, SyncChanged
from hub.db import Database
from hub.services import sync as sync_db
from hub.services.context import Shop
from sync.client import CentralClient, CentralError
from sync.schemas import PushReply

log = logging.getLogger("kassa.sync")


class PusherLock:
    """An exclusive, non-blocking lock on `sync.lock` in the data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "sync.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock if no other process holds it."""
        if self._file is not None:
            return True
        handle = open(self.path, "a+")  # noqa: SIM115  (held for the life of the process)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        """Let another process push."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def holder(self) -> str:
        """The pid written by the holder, if any."""
        with contextlib.suppress(OSError):
            return self.path.read_text().strip()
        return ""


@dataclass(frozen=True)
class _Packed:
    """The next batch for central, read from the outbox and packed (gzip) for the push."""

    body: bytes
    count: int  # events in it
    last_seq: int  # the seq of its last event
    waiting: int  # events from its first on, it included


class Syncer:
    """Blocking push and pull against central for one hub database."""

    def __init__(self, db: Database, shop: Shop) -> None:
        self.db, self.shop, self.settings = db, shop, shop.settings
        self.client = CentralClient(self.settings.central_url or "", self.settings.hub_id,
                                    self.settings.central_token)

    def push_all(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Push batches until central has everything; returns how many events were sent.

        One push is in flight at a time. While it is, a second thread stores the previous
        reply and reads and packs the next batch (the events after the last one *sent*), so
        the hub's own work overlaps central's instead of following it. Sending batch N+1
        before reply N is stored is safe: central skips every seq at or below its last_seq,
        so a hub stopped before storing reply N sends N again and central drops it. Replies
        are stored in order (one thread) and all of them before this returns or raises.
        """
        sent = 0
        with ThreadPoolExecutor(1, thread_name_prefix="kassa-sync-disk") as disk:
            stored: Future[None] | None = None  # the newest reply handed to the disk thread
            try:
                batch = disk.submit(self._next_batch, None).result()
                while batch.count:
                    upcoming = disk.submit(self._next_batch, batch.last_seq)
                    try:
                        reply = self.client.push_packed(batch.body)
                    except CentralError as exc:
                        if exc.last_seq is not None:  # central said where it stands: start there
                            stored = self._store_after(disk, stored, PushReply(
                                last_seq=exc.last_seq))
                        raise
                    stored = self._store_after(disk, stored, reply)
                    sent += batch.count
                    if progress:
                        progress(sent, sent + batch.waiting - batch.count)
                    if reply.last_seq == batch.last_seq:  # central took it all: send the next
                        batch = upcoming.result()
                    elif (reply.last_seq < batch.last_seq and not reply.rejected
                          and reply.applied == 0):
                        return sent  # central stopped (a gap on its side): try again next round
                    else:  # central took part of it, or has more: go on from where it stands
                        upcoming.cancel()
                        batch = disk.submit(self._next_batch, reply.last_seq).result()
                return sent
            finally:  # every reply is stored before this returns or raises
                failed = stored.exception() if stored is not None else None
                if failed is not None:
                    raise failed

    def _next_batch(self, after: int | None) -> _Packed:
        """The events after seq `after` (None: after central's acknowledged seq), packed."""
        with self.db.write() if after is None else self.db.read() as s:
            batch = sync_db.pending(s, self.settings.sync_batch_events, after)
        return _Packed(body=self.client.pack(batch.events) if batch.events else b"",
                       count=len(batch.events), last_seq=batch.last_seq, waiting=batch.waiting)

    def _store_after(self, disk: ThreadPoolExecutor, previous: Future[None] | None,
                     reply: PushReply) -> Future[None]:
        """Store a reply on the disk thread, behind the previous one (which must have worked:
        a reply that could not be stored stops the push, as it always did)."""
        if previous is not None:
            previous.result()
        return disk.submit(self._store, reply)

    def _store(self, reply: PushReply) -> None:
        with self.db.write() as s:
            sync_db.record_push(s, reply)

    def pull_all(self) -> list[str]:
        """Apply the change feed until up to date; returns pick-up orders that changed."""
        touched: list[str] = []
        while True:
            with self.db.read() as s:
                cursor = sync_db.state(s).pull_cursor if s.get(sync_db.SyncState, 1) else 0
            reply = self.client.pull(cursor)
            if reply.must_resync:
                cursor = 0
                reply = self.client.pull(0)
            with self.db.write() as s:
                touched += sync_db.apply_changes(s, reply.changes, reply.next_cursor, self.shop)
            if reply.up_to_date or not reply.changes:
                return touched

    def record_error(self, message: str) -> None:
        """Keep the failure for the status."""
        with self.db.write() as s:
            sync_db.record_error(s, message)

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()


class SyncWorker:
    """The hub's background sync: push, pull, back off while central is away, tell the UIs."""

    def __init__(self, db: Database, shop: Shop, bus: EventBus) -> None:
        settings = shop.settings
        self.db, self.settings, self.bus = db, settings, bus
        self.enabled = bool(settings.central_url)
        self.online = False
        self.lock = PusherLock(settings.data_dir)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_status: dict[str, object] = {}
        self._syncer = Syncer(db, shop) if self.enabled else None

    async def start(self) -> None:
        """Start the background loop (when central is configured)."""
        if self._syncer is not None:
            self._task = asyncio.create_task(self._loop(), name="sync")

    async def stop(self) -> None:
        """Stop the loop and let another process push."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=5)
        if self._syncer is not None:
            self._syncer.close()
        self.lock.release()

    def kick(self) -> None:
        """Sync now instead of at the next interval."""
        self._wake.set()

    def status(self) -> sync_db.SyncStatus:
        """The status staff see."""
        with self.db.read() as s:
            return sync_db.status(s, self.enabled, self.online)

    async def _loop(self) -> None:
        assert self._syncer is not None
        backoff = 1.0
        while True:
            if not self.lock.acquire():
                log.info("another process (pid %s) pushes this hub's outbox", self.lock.holder())
                await asyncio.sleep(5)
                continue
            try:
                await asyncio.to_thread(self._syncer.push_all)
                touched = await asyncio.to_thread(self._syncer.pull_all)
            except CentralError as exc:
                if self.online or backoff == 1.0:
                    log.warning("sync with central failed: %s", exc)
                # the reason first: a status read (or the event) saying offline gives it
                await asyncio.to_thread(self._syncer.record_error, str(exc))
                self._set_online(False)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            except Exception:  # a bug must not stop syncing forever: log it and back off
                log.exception("sync round failed")
                await self._sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            if not self.online:
                log.info("sync with central is up")
            backoff = 1.0
            self._set_online(True, always=True)
            if touched:
                self.bus.publish(PickupUpdated(order_ids=touched))
            await self._sleep(self.settings.sync_interval_seconds)

    def _set_online(self, online: bool, always: bool = False) -> None:
        changed = online != self.online
        self.online = online
        if changed or always:
            status = self.status()
            if changed or status.model_dump() != self._last_status:
                self._last_status = status.model_dump()
                self.bus.publish(SyncChanged(status=status))

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()
