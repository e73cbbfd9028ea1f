"""Small SVG charts for the managers' dashboards (hub and central), with no dependencies.

Every function takes ``(label, value)`` points whose values are integers (money in minor units,
counts), a title, and a ``format_value`` that turns a value into the text a person reads
("1 234,50 kr"). Floats appear only as geometry inside the SVG. Each chart is a standalone
``<svg>`` document with ``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>`` that
lists the figures, so a screen reader gets the numbers and not just the shapes. Empty data draws
a chart that says so instead of raising.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

Points = Sequence[tuple[str, int]]
ValueFormat = Callable[[int], str]

EMPTY_TEXT = "Inga data / No data"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
PALETTE = (
    "#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2",
    "#ca8a04", "#db2777", "#4b5563", "#65a30d", "#7c3aed",
)
BAR = "#2563eb"
NEGATIVE = "#dc2626"
GRID = "#e5e7eb"
AXIS = "#6b7280"
INK = "#111827"
CHAR_WIDTH = 0.6  # average glyph width as a share of the font size, for layout estimates


def column_chart(
    points: Points, *, title: str, format_value: ValueFormat, width: int = 640, height: int = 280
) -> str:
    """Vertical bars (e.g. sales per hour) over a value axis with round gridlines."""
    if not points:
        return _empty(title, width, height)
    values = [v for _, v in points]
    ticks = nice_ticks(min(values), max(values))
    tick_texts = [format_value(t) for t in ticks]
    left = 12 + _text_width(max(tick_texts, key=len), 11)
    top, right, bottom = 36.0, 12.0, 28.0
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = ticks[0], ticks[-1]

    def y(value: int) -> float:
        return top + plot_h * (hi - value) / (hi - lo)

    parts: list[str] = []
    for tick, text in zip(ticks, tick_texts, strict=True):
        ty = y(tick)
        stroke = AXIS if tick == 0 else GRID
        parts.append(_line(left, ty, width - right, ty, stroke, "grid"))
        parts.append(_text(left - 6, ty + 4, text, size=11, anchor="end", fill=AXIS))
    slot = plot_w / len(points)
    bar_w = max(1.0, slot * 0.72)
    longest = max(len(label) for label, _ in points)
    label_chars = min(longest, 10)
    every = max(1, math.ceil((_chars_width(label_chars, 11) + 4) / slot))
    zero = y(0)
    for i, (label, value) in enumerate(points):
        x = left + i * slot + (slot - bar_w) / 2
        top_y, bottom_y = (y(value), zero) if value >= 0 else (zero, y(value))
        fill = BAR if value >= 0 else NEGATIVE
        parts.append(_bar(x, top_y, bar_w, bottom_y - top_y, fill, label, value, format_value))
        if i % every == 0:
            parts.append(
                _text(x + bar_w / 2, height - bottom + 16, _ellipsize(label, label_chars),
                      size=11, anchor="middle", fill=AXIS, css="label")
            )
    return _svg(title, width, height, parts, _summary(points, format_value))


def bar_chart(
    points: Points, *, title: str, format_value: ValueFormat, width: int = 640,
    label_chars: int = 22,
) -> str:
    """Horizontal bars with the label on the left and the formatted value at the bar's end."""
    row, top, bottom = 26.0, 36.0, 8.0
    if not points:
        return _empty(title, width, 160)
    height = int(top + row * len(points) + bottom)
    values = [v for _, v in points]
    value_texts = [format_value(v) for v in values]
    shown_chars = min(label_chars, max(len(label) for label, _ in points))
    left = 12 + _chars_width(shown_chars, 12)
    right = 12 + _text_width(max(value_texts, key=len), 12)
    plot_w = width - left - right
    lo, hi = min(0, *values), max(0, *values)
    span = (hi - lo) or 1

    def x(value: int) -> float:
        return left + plot_w * (value - lo) / span

    parts: list[str] = []
    zero = x(0)
    for i, ((label, value), text) in enumerate(zip(points, value_texts, strict=True)):
        ry = top + i * row
        start, end = (zero, x(value)) if value >= 0 else (x(value), zero)
        fill = BAR if value >= 0 else NEGATIVE
        parts.append(_bar(start, ry + 4, end - start, row - 8, fill, label, value, format_value,
                          horizontal=True))
        parts.append(_text(left - 8, ry + row / 2 + 4, _ellipsize(label, label_chars), size=12,
                           anchor="end", fill=INK, css="label"))
        parts.append(_text(max(end, zero) + 6, ry + row / 2 + 4, text, size=12, fill=INK,
                           css="value"))
    if lo < 0:
        parts.append(_line(zero, top, zero, top + row * len(points), AXIS, "axis"))
    return _svg(title, width, height, parts, _summary(points, format_value))


