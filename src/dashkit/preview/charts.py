"""Panels drawn over time or across series: timeseries (lines, stacking, fill, thresholds,
legend, unit-formatted axis), heatmap, pie chart and state timeline."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from dashkit.preview.canvas import MUTED, PALETTE, TEXT, Box, Canvas
from dashkit.preview.data import Series, values_of
from dashkit.preview.fields import (
    PanelData,
    calcs,
    custom,
    decimals,
    no_data,
    reduce,
)
from dashkit.preview.settings import defaults, steps, threshold_colour, unit
from dashkit.preview.units import format_value


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(count + 2) if first + i * step <= high + step * 1e-9]


def _legend(canvas: Canvas, box: Box, names: Sequence[str]) -> None:
    x = box.left
    for index, name in enumerate(names):
        canvas.rect(Box(x, box.top + 4, 10, 4), PALETTE[index % len(PALETTE)])
        text = name if len(name) <= 40 else name[:39] + "…"
        canvas.text(x + 14, box.top, text, size=10, colour=TEXT)
        x += 24 + len(text) * 6.2
        if x > box.right - 40:
            break


def timeseries(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """Lines over time (stacked and filled where the panel says), a unit-formatted axis,
    threshold lines or areas, the legend."""
    series = [
        attrs.evolve(s, values=tuple(v if math.isfinite(v) else math.nan for v in s.values))
        for s in data.series
        if any(math.isfinite(v) for v in s.values)
    ]
    if not series and any(s.values for s in data.series):
        # series that are all NaN (0/0 ratios of idle routes): Grafana draws no line, but the
        # query did answer, so it is not "No data"
        canvas.text(
            box.left + box.width / 2,
            box.top + box.height / 2,
            "NaN",
            size=14,
            colour=MUTED,
            ha="center",
            va="center",
        )
        _legend(
            canvas,
            Box(box.left + 60, box.bottom - 12, box.width - 68, 12),
            [s.name for s in data.series],
        )
        return "drawn"
    if not series:
        return no_data(canvas, box)
    legend = (panel.get("options") or {}).get("legend") or {}
    show_legend = legend.get("showLegend", True) and legend.get("displayMode") != "hidden"
    plot = box.inset(60, 4, 8, 22 if show_legend else 16)
    settings = custom(panel)
    stacked = (settings.get("stacking") or {}).get("mode") in ("normal", "percent")
    layers = [list(s.values) for s in series]
    if stacked:
        for i in range(1, len(layers)):
            layers[i] = [a + b for a, b in zip(layers[i], layers[i - 1])]
    flat = [v for layer in layers for v in layer if not math.isnan(v)]
    limits = defaults(panel)
    low = (
        float(limits["min"])
        if isinstance(limits.get("min"), (int, float))
        else min(0.0, min(flat))
    )
    high = float(limits["max"]) if isinstance(limits.get("max"), (int, float)) else max(flat)
    ticks = _nice_ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    start = min(t for s in series for t in s.times)
    end = max(t for s in series for t in s.times)

    def px(t: float) -> float:
        return plot.left + (t - start) / ((end - start) or 1) * plot.width

    def py(v: float) -> float:
        return plot.bottom - (v - low) / ((high - low) or 1) * plot.height

    for tick in ticks:
        canvas.line([plot.left, plot.right], [py(tick)] * 2, "#2a2d33", 1)
        canvas.text(
            plot.left - 6,
            py(tick),
            format_value(tick, unit(panel), decimals(panel)),
            size=9,
            colour=MUTED,
            ha="right",
            va="center",
        )
    time_axis(canvas, plot, start, end)
    mode = str((settings.get("thresholdsStyle") or {}).get("mode") or "off")
    if mode != "off":
        bands = steps(panel)
        for index, (limit, step_colour) in enumerate(bands):
            if "area" in mode:
                top = bands[index + 1][0] if index + 1 < len(bands) else high
                bottom = max(limit, low)
                if top > bottom:
                    canvas.area(
                        [plot.left, plot.right],
                        [py(min(top, high))] * 2,
                        [py(bottom)] * 2,
                        step_colour,
                        0.12,
                    )
            if ("line" in mode or "dashed" in mode) and low <= limit <= high:
                canvas.line(
                    [plot.left, plot.right],
                    [py(limit)] * 2,
                    step_colour,
                    1.5,
                    dashed="dashed" in mode,
                )
    fill = float(settings.get("fillOpacity") or (10 if stacked else 0)) / 100
    previous: list[float] | None = None
    for index, (s, layer) in enumerate(zip(series, layers)):
        line_colour = PALETTE[index % len(PALETTE)]
        points = [(t, v) for t, v in zip(s.times, layer) if not math.isnan(v)]
        xs, ys = [px(t) for t, _ in points], [py(v) for _, v in points]
        if fill:
            base = (
                [py(v) for t, v in zip(s.times, previous) if not math.isnan(v)][: len(xs)]
                if previous is not None and stacked
                else [py(max(low, 0))] * len(xs)
            )
            canvas.area(xs, ys, base, line_colour, fill)
        canvas.line(xs, ys, line_colour, float(settings.get("lineWidth") or 1) + 0.5)
        previous = layer
    if show_legend:
        _legend(canvas, Box(plot.left, plot.bottom + 16, plot.width, 12), [s.name for s in series])
    return "drawn"


def time_axis(canvas: Canvas, plot: Box, start: float, end: float) -> None:
    """Up to four times under the plot, each label inside the plot's width (never under the
    value axis's labels, left of it), apart from the others and each shown once: data at a
    single instant, as a fresh Prometheus answers, gives one label, not four on top of the
    value axis."""
    drawn: list[tuple[float, float]] = []
    shown = set()
    for i in range(4):
        t = start + (end - start) * (i + 0.5) / 4
        label = time.strftime("%H:%M", time.gmtime(t))
        if label in shown:
            continue  # a few minutes' range: 09:48 once, not twice
        shown.add(label)
        half = len(label) * 9 * 0.62 / 2 + 2
        x = min(max(plot.left + (t - start) / ((end - start) or 1) * plot.width, plot.left + half),
                plot.right - half)
        if any(x - half < right and left < x + half for left, right in drawn):
            continue
        drawn.append((x - half, x + half))
        canvas.text(x, plot.bottom + 3, label, size=9, colour=MUTED, ha="center")


def _buckets(panel: Mapping[str, Any], series: list[Series]) -> list[Series]:
    """Histogram buckets lowest first; cumulative ``le`` counts made per bucket where the
    targets ask Prometheus for the heatmap format, as Grafana's data source does."""
    try:
        ordered = sorted(series, key=lambda s: float(s.labels["le"]))
    except (KeyError, ValueError):
        return series
    if not any(t.get("format") == "heatmap" for t in panel.get("targets") or []
               if isinstance(t, dict)):
        return ordered
    below = [0.0] * len(ordered[0].values)
    result = []
    for s in ordered:
        values = tuple(max(0.0, v - b) for v, b in zip(s.values, below))
        below = list(s.values) + below[len(s.values):]
        result.append(attrs.evolve(s, values=values))
    return result


