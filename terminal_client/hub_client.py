"""A small async client of the hub: REST calls for one lane and its websocket events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

log = logging.getLogger(__name__)

Json = dict[str, Any]
EventHandler = Callable[[Json], Awaitable[None] | None]
OnlineHandler = Callable[[bool, str], Awaitable[None] | None]


class HubError(Exception):
    """The hub refused a request (or could not be reached); `message` is for the cashier."""

    def __init__(self, message: str, code: str = "unreachable", status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class CartTracker:
    """Remembers the newest cart version shown, so stale snapshots never overwrite newer ones."""

    def __init__(self) -> None:
        self.version = -1

    def is_newer(self, cart: Json) -> bool:
        """True (and remembered) if this cart is newer than the one shown."""
        version = int(cart.get("version", -1))
        if version <= self.version:
            return False
        self.version = version
        return True


class HubClient:
    """The hub as one lane's terminal sees it."""

    def __init__(self, base_url: str, lane: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.lane = lane
        self.token: str | None = None
        self.me: Json = {}
        self.username = ""
        self.device_token: str | None = None  # a paired terminal's own (read-only) token
        self._http = httpx.AsyncClient(base_url=f"{self.base_url}/api/v1", timeout=timeout)

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def _call(self, method: str, path: str, body: Json | None = None,
                    params: Json | None = None, timeout: float | None = None,
                    text: bool = False) -> Any:
        token = self.token or self.device_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self._http.request(
                method, path, json=body, params=params, headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise HubError(f"The hub at {self.base_url} cannot be reached ({exc}).") from exc
        if response.status_code >= 400:
            raise _problem(response)
        if text:
            return response.text
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def login(self, username: str, pin: str) -> Json:
        """Log in with username and PIN; returns who we are. A login already held (unlocking
        the till, or another cashier taking over) is ended at the hub once the new one works."""
        result = await self._call("POST", "/auth/login", {"username": username, "pin": pin})
        old = self.token
        self.token, self.me, self.username = result["token"], result["me"], username
        if old and old != self.token:
            with contextlib.suppress(httpx.HTTPError):
                await self._http.post("/auth/logout", headers={"Authorization": f"Bearer {old}"})
        return self.me

    async def logout(self) -> None:
        """End the login at the hub (best effort) and forget the token."""
        try:
            if self.token:
                await self._call("POST", "/auth/logout", {})
        finally:
            self.token, self.me, self.username = None, {}, ""

    async def current_shift(self) -> Json | None:
        """The lane's open shift, or None."""
        try:
            return await self._call("GET", f"/lanes/{self.lane}/shift")  # type: ignore[no-any-return]
        except HubError as exc:
            if exc.status == 404:
                return None
            raise

    async def open_shift(self, counted: int) -> Json:
        """Open a shift with the float counted into the drawer."""
        return await self._call(  # type: ignore[no-any-return]
            "POST", f"/lanes/{self.lane}/shift/open", {"counted": counted})

    async def cart(self) -> Json:
        """The lane's current cart."""
        return await self._call("GET", f"/lanes/{self.lane}/cart")  # type: ignore[no-any-return]

    async def scan(self, code: str) -> Json:
        """Add a scanned barcode to the cart; returns the whole cart."""
        return await self._call(  # type: ignore[no-any-return]
            "POST", f"/lanes/{self.lane}/cart/items", {"code": code})

    async def pay_cash(self, tendered: int, request_id: str) -> Json:
        """Pay cash handed over; returns the cart (completed when it is fully paid)."""
        return await self._call(  # type: ignore[no-any-return]
            "POST", f"/lanes/{self.lane}/cart/tenders/cash",
            {"tendered": tendered, "request_id": request_id})

    async def pay_card(self, request_id: str, amount: int | None = None) -> Json:
        """Start a card payment on the lane's reader (for what is due unless an amount is given:
        split tender); progress comes as payment.updated events."""
        return await self._call(  # type: ignore[no-any-return]
            "POST", f"/lanes/{self.lane}/cart/tenders/card",
            {"request_id": request_id, "amount": amount})

    async def cancel_payment(self, payment_id: str) -> Json:
        """Ask the terminal to abort a running card payment."""
        return await self._call("POST", f"/payments/{payment_id}/cancel")  # type: ignore[no-any-return]

    async def get_text(self, path: str, **params: Any) -> str:
        """GET a plain-text resource (a receipt)."""
        return await self._call("GET", path, params=params, text=True)  # type: ignore[no-any-return]

    async def get(self, path: str, **params: Any) -> Any:
        """GET an API path (relative to /api/v1), with query parameters."""
        return await self._call("GET", path, params={k: v for k, v in params.items()
                                                     if v is not None})

    async def post(self, path: str, body: Json | None = None, *,
                   timeout: float | None = None) -> Any:
        """POST a JSON body to an API path; a longer timeout for requests that wait for a
        person (a card refund runs until the customer is done at the terminal)."""
        return await self._call("POST", path, body if body is not None else {},
                                timeout=timeout)

    async def put(self, path: str, body: Json) -> Any:
        """PUT a JSON body to an API path."""
        return await self._call("PUT", path, body)

    async def patch(self, path: str, body: Json) -> Any:
        """PATCH an API path with a JSON body."""
        return await self._call("PATCH", path, body)

    @property
    def lane_path(self) -> str:
        """This lane's API path, e.g. /lanes/1."""
        return f"/lanes/{self.lane}"

    # The cart

    async def add_product(self, product_id: int, quantity: int = 1,
                          weight_g: int | None = None) -> Json:
        """Key in a product (from search); weighed items need the weight in grams."""
        body: Json = {"product_id": product_id, "quantity": quantity}
        if weight_g is not None:
            body["weight_g"] = weight_g
        return await self.post(f"{self.lane_path}/cart/items", body)  # type: ignore[no-any-return]

    async def set_quantity(self, line_id: int, quantity: int,
                           approval: Json | None = None) -> Json:
        """Change a line's quantity."""
        return await self.patch(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/lines/{line_id}",
            {"quantity": quantity, "approval": approval})

    async def void_line(self, line_id: int, approval: Json | None = None) -> Json:
        """Take a line off the cart."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/lines/{line_id}/void", {"approval": approval})

    async def discount_line(self, line_id: int, kind: str | None, value: int,
                            approval: Json | None = None) -> Json:
        """Set (or with kind None remove) a line discount: percent in basis points or amount."""
        return await self.put(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/lines/{line_id}/discount",
            {"kind": kind, "value": value, "approval": approval})

    async def override_price(self, line_id: int, unit_price: int,
                             approval: Json | None = None) -> Json:
        """Sell a line at another unit price."""
        return await self.put(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/lines/{line_id}/price",
            {"unit_price": unit_price, "approval": approval})

    async def discount_cart(self, kind: str | None, value: int,
                            approval: Json | None = None) -> Json:
        """Set (or remove) a discount on the whole cart."""
        return await self.put(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/discount", {"kind": kind, "value": value,
                                                "approval": approval})

    async def cancel_cart(self, approval: Json | None = None) -> Json:
        """Abandon the cart (payments taken are given back, with a manager's approval)."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/cancel", {"approval": approval})

    # Parked carts

    async def park_cart(self) -> Json:
        """Put the lane's cart aside (the customer went for their wallet); returns the lane's
        now-empty cart. Refused (409) with nothing to park or a payment taken."""
        return await self.post(f"{self.lane_path}/cart/park")  # type: ignore[no-any-return]

    async def parked_carts(self) -> list[Json]:
        """Carts parked anywhere in the store, oldest first."""
        return await self.get("/parked-carts")  # type: ignore[no-any-return]

    async def resume_cart(self, sale_id: str) -> Json:
        """Take a parked cart up on this lane; returns it as the lane's cart (409 while the
        lane has goods of its own, 404 when it was taken up already)."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/parked/{sale_id}/resume")

    # Other tenders

    async def pay_card_external(self, amount: int | None, reference: str | None,
                                request_id: str) -> Json:
        """Record a card payment approved on a standalone terminal."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/tenders/card-external",
            {"amount": amount, "reference": reference or None, "request_id": request_id})

    async def pay_qr(self, request_id: str) -> Json:
        """Start a QR payment for what is due; its status comes as qr.updated events."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/cart/tenders/qr", {"request_id": request_id})

    # Shift and drawer

    async def pay_in(self, amount: int, reason: str) -> Json:
        """Cash put into the drawer."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/shift/pay-in", {"amount": amount, "reason": reason})

    async def pay_out(self, amount: int, reason: str) -> Json:
        """Cash taken out of the drawer."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/shift/pay-out", {"amount": amount, "reason": reason})

    async def no_sale(self, reason: str, approval: Json | None = None) -> Json:
        """Open the drawer without a sale."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/drawer/no-sale", {"reason": reason, "approval": approval})

    async def close_shift(self, denominations: dict[str, int]) -> Json:
        """Close the shift with the drawer counted by denomination (minor units → pieces)."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/shift/close", {"denominations": denominations})

    # Day reports (X and Z), training mode, price look-ups

    async def x_report_text(self) -> str:
        """The lane's X day report as 42-column text (closes nothing)."""
        return await self.get_text(f"{self.lane_path}/x-report", format="text")

    async def print_x_report(self) -> None:
        """Print an X day report on the lane's printer (409: the lane has none)."""
        await self.post(f"{self.lane_path}/x-report/print")

    async def close_day(self) -> Json:
        """Take the Z day report: close the register's day for good; returns the report."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/z-report?print=false")

    async def z_reports(self) -> list[Json]:
        """The lane's earlier Z day reports, newest first."""
        return await self.get("/z-reports", lane_id=self.lane)  # type: ignore[no-any-return]

    async def z_report_text(self, report_id: int) -> str:
        """One Z day report as 42-column text, exactly as the day was closed."""
        return await self.get_text(f"/z-reports/{report_id}", format="text")

    async def print_z_report(self, report_id: int) -> None:
        """Print a Z day report (again) on this lane's printer."""
        await self.post(f"/z-reports/{report_id}/print", {"lane_id": self.lane})

    async def training(self) -> bool:
        """Whether the lane is in training mode (övningsläge)."""
        return bool((await self.get(f"{self.lane_path}/training"))["training"])

    async def set_training(self, on: bool, approval: Json | None = None) -> bool:
        """Switch training mode on or off (a manager approves); returns the new state."""
        state = await self.post(f"{self.lane_path}/training", {"on": on, "approval": approval})
        return bool(state["training"])

    async def price_lookup(self, code: str) -> Json:
        """The price of a barcode or article number, selling nothing."""
        return await self.post(  # type: ignore[no-any-return]
            f"{self.lane_path}/price-lookup", {"code": code})

    @property
    def ws_url(self) -> str:
        """The websocket address (without the token)."""
        return self.base_url.replace("http", "ws", 1) + "/api/v1/ws"

    async def watch_lane(self, on_event: EventHandler, on_online: OnlineHandler,
                         retry_seconds: float = 1.0) -> None:
        """Follow the lane's events until cancelled, reconnecting while the hub is away."""
        online, told_offline = False, False
        while self.token:
            try:
                async with connect(f"{self.ws_url}?token={self.token}",
                                   open_timeout=5) as ws:
                    await ws.send(json.dumps({"type": "subscribe", "lanes": [self.lane]}))
                    async for raw in ws:
                        event = json.loads(raw)
                        if event.get("type") == "subscribed" and not online:
                            online, told_offline = True, False
                            await _maybe_await(on_online(True, ""))
                        await _maybe_await(on_event(event))
                    code = ws.close_code
                if code in (4401, 4403):
                    await _maybe_await(on_online(False, "The hub ended this login."))
                    return
                reason = "the hub closed the connection"
            except (TimeoutError, OSError, ConnectionClosed, InvalidHandshake, InvalidURI) as exc:
                reason = str(exc) or type(exc).__name__
            if online or not told_offline:  # tell each outage once, not every retry
                online, told_offline = False, True
                await _maybe_await(on_online(False, reason))
            await asyncio.sleep(retry_seconds)


def _problem(response: httpx.Response) -> HubError:
    """The hub's refusal as a HubError carrying its message for the cashier."""
    try:
        problem = response.json()
        return HubError(str(problem["message"]), str(problem.get("error", "")),
                        response.status_code)
    except (ValueError, KeyError, TypeError):
        return HubError(f"The hub answered {response.status_code}.", "http",
                        response.status_code)


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result
