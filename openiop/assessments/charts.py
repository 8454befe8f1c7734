# SPDX-License-Identifier: AGPL-3.0-or-later
"""Trend charts drawn on the server as SVG geometry: no JavaScript, no CDN,
readable when printed. Pure: values in, coordinates out. Every chart comes
with its numbers in a table next to it for screen readers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 560
HEIGHT = 180
PAD_LEFT = 36
PAD_RIGHT = 12
PAD_TOP = 10
PAD_BOTTOM = 24


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    label: str  # date, for the tooltip


@dataclass(frozen=True)
class Line:
    y: float
    value: int
    label: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: tuple[Point, ...]
    path: str  # SVG polyline points attribute
    gridlines: tuple[Line, ...]  # band boundaries / thresholds
    x_labels: tuple[tuple[float, str, str], ...]  # x, text, SVG text-anchor

    @property
    def empty(self) -> bool:
        return not self.points


def trend(
    series: Sequence[tuple[dt.datetime, int]],
    *,
    y_min: int,
    y_max: int,
    lines: Sequence[tuple[int, str]] = (),
) -> TrendChart:
    """Place SERIES (time, value) on a chart whose y axis runs y_min..y_max;
    LINES are (value, label) horizontal markers such as band boundaries."""
    if y_max <= y_min:
        y_max = y_min + 1
    ordered = sorted(series)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def y_of(value: int) -> float:
        clamped = min(max(value, y_min), y_max)
        return round(PAD_TOP + plot_h * (1 - (clamped - y_min) / (y_max - y_min)), 1)

    if ordered:
        start, end = ordered[0][0], ordered[-1][0]
        span = (end - start).total_seconds()
    points = []
    for when, value in ordered:
        fraction = 0.5 if span == 0 else (when - start).total_seconds() / span
        points.append(
            Point(x=round(PAD_LEFT + plot_w * fraction, 1), y=y_of(value), value=value, label=f"{when:%Y-%m-%d}")
        )
    x_labels: list[tuple[float, str, str]] = []
    if points:
        single = len(points) == 1 or points[-1].label == points[0].label
        # First date anchored at its start and last at its end, so neither runs off the chart.
        x_labels.append((points[0].x, points[0].label, "middle" if single else "start"))
        if not single:
            x_labels.append((points[-1].x, points[-1].label, "end"))
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        points=tuple(points),
        path=" ".join(f"{p.x},{p.y}" for p in points),
        gridlines=tuple(
            Line(y=y_of(value), value=value, label=label) for value, label in lines if y_min < value <= y_max
        ),
        x_labels=tuple(x_labels),
    )
