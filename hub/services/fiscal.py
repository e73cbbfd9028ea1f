"""The register's fiscal duties (SKVFS 2014:9): control codes, copies, training mode, pro-forma
slips, price look-ups, and a journal entry for every one of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, select

from drivers.fiscal import FiscalDeviceError, FiscalReceipt
from hub.config import Settings
from hub.models import Lane, Product, Refund, RegisterEvent, Sale
from hub.models.base import utcnow
from hub.services import journal
from hub.services.auth import Actor, approve
from hub.services.context import Shop
from hub.services.errors import Conflict, DomainError, Invalid, NotFound
from hub.services.sql import Row, Table, raw

NO_DEVICE = "Ingen kontrollenhet ansluten"
_EVENTS = Table(RegisterEvent)


class FiscalDeviceDown(DomainError):
    """The configured fiscal device gives no control code: the register may not sell."""

    status = 503
    code = "fiscal_device_down"


def device_serial(settings: Settings) -> str | None:
    """The configured fiscal device's serial number (what receipts print), or None."""
    if not settings.fiscal_device:
        return None
    return urlsplit(settings.fiscal_device).path or None


def device_text(shop: Shop) -> str:
    """The fiscal device as reports and receipts name it."""
    return f"Kontrollenhet {shop.fiscal.serial}" if shop.fiscal else NO_DEVICE


def record(session: Session, shop: Shop, kind: str, *, lane_id: str | None, actor: Actor | None,
           ref: str | None = None, amount: int = 0, at: datetime | None = None,
           signed: bool = True, **detail: Any) -> None:
    """Keep a register event and sign it into the journal, in the caller's transaction
    (signed=False: the receipt it belongs to is journaled already and shows it). Written
    straight to the table, in the order of the calls."""
    at = at or utcnow()
    user_id = actor.user_id if actor else None
    _EVENTS.insert(raw(session), {"lane_id": lane_id, "kind": kind, "at": at, "user_id": user_id,
                                  "ref": ref, "amount": amount, "detail": detail})
    if signed:
        journal.append(session, shop.key, kind, f"{lane_id or 'store'}-{ref or kind}", {
            "lane_id": lane_id, "kind": kind, "at": at.isoformat(), "ref": ref,
            "amount": amount, "user_id": user_id, **detail})


def require_ready(shop: Shop) -> None:
    """Refuse to start taking money while a configured fiscal device does not answer."""
    if shop.fiscal is not None and not shop.fiscal.ready():
        raise FiscalDeviceDown(f"{device_text(shop)} does not answer: the register cannot sell "
                               "until it is back (check its cable and power).")


def control_code(shop: Shop, *, lane_id: str, receipt_no: int, at: datetime, kind: str,
                 total: int, vat: list[tuple[int, int]]) -> str | None:
    """Register a receipt with the fiscal device: its control code, None with no device,
    FiscalDeviceDown when a configured device gives none."""
    if shop.fiscal is None:
        return None
    receipt = FiscalReceipt(org_number=shop.settings.store_org_number, register_id=lane_id,
                            receipt_no=receipt_no, at=at, kind=kind, total=total,
                            vat=tuple(vat))
    try:
        return shop.fiscal.register(receipt)
    except FiscalDeviceError as exc:
        raise FiscalDeviceDown(f"{device_text(shop)} gave no control code ({exc}): the "
                               "receipt is not made; try again when it answers.") from exc


def seal(session: Session, shop: Shop, receipt: Sale | Refund | Row, *, kind: str,
         vat: list[tuple[int, int]], cash_only: bool) -> None:
    """Give a new receipt (a sale's row, or a refund the session holds) its control code. With
    the device silent, a receipt that moved only cash is refused (its transaction rolls back,
    nothing is lost); one a card terminal or the web already settled cannot be undone, so it
    stands without a code and the gap is journaled."""
    assert receipt.receipt_no is not None
    at = getattr(receipt, "completed_at", None) or receipt.created_at
    try:
        receipt.control_code = control_code(
            shop, lane_id=receipt.lane_id, receipt_no=receipt.receipt_no, at=at or utcnow(),
            kind=kind, total=receipt.total, vat=vat)
    except FiscalDeviceDown:
        if cash_only:
            raise
        record(session, shop, "control_code_missing", lane_id=receipt.lane_id, actor=None,
               ref=receipt.id, amount=receipt.total, receipt_no=receipt.receipt_no)


def issue_copy(session: Session, shop: Shop, actor: Actor, *, sale: Sale | None = None,
               refund: Refund | None = None, channel: str = "screen") -> None:
    """Allow the one copy a receipt may have, registered and journaled; a second is refused."""
    target: Sale | Refund | None = sale or refund
    if target is None or target.receipt_no is None:
        raise Conflict("Only a completed receipt has a copy.")
    if target.copies >= 1:
        raise Conflict(f"A copy of receipt {target.lane_id}-{target.receipt_no} was already "
                       "made; the rules allow only one.")
    target.copies += 1
    session.add(target)
    total = target.total
    control_code(shop, lane_id=target.lane_id, receipt_no=target.receipt_no, at=utcnow(),
                 kind="copy", total=total, vat=[])
    record(session, shop, "copy", lane_id=target.lane_id, actor=actor, ref=target.id,
           amount=total, receipt_no=target.receipt_no, channel=channel,
           receipt="return" if refund is not None else "sale")


def set_training(session: Session, shop: Shop, lane_id: str, actor: Actor, on: bool,
                 approval: tuple[str, str] | None = None) -> Lane:
    """Switch a lane's training mode (a manager's decision); refused with a cart on the lane."""
    lane = session.get(Lane, lane_id)
    if lane is None:
        raise NotFound(f"There is no lane {lane_id}.")
    if lane.training == on:
        return lane
    open_cart = session.exec(select(Sale).where(Sale.lane_id == lane_id,
                                                Sale.status == "open")).first()
    if open_cart is not None and open_cart.total:
        raise Conflict("Finish or cancel the sale on the lane before switching training mode.")
    approver = approve(session, actor, approval, shop.settings, "training mode")
    lane.training = on
    version = lane.bump_cart_version()  # every screen on the lane sees the new mode
    if open_cart is not None:  # an empty cart takes the lane's new mode
        open_cart.training = on
        open_cart.version = version
        session.add(open_cart)
    session.add(lane)
    record(session, shop, "training_on" if on else "training_off", lane_id=lane_id,
           actor=actor, approved_by=approver)
    return lane


def price_lookup(session: Session, shop: Shop, lane_id: str, actor: Actor,
                 code: str) -> Product:
    """A price asked for at the till without selling: answered and journaled."""
    code = code.strip()
    if not code or len(code) > 64:
        raise Invalid("Scan or key in a barcode or an article number to look up.")
    product = session.exec(select(Product).where(Product.gtin == code)).first() or \
        session.exec(select(Product).where(Product.sku == code)).first()
    if product is None:
        raise NotFound(f"No product has the code {code}.")
    record(session, shop, "price_lookup", lane_id=lane_id, actor=actor, ref=product.sku,
           amount=product.price, name=product.name)
    return product
