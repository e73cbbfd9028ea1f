"""The scan: putting a product in a lane's cart, written as plain SQL.

A till scans far more often than it does anything else, and through the ORM a scan cost
~2.5 ms of CPU in nine statements, most of it building, compiling and flushing objects. Here it
runs as SQL on the session's own SQLite connection (hub/services/sql.py) over light row
objects, which `recompute` and `to_public` read as they read the ORM's rows. Paying and
completing the sale are written the same way (complete.py); everything else about a cart uses
the ORM.
"""

from __future__ import annotations

import sqlite3

from sqlmodel import Session

from hub.barcode import BarcodeError, parse_scan
from hub.models import PaymentAttempt, Product, Sale, SaleLine, Tender
from hub.models.payment import ACTIVE, IN_DOUBT
from hub.models.qr import QR_OPEN, QrAttempt
from hub.models.sale import SalePublic
from hub.services.auth import Actor
from hub.services.cart import recompute, to_public
from hub.services.context import Shop
from hub.services.errors import Conflict, Invalid, NotFound
from hub.services.sql import Row, Table, connection, new_row

MAX_QUANTITY = 9999
MAX_WEIGHT_G = 100_000

_PRODUCTS, _SALES, _LINES, _TENDERS = (Table(m) for m in (Product, Sale, SaleLine, Tender))
AMOUNTS = ("quantity", "gross", "line_discount", "cart_discount_share", "net", "vat")


_FROZEN = (
    f"SELECT 'qr', id, status FROM {QrAttempt.__tablename__} WHERE sale_id = ?"
    f" AND status IN ({', '.join('?' * len(QR_OPEN))})"
    f" UNION ALL SELECT 'card', id, status FROM {PaymentAttempt.__tablename__}"
    f" WHERE sale_id = ? AND status IN ({', '.join('?' * (len(ACTIVE) + 1))})"
)


def check_quantity(quantity: int) -> None:
    """A quantity a line can have."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(f"Quantity must be between 1 and {MAX_QUANTITY}.")


def refuse_while_payment_runs(con: sqlite3.Connection, sale_id: str) -> None:
    """A running or in-doubt card payment, or a QR code waiting to be paid, freezes the cart:
    its amount is already on the card or the shopper's phone."""
    found = con.execute(_FROZEN, (sale_id, *QR_OPEN, sale_id, *ACTIVE, IN_DOUBT)).fetchall()
    for kind, attempt_id, _status in found:
        if kind == "qr":
            raise Conflict("A QR code for this cart is waiting to be paid: wait, or cancel it.",
                           qr_id=attempt_id)
    for _kind, attempt_id, status in found:
        if status == IN_DOUBT:
            raise Conflict("A card payment on this cart is in doubt: resolve it first.",
                           payment_id=attempt_id)
        raise Conflict("A card payment is running on this cart: wait for it or cancel it.",
                       payment_id=attempt_id)


def _product(con: sqlite3.Connection, shop: Shop, code: str | None, product_id: int | None,
             quantity: int, weight_g: int | None) -> tuple[Row, int, int | None, int | None]:
    """The product scanned or keyed, with the quantity, weight and price the code carries."""
    unit_price: int | None = None
    if code is not None:
        settings = shop.settings
        try:
            scan = parse_scan(code, settings.price_embedded_prefixes,
                              settings.weight_embedded_prefixes)
        except BarcodeError as exc:
            raise Invalid(str(exc)) from exc
        found = _PRODUCTS.rows(con, "gtin = ?", scan.gtin)
        if not found:
            raise NotFound(f"No product has the barcode {code}. Key it in or call a manager.")
        if scan.kind == "price":
            unit_price, quantity = scan.value, 1
        elif scan.kind == "weight":
            weight_g = scan.value
    elif product_id is not None:
        found = _PRODUCTS.rows(con, "id = ?", product_id)
        if not found:
            raise NotFound(f"There is no product {product_id}.")
    else:
        raise Invalid("Give a barcode (code) or a product_id.")
    product = found[0]
    if not product.active:
        raise Conflict(f"{product.name} is no longer sold.")
    if product.unit == "kg":
        if weight_g is None:
            raise Invalid(f"{product.name} is sold by weight: weigh it and give weight_g.")
        if not 1 <= weight_g <= MAX_WEIGHT_G:
            raise Invalid(f"A weight is between 1 g and {MAX_WEIGHT_G // 1000} kg.")
        quantity = 1
    elif weight_g is not None:
        raise Invalid(f"{product.name} is sold per piece, not by weight.")
    return product, quantity, weight_g, unit_price


