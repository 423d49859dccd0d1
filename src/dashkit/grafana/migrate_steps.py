"""Grafana's schema migrations 30 to 42, the table of every step (``STEPS``, which the README
prints), and ``upgrade``, which runs the steps a model's ``schemaVersion`` has not had yet. The
steps up to 16 are in migrate_schema, 17 to 29 in migrate_schema_grid; rows to grid (16) is
normalise.rows_to_panels, which runs when a file is read."""
from __future__ import annotations

import math
from typing import Any

from dashkit.grafana.facts import MAX_SCHEMA_VERSION, next_ref_id
from dashkit.grafana.migrate_common import Json, number
from dashkit.grafana.migrate_schema import EARLY_STEPS, Step, panels
from dashkit.grafana.migrate_schema_grid import GRID_STEPS
from dashkit.grafana.model import as_array, as_int, as_object

#: The frontend's FALLBACK_COLOR: the colour of a field without threshold steps.
_FALLBACK_COLOR = "#808080"


def _active_color(value: float, thresholds: Json) -> Any:
    """``getActiveThreshold``'s colour, with JavaScript's comparisons (a null step is 0)."""
    steps = as_array(thresholds.get("steps"))
    if not steps:
        return _FALLBACK_COLOR
    active = as_object(steps[0])
    for item in steps:
        if not isinstance(item, dict):
            continue
        limit = 0 if item.get("value", "") is None else number(item.get("value", ""))
        if limit is None or isinstance(item.get("value"), bool) or not value >= limit:
            break  # (NaN compares false, as in Go and JavaScript)
        active = item
    return active.get("color")


def _key(value: Any) -> str:
    """Go's stringifyValue: a value map's key."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value) if isinstance(value, (str, int)) else ""


def _bound(value: Any) -> float | int:
    """A range mapping's bound: Go's ParseFloat of the value's text, 0 when it is none (or not
    finite, which JSON cannot hold)."""
    parsed = None if isinstance(value, bool) else number(_key(value))
    return parsed if parsed is not None and math.isfinite(parsed) else 0


def value_mappings(old: list[Any], thresholds: Json | None) -> list[Any]:
    """``upgradeValueMappings``: legacy mappings (type 1 value, 2 range) in the current shape,
    the value maps merged into one, first; a numeric text takes its threshold's colour."""
    merged: Json = {}
    rest: list[Any] = []
    found = False
    for item in (m for m in old if isinstance(m, dict)):
        kind = item.get("type")
        if isinstance(kind, str) and kind:
            if kind != "value":
                rest.append(item)
            elif isinstance(item.get("options"), dict):
                merged.update(item["options"])
                found = True
            continue
        result: Json = {"text": item["text"]} if "text" in item else {}
        text = number(item.get("text")) if isinstance(item.get("text"), str) else None
        if thresholds is not None and text is not None:
            result["color"] = _active_color(text, thresholds)
        if as_int(kind, -1) == 1 and item.get("value") == "null":
            rest.append({"type": "special", "options": {"match": "null", "result": result}})
        elif as_int(kind, -1) == 1 and item.get("value") is not None:
            merged[_key(item["value"])] = result
            found = True
        elif as_int(kind, -1) == 2:
            bounds = {k: _bound(item.get(k)) for k in ("from", "to")}
            rest.append({"type": "range", "options": {**bounds, "result": result}})
    return [{"type": "value", "options": merged}, *rest] if found else rest


def _v30(model: Json) -> None:
    for panel in panels(model):
        field_config = as_object(panel.get("fieldConfig"))
        defaults = as_object(field_config.get("defaults"))
        if isinstance(defaults.get("mappings"), list) and defaults["mappings"]:
            thresholds = defaults.get("thresholds")
            defaults["mappings"] = value_mappings(
                defaults["mappings"], thresholds if isinstance(thresholds, dict) else None)
        for override in as_array(field_config.get("overrides")):
            for prop in map(as_object, as_array(as_object(override).get("properties"))):
                if prop.get("id") == "mappings" and isinstance(prop.get("value"), list) \
                        and prop["value"]:
                    prop["value"] = value_mappings(prop["value"], None)
        options = as_object(panel.get("options"))
        if panel.get("type") in ("timeseries", "xychart", "xychart2") \
                and "tooltipOptions" in options:
            options["tooltip"] = options.pop("tooltipOptions")


