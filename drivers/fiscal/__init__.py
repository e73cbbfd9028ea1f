"""Fiscal devices: the control unit (Sweden) or TSE (Germany) that signs every receipt."""

from drivers.fiscal.device import (
    ControlUnitSimulator,
    FiscalDevice,
    FiscalDeviceError,
    FiscalReceipt,
    open_fiscal_device,
)

__all__ = ["ControlUnitSimulator", "FiscalDevice", "FiscalDeviceError", "FiscalReceipt",
           "open_fiscal_device"]
