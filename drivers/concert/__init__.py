"""Ingenico Concert v2 / "E+" card terminals."""

from drivers.concert.reader import ConcertReader, ConcertTimers

__all__ = ["ConcertReader", "ConcertTimers"]
