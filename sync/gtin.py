"""GS1 check digits: part of what a product code is, shared by hub and central."""

from __future__ import annotations


def check_digit(body: str) -> int:
    """GS1 check digit for the digits before it (EAN-8/12/13/14 alike)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    """Body digits followed by their check digit."""
    return body + str(check_digit(body))
