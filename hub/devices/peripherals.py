"""Store peripherals on the hub: one owner per configured device (receipt printer with its cash
drawer, serial barcode scanner, pole display) that keeps it connected, reconnects with back-off,
and reports its health to every UI.

A printer owner prints the lane's receipt outbox in order; a receipt that fails part-way stays
pending and is printed whole again when the printer is back (the sale itself never waits for
paper). A scanner owner puts each code in the lane's cart as if the cashier scanned it. A pole
display owner follows the lane's events and shows the last item and the total.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel
from sqlmodel import select

from drivers.errors import DriverError
from drivers.pole_display import PoleDisplay, item_line, total_line, two_columns
from drivers.printer import Printer, PrinterStatus
from drivers.printer import Receipt as PrintedReceipt
from drivers.printer.layout import paper_for
from drivers.scanner import SerialScanner
from hub.api.events import (
    DeviceChanged,
    DeviceState,
    EventBus,
    ScanRejected,
    Subscriber,
    publish_cart,
)
from hub.db import Database
from hub.models import PaymentAttempt, ReceiptDelivery, Refund, Sale, User
from hub.models.fiscal import DayReportFigures
from hub.money import format_amount
from hub.services import delivery, scan
from hub.services import sale as sales
from hub.services.auth import Actor
from hub.services.context import Shop
from hub.services.errors import DomainError
from hub.services.receipt import refund_document, sale_document
from hub.services.refund import refund_public
from hub.services.report_export import to_text

log = logging.getLogger(__name__)
BACKOFF_START, BACKOFF_MAX = 1.0, 30.0


class Owner(ABC):
    """Keeps one device connected: run(), and on a driver error report it, wait, try again."""

    kind = ""

    def __init__(self, manager: DeviceManager, lane_id: str, url: str) -> None:
        self.manager, self.lane_id, self.url = manager, lane_id, url
        self.state = DeviceState(id=f"{self.kind}:{lane_id}", kind=self.kind, lane_id=lane_id,
                                 url=url, available=False, last_error="not connected yet")
        self.wake = asyncio.Event()

    def update(self, **changes: Any) -> None:
        """Change the health and tell everyone (only when something changed)."""
        new = self.state.model_copy(update=changes)
        if new != self.state:
            if new.available != self.state.available:
                if new.available:
                    log.info("%s is available", self.state.id)
                else:
                    log.warning("%s is unavailable: %s", self.state.id, new.last_error)
            self.state = new
            self.manager.bus.publish(DeviceChanged(lane_id=self.lane_id, device=new))

    async def run_forever(self) -> None:
        """Connect and serve; reconnect with back-off (1 s doubling to 30 s) after a failure."""
        backoff = BACKOFF_START
        while True:
            try:
                await self.serve()
            except (DriverError, OSError) as exc:
                await self.failed(str(exc) or type(exc).__name__)
            else:
                backoff = BACKOFF_START
            await self.sleep(backoff)
            backoff = min(BACKOFF_MAX, backoff * 2)

    @abstractmethod
    async def serve(self) -> None:
        """Talk to the device until it fails (raises a DriverError)."""

    async def failed(self, error: str) -> None:
        """The device went away or would not connect."""
        self.update(available=False, last_error=error)

    async def sleep(self, seconds: float) -> None:
        """Wait, but wake early when kicked (new work, or a test)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), seconds)
        self.wake.clear()


