"""Grafana's schema migrations, step by step: what Grafana does to an old dashboard's JSON on load
(the frontend's ``DashboardMigrator.ts`` and the backend's ``migration/schemaversion/v*.go``), so
an imported dashboard keeps what Grafana would show. Here: the shared pieces and steps 2 to 16
(``EARLY_STEPS``); ``migrate_steps.STEPS``, which the README prints, has every step, the Grafana
function it follows, and what dashkit does. A step runs only on a model older than its version;
every step tolerates fields of the wrong type (old JSON has them).

Steps that need a live Grafana (a datasource looked up by name, the instance's default
datasource) or only touch instance state dashkit does not import (variables' ``current``) are in
the table as such and do nothing here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from dashkit.grafana.migrate_common import Json, is_number
from dashkit.grafana.model import as_array, as_object


class Step(NamedTuple):
    """One schema version: Grafana's function and dashkit's port (None: nothing to do here)."""

    version: int
    grafana: str
    does: str
    apply: Callable[[Json], None] | None


def variables(model: Json) -> Iterator[Json]:
    """The dashboard's variables that are objects."""
    for variable in as_array(as_object(model.get("templating")).get("list")):
        if isinstance(variable, dict):
            yield variable


def panels(model: Json) -> Iterator[Json]:
    """Every panel, nested in collapsed rows included (a ``panels`` that is no list: none)."""
    stack = [p for p in reversed(as_array(model.get("panels"))) if isinstance(p, dict)]
    while stack:
        panel = stack.pop()
        yield panel
        stack.extend(p for p in reversed(as_array(panel.get("panels"))) if isinstance(p, dict))


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness, for the frontend's ``if (x)`` (an empty list or object is true)."""
    if isinstance(value, (list, dict)):
        return True
    return bool(value)


# --- schema 2 to 15 --------------------------------------------------------------------------

def _v2(model: Json) -> None:
    filter_ = as_object(as_object(model.get("services")).get("filter"))
    if "time" in filter_:
        model["time"] = filter_["time"]
    if "list" in filter_:
        templating = model.setdefault("templating", {})
        if isinstance(templating, dict):
            templating["list"] = filter_["list"]
    model.pop("services", None)
    for panel in panels(model):
        if panel.get("type") != "graphite":
            continue
        panel["type"] = "graph"
        if isinstance(panel.get("legend"), bool):
            panel["legend"] = {"show": panel["legend"]}
        grid = as_object(panel.get("grid"))
        if _truthy(grid.get("min")):  # the frontend's `if (panel.grid.min)`: 0 stays
            grid["leftMin"] = grid.pop("min")
        if "max" in grid:
            grid["leftMax"] = grid.pop("max")
        if "y_format" in panel or "y2_format" in panel:
            panel["y_formats"] = [panel.pop("y_format", None), panel.pop("y2_format", None)]


def _v6(model: Json) -> None:
    for pulldown in as_array(model.get("pulldowns")):
        if isinstance(pulldown, dict) and pulldown.get("type") == "annotations":
            model["annotations"] = {"list": pulldown.get("annotations", [])}
            break
    model.pop("pulldowns", None)
    for variable in variables(model):
        if variable.get("type") in (None, "filter"):
            variable["type"] = "query"


def _v7(model: Json) -> None:
    nav = as_array(model.get("nav"))
    if nav and isinstance(nav[0], dict):
        model["timepicker"] = nav[0]
    model.pop("nav", None)


_INFLUX_PARTS = (("name", "field"), ("func", None), ("mathExpr", "math"), ("asExpr", "alias"))


def _influx_select(field: Json) -> list[Json]:
    """One old InfluxDB field as select parts: field, function, math, alias."""
    return [{"type": kind or field[key], "params": [] if kind is None else [field[key]]}
            for key, kind in _INFLUX_PARTS if isinstance(field.get(key), str)]


def _v8(model: Json) -> None:
    for panel in panels(model):
        for target in as_array(panel.get("targets")):
            if not (isinstance(target, dict) and all(k in target for k in
                                                     ("fields", "tags", "groupBy"))):
                continue
            if target.get("rawQuery") is True:
                target.pop("fields")
                target.pop("fill", None)
                continue
            fields = target.pop("fields")
            if isinstance(fields, list):
                target["select"] = [parts for parts in (_influx_select(f) for f in fields
                                                        if isinstance(f, dict)) if parts]
            if not isinstance(target["groupBy"], list):
                continue
            for part in map(as_object, target["groupBy"]):
                for kind, key in (("time", "interval"), ("tag", "key")):
                    if part.get("type") == kind and isinstance(part.get(key), str):
                        part["params"] = [part.pop(key)]
            if "fill" in target:
                target["groupBy"] = [*target["groupBy"],
                                     {"type": "fill", "params": [target.pop("fill")]}]


def _drop_first_threshold(values: list[Any]) -> list[Any]:
    return values[1:] if len(values) >= 3 else values


