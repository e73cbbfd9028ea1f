"""Placeholder: the shift screen (being written)."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen


class ShiftScreen(ModalScreen[Any]):
    """the shift (open, pay-in/out, no-sale, X report, close with count, Z report)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
