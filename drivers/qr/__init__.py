"""QR payment payloads: decode any scheme Kassa knows, and encode one from its fields."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drivers.qr.emv import encode_emv
from drivers.qr.emv_schemes import decode_emv_payload, encode_paynow, encode_pix, encode_promptpay
from drivers.qr.epc import decode_epc, encode_epc
from drivers.qr.errors import QrPayloadError
from drivers.qr.link import decode_link, encode_link
from drivers.qr.swish import decode_swish, encode_swish

__all__ = ["DecodedQr", "QrPayloadError", "SCHEMES", "decode", "encode"]


@dataclass(frozen=True)
class DecodedQr:
    """A valid payload: its scheme, its fields (JSON-serialisable, money in minor units)."""

    scheme: str
    fields: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Scheme, fields and warnings as one JSON-serialisable dict."""
        return {"scheme": self.scheme, "fields": self.fields, "warnings": self.warnings}


def _encode_emv(*, tree: dict[str, Any]) -> str:
    return encode_emv(tree)


ENCODERS: dict[str, Callable[..., str]] = {
    "pix": encode_pix,
    "promptpay": encode_promptpay,
    "paynow": encode_paynow,
    "emv": _encode_emv,
    "epc": encode_epc,
    "swish": encode_swish,
    "link": encode_link,
}
SCHEMES = tuple(ENCODERS)


def decode(payload: str) -> DecodedQr:
    """Detect the scheme of a scanned payload, validate it, and return its fields."""
    if not isinstance(payload, str):
        raise QrPayloadError(f"payload must be text, not {type(payload).__name__}")
    if payload.startswith("0002"):
        scheme, fields, warnings = decode_emv_payload(payload)
        return DecodedQr(scheme, fields, warnings)
    if payload.startswith("BCD\n") or payload.startswith("BCD\r"):
        return DecodedQr("epc", decode_epc(payload))
    if re.match(r"C[0-9]", payload):
        return DecodedQr("swish", decode_swish(payload))
    if re.match(r"https?://", payload, re.IGNORECASE):
        return DecodedQr("link", decode_link(payload))
    raise QrPayloadError(
        "not a payment QR Kassa knows: expected EMV (000201…), EPC (BCD…), "
        "Swish (C<number>;…) or an https payment link"
    )


def encode(scheme: str, **fields: Any) -> str:
    """Build the payload of `scheme` from its fields; fields given as None are left out."""
    encoder = ENCODERS.get(scheme.lower())
    if encoder is None:
        raise QrPayloadError(f"unknown scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    known = set(inspect.signature(encoder).parameters)
    unknown = sorted(set(fields) - known)
    if unknown:
        raise QrPayloadError(
            f"{scheme} has no field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    given = {k: v for k, v in fields.items() if v is not None}
    missing = sorted(
        name
        for name, p in inspect.signature(encoder).parameters.items()
        if p.default is inspect.Parameter.empty and name not in given
    )
    if missing:
        raise QrPayloadError(f"{scheme} needs field(s) {', '.join(missing)}")
    return encoder(**given)