_CLOUDWATCH_QUERY = ("dimensions", "namespace", "region", "metricName")
_CLOUDWATCH_ANNOTATION = ("dimensions", "namespace", "region", "prefixMatching", "statistics")


def _statistics(item: Json) -> list[Any] | None:
    """``getValidStatistics``: the strings and nulls of ``statistics`` (which it removes), or
    None where it is an empty list, which stays."""
    stats = item.get("statistics")
    if isinstance(stats, list) and not stats:
        return None
    item.pop("statistics", None)
    return [s for s in stats if s is None or isinstance(s, str)] if isinstance(stats, list) else []


def _with_statistic(item: Json, stat: Any) -> Json:
    return {**item, "statistic": stat} if isinstance(stat, str) else dict(item)


def _cloudwatch_targets(panel: Json) -> None:
    targets = panel["targets"]
    taken = {t["refId"] for t in targets if isinstance(t, dict) and isinstance(t.get("refId"), str)}
    kept: list[Any] = []
    extra: list[Any] = []
    for target in targets:
        if not (isinstance(target, dict) and all(k in target for k in _CLOUDWATCH_QUERY)):
            kept.append(target)
            continue
        target.setdefault("metricEditorMode", 0)
        target.setdefault("metricQueryType", 0)
        stats = _statistics(target)
        if not stats:
            kept.append(target)
            continue
        kept.append(_with_statistic(target, stats[0]))
        for stat in stats[1:]:
            query = _with_statistic(target, stat)
            query["refId"] = next_ref_id(taken)
            taken.add(query["refId"])
            extra.append(query)
    panel["targets"] = kept + extra


def _v34(model: Json) -> None:
    for panel in panels(model):
        if isinstance(panel.get("targets"), list):
            _cloudwatch_targets(panel)
    annotations = as_object(model.get("annotations"))
    items = as_array(annotations.get("list"))
    extra: list[Any] = []
    for index, item in enumerate(items):
        if not (isinstance(item, dict) and all(k in item for k in _CLOUDWATCH_ANNOTATION)):
            continue
        name = item.get("name") if isinstance(item.get("name"), str) else ""
        stats = _statistics(item)
        if not stats:
            continue
        if len(stats) == 1:
            items[index] = _with_statistic(item, stats[0])
            continue
        split = [{**_with_statistic(item, stat),
                  **({"name": f"{name} - {'null' if stat is None else stat}"} if name else {})}
                 for stat in stats]
        items[index] = split[0]
        extra += split[1:]
    if extra:
        annotations["list"] = items + extra


def _transformations(panel: Json) -> list[Any]:
    return as_array(panel.get("transformations"))


def _v31(model: Json) -> None:
    for panel in panels(model):
        if not any(isinstance(t, dict) and t.get("id") == "labelsToFields"
                   for t in _transformations(panel)):
            continue
        steps: list[Any] = []
        for transformation in panel["transformations"]:
            steps.append(transformation)
            if isinstance(transformation, dict) and transformation.get("id") == "labelsToFields":
                steps.append({"id": "merge", "options": {}})
        panel["transformations"] = steps


def _v35(model: Json) -> None:
    for panel in panels(model):
        field_config = panel.get("fieldConfig")
        if panel.get("type") != "timeseries" or not isinstance(field_config, dict):
            continue
        custom = as_object(as_object(field_config.get("defaults")).get("custom"))
        if custom.get("axisPlacement") == "hidden":
            field_config["overrides"] = [
                *as_array(field_config.get("overrides")),
                {"matcher": {"id": "byType", "options": "time"},
                 "properties": [{"id": "custom.axisPlacement", "value": "auto"}]}]


def _v37(model: Json) -> None:
    for panel in panels(model):
        options = as_object(panel.get("options"))
        legend = options.get("legend")
        if isinstance(legend, bool):
            options["legend"] = {"displayMode": "list", "showLegend": legend}
        elif isinstance(legend, dict):
            if legend.get("displayMode") == "hidden" or legend.get("showLegend") is False:
                legend.update(displayMode="list", showLegend=False)
            else:
                legend["showLegend"] = True


