"""One till of the soak: a cashier selling on a lane while processes die around it.

It behaves like a real till: an error or a timeout is retried with the same `request_id` where
the API offers one (cash tenders, card payments, refunds); a card payment whose outcome is
unknown is never paid again but settled through the hub's in-doubt resolution; a cart left
behind by a crash is finished (paid in cash) or cancelled before the next customer. Every sale
the till saw completed is written down, with the action that made it.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1"
RETRY_SECONDS = 120.0  # how long a till keeps trying before the soak calls it a failure
FINAL = ("approved", "declined", "cancelled", "failed")


class TillGaveUp(Exception):
    """The hub did not answer for RETRY_SECONDS, or answered something a till cannot handle."""


@dataclass
class Confirmed:
    """A sale a till saw completed."""

    sale_id: str
    lane_id: str
    action: str  # the client action that made it (one per customer)
    receipt_no: int
    total: int
    card: bool
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Ledger:
    """What every till saw, shared between them (a lock guards it)."""

    confirmed: list[Confirmed] = field(default_factory=list)
    refunds: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        """One more of something."""
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1


class Till:
    """A lane's client: logs in, sells, retries like a real till."""

    def __init__(self, hub_url: str, lane_id: str, user: str, pin: str, card: bool,
                 products: list[dict[str, Any]], ledger: Ledger, stop: threading.Event,
                 seed: int) -> None:
        self.lane, self.user, self.pin, self.card = lane_id, user, pin, card
        self.products, self.ledger, self.stop = products, ledger, stop
        self.rng = random.Random(seed)
        self.http = httpx.Client(base_url=hub_url + API, timeout=httpx.Timeout(15, connect=2))
        self.action = ""

    # --- talking to the hub --------------------------------------------------------------------

    def login(self) -> None:
        """Log in (again, e.g. after a restart lost the session)."""
        reply = self.call("POST", "/auth/login", {"username": self.user, "pin": self.pin},
                          auth=False)
        if reply.status_code != 200:
            raise TillGaveUp(f"lane {self.lane}: login refused: {reply.text[:200]}")
        self.http.headers["Authorization"] = f"Bearer {reply.json()['token']}"

    def call(self, method: str, path: str, body: Any = None, *, auth: bool = True,
             retry: bool = True) -> httpx.Response:
        """One request; a lost connection, timeout or 5xx is retried until the hub answers."""
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            try:
                reply = self.http.request(method, path, json=body)
                if reply.status_code == 401 and auth:
                    self.login()
                    continue
                if reply.status_code < 500:
                    return reply
                problem = f"{reply.status_code} {reply.text[:200]}"
            except httpx.TransportError as exc:
                problem = repr(exc)
            if not retry:
                raise TillGaveUp(f"lane {self.lane}: {method} {path}: {problem}")
            if time.monotonic() > deadline:
                raise TillGaveUp(f"lane {self.lane}: {method} {path} kept failing: {problem}")
            time.sleep(0.2)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """A request that must succeed (2xx); its JSON."""
        reply = self.call(method, path, body)
        if reply.status_code >= 300:
            raise TillGaveUp(f"lane {self.lane}: {method} {path}: {reply.status_code} "
                             f"{reply.text[:300]}")
        return reply.json()

    # --- the shift of a till -------------------------------------------------------------------

    def run(self) -> None:
        """Sell until told to stop; a till that gives up is recorded as an error."""
        try:
            self.login()
            if self.call("GET", f"/lanes/{self.lane}/shift").status_code == 404:
                self.ok("POST", f"/lanes/{self.lane}/shift/open", {"counted": 100_000})
            while not self.stop.is_set():
                self.clear_lane()
                self.serve_customer()
            self.clear_lane()
        except TillGaveUp as exc:
            with self.ledger.lock:
                self.ledger.errors.append(str(exc))
            self.stop.set()

    def serve_customer(self) -> None:
        """One customer: a sale (cash, card or both), a refund, a cancelled cart or a pay-in."""
        self.action = uuid.uuid4().hex
        roll = self.rng.random()
        if roll < 0.05:
            self.pay_in()
        elif roll < 0.12:
            self.refund()
        elif roll < 0.20:
            self.fill_cart()
            self.cancel_cart()
        elif self.card and roll < 0.55:
            self.fill_cart()
            self.pay_card(whole=True)
        elif self.card and roll < 0.65:
            self.fill_cart()
            self.pay_card(whole=False)  # split tender: part card, the rest cash
        else:
            self.fill_cart()
            self.pay_cash()

    def fill_cart(self) -> None:
        """Scan one to four products (a lost answer may scan one twice: the cart says)."""
        for product in self.rng.sample(self.products, self.rng.randint(1, 4)):
            self.ok("POST", f"/lanes/{self.lane}/cart/items",
                    {"product_id": product["id"], "quantity": self.rng.randint(1, 2)})
        self.ledger.count("carts")

    def cart(self) -> dict[str, Any]:
        """The lane's cart as the hub has it now."""
        return self.ok("GET", f"/lanes/{self.lane}/cart")  # type: ignore[no-any-return]

    def completed(self, sale: dict[str, Any]) -> None:
        """Write down a sale this till saw completed."""
        with self.ledger.lock:
            self.ledger.confirmed.append(Confirmed(
                sale["id"], sale["lane_id"], self.action, sale["receipt_no"], sale["total"],
                any(t["method"] == "card" for t in sale["tenders"]),
                [{"id": line["id"], "quantity": line["quantity"]} for line in sale["lines"]
                 if not line["voided"]]))
        self.ledger.count("sales")

    # --- tenders -------------------------------------------------------------------------------

    def pay_cash(self) -> None:
        """Take cash for what is due, with one request_id however often it is sent."""
        cart = self.cart()
        if not cart["id"] or cart["due"] <= 0:
            return
        tendered = -(-cart["due"] // 100) * 100 + self.rng.choice([0, 0, 1000, 5000])
        request_id = f"cash-{uuid.uuid4().hex}"
        sale = self.ok("POST", f"/lanes/{self.lane}/cart/tenders/cash",
                       {"tendered": tendered, "request_id": request_id})
        if sale["status"] != "completed":
            raise TillGaveUp(f"lane {self.lane}: cash {tendered} for {cart['due']} left "
                             f"the sale {sale['status']}")
        self.completed(sale)

    def pay_card(self, whole: bool) -> None:
        """Pay on the lane's terminal; whatever the card did not pay is paid in cash."""
        cart = self.cart()
        amount = None if whole else max(1, cart["due"] // 2)
        body = {"amount": amount, "request_id": f"card-{uuid.uuid4().hex}"}
        reply = self.call("POST", f"/lanes/{self.lane}/cart/tenders/card", body)
        if reply.status_code == 409:  # e.g. the terminal is busy settling an old payment
            self.ledger.count("card_refused")
            self.pay_cash()
            return
        if reply.status_code != 202:
            raise TillGaveUp(f"lane {self.lane}: card: {reply.status_code} {reply.text[:300]}")
        payment = self.settle_payment(reply.json()["id"])
        self.ledger.count(f"card_{payment['status']}")
        sale = self.ok("GET", f"/sales/{payment['sale_id']}")
        if sale["status"] == "completed":
            self.completed(sale)
        else:
            self.pay_cash()  # declined, failed, or only part paid: the rest in cash

    def settle_payment(self, payment_id: str) -> dict[str, Any]:
        """Wait for a card payment's outcome; in doubt, ask the hub to resolve it (never re-pay)."""
        deadline = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < deadline:
            payment = self.ok("GET", f"/payments/{payment_id}")
            if payment["status"] in FINAL:
                return payment  # type: ignore[no-any-return]
            if payment["status"] == "unknown":
                self.ledger.count("in_doubt_seen")
                self.call("POST", f"/payments/{payment_id}/resolve", {})
                time.sleep(0.3)
            time.sleep(0.1)
        raise TillGaveUp(f"lane {self.lane}: card payment {payment_id} never settled")

    def clear_lane(self) -> None:
        """Before the next customer: settle this lane's payments in doubt, then finish (in cash)
        or cancel whatever a crash left in the cart."""
        for payment in self.ok("GET", "/payments/in-doubt"):
            if payment["lane_id"] == self.lane:
                self.settle_payment(payment["id"])
        cart = self.cart()
        if cart["id"] and cart["status"] == "open":
            if cart["tenders"]:
                self.ledger.count("leftover_paid")
                self.pay_cash()
            elif any(not line["voided"] for line in cart["lines"]):
                self.ledger.count("leftover_cancelled")
                self.cancel_cart()

    def cancel_cart(self) -> None:
        """The customer walks away."""
        reply = self.call("POST", f"/lanes/{self.lane}/cart/cancel", {})
        if reply.status_code == 200:
            self.ledger.count("cancelled")
        elif reply.status_code != 409:  # 409: nothing open (a retried cancel went through)
            raise TillGaveUp(f"lane {self.lane}: cancel: {reply.status_code} {reply.text[:300]}")

    # --- other customers -----------------------------------------------------------------------

    def pay_in(self) -> None:
        """Cash into the drawer; no request_id in this API, so a lost answer is not retried."""
        try:
            reply = self.call("POST", f"/lanes/{self.lane}/shift/pay-in",
                              {"amount": 10_000, "reason": "soak change"}, retry=False)
        except TillGaveUp:
            self.ledger.count("pay_in_unknown")
            return
        self.ledger.count("pay_in" if reply.status_code == 200 else "pay_in_refused")

    def refund(self) -> None:
        """A customer brings back one unit of something this lane sold."""
        with self.ledger.lock:
            mine = [c for c in self.ledger.confirmed if c.lane_id == self.lane and c.lines]
        if not mine:
            return
        sale = self.rng.choice(mine)
        line = self.rng.choice(sale.lines)
        body = {"lane_id": self.lane, "lines": [{"line_id": line["id"], "quantity": 1}],
                "reason": "soak", "request_id": f"refund-{uuid.uuid4().hex}"}
        deadline = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < deadline:
            reply = self.call("POST", f"/sales/{sale.sale_id}/refunds", body)
            if reply.status_code == 201:
                with self.ledger.lock:
                    self.ledger.refunds.append(reply.json()["id"])
                self.ledger.count("refunds")
                return
            if reply.status_code != 409:
                raise TillGaveUp(f"lane {self.lane}: refund: {reply.status_code} "
                                 f"{reply.text[:300]}")
            credit_id = _payment_id(reply.json())
            if credit_id is not None:  # the terminal's credit did not go through (or is in doubt)
                credit = self.settle_payment(credit_id)
                if credit["status"] != "approved":
                    self.ledger.count(f"refund_card_{credit['status']}")
                    return  # the money did not go back: nothing was refunded
            elif "already refunded" in reply.text:
                self.ledger.count("refund_nothing_left")
                return  # every unit of that line went back already
            else:  # the reader is busy, e.g. settling a credit of an earlier try
                time.sleep(0.3)
        raise TillGaveUp(f"lane {self.lane}: refund of {sale.sale_id} never went through")


def _payment_id(detail: Any) -> str | None:
    """The card payment an error answer names, if any."""
    if isinstance(detail, dict):
        if isinstance(detail.get("payment_id"), str):
            return detail["payment_id"]  # type: ignore[no-any-return]
        return next((f for v in detail.values() if (f := _payment_id(v))), None)
    if isinstance(detail, list):
        return next((f for v in detail if (f := _payment_id(v))), None)
    return None
