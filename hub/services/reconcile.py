"""Card settlement: a card terminal's end-of-day totals reconciled against the hub's approved
card payments on that lane and reader, and kept (table and signed journal) for the manager."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from drivers.card import TerminalTotals
from hub.models import Lane, PaymentAttempt
from hub.models.payment import IN_DOUBT
from hub.models.settlement import (
    BrandReconciliation,
    CardReconciliation,
    CardSettlement,
    Problem,
)
from hub.money import format_amount
from hub.services.auth import Actor
from hub.services.context import Shop
from hub.services.errors import NotFound
from hub.services.records import journal_and_emit

# Card names as terminals print them → the card groups of end-of-day totals (ZVT BMP 60).
# Which group a terminal books a co-branded or debit card into is *unverified*; a brand-level
# difference is therefore shown to help find a difference, never flagged on its own.
_BRAND_GROUPS = {
    "visa": "Visa", "visa electron": "Visa", "v pay": "Visa", "vpay": "Visa",
    "mastercard": "Mastercard", "master card": "Mastercard", "eurocard": "Mastercard",
    "amex": "Amex", "american express": "Amex", "diners": "Diners", "diners club": "Diners",
    "jcb": "JCB", "girocard": "girocard", "ec": "girocard", "ec-karte": "girocard",
    "ec card": "girocard",
}


def brand_group(name: str | None) -> str:
    """The totals group a card brand falls in ("other" when unknown)."""
    return _BRAND_GROUPS.get((name or "").strip().lower(), "other")


def last_period_end(session: Session, lane_id: str) -> datetime | None:
    """Where the lane's next reconciliation starts: the end of its last one (None: never)."""
    return session.exec(
        select(CardSettlement.period_end).where(CardSettlement.lane_id == lane_id)
        .order_by(col(CardSettlement.period_end).desc()).limit(1)
    ).first()


def _attempts(session: Session, lane_id: str, reader: str | None, since: datetime | None,
              until: datetime) -> list[PaymentAttempt]:
    stmt = select(PaymentAttempt).where(PaymentAttempt.lane_id == lane_id,
                                        col(PaymentAttempt.created_at) <= until)
    if since is not None:
        stmt = stmt.where(col(PaymentAttempt.created_at) > since)
    if reader is not None:
        stmt = stmt.where(PaymentAttempt.reader == reader)
    return list(session.exec(stmt))


def reconcile_card_totals(
    session: Session, lane_id: str, totals: TerminalTotals, since: datetime | None,
    until: datetime, *, reader: str | None = None, currency: str | None = None,
) -> CardReconciliation:
    """Compare a terminal's totals with the hub's approved card payments of the period.

    The period holds the attempts started after `since` (exclusive) up to `until`; debits
    count positive and credits (card refunds) negative, as terminals net them.
    """
    attempts = _attempts(session, lane_id, reader, since, until)
    approved = [a for a in attempts if a.status == "approved"]
    debits = [a for a in approved if a.kind == "debit"]
    credits = [a for a in approved if a.kind == "credit"]
    in_doubt = sum(1 for a in attempts if a.status == IN_DOUBT)
    currency = currency or totals.currency
    debit_amount, credit_amount = sum(a.amount for a in debits), sum(a.amount for a in credits)
    hub_amount = debit_amount - credit_amount
    hub_count = len(debits) + len(credits)
    amount_difference = totals.total_minor - hub_amount
    count_difference = (None if totals.transaction_count is None
                        else totals.transaction_count - hub_count)
    brands = _brands(approved, totals)
    problems = _problems(
        totals, currency, hub_count, hub_amount, count_difference, amount_difference, in_doubt,
        (len(debits), debit_amount), (len(credits), credit_amount))
    flagged = bool(problems)
    if flagged:
        problems += _brand_problems(brands, currency)
    return CardReconciliation(
        lane_id=lane_id, reader=reader or "", terminal_id=totals.terminal_id, currency=currency,
        period_start=since, period_end=until, hub_count=hub_count, hub_amount=hub_amount,
        hub_debit_count=len(debits), hub_debit_amount=debit_amount,
        hub_credit_count=len(credits), hub_credit_amount=credit_amount,
        hub_in_doubt=in_doubt, terminal_count=totals.transaction_count,
        terminal_amount=totals.total_minor, terminal_currency=totals.currency,
        terminal_debit_count=totals.debit_count, terminal_debit_amount=totals.debit_minor,
        terminal_credit_count=totals.credit_count, terminal_credit_amount=totals.credit_minor,
        count_difference=count_difference, amount_difference=amount_difference,
        brands=brands, flagged=flagged, problems=problems,
        first_receipt_no=totals.first_receipt_no, last_receipt_no=totals.last_receipt_no,
        trace_no=totals.trace_no, receipt_lines=list(totals.receipt_lines),
    )


def _brands(approved: list[PaymentAttempt], totals: TerminalTotals) -> list[BrandReconciliation]:
    hub: dict[str, tuple[int, int]] = {}
    for a in approved:
        group = brand_group(a.brand)
        count, amount = hub.get(group, (0, 0))
        hub[group] = (count + 1, amount + (a.amount if a.kind == "debit" else -a.amount))
    terminal: dict[str, tuple[int, int]] = {}
    for b in totals.brands:
        group = brand_group(b.brand)
        count, amount = terminal.get(group, (0, 0))
        terminal[group] = (count + b.count, amount + b.amount_minor)
    rows = []
    for group in sorted(set(hub) | set(terminal)):
        hub_count, hub_amount = hub.get(group, (0, 0))
        term = terminal.get(group, (0, 0)) if totals.brands else None
        rows.append(BrandReconciliation(
            brand=group, hub_count=hub_count, hub_amount=hub_amount,
            terminal_count=term[0] if term else None, terminal_amount=term[1] if term else None,
            count_difference=term[0] - hub_count if term else None,
            amount_difference=term[1] - hub_amount if term else None))
    return rows


