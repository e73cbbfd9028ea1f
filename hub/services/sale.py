"""Selling on a lane: the cart, discounts, cash and card tenders, and completing the sale."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from hub.models import Lane, Sale, SaleLine, Shift, Tender
from hub.models.base import utcnow
from hub.models.sale import SalePublic
from hub.money import format_amount, round_cash
from hub.services import journal, rollup
from hub.services.auth import Actor, approve
from hub.services.cart import DISCOUNT_KINDS, discount_amount, recompute, to_public
from hub.services.context import Shop
from hub.services.delivery import queue_print
from hub.services.errors import ApprovalRequired, Conflict, Invalid, NotAllowed, NotFound
from hub.services.fiscal import record, seal
from hub.services.records import audit, journal_and_emit, move_stock
from hub.services.scan import (
    Row,
    Table,
    check_quantity,
    connection,
    refuse_while_payment_runs,
)

# The hot path's queries are built once: building an expression costs more than running it.
_OPEN_SHIFT = select(Shift).where(Shift.lane_id == bindparam("lane"), Shift.status == "open")
_OPEN_SALE = select(Sale).where(Sale.lane_id == bindparam("lane"), Sale.status == "open")
_LINES = select(SaleLine).where(SaleLine.sale_id == bindparam("sale")).order_by(col(SaleLine.id))
_TENDERS = select(Tender).where(Tender.sale_id == bindparam("sale")).order_by(col(Tender.id))
_SALE_ROWS, _LINE_ROWS = Table(Sale), Table(SaleLine)


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


def _existing_tender(session: Session, request_id: str | None, lane_id: str,
                     amount: int | None) -> Tender | None:
    """The tender a repeated request already made; the same key for another payment is refused."""
    if request_id is None:
        return None
    tender = session.exec(select(Tender).where(Tender.request_id == request_id)).first()
    if tender is None:
        return None
    sale = session.get(Sale, tender.sale_id)
    same = (sale is not None and sale.lane_id == lane_id
            and (amount is None or amount in (tender.tendered, tender.amount)))
    if not same:
        raise Conflict(f"request_id '{request_id}' was used for another payment; "
                       "send a new one for a new payment.")
    return tender


def cash_only_in_training(sale: Sale | Row, what: str) -> None:
    """Training sales take no real money: cash only, never a card terminal or a QR code."""
    if sale.training:
        raise Conflict(f"The lane is in training mode: {what} is not taken in training; "
                       "take (training) cash or switch training mode off.")


def payable(session: Session, lane_id: str) -> tuple[Sale, int]:
    """The lane's open sale and what is still due on it; refuses an empty cart, and on a
    self-service lane a cart with age-restricted goods nobody from staff has checked."""
    sale, due, _, _ = _payable(session, lane_id)
    return sale, due


def _payable(session: Session,
             lane_id: str) -> tuple[Sale, int, list[SaleLine], list[Tender]]:
    """payable(), with the sale's lines and tenders as read."""
    sale = _require_open(session, lane_id)
    lines = sale_lines(session, sale)
    _refuse_unpayable(sale, lines, lambda: get_lane(session, lane_id).kind)
    tenders = sale_tenders(session, sale)
    return sale, sale.total - sum(t.amount for t in tenders), lines, tenders


