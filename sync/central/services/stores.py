"""Stores and their hubs: creating a store with its token, knowing a hub by its token."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from sync.central.models import Store, aware
from sync.central.services.errors import Conflict, Invalid, NotFound, Unauthenticated
from sync.schemas import StoreStatus

STORE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def hash_token(token: str) -> str:
    """What central keeps of a token: its SHA-256 (tokens are long and random)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_store(session: Session, store_id: str, name: str) -> tuple[Store, str]:
    """Add a store; the token is returned once and only its hash is kept."""
    if not STORE_ID.match(store_id):
        raise Invalid("A store id is 1–64 letters, digits, - or _, starting with a letter or "
                      "digit.")
    if not name.strip() or len(name) > 200:
        raise Invalid("A store needs a name of at most 200 characters.")
    if session.get(Store, store_id) is not None:
        raise Conflict(f"Store {store_id} exists already; its token cannot be shown again.")
    token = secrets.token_urlsafe(32)
    store = Store(store_id=store_id, name=name.strip(), token_hash=hash_token(token))
    session.add(store)
    session.flush()
    return store, token


def store_for_token(session: Session, token: str) -> Store:
    """The store a hub token belongs to."""
    store = session.exec(select(Store).where(Store.token_hash == hash_token(token))).first()
    if store is None:
        raise Unauthenticated("That hub token is not known here; use the token central gave "
                              "when the store was added.")
    return store


def lock_store_for_token(session: Session, token: str) -> Store:
    """The store a hub token belongs to, its row locked until commit (store_for_token and
    lock_store in one query: a push authenticates in its own transaction)."""
    store = session.exec(
        select(Store).where(Store.token_hash == hash_token(token)).with_for_update()
    ).first()
    if store is None:
        raise Unauthenticated("That hub token is not known here; use the token central gave "
                              "when the store was added.")
    return store


def get_store(session: Session, store_id: str) -> Store:
    """A store by id."""
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"There is no store {store_id}.")
    return store


def lock_store(session: Session, store_id: str) -> Store:
    """The store's row, locked until commit: one writer per store at a time."""
    store = session.exec(
        select(Store).where(Store.store_id == store_id).with_for_update()
    ).first()
    if store is None:
        raise NotFound(f"There is no store {store_id}.")
    return store


def is_silent(store: Store, now: datetime, silent_after: int) -> bool:
    """True when the store's hub has not been in touch for longer than the cut-off."""
    last = aware(store.last_contact)
    return last is None or now - last > timedelta(seconds=silent_after)


def store_status(store: Store, now: datetime, silent_after: int) -> StoreStatus:
    """Central's view of one store's hub."""
    newest = aware(store.newest_event_at)
    return StoreStatus(
        store_id=store.store_id,
        name=store.name,
        last_seq=store.last_seq,
        last_contact=aware(store.last_contact),
        lag_seconds=None if newest is None else max(0.0, (now - newest).total_seconds()),
        silent=is_silent(store, now, silent_after),
    )


def list_statuses(session: Session, now: datetime, silent_after: int) -> list[StoreStatus]:
    """Every store's status, by store id."""
    stores = session.exec(select(Store).order_by(Store.store_id)).all()  # type: ignore[arg-type]
    return [store_status(s, now, silent_after) for s in stores]