def cell_options(display_mode: str) -> Json:
    """``migrateTableDisplayModeToCellOptions``: a table's display mode as cell options."""
    gauges = {"basic": "basic", "gradient-gauge": "gradient", "lcd-gauge": "lcd"}
    if display_mode in gauges:
        return {"type": "gauge", "mode": gauges[display_mode]}
    if display_mode in ("color-background", "color-background-solid"):
        return {"type": "color-background",
                "mode": "gradient" if display_mode == "color-background" else "basic"}
    return {"type": display_mode}


def _v38(model: Json) -> None:
    for panel in panels(model):
        field_config = as_object(panel.get("fieldConfig"))
        custom = as_object(as_object(field_config.get("defaults")).get("custom"))
        if panel.get("type") != "table" or "custom" not in as_object(field_config.get("defaults")):
            continue
        if "displayMode" in custom:
            mode = custom.pop("displayMode")
            if isinstance(mode, str):
                custom["cellOptions"] = cell_options(mode)
        for override in as_array(field_config.get("overrides")):
            for prop in as_array(as_object(override).get("properties")):
                if isinstance(prop, dict) and prop.get("id") == "custom.displayMode":
                    prop["id"] = "custom.cellOptions"
                    if isinstance(prop.get("value"), str):
                        prop["value"] = cell_options(prop["value"])


def _v39(model: Json) -> None:
    for panel in panels(model):
        for transformation in map(as_object, _transformations(panel)):
            stats = as_object(transformation.get("options")).get("refIdToStat")
            if transformation.get("id") == "timeSeriesTable" and isinstance(stats, dict):
                transformation["options"] = {ref: {"stat": stat} for ref, stat in stats.items()}


def _v40(model: Json) -> None:
    if not isinstance(model.get("refresh"), str):
        model["refresh"] = ""


def _v41(model: Json) -> None:
    as_object(model.get("timepicker")).pop("time_options", None)


def _v42(model: Json) -> None:
    for panel in panels(model):
        for override in as_array(as_object(panel.get("fieldConfig")).get("overrides")):
            for prop in map(as_object, as_array(as_object(override).get("properties"))):
                value = prop.get("value")
                if prop.get("id") == "custom.hideFrom" and isinstance(value, dict) \
                        and value.get("viz") is True:
                    value["tooltip"] = True


STEPS: tuple[Step, ...] = EARLY_STEPS + GRID_STEPS + (
    Step(30, "V30 upgradeValueMappings", "legacy value mappings (type 1/2) become value, range "
         "and special mappings (a numeric text takes its threshold colour); tooltipOptions "
         "becomes tooltip", _v30),
    Step(31, "V31", "a merge transformation after each labelsToFields", _v31),
    Step(32, "V32", "nothing (no-op)", None),
    Step(33, "V33 migrateDatasourceNameToRef", "datasource names become {uid} (the type when a "
         "variable or input names it): migrate.datasource_ref", None),
    Step(34, "V34", "a CloudWatch query or annotation with several statistics becomes one per "
         "statistic (new queries take the next free refIds, annotations a name suffix)", _v34),
    Step(35, "V35", "a timeseries whose axes are hidden keeps its time axis (byType time "
         "override)", _v35),
    Step(36, "V36", "nothing: the instance's default datasource, which an import does not "
         "know (a null datasource is left out: the default)", None),
    Step(37, "V37", "legends: boolean to object, hidden as showLegend false", _v37),
    Step(38, "V38", "a table's displayMode becomes cellOptions, in overrides too", _v38),
    Step(39, "V39", "timeSeriesTable's refIdToStat becomes per-query {stat}", _v39),
    Step(40, "V40", "refresh that is not a string becomes \"\"", _v40),
    Step(41, "V41", "timepicker.time_options removed", _v41),
    Step(42, "V42", "a field hidden from the viz is hidden from the tooltip too", _v42),
)


def schema_version(model: Json) -> int:
    """The model's schema version; a missing or malformed one is 0, as Grafana reads it."""
    version = model.get("schemaVersion")
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def upgrade(model: Json) -> None:
    """Run, in place and in order, every step the model's schema version has not had yet."""
    version = schema_version(model)
    for step in STEPS:
        if version < step.version and step.apply is not None:
            step.apply(model)
    model["schemaVersion"] = max(version, MAX_SCHEMA_VERSION)