def payable_row(session: Session, lane_id: str) -> tuple[Row, int]:
    """payable() in plain SQL, for a payment that starts without changing the sale (a card
    payment's attempt): the open sale as a row, and what is still due on it."""
    con = connection(session)
    found = _SALE_ROWS.rows(con, "lane_id = ? AND status = 'open'", lane_id)
    if not found:
        raise _no_cart(lane_id)
    sale = found[0]
    refuse_while_payment_runs(con, sale.id)
    _refuse_unpayable(sale, _LINE_ROWS.rows(con, "sale_id = ?", sale.id), lambda: con.execute(
        "SELECT kind FROM lane WHERE id = ?", (lane_id,)).fetchone()[0])
    (paid,) = con.execute("SELECT COALESCE(SUM(amount), 0) FROM tender WHERE sale_id = ?",
                          (sale.id,)).fetchone()
    return sale, sale.total - paid


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
    if (done := _existing_tender(session, request_id, lane_id, tendered)) is not None:
        return sale_public(session, session.get(Sale, done.sale_id))  # type: ignore[arg-type]
    if tendered < 0:
        raise Invalid("Cash handed over cannot be negative.")
    sale, due, lines, tenders = _payable(session, lane_id)
    lane = get_lane(session, lane_id)
    if lane.kind == "register" and open_shift_of(session, lane_id) is None:
        raise Conflict(f"Lane {lane_id} has no open shift to put cash in.")
    step = shop.settings.cash_step(sale.currency)
    if tendered % step:
        raise Invalid(f"Cash comes in notes and coins of {format_amount(step, sale.currency)}: "
                      f"{format_amount(tendered, sale.currency)} cannot be handed over.")
    due_rounded = round_cash(due, step)
    if tendered >= due_rounded:
        tender = Tender(sale_id=sale.id, method="cash", amount=due, tendered=tendered,
                        change=tendered - due_rounded, rounding=due_rounded - due,
                        request_id=request_id)
    elif tendered == 0:
        raise Invalid(f"Enter the cash handed over; {format_amount(due_rounded, sale.currency)} "
                      "is due.")
    else:
        tender = Tender(sale_id=sale.id, method="cash", amount=tendered, tendered=tendered,
                        request_id=request_id)
    session.add(tender)
    return apply_tender(session, shop, sale, actor, lines=lines, tenders=[*tenders, tender])


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
    if (done := _existing_tender(session, request_id, lane_id, amount)) is not None:
        return sale_public(session, session.get(Sale, done.sale_id))  # type: ignore[arg-type]
    sale, due = payable(session, lane_id)
    cash_only_in_training(sale, "a card payment")
    amount = due if amount is None else amount
    if not 0 < amount <= due:
        raise Invalid(f"A card payment is between 0,01 and what is due "
                      f"({format_amount(due, sale.currency)}).")
    session.add(Tender(sale_id=sale.id, method="card_external", amount=amount,
                       reference=reference, request_id=request_id))
    session.flush()
    return apply_tender(session, shop, sale, actor)


def apply_tender(session: Session, shop: Shop, sale: Sale, actor: Actor, *,
                 lines: list[SaleLine] | None = None,
                 tenders: list[Tender] | None = None) -> SalePublic:
    """After a tender was added: complete the sale if it is paid, else show what is due.
    A caller that holds the sale's lines or its tenders (the new one included) passes them."""
    if tenders is None:
        tenders = sale_tenders(session, sale)
    if sum(t.amount for t in tenders) >= sale.total:
        return complete_sale(session, shop, sale, actor, tenders, lines=lines)
    return _changed(session, sale, lines=lines, tenders=tenders)


def complete_sale(
    session: Session, shop: Shop, sale: Sale, actor: Actor, tenders: list[Tender], *,
    lines: list[SaleLine] | None = None,
) -> SalePublic:
    """Make the sale final: receipt number, control code, stock, journal and outbox, all in one
    transaction. A training sale is numbered, marked and journaled but moves no stock and is
    not reported to central."""
    # Read first, then change: a query after a change flushes the session again. The shift
    # does not depend on the new tender, so that is not flushed for it either.
    with session.no_autoflush:
        shift = open_shift_of(session, sale.lane_id)
    if lines is None:
        lines = sale_lines(session, sale)
    lane = get_lane(session, sale.lane_id)
    lane.last_receipt_no += 1
    session.add(lane)
    sale.receipt_no = lane.last_receipt_no
    sale.status = "completed"
    sale.completed_at = utcnow()
    sale.rounding = sum(t.rounding for t in tenders)
    sale.change = sum(t.change for t in tenders)
    sale.shift_id = shift.id if shift else None
    if sale.cashier_id is None:
        sale.cashier_id = actor.user_id
    public = _changed(session, sale, lines=lines, tenders=tenders)
    seal(session, shop, sale, kind="training" if sale.training else "normal",
         vat=[(row.rate_bp, row.vat) for row in public.vat],
         cash_only=all(t.method == "cash" for t in tenders))
    public = public.model_copy(update={"control_code": sale.control_code})
    ref = f"{sale.lane_id}-{sale.receipt_no}"
    if sale.training:
        journal.append(session, shop.key, "training_sale", ref, public.model_dump(mode="json"))
    else:
        move_stock(session, [(line.product_id, line.sku, -(line.weight_g or line.quantity))
                             for line in public.lines if not line.voided], "sale", sale.id)
        rollup.add_sale(session, sale, lines, shop.settings.timezone,
                        lane_kind=lane.kind, methods={t.method for t in tenders})
        journal_and_emit(session, shop.key, "sale.completed", "sale", ref,
                         public.model_dump(mode="json"), sale.completed_at)
    cash = any(t.method == "cash" for t in tenders) and not sale.training
    if cash:
        record(session, shop, "drawer_open", lane_id=sale.lane_id, actor=actor, ref=sale.id,
               reason="sale", signed=False)
    queue_print(session, shop, sale.lane_id, sale_id=sale.id, open_drawer=cash)
    return public

