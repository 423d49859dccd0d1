"""Grafana's ``graph`` → ``timeseries`` migration, step for step from ``flotToGraphOptions``
(public/app/plugins/panel/timeseries/migrations.ts)."""
from __future__ import annotations

import copy
import re
from typing import Any

from dashkit.grafana.migrate_common import REDUCERS, Json, alias_colors, is_number, kept, number, without_none
from dashkit.grafana.model import as_array, as_object

# --- graph (Grafana: public/app/plugins/panel/timeseries/migrations.ts, flotToGraphOptions) ---------

#: Grafana's regexp test for a series-override alias written as ``/…/`` (or another delimiter).
_REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)$", re.S)


def _axis(axis: Any) -> Json:
    """``getFieldConfigFromOldAxis``: one old y axis as field config."""
    if not isinstance(axis, dict) or not axis:
        return {}
    custom: Json = {"axisPlacement": "auto" if axis.get("show") else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if number(axis.get("logBase")) in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": number(axis["logBase"])}
    return without_none({"unit": axis.get("format") or None, "decimals": number(axis.get("decimals")),
                          "min": number(axis.get("min")), "max": number(axis.get("max")),
                          "custom": custom})


def _right_axis_properties(y1: Json, y2: Json) -> list[Json]:
    """``fillY2DynamicValues``: what the right axis sets differently from the left one."""
    props = [{"id": key, "value": value} for key, value in y2.items()
             if key != "custom" and value != y1.get(key)]
    left = y1.get("custom") or {}
    props += [{"id": f"custom.{key}", "value": value}
              for key, value in (y2.get("custom") or {}).items() if value != left.get(key)]
    return props


def _override(item: Json, y1: Json, axes: list[Any], dash: Json) -> tuple[Json | None, bool]:
    """One ``seriesOverrides`` entry as a field override; and whether it fills below another."""
    alias = str(item["alias"])
    rule: Json = {"matcher": {"id": "byRegexp" if _REGEX_ALIAS.match(alias) else "byName",
                              "options": alias}, "properties": []}
    props: list[Json] = rule["properties"]
    dash_override: Json | None = None
    fills_below = False
    for key, value in item.items():
        if key == "yaxis":
            if value == 2:
                props += _right_axis_properties(y1, _axis(axes[1] if len(axes) > 1 else None))
        elif key == "fill":
            props.append({"id": "custom.fillOpacity", "value": value * 10})
        elif key == "fillBelowTo":
            fills_below = True
            props.append({"id": "custom.fillBelowTo", "value": value})
        elif key == "fillGradient":
            if value:
                props += [{"id": "custom.fillGradient", "value": "opacity"},
                          {"id": "custom.fillOpacity", "value": value * 10}]
        elif key == "points":
            props.append({"id": "custom.showPoints", "value": "always" if value else "never"})
        elif key == "bars":
            props += [{"id": "custom.drawStyle", "value": "bars"},
                      {"id": "custom.fillOpacity", "value": 100}] if value else \
                [{"id": "custom.drawStyle", "value": "line"}]
        elif key == "lines":
            props.append({"id": "custom.lineWidth", "value": 0})
        elif key == "linewidth":
            props.append({"id": "custom.lineWidth", "value": value})
        elif key == "pointradius":
            props.append({"id": "custom.pointSize", "value": 2 + value * 2})
        elif key in ("dashLength", "spaceLength", "dashes"):
            dash_override = dash_override or {"fill": dash["fill"], "dash": list(dash["dash"])}
            if key == "dashes":
                dash_override["fill"] = "dash" if value else "solid"
            else:
                dash_override["dash"][0 if key == "dashLength" else 1] = value
        elif key == "stack":
            props.append({"id": "custom.stacking", "value": {"mode": "normal", "group": value}})
        elif key == "color":
            props.append({"id": "color", "value": {"fixedColor": value, "mode": "fixed"}})
        elif key == "transform":
            props.append({"id": "custom.transform",
                          "value": "negative-Y" if value == "negative-Y" else "constant"})
    if dash_override:
        props.append({"id": "custom.lineStyle", "value": dash_override})
    return (rule if props else None), fills_below


def _threshold_color(item: Json) -> str:
    mode = item.get("colorMode")
    if mode == "custom":
        return str(item.get("fillColor") or item.get("lineColor"))
    return "orange" if mode == "warning" else "red"


def _graph_thresholds(old: list[Json]) -> tuple[list[Json], str]:
    """Grafana's conversion of ``gt``/``lt`` graph thresholds into absolute steps."""
    ordered = sorted((t for t in old if isinstance(t, dict)),
                     key=lambda t: number(t.get("value")) or 0)
    steps: list[Json] = []
    area = line = False
    for index, item in enumerate(ordered):
        after = ordered[index + 1] if index + 1 < len(ordered) else None
        value = number(item.get("value"))
        area, line = area or bool(item.get("fill")), line or bool(item.get("line"))
        if item.get("op") == "gt":
            steps.append({"color": _threshold_color(item), "value": value})
        if item.get("op") == "lt":
            if not steps:
                steps.append({"color": _threshold_color(item), "value": None})
            if after and after.get("op") == "lt":
                steps.append({"color": _threshold_color(after), "value": value})
            else:
                steps.append({"color": "transparent", "value": value})
    if steps and steps[0]["value"] is not None:
        steps.insert(0, {"color": "transparent", "value": None})
    return steps, "line+area" if line and area else "area" if area else "line"


def _legend(panel: Json) -> Json:
    legend: Json = {"showLegend": True, "displayMode": "list", "placement": "bottom", "calcs": []}
    old = panel.get("legend")
    if isinstance(old, dict) and old:
        if old.get("show"):
            legend["displayMode"] = "table" if old.get("alignAsTable") else "list"
        else:
            legend["showLegend"] = False
        if old.get("rightSide"):
            legend["placement"] = "right"
        if old.get("values"):
            legend["calcs"] = [REDUCERS[k] for k, v in old.items() if v and k in REDUCERS]
        if old.get("sideWidth"):
            legend["width"] = old["sideWidth"]
    return legend


def _tooltip(panel: Json) -> Json:
    tooltip = {"mode": "single", "sort": "none"}
    old = panel.get("tooltip")
    if isinstance(old, dict):
        if "shared" in old:
            tooltip["mode"] = "multi" if old["shared"] else "single"
        if "sort" in old and old.get("shared"):
            tooltip["sort"] = {1: "asc", 2: "desc"}.get(old["sort"], "none")
    return tooltip


def graph_to_timeseries(panel: Json) -> Json:
    """Grafana's ``flotToGraphOptions``, step for step, on the panel as saved."""
    new = kept(panel)
    new["type"] = "timeseries"
    old_config = as_object(panel.get("fieldConfig"))
    overrides: list[Json] = copy.deepcopy(old_config.get("overrides") or [])
    axes = as_array(panel.get("yaxes"))
    y1 = _axis(axes[0] if axes else None)
    if old_config.get("defaults"):
        y1 = {**copy.deepcopy(old_config["defaults"]), **y1}
    dash = {"fill": "dash" if panel.get("dashes") else "solid",
            "dash": [panel.get("dashLength", 10), panel.get("spaceLength", 10)]}
    overrides += alias_colors(panel)
    fills_below = False
    for item in panel.get("seriesOverrides") or []:
        if isinstance(item, dict) and item.get("alias"):
            rule, below = _override(item, y1, axes, dash)
            fills_below = fills_below or below
            if rule:
                overrides.append(rule)
    graph: Json = dict(y1.get("custom") or {})
    graph["drawStyle"] = "bars" if panel.get("bars") else "line" if panel.get("lines") else "points"
    if panel.get("points"):
        graph["showPoints"] = "always"
        if is_number(panel.get("pointradius")):
            graph["pointSize"] = 2 + panel["pointradius"] * 2
    elif graph["drawStyle"] != "points":
        graph["showPoints"] = "never"
    graph["lineWidth"] = panel.get("linewidth")
    if dash["fill"] != "solid":
        graph["lineStyle"] = dash
    if fills_below:
        graph["fillOpacity"] = 35
    elif is_number(panel.get("fill")):
        graph["fillOpacity"] = panel["fill"] * 10
    if is_number(panel.get("fillGradient")) and panel["fillGradient"] > 0:
        graph["gradientMode"] = "opacity"
        graph["fillOpacity"] = panel["fillGradient"] * 10
    graph["spanNulls"] = panel.get("nullPointMode") == "connected"
    if panel.get("steppedLine"):
        graph["lineInterpolation"] = "stepAfter"
    if graph["drawStyle"] == "bars":
        graph["fillOpacity"] = 100
    if panel.get("stack"):
        graph["stacking"] = {"mode": "normal", "group": "A"}
    y1["custom"] = without_none(graph)
    if panel.get("thresholds"):
        steps, style = _graph_thresholds(as_array(panel["thresholds"]))
        y1["custom"]["thresholdsStyle"] = {"mode": style}
        y1["thresholds"] = {"mode": "absolute", "steps": steps}
    xaxis = panel.get("xaxis") or {}
    if xaxis.get("show") is False and xaxis.get("mode") == "time":
        overrides.append({"matcher": {"id": "byType", "options": "time"}, "properties": [
            {"id": "custom.axisPlacement", "value": "hidden"}]})
    new["fieldConfig"] = {"defaults": without_none(y1), "overrides": overrides}
    new["options"] = {"legend": _legend(panel), "tooltip": _tooltip(panel)}
    return new
