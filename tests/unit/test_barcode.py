"""Barcode validation and Swedish in-store codes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.barcode import BarcodeError, check_digit, parse_scan, with_check_digit


@pytest.mark.parametrize("code", ["4006381333931", "73513537", "036000291452", "7310865004703"])
def test_real_world_codes_validate(code: str) -> None:
    assert parse_scan(code).kind == "gtin"


def test_upc_a_is_normalised_to_ean13() -> None:
    assert parse_scan("036000291452").gtin == "0036000291452"


@pytest.mark.parametrize("code, problem", [
    ("4006381333932", "check digit"), ("40063813339", "11 digits"), ("12ab5678", "only digits"),
    ("", "only digits"), ("٤٠٠٦٣٨١٣٣٣٩٣١", "only digits"),
])
def test_bad_codes_are_refused_with_a_reason(code: str, problem: str) -> None:
    with pytest.raises(BarcodeError, match=problem):
        parse_scan(code)


def test_swedish_price_and_weight_codes() -> None:
    price = parse_scan(with_check_digit("200020106900"))
    lookup = with_check_digit("200020100000")
    assert (price.kind, price.value, price.gtin) == ("price", 6900, lookup)
    weight = parse_scan(with_check_digit("230010100734"))
    assert (weight.kind, weight.value) == ("weight", 734)


@given(st.sampled_from([7, 11, 12]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)))
def test_any_body_with_its_check_digit_parses_and_one_wrong_digit_fails(body: str) -> None:
    code = with_check_digit(body)
    parse_scan(code)
    wrong = code[:-1] + str((check_digit(body) + 1) % 10)
    with pytest.raises(BarcodeError):
        parse_scan(wrong)


@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    with contextlib.suppress(BarcodeError):
        parse_scan(text)
