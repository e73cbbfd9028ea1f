"""ZVT status and result codes, and what they mean to the card holder and the cashier."""

from __future__ import annotations

from drivers.card import ProgressKind

# 04 FF intermediate status: code → (progress kind, text shown on the terminal).
INTERMEDIATE: dict[int, tuple[ProgressKind, str]] = {
    0x00: (ProgressKind.PLEASE_WAIT, "waiting for amount confirmation"),
    0x01: (ProgressKind.ENTER_PIN, "please watch PIN pad"),
    0x02: (ProgressKind.ENTER_PIN, "please watch PIN pad"),
    0x03: (ProgressKind.DECLINED, "not accepted"),
    0x04: (ProgressKind.PLEASE_WAIT, "waiting for the host"),
    0x0A: (ProgressKind.INSERT_CARD, "insert card"),
    0x0B: (ProgressKind.REMOVE_CARD, "please remove card"),
    0x0C: (ProgressKind.MESSAGE, "card not readable"),
    0x0E: (ProgressKind.PLEASE_WAIT, "please wait"),
    0x15: (ProgressKind.ENTER_PIN, "incorrect PIN"),
    0x17: (ProgressKind.PLEASE_WAIT, "please wait"),
    0x1B: (ProgressKind.APPROVED, "approved, please fill up"),
    0x1C: (ProgressKind.APPROVED, "approved, please take goods"),
    0x1D: (ProgressKind.DECLINED, "declined"),
}

ABORTED = 0x6C  # abort via timeout or abort key: the card holder (or the register) cancelled

# Result codes (BMP 27, 06 1E). Codes beyond those in PROTOCOLS.md are *unverified*.
RESULT_TEXT: dict[int, str] = {
    0x00: "no error",
    0x05: "declined (do not honour)",  # unverified: ISO 8583 host code passed through
    0x51: "insufficient funds",  # unverified
    0x55: "incorrect PIN",  # unverified
    0x64: "card not readable",
    0x65: "no card data",
    0x6C: "aborted or timed out",
    0x6F: "wrong currency",  # unverified
    0x78: "card expired",
    0x83: "function not possible",  # unverified
    0xB5: "reversal not possible",  # unverified
    0x9C: "please wait",  # unverified
}


def result_text(code: int | None) -> str:
    """A short explanation of a result code for the cashier."""
    if code is None:
        return "no result code"
    return RESULT_TEXT.get(code, f"result code {code:02X}")


def progress_for(code: int) -> tuple[ProgressKind, str]:
    """The progress kind and text for a 04 FF intermediate status code."""
    return INTERMEDIATE.get(code, (ProgressKind.MESSAGE, f"terminal status {code:02X}"))
