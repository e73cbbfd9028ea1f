"""Stores: one hub each, with the token it pushes with and how far its outbox has come."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field

from sync.central.models.base import CentralTable, big, utcnow, when


class Store(CentralTable, table=True):
    """A store and its hub's place in the push protocol."""

    store_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    last_seq: int = big(default=0)
    last_contact: datetime | None = when(nullable=True, default=None)
    newest_event_at: datetime | None = when(nullable=True, default=None)
    created_at: datetime = when(default_factory=utcnow)


class AppliedEvent(CentralTable, table=True):
    """Every hub event central has taken, once: applied, or rejected with its reason."""

    __tablename__ = "applied_event"
    __table_args__ = (
        Index("ix_applied_event_rejected", "received_at",
              postgresql_where=text("outcome = 'rejected'"),
              sqlite_where=text("outcome = 'rejected'")),
    )

    event_id: str = Field(primary_key=True, max_length=36)
    store_id: str = Field(max_length=64, index=True)
    hub_seq: int = big()
    type: str = Field(max_length=40)
    outcome: str = Field(max_length=10)  # applied | rejected
    reason: str | None = Field(default=None, max_length=500)
    occurred_at: datetime = when()
    received_at: datetime = when(default_factory=utcnow)
