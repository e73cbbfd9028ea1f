"""The rule that flags a cashier, its Swedish sentence, and money as the charts write it."""

from __future__ import annotations

from hub.services.analytics import Verdict, flag_message, unusual_rate
from hub.services.dashboard import kr


def test_one_refund_never_flags_anyone() -> None:
    assert unusual_rate(1, 2, [(40, 0), (50, 0)]) is None  # 50 per 100, but only one
    assert unusual_rate(2, 10, [(40, 0)]) is None


def test_many_refunds_against_a_quiet_store_are_flagged() -> None:
    verdict = unusual_rate(6, 40, [(50, 1), (30, 1), (45, 2)])  # others: 2, 3,3, 4,4 per 100
    assert verdict is not None
    assert verdict.rate == 15.0 and round(verdict.median, 2) == 3.33


def test_three_times_the_median_is_not_enough_more_is() -> None:
    others = [(100, 2), (100, 2), (100, 2)]  # median 2 per 100
    assert unusual_rate(6, 100, others) is None  # exactly 3×
    assert unusual_rate(7, 100, others) is not None


def test_a_median_of_nothing_counts_as_one_per_hundred() -> None:
    others = [(100, 0), (80, 0)]
    assert unusual_rate(3, 100, others) is None  # 3 per 100: not above 3 × 1
    assert unusual_rate(4, 100, others) == Verdict(4.0, 0.0)


def test_cashiers_with_few_sales_do_not_set_the_median() -> None:
    # The two with 2 sales each would make the median 50; with 5+ sales only, it is 1.
    assert unusual_rate(5, 50, [(2, 1), (2, 1), (50, 0), (60, 1)]) is not None


def test_nobody_to_compare_with_falls_back_to_the_floor() -> None:
    assert unusual_rate(3, 60, []) is not None  # 5 per 100 > 3 × 1
    assert unusual_rate(3, 200, []) is None


def test_events_without_any_sales() -> None:
    assert unusual_rate(3, 0, [(40, 1)]) == Verdict(None, 2.5)
    assert unusual_rate(2, 0, [(40, 1)]) is None


def test_the_sentence_a_manager_reads() -> None:
    assert flag_message("Erik", "refunds", 6, 40, Verdict(15.0, 100 * 3 / 70)) == (
        "Erik: 6 returer på 40 köp – 3,5 gånger butikens mittvärde (4,3 per 100 köp).")
    assert flag_message("Sara", "no_sales", 4, 100, Verdict(4.0, 0.0)) == (
        "Sara: 4 lådöppningar utan köp på 100 köp (4 per 100 köp) – butikens mittvärde är 0.")
    assert flag_message("Ali", "voids", 3, 0, Verdict(None, 1.0)) == (
        "Ali: 3 makulerade rader utan ett enda eget köp.")


def test_money_in_kronor() -> None:
    assert kr(123450) == "1 234,50 kr"
    assert kr(5) == "0,05 kr"
    assert kr(-123456789) == "-1 234 567,89 kr"
    assert kr(1000, "JPY") == "1 000 JPY"
    assert kr(1234567, "KWD") == "1 234,567 KWD"
