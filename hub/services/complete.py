"""Paying for a sale and completing it, written as plain SQL (as the scan is).

Every tender ends here: cash, a card the terminal approved, a paid QR code, a standalone card
terminal's, an online order handed over. Through the ORM, taking cash and completing the sale
cost ~8 ms of CPU, most of it loading and flushing objects. Here the sale, its lines and its
tenders are rows read and written on the session's own connection, in the caller's transaction
(a caller's ORM work, such as an approved card attempt, is flushed first). ORM objects of these
rows that the session holds are brought up to date afterwards, so a caller that reads them sees
what was written and nothing stale is flushed back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, SQLModel

from hub.models import Lane, Sale, SaleLine, Tender
from hub.models.base import utcnow
from hub.models.sale import SalePublic
from hub.services import journal, rollup
from hub.services.auth import Actor
from hub.services.cart import recompute, to_public
from hub.services.context import Shop
from hub.services.delivery import queue_print
from hub.services.errors import NotFound
from hub.services.fiscal import record, seal
from hub.services.records import journal_and_emit, move_stock
from hub.services.scan import AMOUNTS, save_lines
from hub.services.sql import Row, Table, connection, new_row, raw, refresh

_SALES, _LINES, _TENDERS = Table(Sale), Table(SaleLine), Table(Tender)
_FINAL = ("receipt_no", "status", "completed_at", "rounding", "change", "shift_id",
          "cashier_id", "version", "total", "control_code")
_COMPLETE = f"UPDATE sale SET {', '.join(f'{name} = ?' for name in _FINAL)} WHERE id = ?"


@dataclass
class Cart:
    """A sale's rows: the sale, its lines and its tenders, in the order they came."""

    sale: Row
    lines: list[Row]
    tenders: list[Row]

    @property
    def due(self) -> int:
        """What is still to pay."""
        return int(self.sale.total) - sum(t.amount for t in self.tenders)


def read_cart(con: sqlite3.Connection, where: str, *params: Any) -> Cart | None:
    """The sale a WHERE clause finds (the first), with its lines and tenders; None if none."""
    found = _SALES.rows(con, where, *params)
    if not found:
        return None
    sale = found[0]
    return Cart(sale, _LINES.rows(con, "sale_id = ? ORDER BY id", sale.id),
                _TENDERS.rows(con, "sale_id = ? ORDER BY id", sale.id))


def add_tender(session: Session, cart: Cart, **values: Any) -> None:
    """Put a tender on the cart's sale (one insert, with the model's defaults)."""
    row = new_row(Tender, sale_id=cart.sale.id, **values)
    row["id"] = _TENDERS.insert(raw(session), row)
    cart.tenders.append(Row(**row))


def apply_tender(session: Session, shop: Shop, sale_id: str, actor: Actor,
                 cart: Cart | None = None) -> SalePublic:
    """After a tender was added: complete the sale if it is paid, else show what is due.
    A caller that holds the sale's rows (the new tender included) passes them."""
    con = connection(session)
    cart = cart or _cart(con, sale_id)
    if cart.due <= 0:
        return complete_sale(session, shop, sale_id, actor, cart)
    sale = cart.sale
    (sale.version,) = con.execute(
        "UPDATE lane SET cart_version = cart_version + 1 WHERE id = ? RETURNING cart_version",
        (sale.lane_id,)).fetchone()
    con.execute("UPDATE sale SET version = ? WHERE id = ?", (sale.version, sale.id))
    refresh(session, Lane, sale.lane_id, cart_version=sale.version)
    refresh(session, Sale, sale.id, version=sale.version)
    return to_public(sale, cart.lines, cart.tenders)  # type: ignore[arg-type]


def complete_sale(session: Session, shop: Shop, sale_id: str, actor: Actor,
                  cart: Cart | None = None) -> SalePublic:
    """Make the sale final: receipt number, control code, stock, journal and outbox, all in one
    transaction. A training sale is numbered, marked and journaled but moves no stock and is
    not reported to central."""
    con = connection(session)
    cart = cart or _cart(con, sale_id)
    sale, lines, tenders = cart.sale, cart.lines, cart.tenders
    shift = con.execute("SELECT id FROM shift WHERE lane_id = ? AND status = 'open'",
                        (sale.lane_id,)).fetchone()
    sale.receipt_no, sale.version, lane_kind = con.execute(
        "UPDATE lane SET last_receipt_no = last_receipt_no + 1, cart_version = cart_version + 1"
        " WHERE id = ? RETURNING last_receipt_no, cart_version, kind", (sale.lane_id,)).fetchone()
    before = {line.id: tuple(getattr(line, name) for name in AMOUNTS) for line in lines}
    recompute(sale, lines)  # type: ignore[arg-type] # rows read as the ORM's objects are
    changed = save_lines(con, lines, before)
    sale.status = "completed"
    sale.completed_at = utcnow()
    sale.rounding = sum(t.rounding for t in tenders)
    sale.change = sum(t.change for t in tenders)
    sale.shift_id = shift[0] if shift else None
    if sale.cashier_id is None:
        sale.cashier_id = actor.user_id
    public = to_public(sale, lines, tenders)  # type: ignore[arg-type]
    seal(session, shop, sale, kind="training" if sale.training else "normal",
         vat=[(row.rate_bp, row.vat) for row in public.vat],
         cash_only=all(t.method == "cash" for t in tenders))
    con.execute(_COMPLETE, (*(_SALES.stored(name, getattr(sale, name)) for name in _FINAL),
                            sale.id))
    public = public.model_copy(update={"control_code": sale.control_code})
    ref = f"{sale.lane_id}-{sale.receipt_no}"
    if sale.training:
        journal.append(session, shop.key, "training_sale", ref, public.model_dump(mode="json"))
    else:
        move_stock(session, [(line.product_id, line.sku, -(line.weight_g or line.quantity))
                             for line in public.lines if not line.voided], "sale", sale.id)
        rollup.add_sale(session, sale, lines, shop.settings.timezone,  # type: ignore[arg-type]
                        lane_kind=lane_kind, methods={t.method for t in tenders})
        journal_and_emit(session, shop.key, "sale.completed", "sale", ref,
                         public.model_dump(mode="json"), sale.completed_at)
    cash = any(t.method == "cash" for t in tenders) and not sale.training
    if cash:
        record(session, shop, "drawer_open", lane_id=sale.lane_id, actor=actor, ref=sale.id,
               reason="sale", signed=False)
    queue_print(session, shop, sale.lane_id, sale_id=sale.id, open_drawer=cash)
    refresh(session, Lane, sale.lane_id, last_receipt_no=sale.receipt_no,
             cart_version=sale.version)
    refresh(session, Sale, sale.id, **{name: getattr(sale, name) for name in _FINAL})
    _forget(session, SaleLine, changed)
    return public


def _cart(con: sqlite3.Connection, sale_id: str) -> Cart:
    cart = read_cart(con, "id = ?", sale_id)
    if cart is None:
        raise NotFound(f"There is no sale {sale_id}.")
    return cart


def _forget(session: Session, model: type[SQLModel], keys: Iterable[object]) -> None:
    """Expire the session's ORM objects of rows just rewritten: they are read again if used."""
    for key in keys:
        obj = session.identity_map.get(identity_key(model, key))
        if obj is not None:
            session.expire(obj)
