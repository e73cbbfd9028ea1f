"""Barcode lines from a serial scanner, without I/O: CR, LF or CRLF terminated, checked."""

from __future__ import annotations

from dataclasses import dataclass

GS = 0x1D  # the FNC1 separator GS1 codes carry inside their data


@dataclass(frozen=True)
class Rejected:
    """A line that is not a barcode, and why (for the log)."""

    reason: str
    raw: bytes


class BarcodeFramer:
    """Split the byte stream into lines and turn each into a barcode or a rejection."""

    def __init__(self, *, prefix: str = "", suffix: str = "", max_length: int = 128) -> None:
        for name, value in (("prefix", prefix), ("suffix", suffix)):
            if "\r" in value or "\n" in value:
                raise ValueError(f"scanner {name} {value!r} must not contain CR or LF")
        if max_length < 1:
            raise ValueError("max_length must be at least 1")
        self.prefix = prefix.encode("ascii")
        self.suffix = suffix.encode("ascii")
        self.max_length = max_length
        self._line = bytearray()
        self._overlong = False

    @property
    def _limit(self) -> int:
        return self.max_length + len(self.prefix) + len(self.suffix)

    def feed(self, data: bytes) -> list[str | Rejected]:
        """Every complete line in `data` (with what was held back), in order."""
        out: list[str | Rejected] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._overlong:
                    out.append(Rejected(f"longer than {self.max_length} characters",
                                        bytes(self._line)))
                elif self._line:  # the LF of a CRLF, or a blank line, gives nothing
                    out.append(self._decode(bytes(self._line)))
                self._line.clear()
                self._overlong = False
            elif len(self._line) < self._limit:
                self._line.append(byte)
            else:
                self._overlong = True  # keep the first bytes for the log; never grow
        return out

    def _decode(self, line: bytes) -> str | Rejected:
        if any((b < 0x20 and b != GS) or b >= 0x7F for b in line):
            return Rejected("non-printable bytes", line)
        if not line.startswith(self.prefix):
            return Rejected(f"does not start with the prefix {self.prefix.decode()!r}", line)
        if not line.endswith(self.suffix):
            return Rejected(f"does not end with the suffix {self.suffix.decode()!r}", line)
        code = line[len(self.prefix) : len(line) - len(self.suffix)]
        if not code:
            return Rejected("empty barcode", line)
        return code.decode("ascii")
