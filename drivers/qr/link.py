"""Payment-link QR: an https URL to the pay page of one attempt; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from drivers.qr.errors import QrPayloadError

MAX_URL = 512
_IPV4 = re.compile(r"((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])")
_HOST = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@dataclass(frozen=True)
class LinkRules:
    """What a payment link may look like; the defaults are Kassa's own choice (configurable)."""

    hosts: frozenset[str] | None = None  # None: any well-formed DNS host name
    schemes: frozenset[str] = frozenset({"https"})  # add "http" for a hub on a LAN only
    allow_ip: bool = False  # allow IPv4 literals and "localhost" (a development hub)
    path_prefix: str = "/pay/"
    attempt_pattern: str = r"[A-Za-z0-9_-]{1,64}"


DEFAULT_RULES = LinkRules()


def decode_link(url: str, rules: LinkRules = DEFAULT_RULES) -> dict[str, Any]:
    """Fields of a payment link: url, host, attempt id."""
    if len(url) > MAX_URL:
        raise QrPayloadError(f"payment link is {len(url)} characters; at most {MAX_URL}")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise QrPayloadError("payment link must be plain ASCII without spaces")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise QrPayloadError(f"payment link is not a URL: {exc}") from None
    if parts.scheme not in rules.schemes:
        wanted = " or ".join(sorted(rules.schemes))
        raise QrPayloadError(f"payment link must use {wanted}, not {parts.scheme or 'nothing'}")
    if "@" in parts.netloc:
        raise QrPayloadError("payment link must not carry a user name (text before '@')")
    host = parts.hostname or ""
    local = rules.allow_ip and (host == "localhost" or _IPV4.fullmatch(host))
    if not (_HOST.fullmatch(host) or local):
        raise QrPayloadError(f"payment link host {host!r} is not a host name")
    if rules.hosts is not None and host not in rules.hosts:
        raise QrPayloadError(f"payment link host {host!r} is not one of {sorted(rules.hosts)}")
    if parts.fragment:
        raise QrPayloadError("payment link must not carry a fragment ('#…')")
    if not parts.path.startswith(rules.path_prefix):
        raise QrPayloadError(
            f"payment link path {parts.path!r} must start with {rules.path_prefix!r}"
        )
    attempt = parts.path[len(rules.path_prefix) :]
    if not re.fullmatch(rules.attempt_pattern, attempt):
        raise QrPayloadError(
            f"payment link attempt id {attempt!r} does not match {rules.attempt_pattern}"
        )
    return {"url": url, "host": host, "port": port, "attempt": attempt}


def encode_link(
    *,
    url: str | None = None,
    host: str | None = None,
    attempt: str | None = None,
    port: int | None = None,
    rules: LinkRules = DEFAULT_RULES,
) -> str:
    """A payment link: either a whole `url`, or `host` + `attempt` built into one."""
    if url is None:
        if host is None or attempt is None:
            raise QrPayloadError("a payment link needs url, or host and attempt")
        authority = host if port is None else f"{host}:{port}"
        scheme = "https" if "https" in rules.schemes else min(rules.schemes)
        url = f"{scheme}://{authority}{rules.path_prefix}{attempt}"
    fields = decode_link(url, rules)
    for key, given in (("host", host), ("attempt", attempt), ("port", port)):
        if given is not None and fields[key] != given:
            raise QrPayloadError(f"payment link {key} {fields[key]!r} differs from {given!r}")
    return url
