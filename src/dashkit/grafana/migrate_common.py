"""What every panel migration shares: the keys a panel keeps when its type changes, Grafana's
reducer names, and the loose number parsing of old panel JSON."""
from __future__ import annotations

import copy
from typing import Any

Json = dict[str, Any]

#: Panel keys every panel keeps through a type migration.
COMMON_KEYS = ("id", "type", "title", "description", "gridPos", "datasource", "targets", "links",
                "repeat", "repeatDirection", "maxPerRow", "transparent", "timeFrom", "timeShift",
                "hideTimeOverride", "interval", "maxDataPoints", "transformations", "libraryPanel",
                "pluginVersion", "collapsed", "panels")


def number(value: Any) -> float | int | None:
    """A number from old panel JSON, which stores them as strings as often as not."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def kept(panel: Json) -> Json:
    """The keys a panel keeps when Grafana changes its type, copied."""
    return {k: copy.deepcopy(panel[k]) for k in COMMON_KEYS if k in panel}


#: Reducer ids of Grafana's ``fieldReducers`` with their aliases: what ``getIfExists`` accepts.
REDUCERS = {"avg": "mean", "current": "lastNotNull", "total": "sum", "mean": "mean",
             "lastNotNull": "lastNotNull", "sum": "sum", "min": "min", "max": "max", "last": "last",
             "first": "first", "firstNotNull": "firstNotNull", "count": "count", "range": "range",
             "delta": "delta", "diff": "diff", "step": "step", "logmin": "logmin",
             "changeCount": "changeCount", "distinctCount": "distinctCount", "median": "median",
             "variance": "variance", "stdDev": "stdDev", "diffperc": "diffperc"}
def is_number(value: Any) -> bool:
    """lodash ``isNumber``: a real number, not a bool and not a numeric string."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def without_none(mapping: Json) -> Json:
    """The mapping without its null values, as lodash's omitBy(isNil) leaves it."""
    return {k: v for k, v in mapping.items() if v is not None}


def alias_colors(panel: Json) -> list[Json]:
    """``aliasColors`` as fixed-colour overrides by series name, as both handlers write them."""
    return [{"matcher": {"id": "byName", "options": alias}, "properties": [
        {"id": "color", "value": {"mode": "fixed", "fixedColor": color}}]}
        for alias, color in (panel.get("aliasColors") or {}).items() if color]
