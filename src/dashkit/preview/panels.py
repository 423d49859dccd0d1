"""Drawing each panel type the way Grafana shows it, close enough for a reviewer to recognise:
timeseries lines (stacked, filled, with legend, unit-formatted axis and thresholds), stat values
coloured by thresholds, gauges, bar gauges, tables with their column overrides, heatmaps, pie
charts, state timelines, log lines, text. Any other type is a labelled placeholder."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from dashkit.preview.canvas import MUTED, PANEL_BG, TEXT, Box, Canvas, first_line
from dashkit.preview.charts import heatmap, piechart, state_timeline, timeseries
from dashkit.preview.fields import (
    PanelData,
    decimals,
    no_data,
    reduce,
    reduced,
)
from dashkit.preview.settings import defaults, threshold_colour, unit
from dashkit.preview.units import format_value

LEVEL_COLOURS = {
    "error": "#F2495C",
    "err": "#F2495C",
    "critical": "#B877D9",
    "warn": "#FF9830",
    "warning": "#FF9830",
    "info": "#73BF69",
    "debug": "#5794F2",
}


def stat(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """The reduced value, unit-formatted and coloured by thresholds (its text, or the
    background)."""
    values = reduced(panel, data)
    if not values:
        return no_data(canvas, box)
    options = panel.get("options") or {}
    mode = options.get("colorMode", "value")
    shown = values[:4]
    width = box.width / len(shown)
    for index, (name, value) in enumerate(shown):
        cell = Box(box.left + index * width, box.top, width, box.height)
        value_colour = threshold_colour(panel, value)
        text_colour = value_colour if mode == "value" else TEXT
        size = max(12.0, min(cell.height * 0.45, cell.width / 5))
        canvas.text(
            cell.left + cell.width / 2,
            cell.top + cell.height / 2,
            format_value(value, unit(panel), decimals(panel)),
            size=size,
            colour="#ffffff" if mode == "background" else text_colour,
            ha="center",
            va="center",
            weight="bold",
        )
        if len(shown) > 1:
            canvas.text(
                cell.left + cell.width / 2,
                cell.top + 2,
                name,
                size=9,
                colour=TEXT,
                ha="center",
                width=cell.width,
            )
    return "drawn"


def gauge(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """An arc from min to max, filled to the value in its threshold colour."""
    values = [v for _, v in reduced(panel, data)]
    if not values:
        return no_data(canvas, box)
    limits = defaults(panel)
    value = values[0]
    low = float(limits["min"]) if isinstance(limits.get("min"), (int, float)) else 0.0
    default_high = 1.0 if unit(panel) == "percentunit" else 100.0
    high = (
        float(limits["max"])
        if isinstance(limits.get("max"), (int, float))
        else max(default_high, value)
    )
    radius = min(box.width / 2, box.height * 0.8) * 0.9
    cx, cy = box.left + box.width / 2, box.top + box.height * 0.62
    share = max(0.0, min(1.0, (value - low) / ((high - low) or 1)))
    canvas.arc(cx, cy, radius, -20, 200, "#2a2d33", radius * 0.22)
    canvas.arc(
        cx, cy, radius, 200 - 220 * share, 200, threshold_colour(panel, value), radius * 0.22
    )
    canvas.text(
        cx,
        cy,
        format_value(value, unit(panel), decimals(panel)),
        size=max(10.0, radius * 0.35),
        colour=threshold_colour(panel, value),
        ha="center",
        va="center",
        weight="bold",
    )
    return "drawn"


def bar_gauge(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """A bar a series, in its threshold colour."""
    values = reduced(panel, data)[:8]
    if not values:
        return no_data(canvas, box)
    high = max(max(v for _, v in values), float(defaults(panel).get("max") or 0)) or 1.0
    row = box.height / len(values)
    for index, (name, value) in enumerate(values):
        top = box.top + index * row
        canvas.text(box.left, top + 2, name, size=9, colour=TEXT, width=box.width * 0.3)
        bar = Box(
            box.left + box.width * 0.32,
            top + row * 0.2,
            box.width * 0.5 * max(0.0, value) / high,
            row * 0.6,
        )
        canvas.rect(bar, threshold_colour(panel, value))
        canvas.text(
            box.right,
            top + row / 2,
            format_value(value, unit(panel), decimals(panel)),
            size=10,
            colour=threshold_colour(panel, value),
            ha="right",
            va="center",
        )
    return "drawn"


def _column_overrides(panel: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """byName overrides as {column: {property id: value}}."""
    found: dict[str, dict[str, Any]] = {}
    for override in (panel.get("fieldConfig") or {}).get("overrides") or []:
        matcher = override.get("matcher") or {}
        if matcher.get("id") == "byName":
            properties = {
                str(p.get("id")): p.get("value")
                for p in override.get("properties") or []
                if isinstance(p, dict)
            }
            found.setdefault(str(matcher.get("options")), {}).update(properties)
    return found


def table(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """A row a series: its labels and value, with the panel's byName overrides (name, unit,
    hidden)."""
    if not data.series:
        return no_data(canvas, box)
    labels = sorted({k for s in data.series for k in s.labels if k != "__name__"})
    columns = [*labels, "Value"]
    overrides = _column_overrides(panel)
    shown = [c for c in columns if not overrides.get(c, {}).get("custom.hidden")]
    width = box.width / max(1, len(shown))
    for index, column in enumerate(shown):
        title = str(overrides.get(column, {}).get("displayName") or column)
        canvas.text(
            box.left + index * width + 4,
            box.top,
            title,
            size=10,
            colour="#6e9fff",
            weight="bold",
            width=width - 8,
        )
    rows = int((box.height - 20) // 20)
    for row_index, s in enumerate(data.series[: max(0, rows)]):
        y = box.top + 22 + row_index * 20
        canvas.line([box.left, box.right], [y - 3] * 2, "#2a2d33", 1)
        for index, column in enumerate(shown):
            if column == "Value":
                value = reduce(s, ["lastNotNull"])
                shown_unit = overrides.get(column, {}).get("unit") or unit(panel)
                cell = (
                    format_value(value, str(shown_unit), decimals(panel))
                    if value is not None
                    else ""
                )
            else:
                cell = s.labels.get(column, "")
            canvas.text(
                box.left + index * width + 4, y, cell, size=10, colour=TEXT, width=width - 8
            )
    return "drawn"


def logs(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """Log lines, newest first, with their level."""
    if not data.logs:
        return no_data(canvas, box)
    for index, line in enumerate(data.logs[: int(box.height // 16)]):
        y = box.top + index * 16
        level = line.level.lower()
        canvas.rect(Box(box.left, y + 2, 3, 12), LEVEL_COLOURS.get(level, MUTED))
        stamp = time.strftime("%H:%M:%S", time.gmtime(line.time))
        canvas.text(
            box.left + 8,
            y,
            f"{stamp}  {level or '-':5}  {first_line(line.text)}",
            size=10,
            colour=TEXT,
            width=box.width - 8,
        )
    return "drawn"


def text(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """The panel's content as plain text."""
    content = str((panel.get("options") or {}).get("content") or panel.get("content") or "")
    plain = re.sub(r"<[^>]+>|[#*_`>]+", "", content)
    lines = [line.strip() for line in plain.splitlines() if line.strip()]
    for index, line in enumerate(lines[: int(box.height // 16)]):
        canvas.text(box.left, box.top + index * 16, line, size=11, colour=TEXT, width=box.width)
    return "drawn"


def placeholder(canvas: Canvas, box: Box, panel: Mapping[str, Any], data: PanelData) -> str:
    """Any type the preview does not draw: named, never a crash."""
    canvas.text(
        box.left + box.width / 2,
        box.top + box.height / 2,
        f"{str(panel.get('type') or 'panel')[:40]}: not drawn in previews",
        size=11,
        colour=MUTED,
        ha="center",
        va="center",
    )
    return "placeholder"


Drawer = Callable[[Canvas, Box, Mapping[str, Any], PanelData], str]
#: The renderer of each panel kind of ``dashkit.sdk.kinds`` (rows are the bands ``render`` draws).
DRAWERS: dict[str, Drawer] = {
    "timeseries": timeseries,
    "graph": timeseries,
    "stat": stat,
    "singlestat": stat,
    "gauge": gauge,
    "bargauge": bar_gauge,
    "table": table,
    "table-old": table,
    "heatmap": heatmap,
    "piechart": piechart,
    "state-timeline": state_timeline,
    "status-history": state_timeline,
    "logs": logs,
    "text": text,
    # registered kinds (dashkit.sdk.kinds) the preview names instead of drawing
    "grafana-singlestat-panel": placeholder,
    "grafana-piechart-panel": placeholder,
    "grafana-worldmap-panel": placeholder,
    "natel-discrete-panel": placeholder,
    "heatmap-new": placeholder,
    "grafana-polystat-panel": placeholder,
}


def background(panel: Mapping[str, Any], data: PanelData) -> str:
    """The panel's background: a stat in background colour mode takes its value's colour."""
    if (
        DRAWERS.get(str(panel.get("type"))) is stat
        and (panel.get("options") or {}).get("colorMode") == "background"
    ):
        values = [v for _, v in reduced(panel, data)]
        if values:
            return threshold_colour(panel, values[0])
    return PANEL_BG
