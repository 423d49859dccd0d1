"""Grafana-style normalisation of imported dashboards: what Grafana itself does on load.

Datasource names and ``${DS_*}`` strings become ``{type, uid}`` references (schema v33/v36);
Angular panels become their React successors the way ``PanelModel``'s auto-migration does
(``graph`` → ``timeseries``, ``singlestat`` → ``stat``/``gauge``, ``table-old`` → ``table``,
``grafana-piechart-panel`` → ``piechart``), keeping targets, units, thresholds, legends, stacking and
axes. What has no successor is reported, never dropped silently.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from dashkit.grafana.facts import GRID_COLUMNS, next_ref_id

Json = dict[str, Any]

#: Panel keys every panel keeps through a type migration.
_COMMON_KEYS = ("id", "type", "title", "description", "gridPos", "datasource", "targets", "links",
                "repeat", "repeatDirection", "maxPerRow", "transparent", "timeFrom", "timeShift",
                "hideTimeOverride", "interval", "maxDataPoints", "transformations", "libraryPanel",
                "pluginVersion", "collapsed", "panels")


def _number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def _kept(panel: Json) -> Json:
    return {k: copy.deepcopy(panel[k]) for k in _COMMON_KEYS if k in panel}


def _variable_plugins(model: Json) -> dict[str, str]:
    plugins = {str(i.get("name")): str(i.get("pluginId")) for i in model.get("__inputs") or []
               if isinstance(i, dict) and i.get("type") == "datasource"}
    for variable in (model.get("templating") or {}).get("list") or []:
        if variable.get("type") == "datasource":
            plugins[str(variable.get("name"))] = str(variable.get("query"))
    return plugins


def datasource_ref(raw: Any, plugins: dict[str, str]) -> Any:
    """A datasource as ``{type, uid}``: Grafana's v33 migration, with variables resolved to their
    plugin type. A plain name stays ``{"uid": name}`` (Grafana would look it up by name)."""
    if raw == "default":
        return None  # migrateDatasourceNameToRef(…, returnDefaultAsNull): the default datasource
    if not isinstance(raw, str) or raw == "":
        return raw
    if raw in ("-- Grafana --", "-- Mixed --", "-- Dashboard --"):
        kinds = {"-- Grafana --": "grafana", "-- Mixed --": "datasource",
                 "-- Dashboard --": "datasource"}
        return {"type": kinds[raw], "uid": raw}
    match = re.fullmatch(r"\$\{?(\w+)(?::\w+)?\}?", raw)
    if match and match.group(1) in plugins:
        return {"type": plugins[match.group(1)], "uid": raw}
    return {"uid": raw}


# --- graph (Grafana: public/app/plugins/panel/timeseries/migrations.ts, flotToGraphOptions) ---------

#: Reducer ids of Grafana's ``fieldReducers`` with their aliases: what ``getIfExists`` accepts.
_REDUCERS = {"avg": "mean", "current": "lastNotNull", "total": "sum", "mean": "mean",
             "lastNotNull": "lastNotNull", "sum": "sum", "min": "min", "max": "max", "last": "last",
             "first": "first", "firstNotNull": "firstNotNull", "count": "count", "range": "range",
             "delta": "delta", "diff": "diff", "step": "step", "logmin": "logmin",
             "changeCount": "changeCount", "distinctCount": "distinctCount", "median": "median",
             "variance": "variance", "stdDev": "stdDev", "diffperc": "diffperc"}
#: Grafana's regexp test for a series-override alias written as ``/…/`` (or another delimiter).
_REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)$", re.S)


def _is_number(value: Any) -> bool:
    """lodash ``isNumber``: a real number, not a bool and not a numeric string."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _without_none(mapping: Json) -> Json:
    return {k: v for k, v in mapping.items() if v is not None}


