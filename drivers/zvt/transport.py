"""ZVT links: serial framing with ACK/NAK and resends, or bare APDUs over TCP."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod

from drivers.errors import ProtocolError, ReaderDisconnected, ReaderRejected, ReaderTimeout
from drivers.transport import LineSettings, SerialLine
from drivers.zvt.codec import ACK, NAK, Apdu, Control, Deframer, apdu_size, decode_apdu, frame

DEFAULT_TCP_PORT = 20007


class LinkAckMissing(ReaderTimeout):
    """The terminal never acknowledged a frame: it may or may not have received it."""


class ZvtLink(ABC):
    """A connection that carries whole APDUs to and from the terminal."""

    @abstractmethod
    async def send(self, apdu: Apdu) -> None:
        """Deliver one APDU."""

    @abstractmethod
    async def receive(self, timeout: float) -> Apdu:
        """Wait up to `timeout` s for the next APDU from the terminal."""

    @abstractmethod
    async def close(self) -> None:
        """Close the connection."""


class TcpLink(ZvtLink):
    """Bare APDUs on a TCP stream (pyserial's socket:// URL)."""

    def __init__(self, line: SerialLine) -> None:
        self._line = line
        self._buffer = bytearray()

    async def send(self, apdu: Apdu) -> None:
        """Write the APDU; TCP does the rest."""
        await self._line.write(bytes(apdu))

    async def receive(self, timeout: float) -> Apdu:
        """Read until one complete APDU is buffered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (size := apdu_size(bytes(self._buffer))) is None or len(self._buffer) < size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ReaderTimeout(f"no message within {timeout:g} s")
            self._buffer += await self._line.read(remaining)
        raw, self._buffer = bytes(self._buffer[:size]), self._buffer[size:]
        return decode_apdu(raw)

    async def close(self) -> None:
        """Close the socket."""
        await self._line.close()


class SerialLink(ZvtLink):
    """DLE STX … DLE ETX CRC frames, each answered with ACK or NAK; NAK means send again."""

    def __init__(
        self, line: SerialLine, *, ack_timeout: float, inter_byte: float, resends: int = 3
    ) -> None:
        self._line = line
        self._ack_timeout = ack_timeout
        self._inter_byte = inter_byte
        self._resends = resends
        self._deframer = Deframer()
        self._inbox: asyncio.Queue[Apdu | BaseException] = asyncio.Queue()
        self._link_answer: asyncio.Future[int] | None = None
        self._send_lock = asyncio.Lock()
        self._pump_task = asyncio.create_task(self._pump(), name="zvt serial pump")

    async def _pump(self) -> None:
        try:
            while True:
                timeout = self._inter_byte if self._deframer.in_frame else 3600.0
                try:
                    data = await self._line.read(timeout)
                except ReaderTimeout:
                    self._deframer.reset()  # the rest of the frame never came
                    continue
                for event in self._deframer.feed(data):
                    if isinstance(event, Control):
                        if self._link_answer and not self._link_answer.done():
                            self._link_answer.set_result(event.byte)
                    elif event.valid:
                        await self._line.write(bytes([ACK]))
                        with contextlib.suppress(ProtocolError):  # a valid CRC round a bad APDU
                            self._inbox.put_nowait(decode_apdu(event.apdu))
                    else:
                        await self._line.write(bytes([NAK]))
        except ReaderDisconnected as exc:  # reading, or acknowledging a frame: the line is gone
            self._inbox.put_nowait(exc)
            if self._link_answer and not self._link_answer.done():
                self._link_answer.set_exception(exc)

    async def send(self, apdu: Apdu) -> None:
        """Send a frame; resend on NAK up to `resends` times; raise if never acknowledged."""
        raw = frame(bytes(apdu))
        async with self._send_lock:
            for _ in range(1 + self._resends):
                self._link_answer = asyncio.get_running_loop().create_future()
                try:
                    await self._line.write(raw)
                    answer = await asyncio.wait_for(self._link_answer, self._ack_timeout)
                except TimeoutError:
                    raise LinkAckMissing(f"no ACK within {self._ack_timeout:g} s") from None
                finally:
                    self._link_answer = None  # the pump answers only a send that waits
                if answer == ACK:
                    return
            raise ReaderRejected(f"terminal answered NAK {1 + self._resends} times")

    async def receive(self, timeout: float) -> Apdu:
        """Next APDU the terminal framed correctly."""
        try:
            item = await asyncio.wait_for(self._inbox.get(), timeout)
        except TimeoutError:
            raise ReaderTimeout(f"no message within {timeout:g} s") from None
        if isinstance(item, BaseException):
            self._inbox.put_nowait(item)  # every later call sees the loss too
            raise ReaderDisconnected(f"line lost: {item}")
        return item

    async def close(self) -> None:
        """Stop the pump and close the port."""
        self._pump_task.cancel()
        with contextlib.suppress(BaseException):
            await self._pump_task
        await self._line.close()


async def open_link(
    url: str,
    settings: LineSettings,
    *,
    ack_timeout: float,
    inter_byte: float,
    resends: int = 3,
) -> ZvtLink:
    """`socket://host:port` gives bare APDUs over TCP; any other URL gives serial framing."""
    if url.startswith("socket://"):
        if not url.rsplit(":", 1)[-1].isdigit():
            url = f"{url}:{DEFAULT_TCP_PORT}"
        return TcpLink(await SerialLine.open(url, settings))
    line = await SerialLine.open(url, settings)
    return SerialLink(line, ack_timeout=ack_timeout, inter_byte=inter_byte, resends=resends)
