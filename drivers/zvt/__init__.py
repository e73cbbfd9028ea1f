"""ZVT (German ECR protocol) card terminals, over serial or TCP."""

from drivers.zvt.reader import ZvtReader, ZvtTimers

__all__ = ["ZvtReader", "ZvtTimers"]
