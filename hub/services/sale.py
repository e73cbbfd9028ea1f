"""Selling on a lane: the cart, discounts, cash and card tenders, and completing the sale."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from hub.models import Lane, Sale, SaleLine, Shift, Tender
from hub.models.base import utcnow
from hub.models.sale import SalePublic
from hub.money import format_amount, round_cash
from hub.services.auth import Actor, approve
from hub.services.cart import DISCOUNT_KINDS, discount_amount, recompute, to_public
from hub.services.complete import Cart, add_tender, apply_tender, read_cart
from hub.services.context import Shop
from hub.services.errors import ApprovalRequired, Conflict, Invalid, NotAllowed, NotFound
from hub.services.fiscal import record
from hub.services.records import audit
from hub.services.scan import check_quantity, refuse_while_payment_runs
from hub.services.sql import Row, connection

# The hot path's queries are built once: building an expression costs more than running it.
_OPEN_SHIFT = select(Shift).where(Shift.lane_id == bindparam("lane"), Shift.status == "open")
_OPEN_SALE = select(Sale).where(Sale.lane_id == bindparam("lane"), Sale.status == "open")
_LINES = select(SaleLine).where(SaleLine.sale_id == bindparam("sale")).order_by(col(SaleLine.id))
_TENDERS = select(Tender).where(Tender.sale_id == bindparam("sale")).order_by(col(Tender.id))


def get_lane(session: Session, lane_id: str) -> Lane:
    """A lane, or a clear error."""
    lane = session.get(Lane, lane_id)
    if lane is None:
        raise NotFound(f"There is no lane '{lane_id}'.")
    return lane


def open_shift_of(session: Session, lane_id: str) -> Shift | None:
    """The lane's open shift, if any."""
    return session.exec(_OPEN_SHIFT, params={"lane": lane_id}).first()


def current_cart(session: Session, lane_id: str) -> Sale | None:
    """The lane's open sale, if any."""
    return session.exec(_OPEN_SALE, params={"lane": lane_id}).first()


def sale_lines(session: Session, sale: Sale) -> list[SaleLine]:
    """The sale's lines, in the order they were rung up."""
    return list(session.exec(_LINES, params={"sale": sale.id}))


def sale_tenders(session: Session, sale: Sale) -> list[Tender]:
    """The sale's tenders, in the order they were taken."""
    return list(session.exec(_TENDERS, params={"sale": sale.id}))


def sale_public(session: Session, sale: Sale) -> SalePublic:
    """The client-facing picture of a sale."""
    return to_public(sale, sale_lines(session, sale), sale_tenders(session, sale))


def empty_cart(lane: Lane, currency: str) -> SalePublic:
    """What a lane with no open sale shows (at the lane's current cart version)."""
    sale = Sale(id="", lane_id=lane.id, currency=currency, version=lane.cart_version,
                training=lane.training, created_at=utcnow())
    return to_public(sale, [], [])


def cart_of(session: Session, lane_id: str, shop: Shop) -> SalePublic:
    """The lane's cart as clients see it (empty when nothing is being sold)."""
    lane = get_lane(session, lane_id)
    sale = current_cart(session, lane_id)
    return sale_public(session, sale) if sale else empty_cart(lane, shop.settings.currency)


Approver = Callable[[], int]


def _changed(session: Session, sale: Sale, approver: Approver | None = None,
             limit_bp: int | None = None, *, lines: list[SaleLine] | None = None,
             tenders: list[Tender] | None = None) -> SalePublic:
    """Recompute the cart after a change and bump the lane's cart version.

    With limit_bp, discounts that the change pushed over the approval limit (a quantity cut or
    a void makes a fixed discount a larger share) need a manager too, or the change is refused.
    A caller that holds the sale's lines (new ones included) or tenders passes them, so they
    are not read again.
    """
    if lines is None:
        lines = sale_lines(session, sale)
    recompute(sale, lines)
    if limit_bp is not None:
        _recheck_discounts(session, sale, lines, approver, limit_bp)
    lane = get_lane(session, sale.lane_id)
    sale.version = lane.bump_cart_version()
    session.add(lane)
    session.add(sale)
    for line in lines:
        session.add(line)
    session.flush()
    return to_public(sale, lines, sale_tenders(session, sale) if tenders is None else tenders)


def _recheck_discounts(session: Session, sale: Sale, lines: list[SaleLine],
                       approver: Approver | None, limit_bp: int) -> None:
    active = [line for line in lines if not line.voided]
    over = [line for line in active if line.discount_kind and line.discount_approved_by is None
            and line.line_discount * 10000 > limit_bp * line.gross]
    base = sum(line.gross - line.line_discount for line in active)
    cart_over = (sale.cart_discount_kind is not None and sale.cart_discount_approved_by is None
                 and sum(line.cart_discount_share for line in active) * 10000 > limit_bp * base)
    if not over and not cart_over:
        return
    if approver is None:
        raise ApprovalRequired("This change makes a discount larger than a cashier may give: "
                               "a manager must approve.")
    manager = approver()
    for line in over:
        line.discount_approved_by = manager
    if cart_over:
        sale.cart_discount_approved_by = manager


