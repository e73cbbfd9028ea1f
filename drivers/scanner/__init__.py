"""Barcode scanners that send CR/LF-terminated lines on a serial port."""

from drivers.scanner.codec import BarcodeFramer, Rejected
from drivers.scanner.reader import ScannerError, SerialScanner

__all__ = ["BarcodeFramer", "Rejected", "ScannerError", "SerialScanner"]
