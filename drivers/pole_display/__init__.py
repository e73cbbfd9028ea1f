"""Customer pole displays: 2×20 VFDs speaking the Epson or CD5220 command set."""

from drivers.pole_display.codec import DIALECTS, WIDTH, item_line, total_line, two_columns
from drivers.pole_display.display import DisplayError, PoleDisplay

__all__ = [
    "DIALECTS",
    "WIDTH",
    "DisplayError",
    "PoleDisplay",
    "item_line",
    "total_line",
    "two_columns",
]
