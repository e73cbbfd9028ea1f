"""reconcile_card_totals on its own: what is compared, what is flagged, in which words."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from drivers.card import BrandTotals, TerminalTotals
from hub.services.reconcile import brand_group, reconcile_card_totals

UNTIL = datetime(2026, 1, 1, 18, tzinfo=UTC)


def _reconcile(client: TestClient, totals: TerminalTotals) -> dict[str, object]:
    with client.app.state.db.read() as session:  # type: ignore[attr-defined]
        result = reconcile_card_totals(session, "1", totals, None, UNTIL, currency="SEK")
    return result.model_dump()


def test_an_empty_day_on_both_sides_matches(client: TestClient) -> None:
    day = _reconcile(client, TerminalTotals("1", "SEK", 0, 0))
    assert (day["flagged"], day["problems"], day["brands"]) == (False, [], [])


def test_debits_credits_and_currency_are_compared_where_the_terminal_gives_them(
        client: TestClient) -> None:
    totals = TerminalTotals("1", "EUR", None, 1000, (BrandTotals("VISA", 2, 1000),),
                            debit_count=2, debit_minor=1500, credit_count=1, credit_minor=500)
    day = _reconcile(client, totals)
    codes = [p["code"] for p in day["problems"]]  # type: ignore[attr-defined]
    assert codes == ["currency", "amount", "debits", "credits", "terminal_has_more", "brand"]
    assert day["count_difference"] is None  # the terminal gave no count: nothing to compare
    assert day["brands"] == [{"brand": "Visa", "hub_count": 0, "hub_amount": 0,
                              "terminal_count": 2, "terminal_amount": 1000,
                              "count_difference": 2, "amount_difference": 1000}]
    sv = day["problems"][1]["sv"]  # type: ignore[index]
    assert sv.startswith("Terminalens summa 10,00 SEK skiljer sig")


def test_card_names_fall_in_the_terminals_card_groups() -> None:
    assert [brand_group(b) for b in ("VISA", "Eurocard", "American Express", "girocard", None,
                                     "Swish")] == ["Visa", "Mastercard", "Amex", "girocard",
                                                   "other", "other"]
