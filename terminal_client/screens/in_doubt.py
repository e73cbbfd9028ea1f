"""Placeholder: payments in doubt (being written)."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen


class InDoubtScreen(ModalScreen[Any]):
    """payments in doubt."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
