"""The hub's mail sender: sends e-mailed receipts from the outbox in the background.

It wakes when a receipt is asked for (`kick`) and when the next pending e-mail is due. While
the mail server is away each e-mail waits a doubling pause (10 s up to
`mail_retry_max_seconds`), and is marked failed only after `GIVE_UP_AFTER` (three days).
A failure is logged once and the recovery once; the details stay on each delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from hub.db import Database
from hub.models.base import utcnow
from hub.services.context import Shop
from hub.services.mail import send_due

log = logging.getLogger("kassa.mail")
IDLE_SECONDS = 60.0  # look again at least this often (another process may add e-mails)
STOP_SECONDS = 10.0  # how long stopping waits for the e-mail being sent


class MailSender:
    """One background loop per hub that hands pending receipt e-mails to the mail server."""

    def __init__(self, db: Database, shop: Shop, *, first_retry_seconds: float = 10.0) -> None:
        self.db, self.settings = db, shop.settings
        self.enabled = bool(shop.settings.smtp_url)
        self.first_retry_seconds = first_retry_seconds
        self.failing = False
        self._wake = asyncio.Event()
        self._stopping = threading.Event()  # read by the sending thread between e-mails
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the background loop (when a mail server is configured)."""
        if self.enabled and self._task is None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.create_task(self._run(), name="mail")

    async def stop(self) -> None:
        """Stop the loop; the e-mail being sent is finished first (or tried again later)."""
        if self._task is None:
            return
        self._stopping.set()
        self._wake.set()
        finished, _ = await asyncio.wait([self._task], timeout=STOP_SECONDS)
        if not finished:  # a mail server that hangs: its delivery is claimed again later
            self._task.cancel()
            await asyncio.wait([self._task], timeout=1)
        self._task = None

    def kick(self) -> None:
        """Look for due e-mails now; safe to call from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            pause = IDLE_SECONDS
            try:
                done = await asyncio.to_thread(send_due, self.db, self.settings,
                                               first_retry=self.first_retry_seconds,
                                               stop=self._stopping)
            except Exception:  # a bug must not stop the e-mails for good: log it, try later
                log.exception("sending receipt e-mails failed")
            else:
                if done.failed and not done.sent and not self.failing:
                    self.failing = True
                    log.warning("receipt e-mails wait: %s", done.last_error)
                elif done.sent and self.failing:
                    self.failing = False
                    log.info("receipt e-mails are being delivered again")
                if done.next_due is not None:
                    due_in = (done.next_due - utcnow()).total_seconds()
                    pause = min(max(due_in, 0.0), IDLE_SECONDS)
            await self._sleep(pause)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()
