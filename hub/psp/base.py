"""The interface every QR payment provider offers the hub."""

from __future__ import annotations

from typing import Literal, Protocol

# waiting: open, the shopper has not begun to pay; pending: the shopper is paying.
ProviderStatus = Literal["waiting", "pending", "paid", "declined", "cancelled", "unknown"]


class QrProvider(Protocol):
    """A PSP that shows a pay page for one attempt and confirms it by signed webhooks."""

    name: str

    def create(self, reference: str, amount: int, currency: str,
               description: str) -> tuple[str, str]:
        """Open a payment for the attempt (idempotent per reference): (provider_ref, pay_url)."""

    def status(self, provider_ref: str) -> ProviderStatus:
        """The provider's own state of a payment (re-read before fulfilling)."""

    def cancel(self, provider_ref: str) -> None:
        """Close a payment that must no longer be paid (expired, or the sale went otherwise)."""

    def verify(self, body: bytes, signature: str) -> bool:
        """Whether a webhook body carries the provider's signature."""
