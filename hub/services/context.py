"""What every service needs besides the session: the store's settings and the hub's key."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.fiscal import FiscalDevice, open_fiscal_device
from hub.config import Settings


@dataclass(frozen=True)
class Shop:
    """The store this hub runs."""

    settings: Settings
    key: Ed25519PrivateKey
    fiscal: FiscalDevice | None = field(default=None)

    def __post_init__(self) -> None:
        if self.fiscal is None and self.settings.fiscal_device:
            object.__setattr__(self, "fiscal", open_fiscal_device(self.settings.fiscal_device))
