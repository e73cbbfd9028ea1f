"""The store's members (loyalty customers), found at the till by name, phone or member number."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as Check
from sqlmodel import Field, SQLModel

from hub.models.base import UTCDateTime, utcnow


class Customer(SQLModel, table=True):
    """A member of the store's loyalty club."""

    id: int | None = Field(default=None, primary_key=True)
    member_no: str = Field(unique=True, max_length=20)
    name: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=32)
    # The phone number's digits only (+46 written as 0), so "070 123" finds "070-123 45 67".
    phone_digits: str | None = Field(default=None, index=True, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    postal_code: str | None = Field(default=None, max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    active: bool = True


class CustomerPublic(SQLModel):
    """A member as staff see them."""

    id: int
    member_no: str
    name: str
    phone: str | None
    email: str | None
    postal_code: str | None
    active: bool


class CustomerCreate(BaseModel):
    """A new member, as keyed in at the till or the service desk."""

    member_no: str = Check(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    name: str = Check(min_length=1, max_length=120)
    phone: str | None = Check(default=None, max_length=32, pattern=r"^\+?[0-9 ()-]{5,31}$")
    email: str | None = Check(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    postal_code: str | None = Check(default=None, max_length=10, pattern=r"^[0-9A-Za-z -]{2,10}$")
