"""Placeholder: standalone card terminal payment (being written)."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen


class ExternalCardDialog(ModalScreen[Any]):
    """standalone card terminal payment."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