def _line(session: Session, sale: Sale, line_id: int) -> SaleLine:
    line = session.get(SaleLine, line_id)
    if line is None or line.sale_id != sale.id:
        raise NotFound(f"Line {line_id} is not in the cart on lane {sale.lane_id}.")
    if line.voided:
        raise Conflict(f"Line {line_id} ({line.name}) is already voided.")
    return line


def _require_open(session: Session, lane_id: str) -> Sale:
    sale = current_cart(session, lane_id)
    if sale is None:
        raise _no_cart(lane_id)
    refuse_while_payment_runs(connection(session), sale.id)
    return sale


def _no_cart(lane_id: str) -> Conflict:
    return Conflict(f"Lane {lane_id} has no cart: scan an item first.")


def _payment_started(session: Session, sale: Sale) -> bool:
    return bool(sale_tenders(session, sale))


def set_quantity(session: Session, shop: Shop, lane_id: str, line_id: int, quantity: int,
                 actor: Actor, approval: tuple[str, str] | None = None) -> SalePublic:
    """Change how many of a line the customer takes."""
    check_quantity(quantity)
    sale = _require_open(session, lane_id)
    line = _line(session, sale, line_id)
    if line.weight_g is not None:
        raise Invalid(f"{line.name} is weighed: void the line and weigh it again.")
    if _payment_started(session, sale):
        raise Conflict("A payment has started: void the line (with a manager) instead.")
    line.quantity = quantity
    session.add(line)
    return _changed(session, sale, _approver(session, shop, actor, approval),
                    shop.settings.discount_approval_bp)


def _approver(session: Session, shop: Shop, actor: Actor,
              approval: tuple[str, str] | None) -> Approver:
    def approved_by() -> int:
        manager = approve(session, actor, approval, shop.settings, "a discount this large")
        audit(session, "discount_over_limit", actor, approved_by=manager, reason="cart change")
        return manager

    return approved_by


def void_line(
    session: Session,
    shop: Shop,
    lane_id: str,
    line_id: int,
    actor: Actor,
    approval: tuple[str, str] | None = None,
) -> SalePublic:
    """Take a line off the cart; after a payment started a manager must approve."""
    sale = _require_open(session, lane_id)
    line = _line(session, sale, line_id)
    if _payment_started(session, sale):
        approver = approve(session, actor, approval, shop.settings, "a void after payment")
        audit(session, "void_after_payment", actor, approved_by=approver, lane_id=lane_id,
              ref=sale.id, line_id=line.id, name=line.name, net=line.net)
    line.voided = True
    session.add(line)
    public = _changed(session, sale, _approver(session, shop, actor, approval),
                      shop.settings.discount_approval_bp)
    if public.due < 0:
        raise Conflict("Voiding this line would leave more paid than owed: cancel the sale "
                       "with a manager instead and give the payments back.")
    return public


def _approve_discount(session: Session, shop: Shop, actor: Actor,
                      approval: tuple[str, str] | None, base: int, kind: str | None,
                      value: int, sale: Sale, **detail: object) -> int | None:
    """The manager who approved a discount above the limit (audited), or None when none was
    needed."""
    if kind is None:
        return None
    amount = discount_amount(base, kind, value)
    if amount * 10000 <= shop.settings.discount_approval_bp * base:
        return None
    manager = approve(session, actor, approval, shop.settings, "a discount this large")
    audit(session, "discount_over_limit", actor, approved_by=manager, lane_id=sale.lane_id,
          ref=sale.id, kind=kind, value=value, **detail)
    return manager


def _check_discount(kind: str | None, value: int) -> None:
    if kind is not None and kind not in DISCOUNT_KINDS:
        raise Invalid("A discount kind is 'percent' (value in basis points) or 'amount'.")
    if value < 0:
        raise Invalid("A discount cannot be negative.")
    if kind == "percent" and value > 10000:
        raise Invalid("A percentage discount is at most 10000 basis points (100 %).")


