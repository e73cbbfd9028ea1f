"""Typed, versioned websocket events and the bus that fans them out to watching clients."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from hub.models.base import utcnow
from hub.models.payment import PaymentPublic
from hub.models.qr import QrPublic
from hub.models.sale import SalePublic
from hub.services.shift import ShiftPublic
from hub.services.sync import SyncStatus

log = logging.getLogger(__name__)
PROTOCOL_VERSION = 1


class _Event(BaseModel):
    v: Literal[1] = 1  # PROTOCOL_VERSION
    at: datetime = Field(default_factory=utcnow)


class Hello(_Event):
    """Sent once on connect: who the hub thinks you are."""

    type: Literal["hello"] = "hello"
    role: str
    lanes: list[str]


class Subscribed(_Event):
    """The lanes this connection now watches."""

    type: Literal["subscribed"] = "subscribed"
    lanes: list[str]


class CartUpdated(_Event):
    """A lane's cart changed (or was just subscribed to): the whole cart, newest version."""

    type: Literal["cart.updated"] = "cart.updated"
    lane_id: str
    cart: SalePublic


class SaleCompleted(_Event):
    """A sale on the lane is final: receipt number and totals."""

    type: Literal["sale.completed"] = "sale.completed"
    lane_id: str
    sale: SalePublic


class ShiftChanged(_Event):
    """A lane's shift opened, closed or moved cash."""

    type: Literal["shift.changed"] = "shift.changed"
    lane_id: str
    shift: ShiftPublic


class PaymentUpdated(_Event):
    """A card payment on the lane moved: progress on the terminal, or its outcome."""

    type: Literal["payment.updated"] = "payment.updated"
    lane_id: str
    payment: PaymentPublic


class QrUpdated(_Event):
    """A QR payment on the lane moved: shown, pending, paid, declined, expired …"""

    type: Literal["qr.updated"] = "qr.updated"
    lane_id: str
    qr: QrPublic


class ReaderState(BaseModel):
    """A card reader's health as every UI shows it."""

    lane_id: str
    protocol: str
    url: str
    available: bool
    busy: bool
    last_error: str
    terminal_id: str | None


class ReaderChanged(_Event):
    """The lane's card reader became available or unavailable."""

    type: Literal["reader.changed"] = "reader.changed"
    lane_id: str
    reader: ReaderState


class DeviceState(BaseModel):
    """A store peripheral's health as every UI shows it (printer, scanner, pole display)."""

    id: str  # "printer:1": the kind and the lane, stable across restarts
    kind: str  # printer | scanner | pole_display
    lane_id: str
    url: str
    available: bool
    last_error: str
    paper: str | None = None  # ok | low | out | unknown (printers that report it)
    drawer_open: bool | None = None
    waiting: int = 0  # receipts waiting for this printer


class DeviceChanged(_Event):
    """A lane's peripheral came, went, or reported paper or drawer news."""

    type: Literal["device.changed"] = "device.changed"
    lane_id: str
    device: DeviceState


class ScanRejected(_Event):
    """A code from the lane's serial scanner was not put in the cart, and why."""

    type: Literal["scan.rejected"] = "scan.rejected"
    lane_id: str
    code: str
    message: str


class PickupUpdated(_Event):
    """Store-wide: pick-up orders arrived or changed (re-read GET /api/v1/pickups)."""

    type: Literal["pickup.updated"] = "pickup.updated"
    lane_id: None = None  # store-wide: every watching client gets it
    order_ids: list[str]


class SyncChanged(_Event):
    """Store-wide: the sync status with central changed (online, events waiting, last sync)."""

    type: Literal["sync.changed"] = "sync.changed"
    lane_id: None = None
    status: SyncStatus


class AssistRequested(_Event):
    """Store-wide: a self-service lane calls staff (help, or an age check)."""

    type: Literal["assist.requested"] = "assist.requested"
    lane_id: None = None
    lane: str
    reason: str
    note: str = ""


class ErrorMessage(_Event):
    """Something the client sent could not be understood; the connection stays open."""

    type: Literal["error"] = "error"
    message: str


LaneEvent = (CartUpdated | SaleCompleted | ShiftChanged | PaymentUpdated | ReaderChanged
             | PickupUpdated | SyncChanged | AssistRequested | QrUpdated | DeviceChanged
             | ScanRejected)
ServerEvent = Annotated[
    Hello | Subscribed | CartUpdated | SaleCompleted | ShiftChanged | PaymentUpdated
    | ReaderChanged | PickupUpdated | SyncChanged | AssistRequested | QrUpdated | ErrorMessage,
    Field(discriminator="type"),
]


class Subscribe(BaseModel):
    """Client → hub: watch these lanes (replaces the previous set)."""

    type: Literal["subscribe"]
    lanes: list[Annotated[str, Field(max_length=32)]] = Field(max_length=64)


class Ping(BaseModel):
    """Client → hub: keep-alive."""

    type: Literal["ping"]


ClientMessage = Annotated[Subscribe | Ping, Field(discriminator="type")]


@dataclass(eq=False)
class Subscriber:
    """One websocket connection's queue and the lanes it watches."""

    lanes: set[str] = field(default_factory=set)
    queue: asyncio.Queue[BaseModel | None] = field(default_factory=lambda: asyncio.Queue(1000))


class EventBus:
    """Fans lane events out to every subscriber; safe to call from worker threads."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver on this event loop (the server's)."""
        self._loop = loop

    def add(self, subscriber: Subscriber) -> None:
        """Start delivering to a subscriber."""
        self._subscribers.add(subscriber)

    def remove(self, subscriber: Subscriber) -> None:
        """Stop delivering to a subscriber."""
        self._subscribers.discard(subscriber)

    def publish(self, event: LaneEvent) -> None:
        """Send an event to everyone watching its lane, from any thread."""
        if self._loop is None or self._loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._deliver(event)
        else:
            self._loop.call_soon_threadsafe(self._deliver, event)

    def _deliver(self, event: LaneEvent) -> None:
        for sub in list(self._subscribers):
            if event.lane_id is None or event.lane_id in sub.lanes:
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    # A client this far behind resyncs from the snapshot when it reconnects.
                    log.warning("dropping a websocket client that fell 1000 events behind")
                    self.remove(sub)
                    sub.queue = asyncio.Queue(1)
                    sub.queue.put_nowait(None)


def publish_cart(bus: EventBus, cart: SalePublic) -> SalePublic:
    """Tell every client watching the lane about its cart; a completed sale is announced too."""
    bus.publish(CartUpdated(lane_id=cart.lane_id, cart=cart))
    if cart.status == "completed":
        bus.publish(SaleCompleted(lane_id=cart.lane_id, sale=cart))
    return cart