def _open_cart(session: Session, con: sqlite3.Connection, shop: Shop, lane_id: str,
               actor: Actor) -> Row:
    """The lane's open sale; a new one (on a register, only in an open shift) if none."""
    lane = con.execute("SELECT kind, training FROM lane WHERE id = ?", (lane_id,)).fetchone()
    if lane is None:
        raise NotFound(f"There is no lane '{lane_id}'.")
    found = _SALES.rows(con, "lane_id = ? AND status = 'open'", lane_id)
    if found:
        return found[0]
    kind, training = lane
    if kind == "register" and con.execute(
            "SELECT 1 FROM shift WHERE lane_id = ? AND status = 'open'", (lane_id,)).fetchone() \
            is None:
        raise Conflict(f"Lane {lane_id} has no open shift: open one with a cash float first.")
    sale = new_row(Sale, lane_id=lane_id, currency=shop.settings.currency,
                    cashier_id=actor.user_id, training=bool(training))
    _SALES.insert(con, sale)
    return Row(**sale)


_UPDATE_AMOUNTS = f"UPDATE saleline SET {', '.join(f'{n} = ?' for n in AMOUNTS)} WHERE id = ?"


def save_lines(con: sqlite3.Connection, lines: list[Row],
               before: dict[int, tuple[int, ...]]) -> list[int]:
    """Insert the new lines (they get their ids) and write the amounts that changed since
    `before` (line id → AMOUNTS); the ids of the lines updated."""
    changed = []
    for line in lines:
        if line.id is None:
            line.id = _LINES.insert(con, vars(line))
        elif before[line.id] != (amounts := tuple(getattr(line, name) for name in AMOUNTS)):
            con.execute(_UPDATE_AMOUNTS, (*amounts, line.id))
            changed.append(line.id)
    return changed


def add_item(
    session: Session,
    shop: Shop,
    lane_id: str,
    actor: Actor,
    *,
    code: str | None = None,
    product_id: int | None = None,
    quantity: int = 1,
    weight_g: int | None = None,
) -> SalePublic:
    """Put a product in the cart by scanned code or by product id."""
    check_quantity(quantity)
    con = connection(session)
    product, quantity, weight_g, unit_price = _product(con, shop, code, product_id, quantity,
                                                       weight_g)
    sale = _open_cart(session, con, shop, lane_id, actor)
    refuse_while_payment_runs(con, sale.id)
    if product.currency != sale.currency:
        raise Conflict(
            f"{product.name} is priced in {product.currency}, the cart in {sale.currency}.")
    lines = _LINES.rows(con, "sale_id = ? ORDER BY id", sale.id)
    before = {line.id: tuple(getattr(line, name) for name in AMOUNTS) for line in lines}
    existing = None
    if product.unit == "each" and unit_price is None:  # the same item again: one more
        existing = next((line for line in lines
                         if line.product_id == product.id and not line.voided
                         and not line.price_overridden and line.discount_kind is None
                         and line.unit_price == product.price), None)
    if existing is not None:
        check_quantity(existing.quantity + quantity)
        existing.quantity += quantity
    else:
        lines.append(Row(**new_row(
            SaleLine, sale_id=sale.id, product_id=product.id, name=product.name, sku=product.sku,
            gtin=product.gtin, category=product.category, service=product.service,
            quantity=quantity, weight_g=weight_g,
            unit_price=product.price if unit_price is None else unit_price,
            vat_rate_bp=product.vat_rate_bp, age_limit=product.age_limit)))
    recompute(sale, lines)  # type: ignore[arg-type] # rows read as the ORM's objects are
    save_lines(con, lines, before)
    (sale.version,) = con.execute(
        "UPDATE lane SET cart_version = cart_version + 1 WHERE id = ? RETURNING cart_version",
        (lane_id,)).fetchone()
    con.execute("UPDATE sale SET total = ?, version = ? WHERE id = ?",
                (sale.total, sale.version, sale.id))
    tenders = _TENDERS.rows(con, "sale_id = ? ORDER BY id", sale.id)
    session.expire_all()  # ORM objects of these rows that the session holds are stale now
    return to_public(sale, lines, tenders)  # type: ignore[arg-type]