def share_chart(
    points: Points, *, title: str, format_value: ValueFormat, width: int = 640,
    label_chars: int = 28,
) -> str:
    """One 100 % stacked bar with a legend (label, value, share); negative parts count as 0."""
    if not points:
        return _empty(title, width, 120)
    total = sum(max(0, v) for _, v in points)
    top, bar_h, row = 36.0, 28.0, 22.0
    height = int(top + bar_h + 16 + row * len(points) + 8)
    left, right = 12.0, 12.0
    plot_w = width - left - right
    parts: list[str] = []
    if total <= 0:
        parts.append(_rect(left, top, plot_w, bar_h, GRID, "track"))
        parts.append(_text(width / 2, top + bar_h / 2 + 5, EMPTY_TEXT, size=13,
                           anchor="middle", fill=AXIS, css="empty"))
    x = left
    for i, (label, value) in enumerate(points):
        color = PALETTE[i % len(PALETTE)]
        share = max(0, value) / total if total > 0 else 0.0
        w = plot_w * share
        if total > 0:
            parts.append(_bar(x, top, w, bar_h, color, label, value, format_value,
                              horizontal=True, share=share))
        x += w
        ly = top + bar_h + 16 + i * row
        parts.append(_rect(left, ly, 12, 12, color, "swatch"))
        percent = f"{share * 100:.0f} %" if total > 0 else "–"
        parts.append(_text(left + 20, ly + 10, _ellipsize(label, label_chars), size=12,
                           fill=INK, css="label"))
        parts.append(_text(width - right, ly + 10, f"{format_value(value)} · {percent}",
                           size=12, anchor="end", fill=INK, css="value"))
    return _svg(title, width, height, parts, _summary(points, format_value))


def nice_ticks(low: int, high: int) -> list[int]:
    """3–5 round integer gridline values that cover ``low``..``high`` and always include 0."""
    lo, hi = min(0, low), max(0, high)
    if lo == hi:
        hi = 1
    exponent = 0
    while True:
        for factor in (1, 2, 5):
            step = factor * 10**exponent
            first, last = lo // step, -(-hi // step)
            if last - first <= 4:
                if last - first < 2:  # one interval reads poorly: add one on the data's side
                    if hi > 0:
                        last = first + 2
                    else:
                        first = last - 2
                return [k * step for k in range(first, last + 1)]
        exponent += 1


def _svg(title: str, width: int, height: int, parts: list[str], desc: str) -> str:
    """Wrap chart parts in a standalone, labelled SVG document."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(title)} '
        f'font-family={quoteattr(FONT)}>'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<rect class="background" x="0" y="0" width="{width}" height="{height}" fill="#fff"/>'
        f'<text class="title" x="12" y="22" font-size="14" font-weight="600" fill="{INK}">'
        f"{escape(title)}</text>"
    )
    return head + "".join(parts) + "</svg>"


def _empty(title: str, width: int, height: int) -> str:
    """A chart that says there is nothing to show."""
    body = [_text(width / 2, height / 2 + 10, EMPTY_TEXT, size=14, anchor="middle", fill=AXIS,
                  css="empty")]
    return _svg(title, width, height, body, EMPTY_TEXT)


def _summary(points: Points, format_value: ValueFormat) -> str:
    """The figures as text, for screen readers."""
    return "; ".join(f"{label}: {format_value(value)}" for label, value in points)


def _bar(
    x: float, y: float, w: float, h: float, fill: str, label: str, value: int,
    format_value: ValueFormat, *, horizontal: bool = False, share: float | None = None,
) -> str:
    """One data mark with its label and value kept as data attributes and a tooltip."""
    tip = f"{label}: {format_value(value)}"
    if share is not None:
        tip += f" ({share * 100:.0f} %)"
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{max(0.0, w):.1f}" '
        f'height="{max(0.0, h):.1f}" fill="{fill}" data-label={quoteattr(label)} '
        f'data-value="{value}"><title>{escape(tip)}</title></rect>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, css: str) -> str:
    """A plain rectangle (swatch, track)."""
    return (f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{fill}"/>')


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, css: str) -> str:
    """A one-pixel line (gridline or axis)."""
    return (f'<line class="{css}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}" stroke-width="1"/>')


def _text(
    x: float, y: float, text: str, *, size: int, fill: str, anchor: str = "start",
    css: str = "tick",
) -> str:
    """An escaped text node."""
    return (f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def _ellipsize(label: str, max_chars: int) -> str:
    """Shorten a label to ``max_chars`` characters, ending in an ellipsis when cut."""
    return label if len(label) <= max_chars else label[: max(1, max_chars - 1)].rstrip() + "…"


def _text_width(text: str, size: int) -> float:
    """Estimated rendered width of ``text`` at ``size`` px."""
    return _chars_width(len(text), size)


def _chars_width(chars: int, size: int) -> float:
    """Estimated rendered width of ``chars`` average glyphs at ``size`` px."""
    return chars * size * CHAR_WIDTH
