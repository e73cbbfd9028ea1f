"""Staff login with PINs, device pairing, roles and manager approval."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select

from hub.config import Settings
from hub.models import AuthToken, Device, Lane, PairingCode, PinFailure, User
from hub.models.base import utcnow
from hub.services.errors import (
    ApprovalDenied,
    ApprovalRequired,
    Invalid,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)

USER_ROLES = ("cashier", "manager", "admin")
DEVICE_ROLES = ("kiosk", "terminal", "display")

_CASHIER = {"catalog.read", "lane.read", "cart.write", "tender", "shift", "refund", "sales.read",
            "day.report"}
_MANAGER = _CASHIER | {"approve", "drawer.no_sale", "audit.read", "users.read", "reports.read"}
CAPABILITIES: dict[str, frozenset[str]] = {
    "cashier": frozenset(_CASHIER),
    "manager": frozenset(_MANAGER),
    "admin": frozenset(_MANAGER | {"users.write", "devices.pair", "lanes.write"}),
    # Devices act only on the lane they were paired to.
    "kiosk": frozenset({"catalog.read", "lane.read", "cart.write", "tender"}),
    "terminal": frozenset({"catalog.read", "lane.read"}),
    "display": frozenset({"lane.read"}),
}

# argon2id with modest cost: a PIN check must stay quick at the till.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass(frozen=True)
class Actor:
    """Who is making a request: a logged-in user or a paired device."""

    role: str
    user_id: int | None = None
    device_id: int | None = None
    lane_id: str | None = None  # devices are bound to one lane
    name: str = ""
    source: str = ""  # where the request came from (the till's address), for PIN lockouts

    def can(self, capability: str) -> bool:
        """Whether this actor's role grants a capability."""
        return capability in CAPABILITIES.get(self.role, frozenset())

    def require(self, capability: str) -> None:
        """Refuse unless the role grants the capability."""
        if not self.can(capability):
            raise NotAllowed(f"A {self.role} may not do this ({capability}).")

    def require_lane(self, lane_id: str) -> None:
        """Refuse a device acting on a lane other than its own."""
        if self.lane_id is not None and self.lane_id != lane_id:
            raise NotAllowed(f"This device is paired to lane {self.lane_id}, not {lane_id}.")


def hash_pin(pin: str) -> str:
    """An argon2 hash of a PIN."""
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 12):
        raise Invalid("A PIN is 4 to 12 digits.")
    return _hasher.hash(pin)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(session: Session, username: str, display_name: str, role: str, pin: str) -> User:
    """Create a member of staff."""
    if role not in USER_ROLES:
        raise Invalid(f"Role must be one of {', '.join(USER_ROLES)}.")
    if session.exec(select(User).where(User.username == username)).first():
        raise Invalid(f"There is already a user called '{username}'.")
    user = User(username=username, display_name=display_name, role=role, pin_hash=hash_pin(pin))
    session.add(user)
    session.flush()
    return user


def _check_rate(session: Session, subject: str, settings: Settings, shown: str) -> None:
    since = utcnow() - timedelta(seconds=settings.pin_lockout_seconds)
    failures = session.exec(
        select(func.count())
        .select_from(PinFailure)
        .where(PinFailure.subject == subject, col(PinFailure.at) > since)
    ).one()
    if failures >= settings.pin_max_failures:
        raise TooManyAttempts(
            f"Too many wrong attempts for '{shown}' here. Wait "
            f"{settings.pin_lockout_seconds // 60} minutes, or use another till.",
            retry_after=settings.pin_lockout_seconds,
        )


def _failure(error: Unauthenticated, subject: str) -> Unauthenticated:
    """Attach the failed attempt so it is recorded after the request is rolled back."""
    error.after_rollback = lambda session: session.add(PinFailure(subject=subject))
    return error


def verify_pin(session: Session, username: str, pin: str, settings: Settings,
               source: str = "") -> User:
    """The user for a username and PIN; wrong PINs count towards a lockout of that username
    from that source, so guessing at one till cannot lock a manager out of every till."""
    subject = f"{username}@{source}"
    _check_rate(session, subject, settings, username)
    user = session.exec(select(User).where(User.username == username, User.active)).first()
    ok = False
    if user is not None:
        try:
            ok = _hasher.verify(user.pin_hash, pin)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(pin)  # same work as a real check, so timing does not reveal usernames
    if not ok or user is None:
        raise _failure(Unauthenticated("Wrong username or PIN."), subject)
    session.exec(delete(PinFailure).where(col(PinFailure.subject) == subject))
    return user


