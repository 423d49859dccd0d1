"""A panel's field settings that both the synthetic data and the drawing read: its unit and its
threshold steps (what a value means, and which values are good)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dashkit.preview.canvas import NAMED, colour


def defaults(panel: Mapping[str, Any]) -> Mapping[str, Any]:
    """The panel's fieldConfig.defaults (empty where a hostile model has none)."""
    return (panel.get("fieldConfig") or {}).get("defaults") or {}


def unit(panel: Mapping[str, Any]) -> str:
    """The panel's unit id, or none."""
    return str(defaults(panel).get("unit") or "")


def steps(panel: Mapping[str, Any]) -> list[tuple[float, str]]:
    """The threshold steps, the base (null) one as minus infinity."""
    found = []
    for step in (defaults(panel).get("thresholds") or {}).get("steps") or []:
        if isinstance(step, dict):
            value = step.get("value")
            found.append(
                (
                    float(value) if isinstance(value, (int, float)) else -math.inf,
                    colour(step.get("color")),
                )
            )
    return sorted(found, key=lambda s: s[0]) or [(-math.inf, colour("green"))]


def threshold_colour(panel: Mapping[str, Any], value: float) -> str:
    """The colour of the highest step at or below ``value``, as Grafana picks it."""
    chosen = steps(panel)[0][1]
    for limit, step_colour in steps(panel):
        if value >= limit:
            chosen = step_colour
    return chosen


#: The colours that say a value is fine (Grafana's greens).
GOOD_COLOURS = frozenset(hex_colour for name, hex_colour in NAMED.items() if "green" in name)


#: The thresholds Grafana gives every new panel: left as they are, they say nothing.
GRAFANA_DEFAULT_STEPS = [(-math.inf, NAMED["green"]), (80.0, NAMED["red"])]


def good_bands(panel: Mapping[str, Any]) -> list[tuple[float, float]]:
    """The [low, high) ranges the thresholds colour green, lowest first (none where they are
    Grafana's defaults, which an uptime in seconds or a byte count never meant)."""
    found = steps(panel)
    if found == GRAFANA_DEFAULT_STEPS:
        return []
    limits = [limit for limit, _ in found[1:]] + [math.inf]
    return [
        (limit, upper)
        for (limit, step_colour), upper in zip(found, limits)
        if step_colour in GOOD_COLOURS and upper > limit
    ]
