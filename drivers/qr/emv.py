"""EMVCo merchant-presented QR: TLV data objects ⇄ a tree, CRC-16, strict validation; no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from drivers.qr.errors import QrPayloadError

MAX_PAYLOAD = 512
# EMVCo mandatory root fields (besides one merchant account information, IDs 02–51).
ROOT_MANDATORY = ("00", "52", "53", "58", "59", "60", "63")

NAMES = {
    "00": "payload format indicator",
    "01": "point of initiation",
    "52": "merchant category code",
    "53": "transaction currency",
    "54": "transaction amount",
    "55": "tip or convenience indicator",
    "56": "fixed convenience fee",
    "57": "percentage convenience fee",
    "58": "country code",
    "59": "merchant name",
    "60": "merchant city",
    "61": "postal code",
    "62": "additional data template",
    "63": "CRC",
    "64": "merchant information language template",
}
ADDITIONAL_NAMES = {
    "01": "bill_number",
    "02": "mobile_number",
    "03": "store_label",
    "04": "loyalty_number",
    "05": "reference_label",
    "06": "customer_label",
    "07": "terminal_label",
    "08": "purpose",
    "09": "consumer_data_request",
}
MAX_LENGTH = {"59": 25, "60": 15, "61": 10, "54": 13, "56": 13, "57": 5}

_DIGITS = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?")
_HEX4 = re.compile(r"[0-9A-F]{4}")

Tree = Mapping[str, "str | Mapping[str, str]"]


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return table


_CRC_TABLE = _crc_table()


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def crc_text(payload_before_crc_value: str) -> str:
    """The 4 uppercase hex digits of field 63 for everything up to and including "6304"."""
    try:
        data = payload_before_crc_value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QrPayloadError(
            f"payload has a character that is not valid text at {exc.start}"
        ) from None
    return f"{crc16(data):04X}"


def name_of(id_: str) -> str:
    """Field ID with its EMVCo name, for messages: "59 (merchant name)"."""
    if id_ in NAMES:
        return f"{id_} ({NAMES[id_]})"
    if "02" <= id_ <= "51":
        return f"{id_} (merchant account information)"
    return id_


def is_template(id_: str) -> bool:
    """Whether a root ID carries nested data objects (26–51, 62, 64, 80–99)."""
    return "26" <= id_ <= "51" or id_ in ("62", "64") or "80" <= id_ <= "99"


@dataclass(frozen=True)
class DataObject:
    """One ID-length-value data object; a template also has its parsed children."""

    id: str
    value: str
    offset: int = 0
    children: tuple[DataObject, ...] = ()

    def child(self, sub_id: str) -> str | None:
        """Value of the sub-object `sub_id` of this template, if present."""
        return next((c.value for c in self.children if c.id == sub_id), None)


@dataclass(frozen=True)
class EmvPayload:
    """A decoded, validated merchant-presented QR payload."""

    text: str
    objects: tuple[DataObject, ...]
    warnings: tuple[str, ...] = ()

    def get(self, id_: str) -> DataObject | None:
        """The root data object `id_`, if present."""
        return next((o for o in self.objects if o.id == id_), None)

    def value(self, id_: str, sub_id: str | None = None) -> str | None:
        """Value of root object `id_` (or of its sub-object `sub_id`), if present."""
        obj = self.get(id_)
        if obj is None or sub_id is None:
            return None if obj is None else obj.value
        return obj.child(sub_id)

    def account(self, gui: str, ids: Iterable[str] | None = None) -> DataObject | None:
        """The merchant account template whose sub-ID 00 is `gui` (case-insensitive)."""
        wanted = set(ids) if ids is not None else None
        for obj in self.objects:
            if wanted is not None and obj.id not in wanted:
                continue
            if obj.children and (obj.child("00") or "").lower() == gui.lower():
                return obj
        return None

    def as_tree(self) -> dict[str, str | dict[str, str]]:
        """The payload as {id: value or {sub_id: value}}, CRC left out; JSON-serialisable."""
        tree: dict[str, str | dict[str, str]] = {}
        for obj in self.objects:
            if obj.id == "63":
                continue
            tree[obj.id] = {c.id: c.value for c in obj.children} if obj.children else obj.value
        return tree


def parse_objects(text: str, base: int = 0, where: str = "payload") -> tuple[DataObject, ...]:
    """Split `text` into data objects, checking every ID and length; `base` offsets messages."""
    objects: list[DataObject] = []
    seen: dict[str, int] = {}
    pos = 0
    while pos < len(text):
        at = base + pos
        if len(text) - pos < 4:
            raise QrPayloadError(
                f"{where}: {len(text) - pos} stray character(s) at offset {at}; a data object "
                "starts with a 2-digit ID and a 2-digit length",
                offset=at,
            )
        id_, length = text[pos : pos + 2], text[pos + 2 : pos + 4]
        if not _DIGITS.fullmatch(id_):
            raise QrPayloadError(f"{where}: ID {id_!r} at offset {at} is not 2 digits", offset=at)
        if not _DIGITS.fullmatch(length) or length == "00":
            raise QrPayloadError(
                f"{where}: field {id_} at offset {at} has length {length!r}; expected 01–99",
                field=id_,
                offset=at,
            )
        end = pos + 4 + int(length)
        if end > len(text):
            raise QrPayloadError(
                f"{where}: field {id_} at offset {at} declares length {length} but only "
                f"{len(text) - pos - 4} character(s) follow",
                field=id_,
                offset=at,
            )
        if id_ in seen:
            raise QrPayloadError(
                f"{where}: field {id_} appears twice (offsets {seen[id_]} and {at})",
                field=id_,
                offset=at,
            )
        seen[id_] = at
        objects.append(DataObject(id_, text[pos + 4 : end], at))
        pos = end
    return tuple(objects)


def _with_children(obj: DataObject) -> DataObject:
    if not is_template(obj.id):
        return obj
    where = f"template {obj.id} at offset {obj.offset}"
    children = parse_objects(obj.value, obj.offset + 4, where)
    return DataObject(obj.id, obj.value, obj.offset, children)


def parse_emv(payload: str, *, mandatory: Iterable[str] = ROOT_MANDATORY) -> EmvPayload:
    """Decode and validate a payload: TLV structure first, then the CRC, then field rules."""
    if len(payload) > MAX_PAYLOAD:
        raise QrPayloadError(f"payload is {len(payload)} characters; at most {MAX_PAYLOAD}")
    objects = tuple(_with_children(o) for o in parse_objects(payload))
    warnings = _check_frame(objects)
    _check_crc(payload)
    _check_fields(objects, tuple(mandatory))
    return EmvPayload(payload, objects, tuple(warnings))


def _check_frame(objects: tuple[DataObject, ...]) -> list[str]:
    if not objects or objects[0].id != "00":
        raise QrPayloadError("field 00 (payload format indicator) must come first", field="00")
    warnings = []
    if objects[0].value == "02":
        warnings.append('payload format indicator is "02"; EMVCo defines only "01"')
    elif objects[0].value != "01":
        raise QrPayloadError(
            f'payload format indicator is {objects[0].value!r}; expected "01"', field="00"
        )
    last = objects[-1]
    if last.id != "63":
        missing = all(o.id != "63" for o in objects)
        raise QrPayloadError(
            "missing mandatory field 63 (CRC)" if missing else "field 63 (CRC) must come last",
            field="63",
        )
    if len(last.value) != 4:
        raise QrPayloadError(
            f"field 63 (CRC) has length {len(last.value)}; expected 04", field="63"
        )
    return warnings


def _check_crc(payload: str) -> None:
    found = payload[-4:]
    if not _HEX4.fullmatch(found):
        raise QrPayloadError(
            f"CRC {found!r} is not 4 uppercase hex digits", field="63", offset=len(payload) - 4
        )
    expected = crc_text(payload[:-4])
    if found != expected:
        raise QrPayloadError(
            f"bad CRC: expected {expected}, found {found}", field="63", offset=len(payload) - 4
        )


def _check_fields(objects: tuple[DataObject, ...], mandatory: tuple[str, ...]) -> None:
    by_id = {o.id: o for o in objects}
    for id_ in mandatory:
        if id_ not in by_id:
            raise QrPayloadError(f"missing mandatory field {name_of(id_)}", field=id_)
    if not any("02" <= id_ <= "51" for id_ in by_id):
        raise QrPayloadError("missing merchant account information (an ID from 02 to 51)")
    for obj in objects:
        _check_value(obj, by_id)


def _not_allowed(obj: DataObject, why: str) -> QrPayloadError:
    return QrPayloadError(
        f"field {name_of(obj.id)} at offset {obj.offset}: value {obj.value!r} {why}",
        field=obj.id,
        offset=obj.offset,
    )


def _check_value(obj: DataObject, by_id: Mapping[str, DataObject]) -> None:
    id_, value = obj.id, obj.value
    if id_ in MAX_LENGTH and len(value) > MAX_LENGTH[id_]:
        raise _not_allowed(obj, f"is longer than {MAX_LENGTH[id_]} characters")
    if id_ == "01" and value not in ("11", "12"):
        raise _not_allowed(obj, 'is not allowed; expected "11" (static) or "12" (dynamic)')
    if id_ == "52" and not (len(value) == 4 and _DIGITS.fullmatch(value)):
        raise _not_allowed(obj, "is not 4 digits")
    if id_ == "53" and not (len(value) == 3 and _DIGITS.fullmatch(value)):
        raise _not_allowed(obj, "is not an ISO 4217 numeric code (3 digits)")
    if id_ in ("54", "56", "57") and not _AMOUNT.fullmatch(value):
        raise _not_allowed(obj, 'is not digits with at most one "."')
    if id_ == "55":
        needs = {"01": None, "02": "56", "03": "57"}
        if value not in needs:
            raise _not_allowed(obj, 'is not allowed; expected "01", "02" or "03"')
        if needs[value] and needs[value] not in by_id:
            raise QrPayloadError(f"missing field {needs[value]} required by tip indicator {value}")
    if id_ == "58" and not re.fullmatch(r"[A-Z]{2}", value):
        raise _not_allowed(obj, "is not an ISO 3166 alpha-2 country code")
    if ("26" <= id_ <= "51" or "80" <= id_ <= "99") and obj.child("00") is None:
        raise QrPayloadError(
            f"template {id_} at offset {obj.offset} has no globally unique identifier (sub-ID 00)",
            field=id_,
            offset=obj.offset,
        )
    if id_ == "62":
        for child in obj.children:
            if "01" <= child.id <= "08" and len(child.value) > 25:
                raise _not_allowed(child, "(in template 62) is longer than 25 characters")
    if id_ == "64":
        for sub in ("00", "01"):
            if obj.child(sub) is None:
                raise QrPayloadError(f"template 64 has no sub-ID {sub}", field="64")


def _tlv(id_: str, value: str) -> str:
    if not (len(id_) == 2 and _DIGITS.fullmatch(id_)):
        raise QrPayloadError(f"ID {id_!r} is not 2 digits")
    if not 1 <= len(value) <= 99:
        raise QrPayloadError(
            f"field {name_of(id_)} would be {len(value)} characters; it must hold 1–99",
            field=id_,
        )
    return f"{id_}{len(value):02d}{value}"


def encode_emv(tree: Tree, *, mandatory: Iterable[str] = ROOT_MANDATORY) -> str:
    """Encode {id: value or {sub_id: value}} in order, append the CRC, and validate the result."""
    parts = []
    for id_, value in tree.items():
        if id_ == "63":
            raise QrPayloadError("field 63 (CRC) is computed by the encoder; leave it out")
        if isinstance(value, Mapping):
            value = "".join(_tlv(sub, v) for sub, v in value.items())
        parts.append(_tlv(id_, value))
    body = "".join(parts) + "6304"
    payload = body + crc_text(body)
    parse_emv(payload, mandatory=mandatory)
    return payload
