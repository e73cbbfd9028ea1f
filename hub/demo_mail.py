"""A mail sink for the demo: a local SMTP server that drops every mail in a folder as `.eml`.

Point the hub at it with `KASSA_SMTP_URL=smtp://127.0.0.1:<port>`; open the files with any
mail program (or read them as text) to see what the customer would get.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _SaveToFolder:
    """aiosmtpd handler: write each message, as received, to its own file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the message; the name sorts by arrival."""
        content = envelope.original_content or b""
        if isinstance(content, str):
            content = content.encode()
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._numbers):04d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(content)
        os.replace(partial, self.folder / name)  # a reader never sees half a mail
        return "250 Message accepted for delivery"


@dataclass
class MailSink:
    """A running mail sink: where it listens and where the mails land."""

    controller: Controller
    folder: Path
    host: str
    port: int

    @property
    def smtp_url(self) -> str:
        """The KASSA_SMTP_URL that sends the hub's mail here."""
        return f"smtp://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop listening."""
        self.controller.stop()


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start_mail_sink(folder: Path, host: str = "127.0.0.1", port: int = 0) -> MailSink:
    """Start an SMTP server on host:port (0: a free port) that saves mails in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or _free_port(host)
    controller = Controller(_SaveToFolder(folder), hostname=host, port=port)
    controller.start()
    return MailSink(controller, folder, host, port)