def login(session: Session, username: str, pin: str, settings: Settings,
          source: str = "") -> tuple[str, User]:
    """Log a user in: a fresh bearer token."""
    user = verify_pin(session, username, pin, settings, source)
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(seconds=settings.session_ttl_seconds)
    session.add(AuthToken(token_hash=_token_hash(token), user_id=user.id, expires_at=expires))
    return token, user


def logout(session: Session, token: str) -> None:
    """End a login or unpair a device token."""
    row = session.get(AuthToken, _token_hash(token))
    if row is not None:
        session.delete(row)


def actor_for_token(session: Session, token: str) -> Actor:
    """Who holds a bearer token."""
    row = session.get(AuthToken, _token_hash(token))
    if row is None or (row.expires_at is not None and row.expires_at < utcnow()):
        raise Unauthenticated("Log in again: this token is unknown or has expired.")
    if row.user_id is not None:
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise Unauthenticated("This user is no longer active.")
        return Actor(role=user.role, user_id=user.id, name=user.display_name)
    device = session.get(Device, row.device_id)
    if device is None or device.revoked:
        raise Unauthenticated("This device has been unpaired; pair it again.")
    return Actor(role=device.role, device_id=device.id, lane_id=device.lane_id, name=device.name)


def approve(
    session: Session,
    actor: Actor,
    approval: tuple[str, str] | None,
    settings: Settings,
    what: str,
) -> int:
    """The manager who approves an action: the actor themself, or a manager's username + PIN."""
    if actor.can("approve") and actor.user_id is not None:
        return actor.user_id
    if approval is None:
        raise ApprovalRequired(
            f"A manager must approve {what}: enter a manager's username and PIN.")
    try:
        manager = verify_pin(session, approval[0], approval[1], settings, actor.source)
    except Unauthenticated as exc:  # the caller stays logged in: only the approval failed
        denied = ApprovalDenied(f"Wrong manager username or PIN: {what} is not approved.")
        denied.after_rollback = exc.after_rollback
        raise denied from exc
    if "approve" not in CAPABILITIES[manager.role]:
        raise ApprovalRequired(
            f"{manager.display_name} is not a manager and cannot approve {what}.")
    assert manager.id is not None
    return manager.id


def _pairing_hash(code: str) -> str:
    return _token_hash(code.replace("-", "").upper())


def create_pairing_code(
    session: Session, role: str, lane_id: str | None, created_by: int | None, settings: Settings
) -> tuple[str, PairingCode]:
    """A short-lived code (e.g. 'K7QM-2XPD') a device exchanges for its token."""
    if role not in DEVICE_ROLES:
        raise Invalid(f"A device role is one of {', '.join(DEVICE_ROLES)}.")
    if lane_id is not None and session.get(Lane, lane_id) is None:
        raise NotFound(f"There is no lane '{lane_id}'.")
    if lane_id is None:
        raise Invalid("A device is paired to a lane: give lane_id.")
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    raw = "".join(secrets.choice(alphabet) for _ in range(8))
    code = f"{raw[:4]}-{raw[4:]}"
    row = PairingCode(
        code_hash=_pairing_hash(code),
        role=role,
        lane_id=lane_id,
        created_by=created_by,
        expires_at=utcnow() + timedelta(seconds=settings.pairing_code_ttl_seconds),
    )
    session.add(row)
    return code, row


def devices(session: Session) -> list[Device]:
    """Every paired device."""
    return list(session.exec(select(Device).order_by(col(Device.id))))


def revoke_device(session: Session, device_id: int, actor: Actor) -> Device:
    """Unpair a device: its tokens are deleted and it can no longer act (audited)."""
    from hub.services.records import audit

    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"There is no device {device_id}.")
    device.revoked = True
    session.add(device)
    session.exec(delete(AuthToken).where(col(AuthToken.device_id) == device_id))
    audit(session, "device_unpaired", actor, lane_id=device.lane_id, ref=str(device_id),
          name=device.name)
    return device


def pair_device(session: Session, code: str, name: str, settings: Settings,
                source: str = "") -> tuple[str, Device]:
    """Exchange a pairing code for a device token limited to the code's role and lane."""
    subject = f"pairing@{source}"
    _check_rate(session, subject, settings, "pairing codes")
    row = session.get(PairingCode, _pairing_hash(code))
    if row is None or row.used or row.expires_at < utcnow():
        raise _failure(
            Unauthenticated("This pairing code is wrong, used or expired; ask for a new one."),
            subject,
        )
    row.used = True
    session.add(row)
    device = Device(name=name, role=row.role, lane_id=row.lane_id)
    session.add(device)
    session.flush()
    token = secrets.token_urlsafe(32)
    session.add(AuthToken(token_hash=_token_hash(token), device_id=device.id))
    return token, device
