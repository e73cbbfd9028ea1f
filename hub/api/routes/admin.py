"""Staff accounts, the audit log, the journal and the outbox, for managers and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from hub.api.deps import Actor, DbDep, ShopDep, requires
from hub.api.routing import Router
from hub.models import AuditEntry, OutboxEvent, User
from hub.services import auth, journal

router = Router(tags=["admin"])


class UserPublic(BaseModel):
    """A member of staff (never the PIN)."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool


class UserCreate(BaseModel):
    """A new member of staff."""

    username: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=1, max_length=80)
    role: Literal["cashier", "manager", "admin"]
    pin: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$")


class AuditPublic(BaseModel):
    """One audit log entry."""

    id: int
    at: datetime
    action: str
    user_id: int | None
    device_id: int | None
    approved_by: int | None
    lane_id: str | None
    ref: str | None
    detail: dict[str, Any]


class JournalStatus(BaseModel):
    """Whether the journal chain is intact."""

    ok: bool
    entries: int
    first_bad_seq: int | None
    problem: str


class OutboxStatus(BaseModel):
    """Events waiting for central."""

    waiting: int
    last_seq: int | None


@router.get("/users")
def list_users(db: DbDep, _: Annotated[Actor, Depends(requires("users.read"))]) -> list[UserPublic]:
    """Every member of staff."""
    with db.read() as s:
        return [UserPublic.model_validate(u, from_attributes=True)
                for u in s.exec(select(User).order_by(col(User.username)))]


@router.post("/users", status_code=201)
def create_user(body: UserCreate, db: DbDep,
                _: Annotated[Actor, Depends(requires("users.write"))]) -> UserPublic:
    """Add a member of staff with a PIN."""
    with db.write() as s:
        user = auth.add_user(s, body.username, body.display_name, body.role, body.pin)
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/audit")
def audit_log(db: DbDep, _: Annotated[Actor, Depends(requires("audit.read"))],
              action: Annotated[str | None, Query(max_length=40)] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditPublic]:
    """The newest sensitive actions, with who did them and who approved them."""
    with db.read() as s:
        stmt = select(AuditEntry)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        rows = s.exec(stmt.order_by(col(AuditEntry.id).desc()).limit(limit)).all()
        return [AuditPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/journal/verify")
def verify_journal(db: DbDep, shop: ShopDep,
                   _: Annotated[Actor, Depends(requires("audit.read"))]) -> JournalStatus:
    """Check the whole journal chain now."""
    with db.read() as s:
        result = journal.verify(s, shop.key.public_key())
    return JournalStatus(ok=result.ok, entries=result.entries, first_bad_seq=result.first_bad_seq,
                         problem=result.problem)


@router.get("/outbox")
def outbox_status(db: DbDep, _: Annotated[Actor, Depends(requires("audit.read"))]) -> OutboxStatus:
    """How many events wait for central."""
    with db.read() as s:
        waiting = s.exec(select(func.count()).select_from(OutboxEvent)
                         .where(col(OutboxEvent.pushed_at).is_(None))).one()
        last = s.exec(select(func.max(OutboxEvent.seq))).one()
    return OutboxStatus(waiting=int(waiting), last_seq=last)
