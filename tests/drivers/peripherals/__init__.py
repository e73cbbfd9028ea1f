"""Store peripherals: receipt printer, cash drawer, barcode scanner, pole display."""