def discount_line(
    session: Session,
    shop: Shop,
    lane_id: str,
    line_id: int,
    actor: Actor,
    kind: str | None,
    value: int,
    approval: tuple[str, str] | None = None,
) -> SalePublic:
    """Give (or with kind None, remove) a discount on one line."""
    _check_discount(kind, value)
    sale = _require_open(session, lane_id)
    line = _line(session, sale, line_id)
    if _payment_started(session, sale):
        raise Conflict("A payment has started: discounts can no longer change.")
    gross = line.unit_price * line.quantity if line.weight_g is None else line.gross
    line.discount_approved_by = _approve_discount(session, shop, actor, approval, gross, kind,
                                                  value, sale, line_id=line.id)
    line.discount_kind, line.discount_value = kind, value if kind else 0
    session.add(line)
    return _changed(session, sale)


def discount_cart(
    session: Session,
    shop: Shop,
    lane_id: str,
    actor: Actor,
    kind: str | None,
    value: int,
    approval: tuple[str, str] | None = None,
) -> SalePublic:
    """Give (or with kind None, remove) a discount on the whole cart."""
    _check_discount(kind, value)
    sale = _require_open(session, lane_id)
    if _payment_started(session, sale):
        raise Conflict("A payment has started: discounts can no longer change.")
    base = sum(line.gross - line.line_discount for line in sale_lines(session, sale)
               if not line.voided)
    sale.cart_discount_approved_by = _approve_discount(session, shop, actor, approval, base, kind,
                                                       value, sale, scope="cart")
    sale.cart_discount_kind, sale.cart_discount_value = kind, value if kind else 0
    return _changed(session, sale)


def override_price(
    session: Session,
    shop: Shop,
    lane_id: str,
    line_id: int,
    actor: Actor,
    unit_price: int,
    approval: tuple[str, str] | None = None,
) -> SalePublic:
    """Sell a line at another price; always approved by a manager and audited."""
    if unit_price < 0:
        raise Invalid("A price cannot be negative.")
    sale = _require_open(session, lane_id)
    line = _line(session, sale, line_id)
    if _payment_started(session, sale):
        raise Conflict("A payment has started: prices can no longer change.")
    approver = approve(session, actor, approval, shop.settings, "a price override")
    audit(session, "price_override", actor, approved_by=approver, lane_id=lane_id, ref=sale.id,
          line_id=line.id, name=line.name, old_price=line.unit_price, new_price=unit_price)
    if line.list_price is None:
        line.list_price = line.unit_price
    line.unit_price = unit_price
    line.price_overridden = True
    session.add(line)
    return _changed(session, sale)


def check_age(session: Session, lane_id: str, actor: Actor) -> SalePublic:
    """Staff have seen the shopper's ID for the age-restricted goods in the cart."""
    if actor.user_id is None:
        raise NotAllowed("Only staff check a shopper's age.")
    sale = _require_open(session, lane_id)
    sale.age_checked_by = actor.user_id
    audit(session, "age_checked", actor, lane_id=lane_id, ref=sale.id)
    return _changed(session, sale)


def cancel_cart(session: Session, shop: Shop, lane_id: str, actor: Actor,
                approval: tuple[str, str] | None = None) -> SalePublic:
    """Abandon the cart; it stays on record as cancelled. A cart that took payments needs a
    manager, and its payments are given back (cash from the drawer, cards reversed first)."""
    sale = _require_open(session, lane_id)
    tenders = sale_tenders(session, sale)
    approver = None
    if tenders:
        if any(t.method == "card" for t in tenders):
            raise Conflict("A card payment on this cart must be reversed on the terminal "
                           "first (the till does it when you cancel there).")
        approver = approve(session, actor, approval, shop.settings, "cancelling a paid cart")
    sale.status = "cancelled"
    sale.completed_at = utcnow()
    audit(session, "cart_cancelled", actor, approved_by=approver, lane_id=lane_id, ref=sale.id,
          total=sale.total, give_back=[{"method": t.method, "amount": t.amount}
                                       for t in tenders])
    record(session, shop, "abandoned", lane_id=lane_id, actor=actor, ref=sale.id,
           amount=sale.total, at=sale.completed_at, training=sale.training,
           lines=sum(1 for line in sale_lines(session, sale) if not line.voided))
    _changed(session, sale)
    return empty_cart(get_lane(session, lane_id), sale.currency)


def _repeated(con: sqlite3.Connection, request_id: str | None, lane_id: str,
              amount: int | None) -> str | None:
    """The sale a repeated request already paid; the same key for another payment is refused."""
    if request_id is None:
        return None
    found = con.execute("SELECT t.sale_id, t.amount, t.tendered, s.lane_id FROM tender t"
                        " JOIN sale s ON s.id = t.sale_id WHERE t.request_id = ?",
                        (request_id,)).fetchone()
    if found is None:
        return None
    sale_id, paid, tendered, on_lane = found
    if on_lane != lane_id or (amount is not None and amount not in (tendered, paid)):
        raise Conflict(f"request_id '{request_id}' was used for another payment; "
                       "send a new one for a new payment.")
    return str(sale_id)


