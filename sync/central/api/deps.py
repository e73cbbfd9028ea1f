"""Dependencies of the routes as Annotated aliases: the database, the clock, who is calling."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.central.api import session as dashboard_session
from sync.central.config import CentralSettings
from sync.central.db import Database
from sync.central.models import Store
from sync.central.services.errors import Forbidden, Unauthenticated
from sync.central.services.stores import store_for_token

bearer = HTTPBearer(auto_error=False)


def get_db(request: Request) -> Database:
    """The app's database."""
    return request.app.state.db  # type: ignore[no-any-return]


def get_settings(request: Request) -> CentralSettings:
    """The app's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


def get_now(request: Request) -> datetime:
    """Now, from the app's clock (tests may move it)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("Send Authorization: Bearer <token>.")
    return credentials.credentials


def current_store(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Store:
    """The store whose hub token came with the request."""
    token = _token(credentials)
    with get_db(request).transaction() as session:
        return store_for_token(session, token)


def hub_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The hub token that came with the request, not checked yet (a push checks it in its
    own transaction, with the store's lock)."""
    return _token(credentials)


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Only head office (central's admin token) may manage stores, catalog and conflicts."""
    token = _token(credentials)
    expected = get_settings(request).admin_token
    if not expected:
        raise Forbidden("Admin calls are off: set KASSA_CENTRAL_ADMIN_TOKEN on central.")
    if not secrets.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated("That admin token is not central's.")


def require_head_office(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Head office: a dashboard session cookie, or the admin token as for /admin/v1."""
    if credentials is not None:
        require_admin(request, credentials)
        return
    settings = get_settings(request)
    if not dashboard_session.logged_in(request, settings, get_now(request)):
        raise Unauthenticated("Log in to the dashboard at /dashboard/login (or send "
                              "Authorization: Bearer <admin token>).")


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[CentralSettings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
StoreDep = Annotated[Store, Depends(current_store)]
HubTokenDep = Annotated[str, Depends(hub_token)]
AdminDep = Depends(require_admin)
HeadOfficeDep = Depends(require_head_office)
