"""SVG charts: parseable, labelled, escaped, sensible with empty, zero and negative data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from sync.charts import EMPTY_TEXT, bar_chart, column_chart, nice_ticks, share_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
CHARTS: list[Callable[..., str]] = [column_chart, bar_chart, share_chart]


def kr(minor: int) -> str:
    """Swedish kronor, as the dashboards show money."""
    sign = "−" if minor < 0 else ""
    whole, ore = divmod(abs(minor), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{ore:02d} kr"


def parse(svg: str) -> ET.Element:
    """Parse the SVG text as XML (fails the test if it is not well-formed)."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    """The data marks."""
    return [r for r in root.iterfind(".//svg:rect", NS) if r.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    """All visible text nodes."""
    return ["".join(t.itertext()) for t in root.iterfind(".//svg:text", NS)]


HOURS = [(f"{h:02d}", (h * 7919) % 50000 + 100) for h in range(24)]


@pytest.mark.parametrize("chart", CHARTS)
def test_standalone_and_accessible(chart: Callable[..., str]) -> None:
    root = parse(chart(HOURS[:5], title="Försäljning per timme", format_value=kr))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Försäljning per timme"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.find("svg:title", NS) is not None
    assert root.find("svg:title", NS).text == "Försäljning per timme"  # type: ignore[union-attr]
    assert "00: " + kr(HOURS[0][1]) in (root.find("svg:desc", NS).text or "")  # type: ignore[union-attr]


def test_column_chart_one_bar_per_point_and_tallest_is_largest() -> None:
    root = parse(column_chart(HOURS, title="Per timme", format_value=kr))
    marks = bars(root)
    assert len(marks) == 24
    tallest = max(marks, key=lambda r: float(r.get("height", "0")))
    assert int(tallest.get("data-value", "0")) == max(v for _, v in HOURS)
    # Bars keep their order left to right.
    xs = [float(r.get("x", "0")) for r in marks]
    assert xs == sorted(xs)


def test_column_chart_gridlines_are_round_and_few() -> None:
    root = parse(column_chart(HOURS, title="Per timme", format_value=kr))
    grid = [ln for ln in root.iterfind(".//svg:line", NS) if ln.get("class") == "grid"]
    assert 3 <= len(grid) <= 5
    ticks = nice_ticks(0, max(v for _, v in HOURS))
    assert all(t % 10 == 0 for t in ticks)
    assert kr(ticks[-1]) in texts(root)


def test_column_chart_labels_do_not_overlap_at_24_bars() -> None:
    root = parse(column_chart(HOURS, title="Per timme", format_value=kr))
    labels = [t for t in root.iterfind(".//svg:text", NS) if t.get("class") == "label"]
    assert labels
    xs = [float(t.get("x", "0")) for t in labels]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    widest = max(len(t.text or "") for t in labels) * 11 * 0.6
    assert min(gaps) > widest


def test_column_chart_thins_long_labels_instead_of_overlapping() -> None:
    points = [(f"Butik nummer {i}", 1000 * i) for i in range(24)]
    root = parse(column_chart(points, title="Per butik", format_value=kr))
    labels = [t for t in root.iterfind(".//svg:text", NS) if t.get("class") == "label"]
    assert 0 < len(labels) < 24
    xs = [float(t.get("x", "0")) for t in labels]
    widest = max(len(t.text or "") for t in labels) * 11 * 0.6
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) > widest


def test_negative_hour_draws_below_the_zero_line() -> None:
    points = [("10", 50000), ("11", -20000), ("12", 0)]
    root = parse(column_chart(points, title="Per timme", format_value=kr))
    marks = {r.get("data-label"): r for r in bars(root)}
    assert len(marks) == 3
    plus, minus, zero = marks["10"], marks["11"], marks["12"]
    zero_y = float(plus.get("y", "0")) + float(plus.get("height", "0"))
    assert float(minus.get("y", "0")) == pytest.approx(zero_y)
    assert float(minus.get("height", "0")) > 0
    assert minus.get("fill") != plus.get("fill")
    assert float(zero.get("height", "1")) == 0
    assert any(t.startswith("−") for t in texts(root))  # the axis reaches below zero


def test_bar_chart_labels_left_values_at_the_end_and_ellipsized() -> None:
    long = "Ekologisk havredryck barista edition 1 liter"
    points = [(long, 12345), ("Kaffe", 99900), ("Bulle", 2500)]
    root = parse(bar_chart(points, title="Topprodukter", format_value=kr))
    marks = bars(root)
    assert len(marks) == 3
    widest = max(marks, key=lambda r: float(r.get("width", "0")))
    assert widest.get("data-label") == "Kaffe"
    shown = texts(root)
    assert long not in shown
    assert any(t.endswith("…") and long.startswith(t[:-1]) for t in shown)
    assert marks[0].get("data-label") == long  # the full name stays in the tooltip / data
    for mark, value in zip(marks, [12345, 99900, 2500], strict=True):
        end = float(mark.get("x", "0")) + float(mark.get("width", "0"))
        value_text = next(
            t for t in root.iterfind(".//svg:text", NS)
            if t.get("class") == "value" and t.text == kr(value)
        )
        assert float(value_text.get("x", "0")) > end


def test_bar_chart_refund_heavy_row_goes_left() -> None:
    root = parse(bar_chart([("Kort", 5000), ("Kontant", -3000)], title="Per betalsätt",
                           format_value=kr))
    card, cash = bars(root)
    assert float(cash.get("x", "0")) < float(card.get("x", "0"))
    assert kr(-3000) in texts(root)


def test_share_chart_parts_add_up_to_the_whole_bar() -> None:
    points = [("Kort", 7500), ("Kontant", 2000), ("Swish", 500)]
    root = parse(share_chart(points, title="Betalsätt", format_value=kr, width=640))
    marks = bars(root)
    assert len(marks) == 3
    assert sum(float(r.get("width", "0")) for r in marks) == pytest.approx(616, abs=0.5)
    shown = texts(root)
    assert f"{kr(7500)} · 75 %" in shown
    assert "Swish" in shown


def test_share_chart_with_nothing_positive_says_so() -> None:
    root = parse(share_chart([("Kort", 0), ("Kontant", -100)], title="Betalsätt",
                             format_value=kr))
    assert EMPTY_TEXT in texts(root)
    assert bars(root) == []


@pytest.mark.parametrize("chart", CHARTS)
def test_labels_are_escaped(chart: Callable[..., str]) -> None:
    evil = 'Bröd <script>&"\'</script>'
    svg = chart([(evil, 100), ("ok", 50)], title="A <b> & c", format_value=kr)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == "A <b> & c"
    assert any(r.get("data-label") == evil for r in bars(root))
    assert root.find(".//svg:script", NS) is None


@pytest.mark.parametrize("chart", CHARTS)
def test_empty_data_renders_a_readable_chart(chart: Callable[..., str]) -> None:
    root = parse(chart([], title="Idag", format_value=kr))
    assert EMPTY_TEXT in texts(root)
    assert bars(root) == []
    assert root.get("aria-label") == "Idag"


@pytest.mark.parametrize("chart", CHARTS)
def test_all_zero_values_do_not_divide_by_zero(chart: Callable[..., str]) -> None:
    root = parse(chart([("08", 0), ("09", 0)], title="Idag", format_value=kr))
    assert all(float(r.get("height", "0")) == 0 or float(r.get("width", "0")) == 0
               for r in bars(root))


@pytest.mark.parametrize(
    ("low", "high"), [(0, 0), (0, 1), (0, 7), (0, 123_456), (-5_000, 250_000), (-300, 0),
                      (0, 99_999_999), (-1, 1)],
)
def test_nice_ticks_cover_the_data_with_3_to_5_round_lines(low: int, high: int) -> None:
    ticks = nice_ticks(low, high)
    assert 3 <= len(ticks) <= 5
    assert ticks[0] <= min(0, low) and ticks[-1] >= high
    assert 0 in ticks
    step = ticks[1] - ticks[0]
    assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False))
    assert str(step).strip("0") in {"1", "2", "5"}
