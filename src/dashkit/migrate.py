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

Json = dict[str, Any]

#: Panel keys every panel keeps through a type migration.
_COMMON_KEYS = ("id", "type", "title", "description", "gridPos", "datasource", "targets", "links",
                "repeat", "repeatDirection", "maxPerRow", "transparent", "timeFrom", "timeShift",
                "hideTimeOverride", "interval", "maxDataPoints", "transformations", "libraryPanel",
                "pluginVersion", "collapsed", "panels")
_CALCS = {"avg": "mean", "current": "lastNotNull", "max": "max", "min": "min", "total": "sum",
          "first": "firstNotNull", "delta": "delta", "diff": "diff", "range": "range",
          "name": "lastNotNull", "last_time": "lastNotNull"}
_THRESHOLD_COLORS = {"critical": "red", "warning": "orange", "ok": "green"}


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


# --- graph ---------------------------------------------------------------------------------------

def _graph_thresholds(old: list[Json]) -> tuple[list[Json], str]:
    steps: list[Json] = [{"color": "transparent", "value": None}]
    style = "off"
    for item in sorted(old, key=lambda t: _number(t.get("value")) or 0):
        color = item.get("lineColor") if item.get("colorMode") == "custom" else \
            _THRESHOLD_COLORS.get(item.get("colorMode", ""), "red")
        steps.append({"color": color or "red", "value": _number(item.get("value"))})
        line, fill = item.get("line", True), item.get("fill", True)
        style = "line+area" if line and fill else "area" if fill else "line"
    if len(steps) == 1:
        return [], "off"
    return steps, style


def _series_overrides(panel: Json) -> list[Json]:
    overrides = []
    for name, color in (panel.get("aliasColors") or {}).items():
        overrides.append({"matcher": {"id": "byName", "options": name},
                          "properties": [{"id": "color", "value": {"fixedColor": color,
                                                                   "mode": "fixed"}}]})
    for item in panel.get("seriesOverrides") or []:
        alias = str(item.get("alias", ""))
        matcher = {"id": "byRegexp", "options": alias[1:-1]} if alias.startswith("/") and \
            alias.endswith("/") else {"id": "byName", "options": alias}
        props: list[Json] = []
        if item.get("yaxis") == 2:
            props.append({"id": "custom.axisPlacement", "value": "right"})
        if "color" in item:
            props.append({"id": "color", "value": {"fixedColor": item["color"], "mode": "fixed"}})
        if "fill" in item:
            props.append({"id": "custom.fillOpacity", "value": int(item["fill"]) * 10})
        if "linewidth" in item:
            props.append({"id": "custom.lineWidth", "value": item["linewidth"]})
        if item.get("bars"):
            props.append({"id": "custom.drawStyle", "value": "bars"})
        if item.get("stack") is False:
            props.append({"id": "custom.stacking", "value": {"group": "A", "mode": "none"}})
        if item.get("transform") == "negative-Y":
            props.append({"id": "custom.transform", "value": "negative-Y"})
        if item.get("dashes"):
            props.append({"id": "custom.lineStyle", "value": {"dash": [10, 10], "fill": "dash"}})
        if item.get("legend") is False or item.get("hideTooltip"):
            props.append({"id": "custom.hideFrom", "value": {
                "legend": item.get("legend") is False, "tooltip": bool(item.get("hideTooltip")),
                "viz": False}})
        if props:
            overrides.append({"matcher": matcher, "properties": props})
    return overrides


