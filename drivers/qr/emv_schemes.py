"""Pix, PromptPay and PayNow: EMV profiles that build and check their merchant account template."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from drivers.qr.emv import ADDITIONAL_NAMES, ROOT_MANDATORY, EmvPayload, encode_emv, parse_emv
from drivers.qr.errors import QrPayloadError
from drivers.qr.money import currency_of, format_decimal, numeric_of, parse_decimal

PIX_GUI = "br.gov.bcb.pix"
PROMPTPAY_AID = "A000000677010111"
PAYNOW_GUI = "SG.PAYNOW"

# PromptPay codes made by Thai banking apps often leave out 52, 59 and 60 (seen in the wild,
# not checked against the Bank of Thailand spec): decode them without those fields.
PROMPTPAY_MANDATORY = ("00", "53", "58", "63")
# Lengths of the PromptPay national id / tax id and e-wallet id: unverified, common practice.
PROMPTPAY_NATIONAL_ID_DIGITS = 13
PROMPTPAY_EWALLET_DIGITS = 15
# PayNow proxy types as used by published generators (unverified against the MAS/ABS spec).
PAYNOW_PROXY_TYPES = {"mobile": "0", "uen": "2"}

INITIATION = {"11": "static", "12": "dynamic"}
INITIATION_CODES = {name: code for code, name in INITIATION.items()}


def common_fields(emv: EmvPayload) -> tuple[dict[str, Any], list[str]]:
    """The root fields every EMV payload shares, money as minor units; plus warnings."""
    warnings = list(emv.warnings)
    numeric = emv.value("53") or ""
    currency, decimals, known = currency_of(numeric)
    amount_text = emv.value("54")
    if amount_text is not None and not known:
        warnings.append(f"currency {numeric} is not known; amount read with {decimals} decimals")
    initiation = emv.value("01")
    additional = emv.get("62")
    fields: dict[str, Any] = {
        "initiation": INITIATION.get(initiation or ""),
        "mcc": emv.value("52"),
        "amount": None if amount_text is None else parse_decimal(amount_text, decimals),
        "currency": currency or None,
        "country": emv.value("58"),
        "merchant_name": emv.value("59"),
        "city": emv.value("60"),
        "postal_code": emv.value("61"),
    }
    if additional is not None:
        fields["additional"] = {
            ADDITIONAL_NAMES.get(c.id, c.id): c.value for c in additional.children
        }
    return fields, warnings


def _root(
    *,
    account_id: str,
    account: dict[str, str],
    mcc: str | None,
    currency: str,
    amount: int | None,
    country: str,
    merchant_name: str | None,
    city: str | None,
    postal_code: str | None = None,
    initiation: str | None = None,
    additional: dict[str, str] | None = None,
) -> dict[str, Any]:
    numeric = numeric_of(currency)
    _, decimals, _ = currency_of(numeric)
    tree: dict[str, Any] = {"00": "01"}
    if initiation is not None:
        if initiation not in INITIATION_CODES:
            raise QrPayloadError(f"initiation {initiation!r} must be 'static' or 'dynamic'")
        tree["01"] = INITIATION_CODES[initiation]
    tree[account_id] = account
    optional = {"52": mcc, "53": numeric, "54": None, "58": country}
    if amount is not None:
        if amount < 1:
            raise QrPayloadError(f"amount {amount} must be at least 1 minor unit")
        optional["54"] = format_decimal(amount, decimals)
    optional.update({"59": merchant_name, "60": city, "61": postal_code})
    _limit("merchant_name", merchant_name, 25)
    _limit("city", city, 15)
    _limit("postal_code", postal_code, 10)
    tree.update({k: v for k, v in optional.items() if v is not None})
    if additional:
        tree["62"] = additional
    return tree


def _limit(name: str, value: str | None, maximum: int) -> None:
    if value is not None and len(value) > maximum:
        raise QrPayloadError(f"{name} is {len(value)} characters; at most {maximum} fit")
    if value == "":
        raise QrPayloadError(f"{name} must not be empty; leave it out instead")


def _expect(emv: EmvPayload, id_: str, wanted: str, scheme: str) -> None:
    found = emv.value(id_)
    if found is not None and found != wanted:
        raise QrPayloadError(f"{scheme} needs field {id_} = {wanted!r}, found {found!r}")


# Pix ----------------------------------------------------------------------------------------


def decode_pix(emv: EmvPayload) -> tuple[dict[str, Any], list[str]]:
    """Fields of a Pix payload (template 26, GUI br.gov.bcb.pix)."""
    account = emv.account(PIX_GUI, ["26"])
    if account is None:
        raise QrPayloadError("not a Pix payload: no template 26 with GUI br.gov.bcb.pix")
    _expect(emv, "53", "986", "Pix")
    _expect(emv, "58", "BR", "Pix")
    key, url = account.child("01"), account.child("25")
    if key is None and url is None:
        raise QrPayloadError("Pix template 26 has neither a key (01) nor a dynamic URL (25)")
    fields, warnings = common_fields(emv)
    additional = fields.pop("additional", {})
    fields.update(
        key=key,
        description=account.child("02"),
        url=url,
        txid=additional.get("reference_label"),
    )
    return fields, warnings


def encode_pix(
    *,
    merchant_name: str,
    city: str,
    key: str | None = None,
    url: str | None = None,
    description: str | None = None,
    amount: int | None = None,
    txid: str | None = "***",
    postal_code: str | None = None,
    initiation: str | None = None,
    mcc: str | None = "0000",
    currency: str | None = "BRL",
    country: str | None = "BR",
) -> str:
    """A Pix payload: static with `key`, dynamic with `url` (without the https:// scheme)."""
    if (key is None) == (url is None):
        raise QrPayloadError("Pix needs exactly one of key (static) or url (dynamic)")
    if url is not None and re.match(r"[a-z]+://", url, re.IGNORECASE):
        raise QrPayloadError("Pix url is written without its scheme: drop the 'https://'")
    if numeric_of(currency or "BRL") != "986" or (country or "BR") != "BR":
        raise QrPayloadError("Pix carries BRL (986) in country BR only")
    account = {"00": PIX_GUI}
    for sub, value in (("01", key), ("02", description), ("25", url)):
        if value is not None:
            account[sub] = value
    if txid is not None and not (txid == "***" or re.fullmatch(r"[A-Za-z0-9]{1,25}", txid)):
        raise QrPayloadError(f"Pix txid {txid!r} must be 1–25 letters/digits or '***'")
    tree = _root(
        account_id="26",
        account=account,
        mcc=mcc,
        currency="986",
        amount=amount,
        country="BR",
        merchant_name=merchant_name,
        city=city,
        postal_code=postal_code,
        initiation=initiation,
        additional=None if txid is None else {"05": txid},
    )
    return encode_emv(tree)


# PromptPay ----------------------------------------------------------------------------------


def promptpay_phone(phone: str) -> str:
    """A Thai mobile number as PromptPay carries it: "0066" + the number without its 0."""
    digits = re.sub(r"[\s\-().]", "", phone).removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        raise QrPayloadError(f"PromptPay phone {phone!r} must be digits")
    if len(digits) == 13 and digits.startswith("0066"):
        return digits
    if len(digits) == 11 and digits.startswith("66"):
        return "00" + digits
    if len(digits) == 10 and digits.startswith("0"):
        return "0066" + digits[1:]
    raise QrPayloadError(f"PromptPay phone {phone!r} is not a Thai mobile number like 0812345678")


def decode_promptpay(emv: EmvPayload) -> tuple[dict[str, Any], list[str]]:
    """Fields of a PromptPay payload (template 29, AID A000000677010111)."""
    account = emv.account(PROMPTPAY_AID, ["29"])
    if account is None:
        raise QrPayloadError("not a PromptPay payload: no template 29 with AID " + PROMPTPAY_AID)
    _expect(emv, "53", "764", "PromptPay")
    _expect(emv, "58", "TH", "PromptPay")
    targets = {sub: account.child(sub) for sub in ("01", "02", "03")}
    present = [sub for sub, v in targets.items() if v is not None]
    if len(present) != 1:
        raise QrPayloadError(
            "PromptPay template 29 needs exactly one of phone (01), national id (02), "
            f"e-wallet (03); found {len(present)}"
        )
    phone = targets["01"]
    if phone is not None:
        if not re.fullmatch(r"0066[0-9]{9}", phone):
            raise QrPayloadError(f"PromptPay phone {phone!r} is not 0066 + 9 digits")
        phone = "0" + phone[4:]
    _digits("national_id", targets["02"], PROMPTPAY_NATIONAL_ID_DIGITS)
    _digits("ewallet", targets["03"], PROMPTPAY_EWALLET_DIGITS)
    fields, warnings = common_fields(emv)
    fields.update(phone=phone, national_id=targets["02"], ewallet=targets["03"])
    return fields, warnings


def _digits(name: str, value: str | None, count: int) -> None:
    if value is not None and not re.fullmatch(f"[0-9]{{{count}}}", value):
        raise QrPayloadError(f"PromptPay {name} {value!r} must be {count} digits")


def encode_promptpay(
    *,
    phone: str | None = None,
    national_id: str | None = None,
    ewallet: str | None = None,
    amount: int | None = None,
    merchant_name: str | None = None,
    city: str | None = None,
    mcc: str | None = None,
    initiation: str | None = None,
    currency: str | None = "THB",
    country: str | None = "TH",
    postal_code: str | None = None,
) -> str:
    """A PromptPay payload; dynamic ("12") when it carries an amount, unless told otherwise."""
    given = [v for v in (phone, national_id, ewallet) if v is not None]
    if len(given) != 1:
        raise QrPayloadError("PromptPay needs exactly one of phone, national_id or ewallet")
    if numeric_of(currency or "THB") != "764" or (country or "TH") != "TH":
        raise QrPayloadError("PromptPay carries THB (764) in country TH only")
    _digits("national_id", national_id, PROMPTPAY_NATIONAL_ID_DIGITS)
    _digits("ewallet", ewallet, PROMPTPAY_EWALLET_DIGITS)
    account = {"00": PROMPTPAY_AID}
    if phone is not None:
        account["01"] = promptpay_phone(phone)
    elif national_id is not None:
        account["02"] = national_id
    else:
        account["03"] = str(ewallet)
    tree = _root(
        account_id="29",
        account=account,
        mcc=mcc,
        currency="764",
        amount=amount,
        country="TH",
        merchant_name=merchant_name,
        city=city,
        postal_code=postal_code,
        initiation=initiation or ("dynamic" if amount is not None else "static"),
    )
    return encode_emv(tree, mandatory=PROMPTPAY_MANDATORY)


# PayNow -------------------------------------------------------------------------------------


def _expiry(value: str) -> str:
    try:
        dt.datetime.strptime(value, "%Y%m%d")
    except ValueError:
        raise QrPayloadError(f"PayNow expiry {value!r} is not a date YYYYMMDD") from None
    if not re.fullmatch(r"[0-9]{8}", value):
        raise QrPayloadError(f"PayNow expiry {value!r} is not a date YYYYMMDD")
    return value


def decode_paynow(emv: EmvPayload) -> tuple[dict[str, Any], list[str]]:
    """Fields of a PayNow payload (template 26, GUI SG.PAYNOW)."""
    account = emv.account(PAYNOW_GUI, ["26"])
    if account is None:
        raise QrPayloadError("not a PayNow payload: no template 26 with GUI SG.PAYNOW")
    _expect(emv, "53", "702", "PayNow")
    types = {code: name for name, code in PAYNOW_PROXY_TYPES.items()}
    proxy_type, proxy = account.child("01"), account.child("02")
    if proxy_type is None or proxy is None:
        raise QrPayloadError("PayNow template 26 needs a proxy type (01) and a proxy (02)")
    if proxy_type not in types:
        raise QrPayloadError(f"PayNow proxy type {proxy_type!r} is not one of {sorted(types)}")
    editable = account.child("03")
    if editable not in (None, "0", "1"):
        raise QrPayloadError(f"PayNow editable flag (03) {editable!r} must be '0' or '1'")
    expiry = account.child("04")
    fields, warnings = common_fields(emv)
    additional = fields.pop("additional", {})
    fields.update(
        proxy_type=types[proxy_type],
        proxy=proxy,
        editable=editable == "1",
        expiry=None if expiry is None else _expiry(expiry),
        reference=additional.get("bill_number"),
    )
    return fields, warnings


def encode_paynow(
    *,
    proxy: str,
    merchant_name: str,
    proxy_type: str = "mobile",
    amount: int | None = None,
    editable: bool = False,
    expiry: str | None = None,
    reference: str | None = None,
    city: str | None = "Singapore",
    mcc: str | None = "0000",
    initiation: str | None = None,
    currency: str | None = "SGD",
    country: str | None = "SG",
    postal_code: str | None = None,
) -> str:
    """A PayNow payload to a mobile number ("+6591234567") or a UEN."""
    if proxy_type not in PAYNOW_PROXY_TYPES:
        raise QrPayloadError(f"PayNow proxy_type {proxy_type!r} is not one of mobile, uen")
    if proxy_type == "mobile" and not re.fullmatch(r"\+[0-9]{8,15}", proxy):
        raise QrPayloadError(f"PayNow mobile proxy {proxy!r} must look like +6591234567")
    if proxy_type == "uen" and not re.fullmatch(r"[0-9A-Z]{9,10}", proxy):
        raise QrPayloadError(f"PayNow UEN {proxy!r} must be 9–10 letters/digits")
    if numeric_of(currency or "SGD") != "702":
        raise QrPayloadError("PayNow carries SGD (702) only")
    account = {"00": PAYNOW_GUI, "01": PAYNOW_PROXY_TYPES[proxy_type], "02": proxy}
    account["03"] = "1" if editable else "0"
    if expiry is not None:
        account["04"] = _expiry(expiry)
    if reference is not None and not 1 <= len(reference) <= 25:
        raise QrPayloadError("PayNow reference must be 1–25 characters")
    tree = _root(
        account_id="26",
        account=account,
        mcc=mcc,
        currency="702",
        amount=amount,
        country=country or "SG",
        merchant_name=merchant_name,
        city=city,
        postal_code=postal_code,
        initiation=initiation,
        additional=None if reference is None else {"01": reference},
    )
    return encode_emv(tree)


def decode_generic(emv: EmvPayload) -> tuple[dict[str, Any], list[str]]:
    """Fields of an EMV payload of no profile known here: the common fields and the tree."""
    fields, warnings = common_fields(emv)
    fields["tree"] = emv.as_tree()
    return fields, warnings


PROFILES = (
    ("pix", PIX_GUI, "26", ROOT_MANDATORY, decode_pix),
    ("promptpay", PROMPTPAY_AID, "29", PROMPTPAY_MANDATORY, decode_promptpay),
    ("paynow", PAYNOW_GUI, "26", ROOT_MANDATORY, decode_paynow),
)


def decode_emv_payload(payload: str) -> tuple[str, dict[str, Any], list[str]]:
    """Validate an EMV payload and return (scheme, fields, warnings) by its account template."""
    loose = parse_emv(payload, mandatory=("00", "63"))
    for scheme, gui, account_id, mandatory, decode in PROFILES:
        if loose.account(gui, [account_id]) is not None:
            fields, warnings = decode(parse_emv(payload, mandatory=mandatory))
            return scheme, fields, warnings
    fields, warnings = decode_generic(parse_emv(payload))
    return "emv", fields, warnings
