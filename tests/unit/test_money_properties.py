"""Property tests for money, tax and rounding."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.models import Sale, SaleLine
from hub.money import allocate, div_half_up, round_cash, vat_included
from hub.services.cart import recompute, to_public

RATES = st.sampled_from([2500, 1200, 600, 0])
line_st = st.builds(
    lambda price, qty, rate, disc: (price, qty, rate, disc),
    st.integers(0, 500_000), st.integers(1, 50), RATES,
    st.one_of(st.none(), st.tuples(st.just("percent"), st.integers(0, 10000)),
              st.tuples(st.just("amount"), st.integers(0, 1_000_000))),
)
cart_discount_st = st.one_of(
    st.none(), st.tuples(st.just("percent"), st.integers(0, 10000)),
    st.tuples(st.just("amount"), st.integers(0, 5_000_000)))


def _build(lines, cart_discount, voided=frozenset()):
    sale = Sale(id="s", lane_id="1")
    if cart_discount:
        sale.cart_discount_kind, sale.cart_discount_value = cart_discount
    rows = []
    for i, (price, qty, rate, disc) in enumerate(lines):
        row = SaleLine(id=i + 1, sale_id="s", product_id=1, name=f"p{i}", unit_price=price,
                       quantity=qty, vat_rate_bp=rate, voided=i in voided)
        if disc:
            row.discount_kind, row.discount_value = disc
        rows.append(row)
    recompute(sale, rows)
    return sale, rows


@given(st.lists(line_st, min_size=1, max_size=12), cart_discount_st)
def test_receipt_total_is_the_sum_of_lines_and_vat_per_rate_is_consistent(lines, cart) -> None:
    sale, rows = _build(lines, cart)
    public = to_public(sale, rows, [])
    assert public.total == sum(line.net for line in public.lines)
    assert all(0 <= line.net <= line.gross for line in public.lines)
    assert sum(row.gross for row in public.vat) == public.total
    assert sum(row.vat for row in public.vat) == sum(line.vat for line in public.lines)
    for row in public.vat:
        assert row.net + row.vat == row.gross
        # Each line's VAT is rounded half up, so the rate's VAT is within ½ öre per line of exact.
        n = sum(1 for line in public.lines if line.vat_rate_bp == row.rate_bp)
        exact2 = 2 * row.gross * row.rate_bp
        assert abs(2 * row.vat * (10000 + row.rate_bp) - exact2) <= n * (10000 + row.rate_bp)
    gross_before = sum(line.gross - line.line_discount for line in public.lines)
    assert public.discount_total == sum(line.gross for line in public.lines) - public.total
    assert public.total <= gross_before


@given(st.integers(0, 10**10), st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_allocation_always_adds_up(total, weights) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)
    if sum(weights):
        assert all(p >= 0 for p in parts)


@given(st.integers(-10**12, 10**12), st.sampled_from([1, 5, 10, 50, 100]))
def test_cash_rounding_is_to_the_nearest_step_half_up(amount, step) -> None:
    rounded = round_cash(amount, step)
    assert rounded % step == 0 and abs(rounded - amount) * 2 <= step


@given(st.integers(0, 10**12), RATES)
def test_vat_included_matches_exact_arithmetic(gross, rate) -> None:
    from fractions import Fraction

    exact = Fraction(gross * rate, 10000 + rate)
    assert abs(vat_included(gross, rate) - exact) <= Fraction(1, 2)
    assert div_half_up(5, 2) == 3 and div_half_up(-5, 2) == -3


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory):
    """A real hub database with the demo store and an open shift on lane 1."""
    from hub.app import prepare
    from hub.config import Settings
    from hub.db import Database
    from hub.services.auth import Actor
    from hub.services.context import Shop
    from hub.services.journal import load_or_create_key
    from hub.services.shift import open_shift

    settings = Settings(data_dir=tmp_path_factory.mktemp("hub"), demo_data=True)
    prepare(settings)
    db = Database(settings.database_url)
    shop = Shop(settings=settings, key=load_or_create_key(settings.data_dir))
    manager = Actor(role="manager", user_id=2)
    with db.write() as s:
        open_shift(s, shop, "1", manager, 0)
    yield db, shop, manager
    db.dispose()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.tuples(st.integers(1, 195), st.integers(1, 5)), min_size=1, max_size=6),
       weighed=st.lists(st.tuples(st.integers(196, 203), st.integers(1, 5000)), max_size=2),
       cart=cart_discount_st.filter(lambda d: d is None or d[0] == "percent"),
       by_card=st.booleans())
def test_cash_rounding_never_changes_a_card_total(shop_db, items, weighed, cart, by_card) -> None:
    """Through the hub's own services: card pays the exact total, cash rounds to whole kronor."""
    from hub.services import sale as sales
    from hub.services import scan

    db, shop, manager = shop_db
    with db.write() as s:
        for product_id, qty in items:
            public = scan.add_item(s, shop, "1", manager, product_id=product_id, quantity=qty)
        for product_id, grams in weighed:  # the demo's weighed items (price per kg)
            public = scan.add_item(s, shop, "1", manager, product_id=product_id, weight_g=grams)
        if cart:
            public = sales.discount_cart(s, shop, "1", manager, cart[0], cart[1])
        total = public.total
        if by_card and total > 0:  # nothing due (a 99.98 % discount): no card to charge
            done = sales.tender_card_external(s, shop, "1", manager, None, "prop")
            assert done.rounding == 0 and done.tenders[0].amount == total
        else:
            tendered = round_cash(total, 100)
            done = sales.tender_cash(s, shop, "1", manager, tendered)
            assert done.rounding == tendered - total and abs(done.rounding) <= 50
            assert done.change == 0
    assert done.status == "completed" and done.total == total
    assert done.total == sum(line.net for line in done.lines)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.one_of(
    st.tuples(st.just("scan"), st.integers(1, 195), st.integers(1, 3)),
    st.tuples(st.just("weigh"), st.integers(196, 203), st.integers(1, 5000)),
    st.tuples(st.just("discount"), st.integers(0, 3000), st.just(0)),
    st.tuples(st.just("void"), st.just(0), st.just(0))), min_size=1, max_size=10))
