"""Placeholder: QR payment (being written)."""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen


class QrDialog(ModalScreen[Any]):
    """QR payment."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
