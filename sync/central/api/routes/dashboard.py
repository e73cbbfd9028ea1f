"""Head office's dashboard: the page and its login at /dashboard, the figures as JSON at
/admin/v1/dashboard and the charts as SVG next to them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from sync import charts
from sync.central.api import session as login
from sync.central.api.deps import DbDep, HeadOfficeDep, NowDep, SettingsDep
from sync.central.config import CentralSettings
from sync.central.services import dashboard as figures
from sync.central.services.dashboard import kronor
from sync.central.services.stores import get_store

STATIC = Path(__file__).resolve().parents[2] / "static" / "dashboard"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

pages = APIRouter(tags=["dashboard"], include_in_schema=False)
api = APIRouter(prefix="/admin/v1/dashboard", tags=["dashboard"], dependencies=[HeadOfficeDep])

DayQuery = Annotated[str | None, Query(max_length=20, description="YYYY-MM-DD; default today")]
StoreQuery = Annotated[str | None, Query(min_length=1, max_length=64)]


def _login_page(message: str = "", status: int = 200) -> HTMLResponse:
    html = (STATIC / "login.html").read_text(encoding="utf-8")
    note = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return HTMLResponse(html.replace("<!--message-->", note), status, headers=SECURITY_HEADERS)


@pages.get("/dashboard", response_model=None)
def dashboard_page(request: Request, settings: SettingsDep,
                   now: NowDep) -> FileResponse | RedirectResponse:
    """The dashboard page, or the way to its login."""
    if not login.logged_in(request, settings, now):
        return RedirectResponse("/dashboard/login", 303)
    return FileResponse(STATIC / "index.html", media_type="text/html",
                        headers=SECURITY_HEADERS)


@pages.get("/dashboard/login")
def login_form(settings: SettingsDep) -> HTMLResponse:
    """The head-office login form."""
    if not login.login_enabled(settings):
        return _login_page("The dashboard is off: set KASSA_CENTRAL_DASHBOARD_PASSWORD_HASH "
                           "(or KASSA_CENTRAL_ADMIN_TOKEN) on central.", 403)
    return _login_page()


@pages.post("/dashboard/login", response_model=None)
def log_in(request: Request, settings: SettingsDep, now: NowDep,
           password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Check the password; on success set the session cookie and go to the dashboard."""
    if not login.login_enabled(settings):
        return login_form(settings)
    if not password or not login.check_password(settings, password):
        return _login_page("Fel lösenord. / Wrong password.", 401)
    response = RedirectResponse("/dashboard", 303)
    login.set_cookie(response, request, settings, now)
    return response


@pages.post("/dashboard/logout")
def log_out() -> RedirectResponse:
    """Forget the session."""
    response = RedirectResponse("/dashboard/login", 303)
    login.clear_cookie(response)
    return response


def _zone(settings: CentralSettings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


@api.get("", response_model=figures.Dashboard)
def dashboard_figures(db: DbDep, settings: SettingsDep, now: NowDep,
                      day: DayQuery = None) -> figures.Dashboard:
    """Every store's takings, sync health, the chain's hours and products, open conflicts."""
    zone = _zone(settings)
    with db.transaction() as session:
        return figures.dashboard(session, now, zone, settings.silent_after_seconds,
                                 figures.parse_day(day, now, zone))


def _svg(text: str) -> Response:
    return Response(text, media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'none'; style-src "
                                                        "'unsafe-inline'"})


def _bounds(settings: CentralSettings, now: datetime, day: str | None
            ) -> tuple[datetime, datetime]:
    zone = _zone(settings)
    return figures.day_bounds(figures.parse_day(day, now, zone), zone)


@api.get("/charts/hourly.svg", response_class=Response,
         responses={200: {"content": {"image/svg+xml": {}}}})
def hourly_chart(db: DbDep, settings: SettingsDep, now: NowDep, day: DayQuery = None,
                 store_id: StoreQuery = None) -> Response:
    """Net sales per hour of the day, for the chain or one store."""
    start, end = _bounds(settings, now, day)
    with db.transaction() as session:
        hours = figures.hourly_sales(session, start, end, _zone(settings), store_id)
        where = "kedjan" if store_id is None else get_store(session, store_id).name
    return _svg(charts.column_chart([(h.hour, h.net) for h in hours],
                                    title=f"Försäljning per timme, {where}",
                                    format_value=kronor))


@api.get("/charts/stores.svg", response_class=Response,
         responses={200: {"content": {"image/svg+xml": {}}}})
def stores_chart(db: DbDep, settings: SettingsDep, now: NowDep,
                 day: DayQuery = None) -> Response:
    """Net sales per store."""
    start, end = _bounds(settings, now, day)
    with db.transaction() as session:
        days = figures.store_days(session, start, end, now, settings.silent_after_seconds)
    return _svg(_bar_or_empty([(d.name, d.net) for d in days], "Nettoförsäljning per butik",
                              charts.bar_chart))


@api.get("/charts/share.svg", response_class=Response,
         responses={200: {"content": {"image/svg+xml": {}}}})
def share_chart(db: DbDep, settings: SettingsDep, now: NowDep,
                day: DayQuery = None) -> Response:
    """Each store's share of the chain's gross sales."""
    start, end = _bounds(settings, now, day)
    with db.transaction() as session:
        days = figures.store_days(session, start, end, now, settings.silent_after_seconds)
    return _svg(_bar_or_empty([(d.name, d.gross) for d in days], "Andel av kedjans försäljning",
                              charts.share_chart))


@api.get("/charts/products.svg", response_class=Response,
         responses={200: {"content": {"image/svg+xml": {}}}})
def products_chart(db: DbDep, settings: SettingsDep, now: NowDep, day: DayQuery = None,
                   store_id: StoreQuery = None,
                   limit: Annotated[int, Query(ge=1, le=50)] = 10) -> Response:
    """The products that sold for the most money."""
    start, end = _bounds(settings, now, day)
    with db.transaction() as session:
        top = figures.top_products(session, start, end, limit=limit, store_id=store_id)
    return _svg(charts.bar_chart([(p.name, p.gross) for p in top], title="Topprodukter",
                                 format_value=kronor))


def _bar_or_empty(points: list[tuple[str, int]], title: str,
                  chart: Callable[..., str]) -> str:
    # A day without a single sale draws the empty chart rather than a row of zeros.
    if not any(value for _, value in points):
        points = []
    return chart(points, title=title, format_value=kronor)
