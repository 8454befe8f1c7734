# SPDX-License-Identifier: AGPL-3.0-or-later
"""Bar-chart geometry for the reports' server-rendered SVG (no script, no
external file). A chart here is numbers only; ``reports/_chart.html`` draws
it with a title and a description, and the page puts the same numbers in a
table beside it. Each series has a fill *and* a pattern (plain, hatched,
dotted, crossed) and every bar segment its own tooltip, so color is never the
only way to tell the series apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# Colorblind-safe fills (Okabe-Ito) and the pattern each series also carries.
SERIES_STYLES: tuple[tuple[str, str], ...] = (
    ("#0072B2", "plain"),
    ("#E69F00", "hatch"),
    ("#009E73", "dots"),
    ("#D55E00", "cross"),
    ("#56B4E9", "plain"),
    ("#CC79A7", "hatch"),
)


# A reference line across the plot: (x1, y1, x2, y2, label, label_x, label_y).
Rule = tuple[float, float, float, float, str, float, float]


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    fill: str
    pattern: str
    legend_x: float
    fill_id: str  # the id of its <pattern>: the fill and, over it, the marks


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    series: Series
    value: Decimal
    tooltip: str


@dataclass(frozen=True)
class Bar:
    label: str
    label_x: float
    label_y: float
    total: Decimal
    total_x: float
    total_y: float
    segments: list[Segment]
    total_text: str = ""


@dataclass(frozen=True)
class Chart:
    slug: str  # unique on the page: the ids of the title, description and patterns
    title: str
    description: str
    width: int
    height: int
    horizontal: bool
    series: list[Series]
    bars: list[Bar]
    unit: str
    rules: tuple[Rule, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.bars or all(bar.total <= 0 for bar in self.bars)


def _series(slug: str, labels: Sequence[tuple[str, str]]) -> list[Series]:
    styles = [SERIES_STYLES[index % len(SERIES_STYLES)] for index in range(len(labels))]
    return [
        Series(key, label, fill, pattern, 8 + index * 150, f"{slug}-series-{index}")
        for index, ((key, label), (fill, pattern)) in enumerate(zip(labels, styles, strict=True))
    ]


def _amount(value: Decimal, unit: str) -> str:
    return f"{value:,.1f}%" if unit == "%" else f"${value:,.2f}"


def horizontal_stacked(
    slug: str,
    title: str,
    description: str,
    series_labels: Sequence[tuple[str, str]],
    rows: Sequence[tuple[str, Sequence[Decimal]]],
    *,
    unit: str = "$",
    width: int = 720,
) -> Chart:
    """One horizontal bar per row (e.g. a payer), its segments the series
    (e.g. aging buckets) left to right in the legend's order."""
    series = _series(slug, series_labels)
    left, right, top, bar_height, gap = 180, 90, 34, 22, 10
    plot = width - left - right
    largest = max((sum(values, Decimal(0)) for _, values in rows), default=Decimal(0))
    if unit == "%":
        largest = Decimal(100)  # a rate's bar is its share of the whole width
    scale = Decimal(plot) / largest if largest > 0 else Decimal(0)
    bars = []
    for index, (label, values) in enumerate(rows):
        y = top + index * (bar_height + gap)
        x = Decimal(left)
        segments = []
        for item, value in zip(series, values, strict=True):
            length = max(value, Decimal(0)) * scale
            if length > 0:
                segments.append(
                    Segment(
                        float(x),
                        float(y),
                        float(length),
                        float(bar_height),
                        item,
                        value,
                        f"{label}, {item.label}: {_amount(value, unit)}",
                    )
                )
            x += length
        total = sum(values, Decimal(0))
        text_y = y + bar_height * 0.7
        bars.append(Bar(label, left - 6, text_y, total, float(x) + 6, text_y, segments, _amount(total, unit)))
    height = top + max(len(rows), 1) * (bar_height + gap) + 4
    rules: tuple[Rule, ...] = ()
    if unit == "%":
        end = float(left + plot)
        rules = ((end, top - 4, end, height - 4, "100%", end, top - 6),)
    return Chart(slug, title, description, width, height, True, series, bars, unit, rules)


def vertical_stacked(
    slug: str,
    title: str,
    description: str,
    series_labels: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, Sequence[Decimal]]],
    *,
    unit: str = "$",
    height: int = 260,
) -> Chart:
    """One column per period (e.g. a month), its segments stacked bottom up
    in the legend's order."""
    series = _series(slug, series_labels)
    left, top, bottom, column_width, gap = 16, 44, 40, 34, 12
    plot = height - top - bottom
    largest = max((sum((max(v, Decimal(0)) for v in values), Decimal(0)) for _, values in columns), default=Decimal(0))
    scale = Decimal(plot) / largest if largest > 0 else Decimal(0)
    bars = []
    baseline = Decimal(top + plot)
    for index, (label, values) in enumerate(columns):
        x = left + index * (column_width + gap)
        y = baseline
        segments = []
        for item, value in zip(series, values, strict=True):
            length = max(value, Decimal(0)) * scale
            if length > 0:
                y -= length
                segments.append(
                    Segment(
                        float(x),
                        float(y),
                        float(column_width),
                        float(length),
                        item,
                        value,
                        f"{label}, {item.label}: {_amount(value, unit)}",
                    )
                )
        total = sum(values, Decimal(0))
        center = x + column_width / 2
        label_y = float(baseline) + 16
        bars.append(Bar(label, center, label_y, total, center, float(y) - 4, segments, _amount(total, unit)))
    width = max(left * 2 + len(columns) * (column_width + gap), 320)
    # The baseline and a line at the tallest column, labeled with its amount.
    rules: tuple[Rule, ...] = ((left, float(baseline), width - left, float(baseline), "", 0.0, 0.0),)
    if largest > 0:
        rules += ((left, float(top), width - left, float(top), _amount(largest, unit), float(left), float(top) - 3),)
    return Chart(slug, title, description, width, height, False, series, bars, unit, rules)