def test_the_scans_sql_and_the_orm_see_the_same_cart(shop_db, steps) -> None:
    """The scan writes its rows in plain SQL: every cart it answers with is the cart the ORM
    then reads, line for line, after discounts and voids made through the ORM in between."""
    from hub.services import sale as sales
    from hub.services import scan

    db, shop, manager = shop_db
    answers = []
    with db.write() as s:
        for kind, a, b in steps:
            if kind == "scan":
                answers.append(scan.add_item(s, shop, "1", manager, product_id=a, quantity=b))
            elif kind == "weigh":
                answers.append(scan.add_item(s, shop, "1", manager, product_id=a, weight_g=b))
            elif kind == "discount" and answers:
                answers.append(sales.discount_cart(s, shop, "1", manager, "percent", a))
            elif kind == "void" and answers and any(not x.voided for x in answers[-1].lines):
                line = next(x for x in answers[-1].lines if not x.voided)
                answers.append(sales.void_line(s, shop, "1", line.id, manager))
            if answers:
                assert sales.cart_of(s, "1", shop) == answers[-1]
    if answers:
        with db.read() as s:
            assert sales.cart_of(s, "1", shop) == answers[-1]
        assert [line.id for line in answers[-1].lines] == sorted(
            line.id for line in answers[-1].lines)
    with db.write() as s:  # leave the lane empty for the next example
        if sales.current_cart(s, "1") is not None:
            sales.cancel_cart(s, shop, "1", manager)


def test_orm_rows_held_across_a_scan_are_read_again(shop_db) -> None:
    """A caller holding the cart's ORM objects sees what the scan's SQL wrote, not old values
    that a later flush would write back."""
    from hub.services import sale as sales
    from hub.services import scan

    db, shop, manager = shop_db
    with db.write() as s:
        scan.add_item(s, shop, "1", manager, product_id=1, quantity=1)
        sales.discount_cart(s, shop, "1", manager, "percent", 1000)
        sale = sales.current_cart(s, "1")
        assert sale is not None
        lines = sales.sale_public(s, sale).lines
        held = s.get(sales.SaleLine, lines[0].id)
        answer = scan.add_item(s, shop, "1", manager, product_id=1, quantity=1)
        assert held is not None and held.quantity == 2 and sale.version == answer.version
        assert sales.cart_of(s, "1", shop) == answer
        sales.cancel_cart(s, shop, "1", manager)


def test_orm_rows_held_across_a_completion_show_what_was_written(shop_db) -> None:
    """Paying and completing a sale is plain SQL: the session's ORM objects of the sale and the
    lane show the completed sale afterwards, and the transaction's commit writes nothing old
    back over it."""
    from hub.models import Lane, Sale
    from hub.services import sale as sales
    from hub.services import scan

    db, shop, manager = shop_db
    with db.write() as s:
        scan.add_item(s, shop, "1", manager, product_id=1, quantity=3)
        sale = sales.current_cart(s, "1")
        lane = s.get(Lane, "1")
        assert sale is not None and lane is not None
        part = sales.tender_cash(s, shop, "1", manager, 100)  # not enough: still open
        assert part.status == "open" and sale.version == lane.cart_version == part.version
        done = sales.tender_cash(s, shop, "1", manager, round_cash(part.due, 100) + 10000)
        assert (sale.status, sale.receipt_no, sale.version) == ("completed", done.receipt_no,
                                                                 done.version)
        assert sale.completed_at == done.completed_at and sale.change == done.change
        assert lane.last_receipt_no == done.receipt_no and lane.cart_version == done.version
        sale_id = sale.id
    with db.read() as s:
        stored = s.get(Sale, sale_id)
        assert stored is not None
        assert (stored.status, stored.receipt_no, stored.change, stored.completed_at) == (
            "completed", done.receipt_no, done.change, done.completed_at)
        assert sales.sale_public(s, stored) == done
