"""Finding the store's members at the till: by name, phone number or member number."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Till, login

MEMBERS = [
    {"member_no": "1001", "name": "Åsa Öberg", "phone": "070-123 45 67",
     "email": "asa@example.se", "postal_code": "118 20"},
    {"member_no": "1002", "name": "Erik Andersson-Lind", "phone": "+46 73 555 12 12"},
    {"member_no": "2001", "name": "Märta Lindqvist", "phone": "08-123 456 78"},
    {"member_no": "2002", "name": "Oskar Osbeck"},
]


@pytest.fixture
def members(cashier: Till) -> Till:
    for member in MEMBERS:
        cashier.post("/customers", member, expect=201)
    return cashier


def names(till: Till, q: str, **params: Any) -> list[str]:
    return [c["name"] for c in till.get("/customers", params={"q": q, **params})]


def test_members_are_found_by_the_start_of_any_word_of_their_name(members: Till) -> None:
    assert names(members, "åsa") == ["Åsa Öberg"]
    assert names(members, "öbe") == ["Åsa Öberg"]
    assert names(members, "lind") == ["Erik Andersson-Lind", "Märta Lindqvist"]
    assert names(members, "erik and") == ["Erik Andersson-Lind"]
    assert names(members, "MÄRTA") == ["Märta Lindqvist"]
    assert names(members, "ndqvist") == []  # the middle of a word is not a word


def test_å_ä_ö_are_letters_of_their_own(members: Till) -> None:
    assert names(members, "ö") == ["Åsa Öberg"]
    assert names(members, "o") == ["Oskar Osbeck"]


def test_members_are_found_by_phone_digits_however_written(members: Till) -> None:
    assert names(members, "0701234567") == ["Åsa Öberg"]
    assert names(members, "070 123") == ["Åsa Öberg"]
    assert names(members, "+46 70 123 45 67") == ["Åsa Öberg"]
    assert names(members, "073555") == ["Erik Andersson-Lind"]


def test_members_are_found_by_member_number(members: Till) -> None:
    assert names(members, "1002") == ["Erik Andersson-Lind"]
    assert names(members, "20") == ["Märta Lindqvist", "Oskar Osbeck"]


def test_results_are_in_name_order_and_limited(members: Till) -> None:
    for n in range(60):
        members.post("/customers", {"member_no": f"9{n:03d}", "name": f"Lisa Nilsson {n}"},
                     expect=201)
    found = names(members, "nilsson")
    assert len(found) == 50 and found == sorted(found)
    assert len(names(members, "nilsson", limit=5)) == 5


@pytest.mark.parametrize("q", ['"', "*", "AND", "(", "a OR b", "NEAR(a b)", "'; --", "^x",
                               "åsa*", '"åsa', "-", "a:b", "{x}"])
def test_search_syntax_in_the_query_is_just_text(members: Till, q: str) -> None:
    members.get("/customers", params={"q": q})


def test_bad_input_is_refused_with_a_message(members: Till) -> None:
    members.get("/customers", params={"q": ""}, expect=422)
    members.get("/customers", params={"q": "   "}, expect=422)
    members.get("/customers", params={"q": "x" * 81}, expect=422)
    members.get("/customers", params={"q": "åsa", "limit": 51}, expect=422)
    members.get("/customers", expect=422)
    members.post("/customers", {"member_no": "1001", "name": "Dubbel"}, expect=409)
    members.post("/customers", {"member_no": "", "name": "X"}, expect=422)
    members.post("/customers", {"member_no": "3001", "name": "X", "phone": "ring mig"},
                 expect=422)
    members.post("/customers", {"member_no": "3001", "name": "X", "email": "inte-en-adress"},
                 expect=422)


def test_only_logged_in_staff_see_members(client: TestClient, members: Till) -> None:
    assert client.get("/api/v1/customers", params={"q": "åsa"}).status_code == 401
    manager = login(client, "maria")
    assert [c["member_no"] for c in manager.get("/customers", params={"q": "åsa"})] == ["1001"]
