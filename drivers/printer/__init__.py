"""Receipt printers speaking ESC/POS: layout (python-escpos), connections, drawer and status."""

from drivers.printer.errors import PrinterError, PrinterOffline
from drivers.printer.layout import PAPERS, as_text, drawer_kick, render
from drivers.printer.printer import Printer, PrinterStatus, decode_status
from drivers.printer.receipt import ItemLine, Receipt, ReceiptLabels, Row, Tender, VatRow

__all__ = [
    "PAPERS",
    "ItemLine",
    "Printer",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "Receipt",
    "ReceiptLabels",
    "Row",
    "Tender",
    "VatRow",
    "as_text",
    "decode_status",
    "drawer_kick",
    "render",
]
