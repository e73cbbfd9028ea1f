"""Store peripherals: their health, the serial ports the hub sees, and printing a receipt again."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from hub.api.deps import Actor, DbDep, ShopDep, requires
from hub.api.events import DeviceState
from hub.api.routing import Router
from hub.devices.peripherals import DeviceManager
from hub.models import Refund, Sale
from hub.services import delivery, fiscal
from hub.services.errors import Conflict, NotFound

router = Router(tags=["devices"])
Staff = Annotated[Actor, Depends(requires("shift"))]
Clerk = Annotated[Actor, Depends(requires("sales.read"))]
DocId = Annotated[str, Field(min_length=1, max_length=32)]


class SerialPort(BaseModel):
    """A serial port the hub can see; `stable_path` survives reboots and re-plugging."""

    device: str
    stable_path: str
    description: str
    vid_pid: str | None
    serial_number: str | None


class Queued(BaseModel):
    """A receipt queued for the lane's printer."""

    delivery_id: int
    lane_id: str


def _manager(request: Request) -> DeviceManager:
    return request.app.state.devices  # type: ignore[no-any-return]


@router.get("/devices/status")
def device_status(request: Request, _: Staff) -> list[DeviceState]:
    """Every configured printer, scanner and pole display: available, last error, paper,
    drawer, receipts waiting."""
    return _manager(request).states()


@router.get("/devices/ports")
def serial_ports(_: Staff) -> list[SerialPort]:
    """The serial ports on this hub, with the by-id path to configure a device by (it stays
    the same across reboots, unlike /dev/ttyUSB0)."""
    from serial.tools import list_ports

    stable = _by_id_paths()
    return [SerialPort(device=p.device, stable_path=stable.get(p.device, p.device),
                       description=p.description or "",
                       vid_pid=f"{p.vid:04x}:{p.pid:04x}" if p.vid is not None else None,
                       serial_number=p.serial_number) for p in list_ports.comports()]


def _by_id_paths() -> dict[str, str]:
    from pathlib import Path

    folder = Path("/dev/serial/by-id")
    if not folder.is_dir():
        return {}
    return {str(link.resolve()): str(link) for link in folder.iterdir()}


class PrintAgain(BaseModel):
    """Which lane's printer; the copy is marked KOPIA."""

    lane_id: str = Field(min_length=1, max_length=32)


@router.post("/sales/{sale_id}/print", status_code=202)
def print_sale(sale_id: DocId, body: PrintAgain, request: Request, db: DbDep, shop: ShopDep,
               actor: Clerk) -> Queued:
    """Print a copy of a sale's receipt on a lane's printer."""
    actor.require_lane(body.lane_id)
    with db.write() as s:
        if (sale := s.get(Sale, sale_id)) is None or sale.status != "completed":
            raise NotFound("There is no completed sale with that id.")
        queued = delivery.queue_print(s, shop, body.lane_id, sale_id=sale_id, is_copy=True)
        if queued is not None:
            fiscal.issue_copy(s, shop, actor, sale=sale, channel="print")
        return _queued(request, body.lane_id, queued)


@router.post("/refunds/{refund_id}/print", status_code=202)
def print_refund(refund_id: DocId, body: PrintAgain, request: Request, db: DbDep, shop: ShopDep,
                 actor: Clerk) -> Queued:
    """Print a copy of a return receipt on a lane's printer."""
    actor.require_lane(body.lane_id)
    with db.write() as s:
        if (refund := s.get(Refund, refund_id)) is None:
            raise NotFound("There is no refund with that id.")
        queued = delivery.queue_print(s, shop, body.lane_id, refund_id=refund_id, is_copy=True)
        if queued is not None:
            fiscal.issue_copy(s, shop, actor, refund=refund, channel="print")
        return _queued(request, body.lane_id, queued)


def _queued(request: Request, lane_id: str, queued: object) -> Queued:
    if queued is None:
        raise Conflict(f"Lane {lane_id} has no receipt printer (KASSA_PRINTERS).")
    _manager(request).kick(lane_id)
    return Queued(delivery_id=queued.id, lane_id=lane_id)  # type: ignore[attr-defined]
