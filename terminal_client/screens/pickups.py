"""Placeholder: pick-up orders (being written)."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen


class PickupsScreen(ModalScreen[Any]):
    """pick-up orders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