class PrinterOwner(Owner):
    """Prints the lane's receipts in order and opens its drawer; polls paper and drawer."""

    kind = "printer"

    async def serve(self) -> None:
        """Connect, report status, print whatever waits, then wait for more."""
        settings = self.manager.shop.settings
        async with Printer(self.url, paper=settings.printer_paper) as printer:
            while True:
                await self.report(await printer.status())
                while (job := await self.manager.call(self.next_job)) is not None:
                    delivery_id, document, open_drawer = job
                    try:
                        if document is None:
                            await printer.kick_drawer()
                        else:
                            await printer.print_receipt(document, open_drawer=open_drawer)
                    except DriverError as exc:
                        error = str(exc)
                        await self.manager.call(
                            partial(delivery.mark_attempt, delivery_id=delivery_id, error=error),
                            write=True)
                        raise
                    await self.manager.call(partial(delivery.mark_done, delivery_id=delivery_id),
                                            write=True)
                await self.report(await printer.status())
                await self.sleep(settings.device_status_seconds)

    async def waiting(self) -> int:
        """How many receipts wait for this printer."""
        return int(await self.manager.call(
            partial(delivery.pending_prints, lane_id=self.lane_id)))

    async def failed(self, error: str) -> None:
        """Unreachable: say so, and how many receipts wait for it."""
        self.update(available=False, last_error=error, waiting=await self.waiting())

    async def report(self, status: PrinterStatus) -> None:
        """The printer's own words on paper and drawer, and how much waits for it."""
        problem = status.error or ("" if status.ready else "not ready")
        self.update(available=status.ready, last_error=problem, paper=status.paper,
                    drawer_open=status.drawer_open, waiting=await self.waiting())

    def next_job(self, session: Any) -> tuple[int, PrintedReceipt | None, bool] | None:
        """The next receipt to print as a document (None for a drawer kick only)."""
        job = delivery.next_print(session, self.lane_id)
        if job is None or job.id is None:
            return None
        return job.id, self.document(session, job), job.open_drawer

    def document(self, session: Any, job: ReceiptDelivery) -> PrintedReceipt | None:
        """What to print for a delivery, from the sale or refund as it stands in the database
        (or the X/Z report it carries)."""
        settings = self.manager.shop.settings
        if job.report is not None:
            figures = DayReportFigures.model_validate(job.report)
            text = to_text(figures, columns=paper_for(settings.printer_paper).columns,
                           timezone=settings.timezone)
            return PrintedReceipt(title="", body_lines=tuple(text.splitlines()))
        if job.sale_id is not None:
            sale = session.get(Sale, job.sale_id)
            public = sales.sale_public(session, sale)
            attempts = session.exec(select(PaymentAttempt).where(
                PaymentAttempt.sale_id == sale.id, PaymentAttempt.status == "approved")).all()
            lines = tuple(line for a in attempts for line in (a.receipt_lines or []))
            return sale_document(public, settings, _name(session, sale.cashier_id),
                                 copy=job.is_copy, terminal_lines=lines,
                                 qr_url=f"{settings.public_url}/receipt/{sale.id}")
        if job.refund_id is not None:
            refund = session.get(Refund, job.refund_id)
            return refund_document(refund_public(session, refund), settings,
                                   _name(session, refund.cashier_id), copy=job.is_copy)
        return None


class ScannerOwner(Owner):
    """Puts every code the lane's serial scanner reads in the lane's cart."""

    kind = "scanner"

    async def serve(self) -> None:
        """Read codes until the scanner goes away."""
        target, options = _split_options(self.url, ("prefix", "suffix"))
        async with SerialScanner(target, prefix=options.get("prefix", ""),
                                 suffix=options.get("suffix", "")) as scanner:
            self.update(available=True, last_error="")
            async for code in scanner:
                await self.scanned(code)

    async def scanned(self, code: str) -> None:
        """Add the code to the cart; a code the hub refuses is told to the lane's screens."""
        actor = Actor(role="terminal", lane_id=self.lane_id, name=f"Skanner {self.lane_id}")
        try:
            cart = await self.manager.call(
                lambda s: scan.add_item(s, self.manager.shop, self.lane_id, actor, code=code),
                write=True)
        except DomainError as exc:
            self.manager.bus.publish(ScanRejected(lane_id=self.lane_id, code=code,
                                                  message=exc.message))
            return
        publish_cart(self.manager.bus, cart)


