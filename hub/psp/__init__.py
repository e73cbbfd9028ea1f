"""Payment service providers for QR payments, behind one interface."""

from hub.psp.base import ProviderStatus, QrProvider
from hub.psp.sandbox import SandboxPsp

__all__ = ["ProviderStatus", "QrProvider", "SandboxPsp"]
