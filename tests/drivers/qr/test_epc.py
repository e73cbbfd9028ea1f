"""EPC QR (SEPA credit transfer): exact payloads, validation messages, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given

from drivers.qr import QrPayloadError, decode, encode
from drivers.qr.epc import valid_creditor_reference, valid_iban
from tests.drivers.qr.strategies import epc_fields

# The sample of EPC069-12 (version 001, BIC mandatory), amount "EUR1".
RED_CROSS = (
    "BCD\n001\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1\nCHAR\n\n"
    "Urgency fund\nSample EPC QR code"
)


def test_epc_sample_decodes_field_by_field() -> None:
    decoded = decode(RED_CROSS)
    assert decoded.scheme == "epc"
    assert decoded.fields == {
        "version": "001",
        "charset": 1,
        "bic": "BPOTBEB1",
        "name": "Red Cross of Belgium",
        "iban": "BE72000000001616",
        "amount": 100,
        "currency": "EUR",
        "purpose": "CHAR",
        "reference": None,
        "remittance": "Urgency fund",
        "info": "Sample EPC QR code",
    }


def test_epc_sample_encodes_back_identically() -> None:
    assert encode("epc", **decode(RED_CROSS).fields) == RED_CROSS


def test_version_002_without_bic_and_nothing_after_the_last_field() -> None:
    payload = encode(
        "epc", name="Kassa AB", iban="de89 3704 0044 0532 0130 00", amount=1230, remittance="Inv 7"
    )
    assert payload == "BCD\n002\n1\nSCT\n\nKassa AB\nDE89370400440532013000\nEUR12.3\n\n\nInv 7"
    assert decode(payload).fields["amount"] == 1230


def test_structured_reference() -> None:
    payload = encode("epc", name="A", iban="DE89370400440532013000", reference="RF18539007547034")
    assert payload.endswith("\n\n\nRF18539007547034")
    assert decode(payload).fields["reference"] == "RF18539007547034"


def test_trailing_empty_lines_are_allowed_on_decode() -> None:
    assert decode(RED_CROSS + "\n\n").fields == decode(RED_CROSS).fields


def test_amount_text_forms() -> None:
    base = "BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000\n"
    assert decode(base + "EUR12.34").fields["amount"] == 1234
    assert decode(base + "EUR999999999.99").fields["amount"] == 99_999_999_999
    assert decode(base + "EUR0.01").fields["amount"] == 1
    assert decode(base).fields["amount"] is None


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (RED_CROSS.replace("EUR1\n", "EUR1.234\n"), "more than 2 decimal"),
        (RED_CROSS.replace("EUR1\n", "EUR0\n"), "outside EUR0.01"),
        (RED_CROSS.replace("EUR1\n", "EUR1000000000\n"), "outside EUR0.01"),
        (RED_CROSS.replace("EUR1\n", "SEK1\n"), "must be EUR"),
        (RED_CROSS.replace("EUR1\n", "EUR1,50\n"), "not a decimal number"),
        (RED_CROSS.replace("1616", "1617"), "mod-97"),
        (RED_CROSS.replace("001\n", "003\n", 1), "version '003'"),
        (RED_CROSS.replace("BPOTBEB1", ""), "version 001 needs a BIC"),
        (RED_CROSS.replace("BPOTBEB1", "BPOT"), "BIC 'BPOT'"),
        (RED_CROSS.replace("SCT", "INST"), "must be SCT"),
        (RED_CROSS.replace("\n\nUrgency", "\nRF18539007547034\nUrgency"), "never both"),
        (RED_CROSS.replace("\n\nUrgency fund", "\nRF00539007547034\n"), "RF creditor reference"),
        (RED_CROSS.replace("Red Cross of Belgium", "x" * 71), "name is 71 characters"),
        (RED_CROSS.replace("Red Cross of Belgium", ""), "missing mandatory field name"),
        (RED_CROSS.replace("\n", "\r\n"), "LF alone"),
        ("BCD\n002\n1\nSCT\n\nA", "at least 7"),
        (RED_CROSS + "\nextra", "at most 12"),
        (RED_CROSS.replace("Urgency fund", "é" * 140) + "é" * 30, "at most 331"),
    ],
)
def test_bad_epc_payloads_say_what_is_wrong(payload: str, message: str) -> None:
    with pytest.raises(QrPayloadError, match=message):
        decode(payload)


def test_encode_refuses_what_epc_cannot_carry() -> None:
    iban = "DE89370400440532013000"
    with pytest.raises(QrPayloadError, match="EUR only"):
        encode("epc", name="A", iban=iban, amount=100, currency="SEK")
    with pytest.raises(QrPayloadError, match="outside"):
        encode("epc", name="A", iban=iban, amount=0)
    with pytest.raises(QrPayloadError, match="single line"):
        encode("epc", name="A\nB", iban=iban)


def test_checksums() -> None:
    assert valid_iban("GB82WEST12345698765432")
    assert not valid_iban("GB82WEST12345698765433")
    assert valid_creditor_reference("RF18539007547034")
    assert not valid_creditor_reference("RF19539007547034")


@given(epc_fields)
def test_epc_round_trip(fields: dict) -> None:
    try:
        payload = encode("epc", **fields)
    except QrPayloadError as exc:  # long multi-byte texts can exceed the byte budget
        assert "at most 331" in str(exc)
        return
    assert len(payload.encode()) <= 331
    decoded = decode(payload)
    assert decoded.scheme == "epc"
    assert {k: decoded.fields[k] for k in fields} == fields