def cash_only_in_training(sale: Sale | Row, what: str) -> None:
    """Training sales take no real money: cash only, never a card terminal or a QR code."""
    if sale.training:
        raise Conflict(f"The lane is in training mode: {what} is not taken in training; "
                       "take (training) cash or switch training mode off.")


def payable_cart(con: sqlite3.Connection, lane_id: str) -> Cart:
    """The lane's open sale as rows, to pay: refuses a cart a running payment froze, an empty
    one, and on a self-service lane one with age-restricted goods nobody from staff checked
    (cash, a card or QR payment's attempt and a standalone card terminal's start here)."""
    cart = read_cart(con, "lane_id = ? AND status = 'open'", lane_id)
    if cart is None:
        raise _no_cart(lane_id)
    refuse_while_payment_runs(con, cart.sale.id)
    _refuse_unpayable(cart.sale, cart.lines, lambda: con.execute(
        "SELECT kind FROM lane WHERE id = ?", (lane_id,)).fetchone()[0])
    return cart


def payable_row(session: Session, lane_id: str) -> tuple[Row, int]:
    """The open sale as a row, and what is still due on it (see payable_cart)."""
    cart = payable_cart(connection(session), lane_id)
    return cart.sale, cart.due


def _refuse_unpayable(sale: Sale | Row, lines: Sequence[SaleLine | Row],
                      lane_kind: Callable[[], str]) -> None:
    """An empty cart, or age-restricted goods on a self-service lane nobody from staff has
    checked, cannot be paid."""
    active = [line for line in lines if not line.voided]
    if not active:
        raise Conflict("The cart is empty: scan an item before taking payment.")
    limit = max((line.age_limit or 0 for line in active), default=0)
    if limit and sale.age_checked_by is None and lane_kind() != "register":
        raise Conflict(f"This cart has goods with an age limit of {limit}: staff check the "
                       "shopper's ID first.", age_limit=limit)


def tender_cash(
    session: Session,
    shop: Shop,
    lane_id: str,
    actor: Actor,
    tendered: int,
    request_id: str | None = None,
) -> SalePublic:
    """Take cash: completes the sale when it covers what is due (after cash rounding)."""
    con = connection(session)
    if (done := _repeated(con, request_id, lane_id, tendered)) is not None:
        return sale_public(session, session.get(Sale, done))  # type: ignore[arg-type]
    if tendered < 0:
        raise Invalid("Cash handed over cannot be negative.")
    cart = payable_cart(con, lane_id)
    kind, shift = con.execute(
        "SELECT kind, (SELECT 1 FROM shift WHERE lane_id = lane.id AND status = 'open')"
        " FROM lane WHERE id = ?", (lane_id,)).fetchone()
    if kind == "register" and shift is None:
        raise Conflict(f"Lane {lane_id} has no open shift to put cash in.")
    sale, due = cart.sale, cart.due
    step = shop.settings.cash_step(sale.currency)
    if tendered % step:
        raise Invalid(f"Cash comes in notes and coins of {format_amount(step, sale.currency)}: "
                      f"{format_amount(tendered, sale.currency)} cannot be handed over.")
    due_rounded = round_cash(due, step)
    if tendered >= due_rounded:
        add_tender(session, cart, method="cash", amount=due, tendered=tendered,
                   change=tendered - due_rounded, rounding=due_rounded - due,
                   request_id=request_id)
    elif tendered == 0:
        raise Invalid(f"Enter the cash handed over; {format_amount(due_rounded, sale.currency)} "
                      "is due.")
    else:
        add_tender(session, cart, method="cash", amount=tendered, tendered=tendered,
                   request_id=request_id)
    return apply_tender(session, shop, sale.id, actor, cart)


def tender_card_external(
    session: Session,
    shop: Shop,
    lane_id: str,
    actor: Actor,
    amount: int | None,
    reference: str | None,
    request_id: str | None = None,
) -> SalePublic:
    """Record a card payment approved on a standalone (not connected) terminal; exact amount."""
    con = connection(session)
    if (done := _repeated(con, request_id, lane_id, amount)) is not None:
        return sale_public(session, session.get(Sale, done))  # type: ignore[arg-type]
    cart = payable_cart(con, lane_id)
    cash_only_in_training(cart.sale, "a card payment")
    due = cart.due
    amount = due if amount is None else amount
    if not 0 < amount <= due:
        raise Invalid(f"A card payment is between 0,01 and what is due "
                      f"({format_amount(due, cart.sale.currency)}).")
    add_tender(session, cart, method="card_external", amount=amount, reference=reference,
               request_id=request_id)
    return apply_tender(session, shop, cart.sale.id, actor, cart)