def graph_to_timeseries(panel: Json) -> Json:
    new = _kept(panel)
    new["type"] = "timeseries"
    axes = panel.get("yaxes") or [{}]
    y1 = axes[0] if axes else {}
    defaults: Json = {}
    if y1.get("format"):
        defaults["unit"] = y1["format"]
    for key in ("min", "max", "decimals"):
        value = _number(y1.get(key) if key != "decimals" else (panel.get("decimals") or y1.get(key)))
        if value is not None:
            defaults[key] = value
    steps, style = _graph_thresholds(panel.get("thresholds") or [])
    stack = panel.get("stack")
    custom: Json = {
        "drawStyle": "bars" if panel.get("bars") else ("line" if panel.get("lines", True) else "points"),
        "lineWidth": panel.get("linewidth", 1),
        "fillOpacity": int(panel.get("fill", 1) or 0) * 10,
        "showPoints": "always" if panel.get("points") else "never",
        "pointSize": int(panel.get("pointradius", 2) or 2) * 2 + 1,
        "spanNulls": panel.get("nullPointMode") == "connected",
        "lineInterpolation": "stepAfter" if panel.get("steppedLine") else "linear",
        "stacking": {"group": "A", "mode": ("percent" if panel.get("percentage") else "normal")
                     if stack else "none"},
        "gradientMode": "opacity" if panel.get("fillGradient") else "none",
        "axisLabel": y1.get("label") or "",
    }
    if steps:
        custom["thresholdsStyle"] = {"mode": style}
    if _number(y1.get("logBase")) not in (None, 1):
        custom["scaleDistribution"] = {"type": "log", "log": _number(y1["logBase"])}
    defaults.update(custom=custom, color={"mode": "palette-classic"}, mappings=[])
    if steps:
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    new["fieldConfig"] = {"defaults": defaults, "overrides": _series_overrides(panel)}
    legend = panel.get("legend") or {}
    calcs = [_CALCS[k] for k in ("min", "max", "avg", "current", "total") if legend.get(k)]
    tooltip = panel.get("tooltip") or {}
    new["options"] = {
        "legend": {**({"showLegend": False} if legend.get("show") is False else {}),
                   "displayMode": "table" if legend.get("alignAsTable") else "list",
                   "placement": "right" if legend.get("rightSide") else "bottom",
                   "calcs": calcs},
        "tooltip": {"mode": "multi" if tooltip.get("shared", True) else "single",
                    "sort": {1: "asc", 2: "desc"}.get(tooltip.get("sort", 0), "none")},
    }
    return new


# --- singlestat ----------------------------------------------------------------------------------

def _value_mappings(panel: Json) -> list[Json]:
    options: Json = {}
    for item in panel.get("valueMaps") or []:
        if item.get("op", "=") == "=" and "value" in item:
            options[str(item["value"])] = {"text": str(item.get("text", "")), "index": len(options)}
    mappings: list[Json] = [{"type": "value", "options": options}] if options else []
    for item in panel.get("rangeMaps") or []:
        mappings.append({"type": "range", "options": {
            "from": _number(item.get("from")), "to": _number(item.get("to")),
            "result": {"text": str(item.get("text", "")), "index": len(mappings)}}})
    return mappings


def singlestat_to_stat(panel: Json) -> tuple[Json, list[str]]:
    new = _kept(panel)
    gauge = (panel.get("gauge") or {}).get("show")
    new["type"] = "gauge" if gauge else "stat"
    colors = panel.get("colors") or ["green", "orange", "red"]
    limits = [_number(v) for v in str(panel.get("thresholds") or "").split(",") if v.strip()]
    steps = [{"color": colors[0], "value": None}] + [
        {"color": colors[min(i + 1, len(colors) - 1)], "value": v}
        for i, v in enumerate(limits) if v is not None]
    defaults: Json = {"unit": panel.get("format") or "none", "mappings": _value_mappings(panel),
                      "thresholds": {"mode": "absolute", "steps": steps}, "color": {
                          "mode": "thresholds"}}
    if _number(panel.get("decimals")) is not None:
        defaults["decimals"] = _number(panel["decimals"])
    if gauge:
        defaults["min"] = _number(panel["gauge"].get("minValue")) or 0
        defaults["max"] = _number(panel["gauge"].get("maxValue"))
    new["fieldConfig"] = {"defaults": {k: v for k, v in defaults.items() if v is not None},
                          "overrides": []}
    reduce = {"calcs": [_CALCS.get(panel.get("valueName", "avg"), "mean")], "fields": "",
              "values": False}
    if gauge:
        new["options"] = {"reduceOptions": reduce, "showThresholdMarkers":
                          bool(panel["gauge"].get("thresholdMarkers", True)),
                          "showThresholdLabels": bool(panel["gauge"].get("thresholdLabels"))}
    else:
        new["options"] = {
            "reduceOptions": reduce, "orientation": "horizontal", "textMode": "auto",
            "colorMode": "background" if panel.get("colorBackground") else
            "value" if panel.get("colorValue") else "none",
            "graphMode": "area" if (panel.get("sparkline") or {}).get("show") else "none",
            "justifyMode": "auto"}
    notes = [f"{key} {panel[key]!r} has no equivalent in {new['type']} and was dropped"
             for key in ("prefix", "postfix") if panel.get(key)]
    return new, notes


