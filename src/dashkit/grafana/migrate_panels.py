"""Grafana's migrations of ``singlestat``, ``table-old`` and ``grafana-piechart-panel``, from
their handlers (SingleStatBaseOptions.ts, StatMigrations.ts, table/ and piechart/migrations.ts)."""
from __future__ import annotations

import re

from dashkit.grafana.migrate_common import REDUCERS, Json, alias_colors, kept, number, without_none
from dashkit.grafana.model import as_array, as_object

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
            "from": number(item.get("from")), "to": number(item.get("to")),
            "result": {"text": str(item.get("text", "")), "index": index}}}
            for index, item in enumerate(panel.get("rangeMaps") or [])]
    return []


def singlestat_to_stat(panel: Json) -> tuple[Json, list[str]]:
    """Grafana's singlestat → stat (or gauge, where the singlestat drew one)."""
    new = kept(panel)
    gauge = as_object(panel.get("gauge"))
    new["type"] = "gauge" if gauge.get("show") else "stat"
    reduce: Json = {"calcs": [REDUCERS.get(str(panel.get("valueName")), "mean")]}
    if panel.get("tableColumn"):
        reduce["fields"] = f"/^{panel['tableColumn']}$/"
    defaults: Json = {}
    if panel.get("format"):
        defaults["unit"] = panel["format"]
    if panel.get("nullText"):
        defaults["noValue"] = panel["nullText"]
    if number(panel.get("decimals")) is not None:
        defaults["decimals"] = number(panel["decimals"])
    if panel.get("thresholds") and panel.get("colors"):
        levels = [number(v.strip()) for v in str(panel["thresholds"]).split(",")]
        steps = [{"color": color, "value": levels[index - 1] if index else None}
                 for index, color in enumerate(panel["colors"]) if index <= len(levels)]
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mappings = _value_mappings(panel)
    if mappings:
        defaults["mappings"] = mappings
    if gauge.get("show"):
        defaults.update(without_none({"min": number(gauge.get("minValue")),
                                       "max": number(gauge.get("maxValue"))}))
    options: Json = {"reduceOptions": reduce, "orientation": "horizontal"}
    if new["type"] == "gauge":
        options.update(without_none({"showThresholdMarkers": gauge.get("thresholdMarkers"),
                                      "showThresholdLabels": gauge.get("thresholdLabels")}))
    else:
        sparkline = as_object(panel.get("sparkline"))
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
_COLUMNREDUCERS = {"avg": "mean", "min": "min", "max": "max", "total": "sum",
                    "current": "lastNotNull", "count": "count"}
_CELL_COLORS = {"cell": "color-background", "row": "color-background", "value": "color-text"}


def _style_thresholds(style: Json) -> Json:
    values = [None] + [number(v) for v in style.get("thresholds") or []]
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
    new = kept(panel)
    new["type"] = "table"
    transformations = list(as_array(new.get("transformations")))
    transform = panel.get("transform")
    if transform in _TRANSFORMS:
        options: Json = {"reducers": []}
        if transform == "timeseries_aggregations":
            options = {"reducers": [_COLUMNREDUCERS.get(str(c.get("value"))) for c in
                                    as_array(panel.get("columns")) if isinstance(c, dict)],
                       "includeTimeField": False}
        transformations.append({"id": _TRANSFORMS[transform], "options": options})
    if transformations:
        new["transformations"] = transformations
    styles = [s for s in as_array(panel.get("styles")) if isinstance(s, dict)]
    base = next((s for s in styles if s.get("pattern") == "/.*/"), None)
    defaults: Json = {"custom": {}}
    if base is not None:
        align = base.get("align")
        defaults = without_none({"unit": base.get("unit"), "decimals": base.get("decimals"),
                                  "displayName": base.get("alias"),
                                  "custom": without_none({"align": None if align == "auto"
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

def piechart_plugin_to_piechart(panel: Json) -> Json:
    """Grafana's ``PieChartPanelChangedHandler``."""
    new = kept(panel)
    new["type"] = "piechart"
    new["fieldConfig"] = {"defaults": without_none({
        "unit": panel.get("format"), "decimals": panel.get("decimals") or 0}),
        "overrides": alias_colors(panel)}
    legend: Json = {"placement": "right", "values": [], "displayMode": "table",
                    "showLegend": True, "calcs": []}
    options: Json = {"legend": legend}
    calcs = {"current": "lastNotNull", "min": "min", "max": "max", "avg": "mean", "total": "sum"}
    if panel.get("valueName"):
        options["reduceOptions"] = {"calcs": [calcs[panel["valueName"]]]
                                    if panel["valueName"] in calcs else []}
    placement = {"Under graph": "bottom", "Right side": "right"}
    legend["placement"] = placement.get(str(panel.get("legendType")), "right")
    if panel.get("pieType") in ("pie", "donut"):
        options["pieType"] = panel["pieType"]
    old = as_object(panel.get("legend"))
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
