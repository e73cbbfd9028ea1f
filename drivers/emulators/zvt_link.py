"""The terminal's side of a ZVT link (blocking): serial frames with ACK/NAK, or bare APDUs."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from drivers.emulators.line import Line
from drivers.errors import ProtocolError
from drivers.zvt.codec import ACK, NAK, Apdu, Control, Deframer, apdu_size, decode_apdu, frame

# raw APDU → "ack"; "nak"; "quiet" (taken, ACK lost); "ignore" (the terminal is dead)
FrameVerdict = Callable[[bytes], str]


class PtLink:
    """Bare APDUs over TCP; subclassed for serial framing."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.verdict: FrameVerdict = lambda raw: "ack"
        self._buffer = bytearray()

    def send(self, apdu: Apdu, *, corrupt: bool = False) -> bool:
        """Send an APDU; True when the register took it."""
        self.line.write(bytes(apdu))
        return True

    def receive(self, timeout: float) -> Apdu | None:
        """The next APDU from the register, or None after `timeout` s."""
        deadline = time.monotonic() + timeout
        while (size := apdu_size(bytes(self._buffer))) is None or len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._buffer += self.line.read(remaining)
        raw, self._buffer = bytes(self._buffer[:size]), self._buffer[size:]
        if self.verdict(raw) == "ignore":
            return None
        return decode_apdu(raw)


class PtSerialLink(PtLink):
    """DLE STX framing: ACK good frames, NAK bad ones, resend ours on NAK."""

    def __init__(self, line: Line, *, ack_timeout: float = 1.0, resends: int = 3) -> None:
        super().__init__(line)
        self.ack_timeout = ack_timeout
        self.resends = resends
        self._deframer = Deframer()
        self._inbox: deque[Apdu] = deque()
        self._controls: deque[int] = deque()

    def _pump(self, timeout: float) -> None:
        for event in self._deframer.feed(self.line.read(timeout)):
            if isinstance(event, Control):
                self._controls.append(event.byte)
                continue
            verdict = self.verdict(event.apdu) if event.valid else "nak"
            if verdict == "nak":
                self.line.write(bytes([NAK]))
            elif verdict in ("ack", "quiet"):
                try:
                    apdu = decode_apdu(event.apdu)
                except ProtocolError:
                    self.line.write(bytes([NAK]))
                    continue
                if verdict == "ack":
                    self.line.write(bytes([ACK]))
                self._inbox.append(apdu)

    def send(self, apdu: Apdu, *, corrupt: bool = False) -> bool:
        """Send a frame (the first copy with a broken CRC when `corrupt`); resend on NAK."""
        good = frame(bytes(apdu))
        for attempt in range(1 + self.resends):
            self._controls.clear()
            self.line.write(
                good[:-1] + bytes([good[-1] ^ 0xA5]) if corrupt and not attempt else good
            )
            deadline = time.monotonic() + self.ack_timeout
            while not self._controls and (remaining := deadline - time.monotonic()) > 0:
                self._pump(remaining)
            if not self._controls:
                return False
            if self._controls.popleft() == ACK:
                return True
        return False

    def receive(self, timeout: float) -> Apdu | None:
        """The next framed APDU, or None after `timeout` s."""
        deadline = time.monotonic() + timeout
        while not self._inbox and (remaining := deadline - time.monotonic()) > 0:
            self._pump(remaining)
        return self._inbox.popleft() if self._inbox else None