def heatmap(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """Cells a bucket (or series) and time step, shaded by value; the buckets' bounds up the
    side, in the y axis's unit, and the times along the bottom."""
    series = _buckets(panel, [s for s in data.series if s.values])[-24:]
    if not series:
        return no_data(canvas, box)
    plot = box.inset(60, 4, 8, 16)
    peak = max(values_of(series)) or 1.0
    columns = 30
    cell_w, cell_h = plot.width / columns, plot.height / len(series)
    y_unit = str(((panel.get("options") or {}).get("yAxis") or {}).get("unit") or "")
    last_label = math.inf
    for row, s in enumerate(series):
        top = plot.bottom - (row + 1) * cell_h
        for column in range(columns):
            value = s.values[int(column * len(s.values) / columns)]
            shade = max(0.0, min(1.0, value / peak))
            red, green, blue = int(40 + 215 * shade), int(30 + 120 * shade), int(80 * (1 - shade))
            canvas.rect(
                Box(plot.left + column * cell_w, top, cell_w + 0.5, cell_h + 0.5),
                f"#{red:02x}{green:02x}{blue:02x}",
            )
        if last_label - top >= 11:  # a bound a row, where they fit
            bound = s.labels.get("le", s.name)
            shown = bound
            if y_unit and _finite(bound):
                shown = format_value(float(bound), y_unit, None)
            label_top = max(top, plot.top + 5)
            canvas.text(plot.left - 6, label_top, shown, size=9, colour=MUTED, ha="right",
                        va="center", width=52)
            last_label = label_top
    times = [t for s in series for t in s.times]
    time_axis(canvas, plot, min(times), max(times))
    return "drawn"


def _finite(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def piechart(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """A slice a series, by its reduced value."""
    values = [(s.name, reduce(s, calcs(panel)) or 0.0) for s in data.series]
    total = sum(max(0.0, v) for _, v in values)
    if not total:
        return no_data(canvas, box)
    radius = min(box.width * 0.3, box.height / 2) * 0.9
    cx, cy, angle = box.left + radius + 8, box.top + box.height / 2, 90.0
    for index, (name, value) in enumerate(values):
        sweep = 360 * max(0.0, value) / total
        canvas.arc(cx, cy, radius, angle - sweep, angle, PALETTE[index % len(PALETTE)], radius)
        angle -= sweep
        canvas.text(
            cx + radius + 16,
            box.top + 4 + index * 16,
            f"■ {name}",
            size=9,
            colour=PALETTE[index % len(PALETTE)],
            width=box.width - 2 * radius - 24,
        )
    return "drawn"


def state_timeline(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """A band a series, coloured by thresholds over time."""
    series = [s for s in data.series if s.values][:10]
    if not series:
        return no_data(canvas, box)
    band = box.height / len(series)
    for row, s in enumerate(series):
        top = box.top + row * band
        canvas.text(
            box.left,
            top + band / 2,
            s.name,
            size=9,
            colour=TEXT,
            va="center",
            width=box.width * 0.2,
        )
        left, width = box.left + box.width * 0.22, box.width * 0.78 / len(s.values)
        for index, value in enumerate(s.values):
            canvas.rect(
                Box(left + index * width, top + band * 0.1, width + 0.5, band * 0.8),
                threshold_colour(panel, value),
            )
    return "drawn"