# --- table-old ------------------------------------------------------------------------------------

def table_old_to_table(panel: Json) -> tuple[Json, list[str]]:
    new = _kept(panel)
    new["type"] = "table"
    defaults: Json = {"custom": {"align": "auto", "cellOptions": {"type": "auto"}}, "mappings": [],
                      "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None}]}}
    overrides: list[Json] = []
    for style in panel.get("styles") or []:
        props: list[Json] = []
        if style.get("type") == "hidden":
            props.append({"id": "custom.hidden", "value": True})
        if style.get("unit"):
            props.append({"id": "unit", "value": style["unit"]})
        if _number(style.get("decimals")) is not None:
            props.append({"id": "decimals", "value": _number(style["decimals"])})
        if style.get("alias"):
            props.append({"id": "displayName", "value": style["alias"]})
        if style.get("type") == "date":
            props.append({"id": "unit", "value": "time: " + str(style.get("dateFormat") or
                                                               "YYYY-MM-DD HH:mm:ss")})
        pattern = str(style.get("pattern", ""))
        if pattern in ("/.*/", ""):
            for prop in props:
                defaults[prop["id"]] = prop["value"]
            continue
        matcher = {"id": "byRegexp", "options": pattern[1:-1]} if pattern.startswith("/") \
            and pattern.endswith("/") else {"id": "byName", "options": pattern}
        if props:
            overrides.append({"matcher": matcher, "properties": props})
    new["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    new["options"] = {"showHeader": True, "cellHeight": "sm",
                      "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
    notes = ["table-old column transform {!r} dropped".format(panel["transform"])] \
        if panel.get("transform") not in (None, "timeseries_to_columns", "table") else []
    return new, notes


def piechart_plugin_to_piechart(panel: Json) -> Json:
    new = _kept(panel)
    new["type"] = "piechart"
    new["fieldConfig"] = {"defaults": {"unit": panel.get("format") or "short", "mappings": [],
                                       "color": {"mode": "palette-classic"}}, "overrides": []}
    new["options"] = {"pieType": "donut" if panel.get("pieType") == "donut" else "pie",
                      "reduceOptions": {"calcs": [_CALCS.get(panel.get("valueName", "current"),
                                                             "lastNotNull")],
                                        "fields": "", "values": False},
                      "legend": {"showLegend": (panel.get("legend") or {}).get("show", True),
                                 "displayMode": "list", "placement": "right"}}
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


def _ref_id(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index] if index < len(letters) else f"A{index}"


def _place_unplaced(panels: list[Json], notes: list[str]) -> None:
    """Panels without ``gridPos`` flow left to right, 12×8 each, below the placed ones.

    (Grafana would give each a 6×3 box at the top left and let the grid stack them.)
    """
    from dashkit.layout import Panel, Flow

    unplaced = [p for p in panels if not isinstance(p.get("gridPos"), dict)]
    if not unplaced:
        return
    flow = Flow()
    flow.y = max([p["gridPos"].get("y", 0) + p["gridPos"].get("h", 0)
                  for p in panels if isinstance(p.get("gridPos"), dict)] + [0])
    for panel in unplaced:
        panel["gridPos"] = flow.place(Panel(None, 24 if panel.get("type") == "row" else 12,
                                            1 if panel.get("type") == "row" else 8)).to_json_data()
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
            for index, target in enumerate(new.get("targets") or []):
                if isinstance(target, dict) and "datasource" in target:
                    target["datasource"] = datasource_ref(target["datasource"], plugins)
                if isinstance(target, dict) and not target.get("refId"):
                    # PanelModel.ensureQueryIds: A, B, C… on load
                    target["refId"] = _ref_id(index)
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
