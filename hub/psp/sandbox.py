"""The **sandbox** PSP: a payment provider in test mode, like a PSP's test environment.

It keeps its payments in memory, serves a pay page where a tester chooses pay, decline or
abandon, and confirms each outcome with an HMAC-SHA256-signed webhook to the hub — the same
path a real provider's webhook takes. Never use it for real money.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from hub.psp.base import ProviderStatus

log = logging.getLogger("kassa.sandbox")
Deliver = Callable[[bytes, str], None]


@dataclass
class SandboxPayment:
    """One payment as the sandbox PSP sees it."""

    ref: str
    reference: str  # the hub's attempt id
    amount: int
    currency: str
    description: str
    state: str = "open"  # open | paid | declined | abandoned | cancelled
    opened: bool = False  # the shopper has opened the pay step (paying, not just shown)


class SandboxPsp:
    """In-process test-mode PSP with a pay page and signed webhooks."""

    name = "sandbox"

    def __init__(self, secret: str, public_url: str, deliver: Deliver | None = None) -> None:
        self.secret = secret.encode()
        self.public_url = public_url.rstrip("/")
        self.deliver = deliver or self._post_webhook
        self.payments: dict[str, SandboxPayment] = {}
        self._lock = threading.Lock()

    def create(self, reference: str, amount: int, currency: str,
               description: str) -> tuple[str, str]:
        """Open (or return the already open) payment for an attempt."""
        ref = f"sbx_{reference}"
        with self._lock:
            self.payments.setdefault(ref, SandboxPayment(ref, reference, amount, currency,
                                                         description))
        return ref, f"{self.public_url}/sandbox/pay/{ref}"

    def status(self, provider_ref: str) -> ProviderStatus:
        """The sandbox's state of a payment, in the hub's words."""
        payment = self.payments.get(provider_ref)
        if payment is None:
            return "unknown"
        if payment.state == "open":
            return "pending" if payment.opened else "waiting"
        return {"paid": "paid", "declined": "declined",
                "abandoned": "cancelled", "cancelled": "cancelled"}[payment.state]  # type: ignore[return-value]

    def open_page(self, provider_ref: str) -> SandboxPayment:
        """The shopper opened the pay step: from now on the payment is in progress."""
        payment = self.payments.get(provider_ref)
        if payment is None:
            raise KeyError(provider_ref)
        payment.opened = True
        return payment

    def cancel(self, provider_ref: str) -> None:
        """Close an open payment: it can no longer be paid."""
        payment = self.payments.get(provider_ref)
        if payment is not None and payment.state == "open":
            payment.state = "cancelled"

    def act(self, provider_ref: str, action: str) -> SandboxPayment:
        """What the tester clicked on the pay page; sends the webhook."""
        payment = self.payments.get(provider_ref)
        if payment is None:
            raise KeyError(provider_ref)
        with self._lock:
            if payment.state == "open" or (payment.state == "cancelled" and action == "pay"):
                # A real PSP can take money for a payment the merchant just closed: the hub
                # must catch that as a late payment, so the sandbox lets a tester do it too.
                payment.state = {"pay": "paid", "decline": "declined",
                                 "abandon": "abandoned"}[action]
        self.send_webhook(payment)
        return payment

    def send_webhook(self, payment: SandboxPayment) -> str:
        """Sign and deliver a webhook for the payment's current state; returns its event id."""
        event_id = f"evt_{uuid.uuid4().hex}"
        body = json.dumps({"event_id": event_id, "ref": payment.ref,
                           "reference": payment.reference, "state": payment.state}).encode()
        self.deliver(body, self.sign(body))
        return event_id

    def sign(self, body: bytes) -> str:
        """HMAC-SHA256 of the body with the shared secret, hex."""
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str) -> bool:
        """Constant-time check of a webhook's signature."""
        return hmac.compare_digest(self.sign(body), signature or "")

    def _post_webhook(self, body: bytes, signature: str) -> None:
        def post() -> None:
            try:
                httpx.post(f"{self.public_url}/api/v1/qr/webhooks/sandbox", content=body,
                           headers={"X-Sandbox-Signature": signature,
                                    "Content-Type": "application/json"}, timeout=10)
            except httpx.HTTPError as exc:  # the hub's poller settles it anyway
                log.warning("sandbox webhook not delivered: %s", exc)

        threading.Thread(target=post, daemon=True).start()
