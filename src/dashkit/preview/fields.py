"""What panels share before drawing: the data their queries returned, the field settings
(decimals, custom; unit and thresholds are in ``settings``), reducers, and Grafana's "No data"."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from dashkit.preview.canvas import MUTED, Box, Canvas
from dashkit.preview.data import LogLine, Series
from dashkit.preview.settings import defaults

NO_DATA = "No data"


@attrs.frozen
class PanelData:
    """What a panel's queries returned."""

    series: tuple[Series, ...] = ()
    logs: tuple[LogLine, ...] = ()


def custom(panel: Mapping[str, Any]) -> Mapping[str, Any]:
    """The visualisation's own settings (fieldConfig.defaults.custom)."""
    return defaults(panel).get("custom") or {}


def decimals(panel: Mapping[str, Any]) -> int | None:
    """The panel's decimals, where it fixes them."""
    decimals = defaults(panel).get("decimals")
    return int(decimals) if isinstance(decimals, (int, float)) else None


def reduce(series: Series, calcs: Sequence[str]) -> float | None:
    """The panel's reducer over one series (lastNotNull unless the panel says otherwise)."""
    if series.values and all(math.isnan(v) for v in series.values):
        return math.nan  # Grafana shows NaN (0/0 ratios of idle services)
    values = [v for v in series.values if not math.isnan(v)]
    if not values:
        return None
    calc = calcs[0] if calcs else "lastNotNull"
    return {
        "mean": sum(values) / len(values),
        "max": max(values),
        "min": min(values),
        "sum": sum(values),
        "first": values[0],
        "firstNotNull": values[0],
        "count": float(len(values)),
    }.get(calc, values[-1])


def calcs(panel: Mapping[str, Any]) -> list[str]:
    """The panel's reducers (reduceOptions.calcs)."""
    return list(((panel.get("options") or {}).get("reduceOptions") or {}).get("calcs") or [])


def no_data(canvas: Canvas, box: Box) -> str:
    """Grafana's words for a query that returned nothing."""
    canvas.text(
        box.left + box.width / 2,
        box.top + box.height / 2,
        NO_DATA,
        size=14,
        colour=MUTED,
        ha="center",
        va="center",
    )
    return NO_DATA


def reduced(panel: Mapping[str, Any], data: PanelData) -> list[tuple[str, float]]:
    """Each series' name and reduced value; series with no value left out."""
    reduced = [(s.name, reduce(s, calcs(panel))) for s in data.series]
    return [(name, value) for name, value in reduced if value is not None]