def _axis(axis: Any) -> Json:
    """``getFieldConfigFromOldAxis``: one old y axis as field config."""
    if not isinstance(axis, dict) or not axis:
        return {}
    custom: Json = {"axisPlacement": "auto" if axis.get("show") else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if _number(axis.get("logBase")) in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": _number(axis["logBase"])}
    return _without_none({"unit": axis.get("format") or None, "decimals": _number(axis.get("decimals")),
                          "min": _number(axis.get("min")), "max": _number(axis.get("max")),
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
    ordered = sorted(old, key=lambda t: _number(t.get("value")) or 0)
    steps: list[Json] = []
    area = line = False
    for index, item in enumerate(ordered):
        after = ordered[index + 1] if index + 1 < len(ordered) else None
        value = _number(item.get("value"))
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
            legend["calcs"] = [_REDUCERS[k] for k, v in old.items() if v and k in _REDUCERS]
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
    new = _kept(panel)
    new["type"] = "timeseries"
    old_config = panel.get("fieldConfig") if isinstance(panel.get("fieldConfig"), dict) else {}
    overrides: list[Json] = copy.deepcopy(old_config.get("overrides") or [])
    axes = panel.get("yaxes") if isinstance(panel.get("yaxes"), list) else []
    y1 = _axis(axes[0] if axes else None)
    if old_config.get("defaults"):
        y1 = {**copy.deepcopy(old_config["defaults"]), **y1}
    dash = {"fill": "dash" if panel.get("dashes") else "solid",
            "dash": [panel.get("dashLength", 10), panel.get("spaceLength", 10)]}
    overrides += _alias_colors(panel)
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
        if _is_number(panel.get("pointradius")):
            graph["pointSize"] = 2 + panel["pointradius"] * 2
    elif graph["drawStyle"] != "points":
        graph["showPoints"] = "never"
    graph["lineWidth"] = panel.get("linewidth")
    if dash["fill"] != "solid":
        graph["lineStyle"] = dash
    if fills_below:
        graph["fillOpacity"] = 35
    elif _is_number(panel.get("fill")):
        graph["fillOpacity"] = panel["fill"] * 10
    if _is_number(panel.get("fillGradient")) and panel["fillGradient"] > 0:
        graph["gradientMode"] = "opacity"
        graph["fillOpacity"] = panel["fillGradient"] * 10
    graph["spanNulls"] = panel.get("nullPointMode") == "connected"
    if panel.get("steppedLine"):
        graph["lineInterpolation"] = "stepAfter"
    if graph["drawStyle"] == "bars":
        graph["fillOpacity"] = 100
    if panel.get("stack"):
        graph["stacking"] = {"mode": "normal", "group": "A"}
    y1["custom"] = _without_none(graph)
    if panel.get("thresholds"):
        steps, style = _graph_thresholds(panel["thresholds"])
        y1["custom"]["thresholdsStyle"] = {"mode": style}
        y1["thresholds"] = {"mode": "absolute", "steps": steps}
    xaxis = panel.get("xaxis") or {}
    if xaxis.get("show") is False and xaxis.get("mode") == "time":
        overrides.append({"matcher": {"id": "byType", "options": "time"}, "properties": [
            {"id": "custom.axisPlacement", "value": "hidden"}]})
    new["fieldConfig"] = {"defaults": _without_none(y1), "overrides": overrides}
    new["options"] = {"legend": _legend(panel), "tooltip": _tooltip(panel)}
    return new


# --- singlestat (Grafana: SingleStatBaseOptions.ts and stat/StatMigrations.ts) ---------------------

def _value_mappings(panel: Json) -> list[Json]:
    """``convertOldAngularValueMapping``, in the value/range shape Grafana 8+ stores."""
    kind = panel.get("mappingType") or (1 if panel.get("valueMaps") else
                                        2 if panel.get("rangeMaps") else None)
    if kind == 1:
        options = {str(item.get("value")): {"text": str(item.get("text", "")), "index": index}
                   for index, item in enumerate(panel.get("valueMaps") or [])}
        return [{"type": "value", "options": options}] if options else []
    if kind == 2:
        return [{"type": "range", "options": {
            "from": _number(item.get("from")), "to": _number(item.get("to")),
            "result": {"text": str(item.get("text", "")), "index": index}}}
            for index, item in enumerate(panel.get("rangeMaps") or [])]
    return []


def singlestat_to_stat(panel: Json) -> tuple[Json, list[str]]:
    """Grafana's singlestat → stat (or gauge, where the singlestat drew one)."""
    new = _kept(panel)
    gauge = panel.get("gauge") if isinstance(panel.get("gauge"), dict) else {}
    new["type"] = "gauge" if gauge.get("show") else "stat"
    reduce: Json = {"calcs": [_REDUCERS.get(str(panel.get("valueName")), "mean")]}
    if panel.get("tableColumn"):
        reduce["fields"] = f"/^{panel['tableColumn']}$/"
    defaults: Json = {}
    if panel.get("format"):
        defaults["unit"] = panel["format"]
    if panel.get("nullText"):
        defaults["noValue"] = panel["nullText"]
    if _number(panel.get("decimals")) is not None:
        defaults["decimals"] = _number(panel["decimals"])
    if panel.get("thresholds") and panel.get("colors"):
        levels = [_number(v.strip()) for v in str(panel["thresholds"]).split(",")]
        steps = [{"color": color, "value": levels[index - 1] if index else None}
                 for index, color in enumerate(panel["colors"]) if index <= len(levels)]
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mappings = _value_mappings(panel)
    if mappings:
        defaults["mappings"] = mappings
    if gauge.get("show"):
        defaults.update(_without_none({"min": _number(gauge.get("minValue")),
                                       "max": _number(gauge.get("maxValue"))}))
    options: Json = {"reduceOptions": reduce, "orientation": "horizontal"}
    if new["type"] == "gauge":
        options.update(_without_none({"showThresholdMarkers": gauge.get("thresholdMarkers"),
                                      "showThresholdLabels": gauge.get("thresholdLabels")}))
    else:
        sparkline = panel.get("sparkline") if isinstance(panel.get("sparkline"), dict) else {}
        options["graphMode"] = "area" if sparkline.get("show") else "none"
        options["colorMode"] = "background" if panel.get("colorBackground") else \
            "value" if panel.get("colorValue") else "none"
        if options["colorMode"] == "none" and options["graphMode"] == "area" and \
                sparkline.get("lineColor"):
            defaults["color"] = {"mode": "fixed", "fixedColor": sparkline["lineColor"]}
        if panel.get("valueName") == "name":
            options["textMode"] = "name"
    new["fieldConfig"] = {"defaults": defaults, "overrides": []}
    new["options"] = options
    notes = [f"{key} {panel[key]!r} has no equivalent in {new['type']} and was dropped"
             for key in ("prefix", "postfix") if panel.get(key)]
    return new, notes


# --- table-old (Grafana: public/app/plugins/panel/table/migrations.ts) ------------------------------

_TRANSFORMS = {"timeseries_to_rows": "seriesToRows", "timeseries_to_columns": "seriesToColumns",
               "timeseries_aggregations": "reduce", "table": "merge"}
_COLUMN_REDUCERS = {"avg": "mean", "min": "min", "max": "max", "total": "sum",
                    "current": "lastNotNull", "count": "count"}
_CELL_COLORS = {"cell": "color-background", "row": "color-background", "value": "color-text"}


def _style_thresholds(style: Json) -> Json:
    values = [None] + [_number(v) for v in style.get("thresholds") or []]
    colors = style.get("colors") or []
    return {"mode": "absolute", "steps": [{"color": colors[i] if i < len(colors) else None,
                                           "value": value} for i, value in enumerate(values)]}


def _style_override(style: Json) -> Json:
    pattern = str(style.get("pattern", ""))
    props: list[Json] = []
    if style.get("alias"):
        props.append({"id": "displayName", "value": style["alias"]})
    if style.get("unit"):
        props.append({"id": "unit", "value": style["unit"]})
    if style.get("decimals"):
        props.append({"id": "decimals", "value": style["decimals"]})
    if style.get("type") == "date":
        props.append({"id": "unit", "value": f"time: {style.get('dateFormat')}"})
    if style.get("type") == "hidden":
        # not in Grafana's handler (it shows the column again); dashkit keeps it hidden
        props.append({"id": "custom.hidden", "value": True})
    if style.get("link"):
        props.append({"id": "links", "value": [{
            "title": style.get("linkTooltip", ""), "url": style.get("linkUrl", ""),
            "targetBlank": style.get("linkTargetBlank", False)}]})
    if style.get("colorMode"):
        props.append({"id": "custom.cellOptions",
                      "value": {"type": _CELL_COLORS.get(style["colorMode"])}})
    if style.get("align"):
        props.append({"id": "custom.align", "value": None if style["align"] == "auto"
                      else style["align"]})
    if style.get("thresholds"):
        props.append({"id": "thresholds", "value": _style_thresholds(style)})
    matcher = "byRegexp" if re.fullmatch(r"/.*/", pattern, re.S) else "byName"
    return {"matcher": {"id": matcher, "options": pattern}, "properties": props}


def table_old_to_table(panel: Json) -> tuple[Json, list[str]]:
    """Grafana's ``tablePanelChangedHandler``: styles become field defaults and overrides."""
    new = _kept(panel)
    new["type"] = "table"
    transformations = list(new.get("transformations") or [])
    transform = panel.get("transform")
    if transform in _TRANSFORMS:
        options: Json = {"reducers": []}
        if transform == "timeseries_aggregations":
            options = {"reducers": [_COLUMN_REDUCERS.get(c.get("value")) for c in
                                    panel.get("columns") or []], "includeTimeField": False}
        transformations.append({"id": _TRANSFORMS[transform], "options": options})
    if transformations:
        new["transformations"] = transformations
    styles = [s for s in panel.get("styles") or [] if isinstance(s, dict)]
    base = next((s for s in styles if s.get("pattern") == "/.*/"), None)
    defaults: Json = {"custom": {}}
    if base is not None:
        align = base.get("align")
        defaults = _without_none({"unit": base.get("unit"), "decimals": base.get("decimals"),
                                  "displayName": base.get("alias"),
                                  "custom": _without_none({"align": None if align == "auto"
                                                           else align})})
        if base.get("thresholds"):
            defaults["thresholds"] = _style_thresholds(base)
        if base.get("colorMode"):
            defaults["custom"]["cellOptions"] = {"type": _CELL_COLORS.get(base["colorMode"])}
    new["fieldConfig"] = {"defaults": defaults, "overrides": [
        _style_override(s) for s in styles if s.get("pattern") != "/.*/"]}
    notes = [f"table-old transform {transform!r} has no equivalent and was dropped"] \
        if transform and transform not in _TRANSFORMS else []
    return new, notes


# --- grafana-piechart-panel (Grafana: public/app/plugins/panel/piechart/migrations.ts) -------------

def _alias_colors(panel: Json) -> list[Json]:
    """``aliasColors`` as fixed-colour overrides by series name, as both handlers write them."""
    return [{"matcher": {"id": "byName", "options": alias}, "properties": [
        {"id": "color", "value": {"mode": "fixed", "fixedColor": color}}]}
        for alias, color in (panel.get("aliasColors") or {}).items() if color]


def piechart_plugin_to_piechart(panel: Json) -> Json:
    """Grafana's ``PieChartPanelChangedHandler``."""
    new = _kept(panel)
    new["type"] = "piechart"
    new["fieldConfig"] = {"defaults": _without_none({
        "unit": panel.get("format"), "decimals": panel.get("decimals") or 0}),
        "overrides": _alias_colors(panel)}
    legend: Json = {"placement": "right", "values": [], "displayMode": "table",
                    "showLegend": True, "calcs": []}
    options: Json = {"legend": legend}
    calcs = {"current": "lastNotNull", "min": "min", "max": "max", "avg": "mean", "total": "sum"}
    if panel.get("valueName"):
        options["reduceOptions"] = {"calcs": [calcs[panel["valueName"]]]
                                    if panel["valueName"] in calcs else []}
    placement = {"Under graph": "bottom", "Right side": "right"}
    legend["placement"] = placement.get(panel.get("legendType"), "right")
    if panel.get("pieType") in ("pie", "donut"):
        options["pieType"] = panel["pieType"]
    old = panel.get("legend") if isinstance(panel.get("legend"), dict) else {}
    if panel.get("legend") is not None:
        if not old.get("show"):
            legend["showLegend"] = False
        legend["values"] += (["value"] if old.get("values") else []) + \
            (["percent"] if old.get("percentage") else [])
    if panel.get("legendType") == "On graph":
        legend["showLegend"] = False
        options["displayLabels"] = ["name"] + (["value"] if old.get("values") else []) + \
            (["percent"] if old.get("percentage") else [])
    new["options"] = options
    return new


def migrate_panel(panel: Json) -> tuple[Json, list[str]]:
    """A panel of a current type, and what could not be carried over."""
    kind = panel.get("type")
    title = panel.get("title", "")
    if kind == "graph":
        mode = (panel.get("xaxis") or {}).get("mode")
        if mode in ("series", "histogram"):
            return panel, [f"panel {title!r}: graph in x-axis mode {mode!r} kept as is "
                           "(Grafana migrates it to bargauge/histogram on load)"]
        return graph_to_timeseries(panel), []
    if kind in ("singlestat", "grafana-singlestat-panel"):
        new, notes = singlestat_to_stat(panel)
        return new, [f"panel {title!r}: {n}" for n in notes]
    if kind == "table-old":
        new, notes = table_old_to_table(panel)
        return new, [f"panel {title!r}: {n}" for n in notes]
    if kind == "grafana-piechart-panel":
        return piechart_plugin_to_piechart(panel), []
    if kind == "heatmap-new":
        return {**panel, "type": "heatmap"}, []
    return panel, []


def _place_unplaced(panels: list[Json], notes: list[str]) -> None:
    """Panels without ``gridPos`` flow left to right, 12×8 each (rows full width), below the
    placed ones. (Grafana would give each a 6×3 box at the top left and let the grid stack them.)
    """
    unplaced = [p for p in panels if not isinstance(p.get("gridPos"), dict)]
    if not unplaced:
        return
    x, y, line = 0, max([p["gridPos"].get("y", 0) + p["gridPos"].get("h", 0)
                         for p in panels if isinstance(p.get("gridPos"), dict)] + [0]), 0
    for panel in unplaced:
        row = panel.get("type") == "row"
        w, h = (GRID_COLUMNS, 1) if row else (12, 8)
        if x + w > GRID_COLUMNS or (row and x):
            x, y, line = 0, y + line, 0
        panel["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        x, line = x + w, max(line, h)
        if row:
            x, y, line = 0, y + line, 0
    notes.append(f"{len(unplaced)} panels had no gridPos: laid out left to right, 12×8 each")


def migrate_dashboard(model: Json) -> tuple[Json, list[str]]:
    """The model with current panel types and ``{type, uid}`` datasources; notes for the rest."""
    model = copy.deepcopy(model)
    plugins = _variable_plugins(model)
    notes: list[str] = []

    def visit(panels: list[Json]) -> list[Json]:
        result = []
        for panel in panels:
            if not isinstance(panel, dict):
                continue
            new, panel_notes = migrate_panel(panel)
            notes.extend(panel_notes)
            if "datasource" in new:
                new["datasource"] = datasource_ref(new["datasource"], plugins)
            targets = [t for t in new.get("targets") or [] if isinstance(t, dict)]
            taken = {str(t["refId"]) for t in targets if t.get("refId")}
            for target in targets:
                if "datasource" in target:
                    target["datasource"] = datasource_ref(target["datasource"], plugins)
                if not target.get("refId"):  # PanelModel.ensureQueryIds, on load
                    target["refId"] = next_ref_id(taken)
                    taken.add(target["refId"])
            if new.get("panels"):
                new["panels"] = visit(new["panels"])
            result.append(new)
        return result

    model["panels"] = visit(model.get("panels") or [])
    _place_unplaced(model["panels"], notes)
    for variable in (model.get("templating") or {}).get("list") or []:
        if "datasource" in variable:
            variable["datasource"] = datasource_ref(variable["datasource"], plugins)
    for annotation in (model.get("annotations") or {}).get("list") or []:
        if "datasource" in annotation:
            annotation["datasource"] = datasource_ref(annotation["datasource"], plugins)
    return model, notes
