"""What every service needs besides the session: the store's settings and the hub's key."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.config import Settings


@dataclass(frozen=True)
class Shop:
    """The store this hub runs."""

    settings: Settings
    key: Ed25519PrivateKey
