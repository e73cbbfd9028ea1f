"""The store's members: registering them and finding them at the till."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from hub.models.customer import Customer, CustomerCreate
from hub.services.errors import Conflict, Invalid
from hub.services.search import (
    Source,
    first_in_order,
    fts_rows,
    match_expression,
    matching_ids,
    starts_with,
    unindexed,
)

MAX_RESULTS = 50
_NOT_DIGIT = re.compile(r"\D")


def phone_digits(phone: str) -> str:
    """A phone number's digits as dialled in Sweden: +46 70… and 0046 70… become 070…."""
    digits = _NOT_DIGIT.sub("", phone)
    stripped = phone.strip()
    if stripped.startswith("+46") or stripped.startswith("0046"):
        digits = "0" + digits[2 if stripped.startswith("+") else 4:]
    return digits


def register(session: Session, new: CustomerCreate) -> Customer:
    """Add a member; member numbers are unique."""
    if session.exec(select(Customer.id).where(Customer.member_no == new.member_no)).first():
        raise Conflict(f"Member number {new.member_no} is already taken.")
    customer = Customer(
        member_no=new.member_no, name=new.name.strip(), phone=new.phone, email=new.email,
        postal_code=new.postal_code, phone_digits=phone_digits(new.phone) if new.phone else None)
    session.add(customer)
    session.flush()
    return customer


def search(session: Session, query: str, limit: int = MAX_RESULTS) -> list[Customer]:
    """Active members in name order: every word of the query begins a word of the name, or the
    query's digits begin the phone number, or the query begins the member number."""
    query = query.strip()
    if not query:
        raise Invalid("Type part of a name, a phone number or a member number to search.")
    if not 1 <= limit <= MAX_RESULTS:
        raise Invalid(f"Ask for 1 to {MAX_RESULTS} members at a time.")
    # Each way of finding a member is asked on its own (an OR of them gets one plan for all).
    # There is no index on customer.name to walk: each source's matches are read and sorted.
    sources = [_starts(Customer.member_no, query)]
    digits = phone_digits(query)
    if len(digits) >= 3 and not re.search(r"[^\d\s()+-]", query):
        sources.append(_starts(Customer.phone_digits, digits))
    match = match_expression(query)
    if match is not None:
        sources.append(Source(fts_rows("customer", match),
                              lambda indexed: matching_ids("customer", match, indexed=indexed)))
    return first_in_order(session, Customer, sources, [col(Customer.active).is_(True)],
                          [col(Customer.name)], limit, walk=False)


def _starts(column: Any, prefix: str) -> Source:
    """Members whose `column` begins with `prefix`, found as a range of its index."""
    indexed_range = starts_with(column, prefix)
    return Source(select(col(Customer.id)).where(indexed_range),
                  lambda indexed: indexed_range if indexed else starts_with(unindexed(column),
                                                                            prefix))
