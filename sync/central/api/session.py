"""Head office's dashboard login: the password (argon2 hash in settings) or central's admin
token, and the signed, HttpOnly, SameSite=Strict session cookie it buys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Request, Response

from sync.central.config import CentralSettings

COOKIE = "kassa_central_session"
PATH = "/"
hasher = PasswordHasher()


def login_enabled(settings: CentralSettings) -> bool:
    """Whether head office has a credential to log in with at all."""
    return bool(settings.dashboard_password_hash or settings.admin_token)


def check_password(settings: CentralSettings, password: str) -> bool:
    """True if password is the dashboard password or central's admin token."""
    accepted = False
    if settings.admin_token:
        accepted = secrets.compare_digest(password.encode(), settings.admin_token.encode())
    if settings.dashboard_password_hash:
        try:
            accepted = hasher.verify(settings.dashboard_password_hash, password) or accepted
        except VerifyMismatchError:
            pass
        except (InvalidHashError, VerificationError):
            # A broken hash in the settings must not open the door; the admin token still may.
            pass
    return accepted


def hash_password(password: str) -> str:
    """The argon2 hash to put in KASSA_CENTRAL_DASHBOARD_PASSWORD_HASH."""
    return hasher.hash(password)


def _key(settings: CentralSettings) -> bytes:
    # Without a secret of its own, the key comes from the credentials: changing the password
    # or the admin token logs every session out, and every worker derives the same key.
    material = settings.session_secret or (
        f"{settings.dashboard_password_hash}\0{settings.admin_token}")
    return hashlib.sha256(b"kassa central dashboard session\0" + material.encode()).digest()


def issue(settings: CentralSettings, now: datetime) -> str:
    """A new session value: expiry, a random nonce, and their HMAC."""
    expires = int((now + timedelta(hours=settings.session_hours)).timestamp())
    payload = f"{expires}.{secrets.token_urlsafe(16)}"
    signature = hmac.new(_key(settings), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def is_valid(settings: CentralSettings, value: str | None, now: datetime) -> bool:
    """True for an unexpired session this central signed."""
    if not value or not login_enabled(settings) or len(value) > 200:
        return False
    payload, _, signature = value.rpartition(".")
    expected = hmac.new(_key(settings), payload.encode(), hashlib.sha256).hexdigest()
    if not secrets.compare_digest(signature.encode(), expected.encode()):
        return False
    expires, _, _ = payload.partition(".")
    return expires.isdigit() and int(expires) > now.timestamp()


def logged_in(request: Request, settings: CentralSettings, now: datetime) -> bool:
    """Whether the request carries a valid dashboard session."""
    return is_valid(settings, request.cookies.get(COOKIE), now)


def set_cookie(response: Response, request: Request, settings: CentralSettings,
               now: datetime) -> None:
    """Give the browser its session (Secure whenever central is reached over https)."""
    response.set_cookie(COOKIE, issue(settings, now), max_age=int(settings.session_hours * 3600),
                        path=PATH, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def clear_cookie(response: Response) -> None:
    """Forget the session in the browser."""
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