def _problems(
    totals: TerminalTotals, currency: str, hub_count: int, hub_amount: int,
    count_difference: int | None, amount_difference: int, in_doubt: int,
    debits: tuple[int, int], credits: tuple[int, int],
) -> list[Problem]:
    def money(amount: int) -> str:
        return f"{format_amount(amount, currency)} {currency}"

    problems = []
    if totals.currency and totals.currency != currency:
        problems.append(Problem(
            code="currency",
            sv=f"Terminalen redovisar i {totals.currency}, butiken i {currency}.",
            en=f"The terminal reports in {totals.currency}, the store in {currency}."))
    if amount_difference:
        problems.append(Problem(
            code="amount",
            sv=f"Terminalens summa {money(totals.total_minor)} skiljer sig från kassans "
               f"{money(hub_amount)} med {money(amount_difference)}.",
            en=f"The terminal's total {money(totals.total_minor)} differs from the hub's "
               f"{money(hub_amount)} by {money(amount_difference)}."))
    if count_difference:
        problems.append(Problem(
            code="count",
            sv=f"Terminalen räknade {totals.transaction_count} korttransaktioner, kassan "
               f"{hub_count}.",
            en=f"The terminal counted {totals.transaction_count} card transactions, the hub "
               f"{hub_count}."))
    for code, sv, en, given, (count, amount) in (
        ("debits", "köp", "debits", (totals.debit_count, totals.debit_minor), debits),
        ("credits", "återbetalningar", "credits", (totals.credit_count, totals.credit_minor),
         credits),
    ):
        if given[1] is not None and (given[1] != amount or given[0] not in (None, count)):
            problems.append(Problem(
                code=code,
                sv=f"Kort{sv}: terminalen {given[0]} st / {money(given[1])}, kassan {count} st "
                   f"/ {money(amount)}.",
                en=f"Card {en}: terminal {given[0]} / {money(given[1])}, hub {count} / "
                   f"{money(amount)}."))
    if amount_difference > 0 or (count_difference or 0) > 0:
        problems.append(Problem(
            code="terminal_has_more",
            sv="Terminalen har godkänt mer än kassan känner till: leta efter ett köp som slogs "
               "direkt på terminalen eller en betalning i ovisshet.",
            en="The terminal approved more than the hub knows of: look for a sale keyed in on "
               "the terminal itself or a payment in doubt."))
    elif amount_difference < 0 or (count_difference or 0) < 0:
        problems.append(Problem(
            code="hub_has_more",
            sv="Kassan har registrerat mer än terminalen: en betalning kan ha återförts eller "
               "bokats på en annan terminal.",
            en="The hub recorded more than the terminal: a payment may have been reversed or "
               "booked on another terminal."))
    if in_doubt:
        problems.append(Problem(
            code="in_doubt",
            sv=f"{in_doubt} kortbetalning(ar) i perioden är fortfarande ovissa: lös dem, de kan "
               "förklara en skillnad.",
            en=f"{in_doubt} card payment(s) of this period are still in doubt: resolve them; "
               "they may explain a difference."))
    return problems


def _brand_problems(brands: list[BrandReconciliation], currency: str) -> list[Problem]:
    out = []
    for b in brands:
        if b.terminal_count is None or b.terminal_amount is None:
            continue
        if b.count_difference or b.amount_difference:
            term = f"{b.terminal_count} / {format_amount(b.terminal_amount, currency)}"
            hub = f"{b.hub_count} / {format_amount(b.hub_amount, currency)}"
            out.append(Problem(code="brand",
                               sv=f"{b.brand}: terminalen {term}, kassan {hub} {currency}.",
                               en=f"{b.brand}: terminal {term}, hub {hub} {currency}."))
    return out


def record_settlement(
    session: Session, shop: Shop, lane_id: str, reader: str, totals: TerminalTotals,
    actor: Actor, until: datetime,
) -> CardReconciliation:
    """Reconcile the lane's period since its last settlement, store it and sign it into the
    journal (kind card_settlement), in the caller's transaction."""
    if session.get(Lane, lane_id) is None:
        raise NotFound(f"There is no lane {lane_id}.")
    since = last_period_end(session, lane_id)
    result = reconcile_card_totals(session, lane_id, totals, since, until, reader=reader,
                                   currency=shop.settings.currency)
    row = CardSettlement(**result.model_dump(exclude={"id", "created_by", "created_at"}),
                         created_by=actor.user_id)
    session.add(row)
    session.flush()
    public = settlement_public(row)
    journal_and_emit(session, shop.key, "card.settled", "card_settlement", f"card-{row.id}",
                     public.model_dump(mode="json", exclude={"receipt_lines"}), row.created_at)
    return public


def settlement_public(row: CardSettlement) -> CardReconciliation:
    """A stored settlement as clients see it."""
    return CardReconciliation.model_validate(row, from_attributes=True)


def list_settlements(session: Session, lane_id: str | None, limit: int) -> list[CardReconciliation]:
    """The newest settlements first, of one lane or all."""
    stmt = select(CardSettlement)
    if lane_id is not None:
        stmt = stmt.where(CardSettlement.lane_id == lane_id)
    rows = session.exec(stmt.order_by(col(CardSettlement.id).desc()).limit(limit))
    return [settlement_public(r) for r in rows]