class PoleDisplayOwner(Owner):
    """Shows the lane on a 2x20 pole display: the last item and the total, then the change."""

    kind = "pole_display"

    async def serve(self) -> None:
        """Follow the lane's events until the display goes away."""
        watcher = Subscriber(lanes={self.lane_id})
        self.manager.bus.add(watcher)
        try:
            async with PoleDisplay(self.url) as display:
                await display.show(*self.welcome())
                self.update(available=True, last_error="")
                while True:
                    event = await watcher.queue.get()
                    lines = self.lines_for(event)
                    if lines is not None:
                        await display.show(*lines)
        finally:
            self.manager.bus.remove(watcher)

    def welcome(self) -> tuple[str, str]:
        """What an idle display says."""
        return "Välkommen!", self.manager.shop.settings.store_name

    def lines_for(self, event: BaseModel | None) -> tuple[str, str] | None:
        """The two lines for a lane event, or None to leave the display as it is."""
        kind = getattr(event, "type", "")
        if kind == "cart.updated":
            cart = event.cart  # type: ignore[union-attr]
            live = [line for line in cart.lines if not line.voided]
            if cart.status != "open" or not live:
                return None if cart.status == "completed" else self.welcome()
            last = live[-1]
            return (item_line(last.name, _money(last.net)),
                    total_line(_money(cart.due if cart.paid else cart.total),
                               "KVAR" if cart.paid else "TOTALT"))
        if kind == "sale.completed":
            sale = event.sale  # type: ignore[union-attr]
            return (two_columns("TOTALT", _money(sale.total)),
                    two_columns("VÄXEL", _money(sale.change)) if sale.change else "Tack!")
        return None


OWNERS: dict[str, type[Owner]] = {"printers": PrinterOwner, "scanners": ScannerOwner,
                                  "pole_displays": PoleDisplayOwner}


class DeviceManager:
    """Every configured peripheral, each with its owner task; their health for the API."""

    def __init__(self, db: Database, shop: Shop, bus: EventBus) -> None:
        self.db, self.shop, self.bus = db, shop, bus
        self.owners: list[Owner] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start an owner per device in the settings, and wake printers on their lane's news."""
        for setting, owner_type in OWNERS.items():
            for lane_id, url in getattr(self.shop.settings, setting).items():
                owner = owner_type(self, lane_id, url)
                self.owners.append(owner)
                self._tasks.append(asyncio.create_task(owner.run_forever(),
                                                       name=owner.state.id))
        if self.shop.settings.printers:
            self._tasks.append(asyncio.create_task(self._wake_printers(), name="printer-wake"))

    async def _wake_printers(self) -> None:
        """A sale completed, a refund made, a drawer opened: the receipt may be waiting."""
        watcher = Subscriber(lanes=set(self.shop.settings.printers))
        self.bus.add(watcher)
        try:
            while True:
                event = await watcher.queue.get()
                lane_id = getattr(event, "lane_id", None)
                if lane_id is not None and getattr(event, "type", "") != "device.changed":
                    self.kick(lane_id)
        finally:
            self.bus.remove(watcher)

    async def stop(self) -> None:
        """Stop every owner (their devices are closed as they unwind)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def states(self) -> list[DeviceState]:
        """Every peripheral's health."""
        return [owner.state for owner in self.owners]

    def kick(self, lane_id: str | None = None) -> None:
        """New work (a receipt queued): wake the lane's printer now instead of at its next poll."""
        for owner in self.owners:
            if owner.kind == "printer" and lane_id in (None, owner.lane_id):
                owner.wake.set()

    async def call(self, work: Callable[[Any], Any], write: bool = False) -> Any:
        """Run database work in a thread, in a read or write transaction."""
        def run() -> Any:
            with self.db.write() if write else self.db.read() as session:
                return work(session)
        return await asyncio.to_thread(run)



def _name(session: Any, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user else ""


def _money(minor: int, currency: str = "SEK") -> str:
    return format_amount(minor, currency)


def _split_options(url: str, names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """Take the hub's own options (prefix, suffix) out of a device URL for the driver."""
    base, _, query = url.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    ours = {k: v for k, v in pairs if k in names}
    rest = urlencode([(k, v) for k, v in pairs if k not in names])
    return (f"{base}?{rest}" if rest else base), ours
