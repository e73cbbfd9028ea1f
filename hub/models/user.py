"""Staff, paired devices and their tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from hub.models.base import UTCDateTime, utcnow


class User(SQLModel, table=True):
    """A member of staff who logs in with a PIN."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=40)
    display_name: str = Field(max_length=80)
    role: str = Field(max_length=16)  # cashier|manager|admin
    pin_hash: str
    active: bool = True


class Device(SQLModel, table=True):
    """A paired kiosk, terminal or display, bound to a lane."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    role: str = Field(max_length=16)  # kiosk|terminal|display
    lane_id: str | None = Field(default=None, foreign_key="lane.id")
    paired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked: bool = False


class AuthToken(SQLModel, table=True):
    """A bearer token (stored hashed) for a logged-in user or a paired device."""

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    device_id: int | None = Field(default=None, foreign_key="device.id")
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PairingCode(SQLModel, table=True):
    """A short-lived code an admin hands to a device to pair it."""

    code_hash: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=16)
    lane_id: str | None = Field(default=None, foreign_key="lane.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used: bool = False


class PinFailure(SQLModel, table=True):
    """A wrong PIN, kept to rate-limit guessing (survives restarts)."""

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(index=True, max_length=80)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
