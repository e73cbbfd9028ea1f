"""Device URLs for store peripherals: `serial:/dev/ttyUSB0?baud=19200`, `socket://host:9100` …"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from drivers.errors import InvalidRequest


@dataclass(frozen=True)
class DeviceUrl:
    """A parsed device URL: kind (serial, socket, usb, file), target and query options."""

    kind: str
    target: str  # a path, "host:port", "VID:PID" or a pyserial URL
    options: dict[str, str] = field(default_factory=dict)

    def option(self, name: str, default: str) -> str:
        """The query option `name`, or `default` when it is not in the URL."""
        return self.options.get(name, default)

    def int_option(self, name: str, default: int) -> int:
        """An integer query option; a clear error when it is not a number."""
        text = self.options.get(name)
        if text is None:
            return default
        if not text.isdigit():
            raise InvalidRequest(f"device option {name}={text!r} is not a whole number")
        return int(text)

    def check_options(self, allowed: set[str]) -> None:
        """Reject options this device does not understand (a typo must not pass silently)."""
        unknown = sorted(set(self.options) - allowed)
        if unknown:
            raise InvalidRequest(
                f"unknown device option {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )


def parse_device_url(url: str, *, default_port: int = 9100) -> DeviceUrl:
    """Parse a peripheral URL; a bare path is a serial port, other pyserial URLs pass through."""
    text = url.strip()
    if not text:
        raise InvalidRequest("device URL is empty")
    path, _, query = text.partition("?")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise InvalidRequest(f"device URL {url!r} has a malformed query") from None
    scheme, sep, rest = path.partition(":")
    scheme = scheme.lower() if sep else ""
    if scheme in ("socket", "tcp"):
        parts = urlsplit(f"//{rest.removeprefix('//')}")
        try:
            port = parts.port or default_port
        except ValueError:
            raise InvalidRequest(f"device URL {url!r} has a bad port") from None
        if not parts.hostname:
            raise InvalidRequest(f"device URL {url!r} names no host")
        return DeviceUrl("socket", f"{parts.hostname}:{port}", options)
    if scheme == "serial":
        target = rest.removeprefix("//")
    elif scheme == "file":
        target = "/" + rest.lstrip("/") if rest.startswith("//") else rest
    elif scheme == "usb":
        target = rest.removeprefix("//")
    elif not sep or path.startswith("/"):
        scheme, target = "serial", path
    elif rest.startswith("//"):  # loop://, spy://, rfc2217:// … go to pyserial unchanged
        return DeviceUrl("serial", path, options)
    else:
        raise InvalidRequest(f"device URL {url!r}: use serial:, socket://, tcp://, usb:// or file:")
    if not target:
        raise InvalidRequest(f"device URL {url!r} names no device")
    return DeviceUrl(scheme, target, options)