def _v9(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "singlestat" and isinstance(panel.get("thresholds"), str) \
                and panel["thresholds"]:
            panel["thresholds"] = ",".join(_drop_first_threshold(panel["thresholds"].split(",")))


def _v10(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "table":
            for style in as_array(panel.get("styles")):
                if isinstance(style, dict) and isinstance(style.get("thresholds"), list):
                    style["thresholds"] = _drop_first_threshold(style["thresholds"])


def _v12(model: Json) -> None:
    for variable in variables(model):
        if "refresh" in variable:  # the frontend's truthiness: any refresh at all becomes 1
            variable["refresh"] = 1 if _truthy(variable["refresh"]) else 0
        if variable.get("hideVariable") is True:
            variable["hide"] = 2
        elif variable.get("hideLabel") is True:
            variable["hide"] = 1
        variable.pop("hideVariable", None)
        variable.pop("hideLabel", None)
    _v12_graph(model)


def _present(source: Json, keys: dict[str, str]) -> Json:
    """``{new: source[old]}`` for the keys ``source`` has: JavaScript leaves undefined out."""
    return {new: source[old] for new, old in keys.items() if old in source}


def _v12_graph(model: Json) -> None:
    """The frontend's second V12 upgrade: a graph's grid and y_formats become yaxes."""
    for panel in panels(model):
        grid = panel.get("grid")
        if panel.get("type") != "graph" or not _truthy(grid) or "yaxes" in panel:
            continue
        grid = as_object(grid)
        formats = dict(enumerate(as_array(panel.get("y_formats"))))
        panel["yaxes"] = [
            {**_present(panel, {"show": "y-axis"}),
             **_present(grid, {"min": f"{side}Min", "max": f"{side}Max",
                               "logBase": f"{side}LogBase"}),
             **({"format": formats[index]} if index in formats else {}),
             **_present(panel, {"label": f"{side}YAxisLabel"})}
            for index, side in enumerate(("left", "right"))]
        panel["xaxis"] = _present(panel, {"show": "x-axis"})
        for key in ("leftMin", "leftMax", "leftLogBase", "rightMin", "rightMax", "rightLogBase"):
            grid.pop(key, None)
        for key in ("y_formats", "leftYAxisLabel", "rightYAxisLabel", "y-axis", "x-axis"):
            panel.pop(key, None)


def _grid_threshold(grid: Json, which: str) -> Json:
    value = grid.get(f"threshold{which}")
    color = _present(grid, {"color": f"threshold{which}Color"}).get("color")
    style = ("line", "lineColor") if _truthy(grid.get("thresholdLine")) else ("fill", "fillColor")
    return {"value": value, style[0]: True, **({style[1]: color} if color is not None else {}),
            "colorMode": "custom"}


def _v13(model: Json) -> None:
    for panel in panels(model):
        grid = panel.get("grid")
        if panel.get("type") != "graph" or not _truthy(grid) or not isinstance(grid, dict):
            continue
        thresholds = as_array(panel.get("thresholds"))
        first, second = _grid_threshold(grid, "1"), _grid_threshold(grid, "2")
        if is_number(first["value"]):
            if is_number(second["value"]):
                op = "lt" if first["value"] > second["value"] else "gt"
                thresholds += [{**first, "op": op}, {**second, "op": op}]
            else:
                thresholds.append({**first, "op": "gt"})
        panel["thresholds"] = thresholds
        for key in ("threshold1", "threshold1Color", "threshold2", "threshold2Color",
                    "thresholdLine"):
            grid.pop(key, None)


def _v14(model: Json) -> None:
    model["graphTooltip"] = 1 if model.get("sharedCrosshair") is True else 0
    model.pop("sharedCrosshair", None)


#: Steps 2 to 16 (migrate_steps.STEPS has them all).
EARLY_STEPS: tuple[Step, ...] = (
    Step(2, "V2 (DashboardMigrator <2)", "services.filter's time and variables moved to the "
         "dashboard; a graphite panel becomes graph, its boolean legend an object, its grid "
         "min/max leftMin/leftMax, its y_format/y2_format y_formats", _v2),
    Step(3, "V3–V5", "nothing (no-ops)", None),
    Step(6, "V6", "the annotations of the pulldowns become annotations.list; a variable of type "
         "filter or without a type becomes query", _v6),
    Step(7, "V7", "nav[0] becomes the timepicker", _v7),
    Step(8, "V8", "an old InfluxDB query's fields become select parts, its groupBy parts take "
         "params, its fill a fill part (a raw query just loses fields and fill)", _v8),
    Step(9, "V9", "a singlestat's thresholds string of 3 or more loses its first value", _v9),
    Step(10, "V10", "a table's style thresholds of 3 or more lose their first value", _v10),
    Step(11, "V11", "nothing (no-op)", None),
    Step(12, "V12", "variables' refresh becomes 0/1 (any truthy value 1, as the frontend); "
         "hideVariable/hideLabel become hide 2/1; a graph's grid and y_formats become yaxes and "
         "xaxis (the frontend's second V12 upgrade)", _v12),
    Step(13, "V13 (DashboardMigrator <13)", "a graph's grid threshold1/threshold2 become "
         "thresholds (gt, or lt when the first is above the second)", _v13),
    Step(14, "V14", "sharedCrosshair becomes graphTooltip 1 (else 0)", _v14),
    Step(15, "V15", "nothing (no-op)", None),
    Step(16, "V16 upgradeToGridLayout", "rows[] placed on the grid when the file is read "
         "(normalise.rows_to_panels): repeated rows skipped, row height kept, no y rewind after "
         "a collapsed row", None),
)
