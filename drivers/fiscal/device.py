"""The fiscal-device interface and a control-unit simulator behind it.

A register in Sweden sends each receipt's key figures to its control unit (kontrollenhet,
SKVFS 2014:9) and prints the control code the unit answers with; Germany's TSE does the same
job with a signature. The hub only sees `FiscalDevice`: a real unit is one more class behind it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from drivers.errors import DriverError

RECEIPT_KINDS = ("normal", "copy", "training", "return")


class FiscalDeviceError(DriverError):
    """The fiscal device gave no control code (unplugged, full, or refusing)."""


@dataclass(frozen=True)
class FiscalReceipt:
    """What a control unit is told of one receipt (the SKVFS 2014:9 registration)."""

    org_number: str
    register_id: str
    receipt_no: int
    at: datetime
    kind: str  # normal|copy|training|return
    total: int  # minor units, VAT included (a return: the amount given back)
    vat: tuple[tuple[int, int], ...]  # (rate in basis points, VAT in minor units)

    def canonical(self) -> str:
        """The one text the control code is computed over."""
        vat = ";".join(f"{rate}:{amount}" for rate, amount in sorted(self.vat))
        return "|".join([self.org_number, self.register_id, str(self.receipt_no),
                         self.at.strftime("%Y%m%d%H%M%S"), self.kind, str(self.total), vat])


class FiscalDevice(ABC):
    """A device that registers receipts and answers with a control code."""

    serial: str  # printed on every receipt and report

    @abstractmethod
    def register(self, receipt: FiscalReceipt) -> str:
        """Register one receipt; its control code, or FiscalDeviceError."""

    @abstractmethod
    def ready(self) -> bool:
        """True when the device would answer now (checked before money is taken)."""


class ControlUnitSimulator(FiscalDevice):
    """A SIMULATED control unit for the demo and tests (not certified): it answers with an
    HMAC control code over the receipt, and stops answering while `offline_file` exists, as a
    unit with its cable pulled would."""

    def __init__(self, serial: str, offline_file: Path | None = None) -> None:
        if not serial or len(serial) > 40:
            raise FiscalDeviceError("a control unit serial number is 1 to 40 characters")
        self.serial = serial
        self.offline_file = offline_file
        self._key = hashlib.sha256(f"kassa-simulated-control-unit:{serial}".encode()).digest()

    def ready(self) -> bool:
        """False while the offline switch file exists."""
        return self.offline_file is None or not self.offline_file.exists()

    def register(self, receipt: FiscalReceipt) -> str:
        """The control code: 32 base32 characters of an HMAC-SHA256 over the receipt."""
        if receipt.kind not in RECEIPT_KINDS:
            raise FiscalDeviceError(f"unknown receipt kind {receipt.kind!r}")
        if not self.ready():
            raise FiscalDeviceError(f"control unit {self.serial} does not answer")
        mac = hmac.new(self._key, receipt.canonical().encode(), hashlib.sha256).digest()
        return base64.b32encode(mac).decode()[:32]

    def verify(self, receipt: FiscalReceipt, code: str) -> bool:
        """True when `code` is what this unit gave for `receipt` (what an auditor checks)."""
        return hmac.compare_digest(self.register(receipt), code)


def open_fiscal_device(url: str) -> FiscalDevice | None:
    """The device a setting names: "" for none, "simulator:SERIAL[?offline_file=PATH]"."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme == "simulator":
        options = parse_qs(parts.query)
        offline = options.get("offline_file", [""])[0]
        return ControlUnitSimulator(parts.path, Path(offline) if offline else None)
    raise FiscalDeviceError(f"unknown fiscal device {url!r}: use 'simulator:SERIAL' (a real "
                            "control unit needs its vendor's driver behind FiscalDevice)")
