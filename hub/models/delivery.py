"""Receipts on their way out: printed on the lane's printer or e-mailed, through one outbox.

A delivery is written in the same transaction as the sale (or by the request that asks for a
copy or an e-mail), so a printer that is unplugged or a mail server that is down loses nothing:
the device owner or the mail sender takes pending deliveries in order and marks them done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from hub.models.base import UTCDateTime, utcnow

DELIVERY_KINDS = ("print", "email")
DELIVERY_STATES = ("pending", "done", "failed")  # failed: given up on, with last_error


class ReceiptDelivery(SQLModel, table=True):
    """One receipt (of a sale or a refund) to print on a lane's printer or to e-mail."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8, index=True)  # print | email
    target: str = Field(max_length=254)  # the lane whose printer prints, or an e-mail address
    sale_id: str | None = Field(default=None, foreign_key="sale.id", index=True, max_length=32)
    refund_id: str | None = Field(default=None, foreign_key="refund.id", max_length=32)
    is_copy: bool = False  # a reprint: marked as a copy
    open_drawer: bool = False  # kick the cash drawer with this print (cash sale, no-sale)
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # an X/Z report
    status: str = Field(default="pending", index=True, max_length=8)
    attempts: int = 0
    last_error: str = Field(default="", max_length=300)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    request_id: str | None = Field(default=None, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
