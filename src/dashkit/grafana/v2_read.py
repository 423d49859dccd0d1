"""Reading Grafana's v2 dashboards (and v0/v1 resources) back as the one classic model: import
and lint of v2 files, and publish's read-back through the dashboard API. The inverse of
dashkit.grafana.v2's emitter, for every field v2 holds (a row's id it does not: one is made up).
"""
from __future__ import annotations

from typing import Any

from dashkit.grafana.facts import SCHEMA_VERSION
from dashkit.grafana.model import as_array, as_int, as_object
from dashkit.grafana.v2 import (
    CURSOR_SYNC,
    DEFAULT_REFRESH_INTERVALS,
    GROUP,
    HIDE,
    LEGACY_STRING,
    REFRESH,
    ROW_HEIGHT,
    SORT,
    VARIABLE_KINDS,
    Json,
    number,
)
from dashkit.grafana.v2_panels import ANGULAR_MIGRATION, QUERY_OPTIONS


def _datasource(query: Json) -> Json | None:
    name = as_object(query.get("datasource")).get("name")
    group = query.get("group")
    if not name and not group:
        return None
    out: Json = {}
    if group:
        out["type"] = str(group)
    if name:
        out["uid"] = str(name)
    return out


def _target(panel_query: Json) -> Json:
    spec = as_object(panel_query.get("spec"))
    query = as_object(spec.get("query"))
    target: Json = dict(as_object(query.get("spec")))
    target["refId"] = str(spec.get("refId", ""))
    if (source := _datasource(query)) is not None:
        target["datasource"] = source
    if spec.get("hidden"):
        target["hide"] = True
    return target


def _classic_panel(element_: Json, item: Json, y: int) -> Json:
    spec = as_object(element_.get("spec"))
    pos = {"h": as_int(item.get("height"), 8), "w": as_int(item.get("width"), 12),
           "x": as_int(item.get("x")), "y": y}
    panel: Json = {"id": as_int(spec.get("id")), "title": str(spec.get("title", "")), "gridPos": pos}
    if element_.get("kind") == "LibraryPanel":
        panel["libraryPanel"] = as_object(spec.get("libraryPanel"))
        return panel
    viz = as_object(spec.get("vizConfig"))
    viz_spec = as_object(viz.get("spec"))
    panel["type"] = str(viz.get("group") or "")
    if viz.get("version"):
        panel["pluginVersion"] = str(viz["version"])
    if isinstance(spec.get("description"), str):
        panel["description"] = spec["description"]
    data = as_object(as_object(spec.get("data")).get("spec"))
    targets = [_target(as_object(q)) for q in as_array(data.get("queries"))]
    if targets:
        panel["targets"] = targets
        sources = {repr(t.get("datasource")) for t in targets}
        if len(sources) == 1 and targets[0].get("datasource"):
            panel["datasource"] = targets[0]["datasource"]
    transformations = [dict(as_object(t.get("spec")), id=str(t.get("group", "")))
                       for t in map(as_object, as_array(data.get("transformations")))]
    if transformations:
        panel["transformations"] = transformations
    panel.update({k: v for k, v in as_object(data.get("queryOptions")).items() if k in QUERY_OPTIONS})
    panel["fieldConfig"] = {"defaults": as_object(as_object(viz_spec.get("fieldConfig")).get("defaults")),
                            "overrides": as_array(as_object(viz_spec.get("fieldConfig")).get("overrides"))}
    panel["options"] = dict(as_object(viz_spec.get("options")))
    migration = as_object(panel["options"].pop(ANGULAR_MIGRATION, None))
    if isinstance(migration.get("autoMigrateFrom"), str):  # the panel as it was written
        panel["type"] = migration["autoMigrateFrom"]
        panel.update({k: v for k, v in as_object(migration.get("originalOptions")).items()
                      if k not in panel})
    if as_array(spec.get("links")):
        panel["links"] = as_array(spec["links"])
    if spec.get("transparent"):
        panel["transparent"] = True
    repeat = as_object(item.get("repeat"))
    if repeat.get("value"):
        panel["repeat"] = str(repeat["value"])
        if repeat.get("direction"):
            panel["repeatDirection"] = repeat["direction"]
        if repeat.get("maxPerRow"):
            panel["maxPerRow"] = repeat["maxPerRow"]
    return panel


def _grid_panels(layout: Json, elements: Json, offset: int) -> list[Json]:
    panels = []
    for item in map(as_object, as_array(as_object(layout.get("spec")).get("items"))):
        spec = as_object(item.get("spec"))
        name = str(as_object(spec.get("element")).get("name", ""))
        found = as_object(elements.get(name))
        if found:
            panels.append(_classic_panel(found, spec, offset + as_int(spec.get("y"))))
    return panels


def _bottom(panels: list[Json]) -> int:
    return max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels), default=0)


#: Layouts nested deeper than this are not read (a hostile file could nest them without end).
MAX_NESTING = 16


def panels_of(layout: Json, elements: Json, depth: int = 0) -> list[Json]:
    """The classic panel list of a v2 layout (grid, or rows of grids; others laid out as rows)."""
    if layout.get("kind") == "GridLayout":
        return _grid_panels(layout, elements, 0)
    if depth > MAX_NESTING:
        return []
    panels: list[Json] = []
    next_id = 1 + max((as_int(as_object(e.get("spec")).get("id"))
                       for e in map(as_object, elements.values())), default=0)
    for row in map(as_object, as_array(as_object(layout.get("spec")).get(
            "rows", as_object(layout.get("spec")).get("tabs")))):
        spec = as_object(row.get("spec"))
        inner = as_object(spec.get("layout"))
        y = _bottom(panels)
        if spec.get("hideHeader") and not panels:
            panels.extend(_grid_panels(inner, elements, 0))
            continue
        content = (_grid_panels(inner, elements, y + ROW_HEIGHT) if inner.get("kind") == "GridLayout"
                   else [dict(p, gridPos=dict(p["gridPos"], y=p["gridPos"]["y"] + y + ROW_HEIGHT))
                         for p in panels_of(inner, elements, depth + 1)])
        row_panel: Json = {"id": next_id, "type": "row", "title": spec.get("title", ""),
                           "collapsed": bool(spec.get("collapse", False)),
                           "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []}
        next_id += 1
        if as_object(spec.get("repeat")).get("value"):
            row_panel["repeat"] = str(spec["repeat"]["value"])
        panels.append(row_panel)
        if row_panel["collapsed"]:
            row_panel["panels"] = content
        else:
            panels.extend(content)
    return panels


def _classic_option(option: Any) -> Json:
    found = as_object(option)
    return {k: found[k] for k in ("selected", "text", "value") if k in found}


def _classic_variable(kind_: Json) -> Json | None:
    types = {kind: name for name, kind in VARIABLE_KINDS.items()}
    kind = types.get(str(kind_.get("kind", "")))
    if kind is None:
        return None
    spec = as_object(kind_.get("spec"))
    out: Json = {"name": str(spec.get("name", "")), "type": kind,
                 "hide": number(HIDE, spec.get("hide"))}
    if kind != "datasource" or spec.get("multi") or spec.get("includeAll"):
        out.update({k: spec[k] for k in ("multi", "includeAll") if k in spec})
    for key in ("label", "description", "allValue", "definition",
                "auto", "regex", "baseFilters", "filters", "defaultKeys"):
        if key in spec:
            out[key] = spec[key]
    out.update({k: spec[k] for k in ("auto_min", "auto_count") if spec.get(k)})  # "" and 0: none
    if spec.get("skipUrlSync"):
        out["skipUrlSync"] = True
    if "allowCustomValue" in spec and spec["allowCustomValue"] is False:
        out["allowCustomValue"] = False
    current = as_object(spec.get("current"))
    shows_query = kind == "constant" and current.get("value") == spec.get("query")
    if (current.get("text") or current.get("value")) and not shows_query:  # a constant's own
        out["current"] = _classic_option(current)
    if "options" in spec:
        out["options"] = [_classic_option(o) for o in as_array(spec["options"])]
    if "refresh" in spec:  # an interval's is always onTimeRangeChanged
        out["refresh"] = number(REFRESH, spec["refresh"])
    if kind == "query":
        query = as_object(spec.get("query"))
        inner = as_object(query.get("spec"))
        # an empty spec was an empty string (buildDataQueryKindForVariable)
        out["query"] = inner[LEGACY_STRING] if LEGACY_STRING in inner else dict(inner) or ""
        if (source := _datasource(query)) is not None:
            out["datasource"] = source
        out["sort"] = number(SORT, spec.get("sort"))
    elif kind == "datasource":
        out["query"] = str(spec.get("pluginId", ""))
    elif kind in ("adhoc", "groupby"):
        if (source := _datasource(kind_)) is not None:
            out["datasource"] = source
    else:
        out["query"] = spec.get("query", "")
    return out


def _classic_annotation(kind: Json) -> Json:
    spec = as_object(kind.get("spec"))
    query = as_object(spec.get("query"))
    out: Json = {k: spec[k] for k in ("enable", "hide", "iconColor", "name", "filter", "mappings")
                 if k in spec}
    if (source := _datasource(query)) is not None:
        out["datasource"] = source
    inner = dict(as_object(query.get("spec")))
    if spec.get("builtIn"):
        out["builtIn"] = 1
    out.update(as_object(spec.get("legacyOptions")))
    if "legacyOptions" in spec or inner.get("refId"):
        if inner:
            out["target"] = inner
    else:  # a file of an older dashkit, which wrote the fields into the query spec
        out.update(inner)
    return out


def from_v2_spec(spec: Json, uid: str) -> Json:
    """The classic model of a v2 spec; what v2 cannot say (row ids) is made up."""
    time = as_object(spec.get("timeSettings"))
    intervals = [str(i) for i in as_array(time.get("autoRefreshIntervals"))]
    picker: Json = {}
    if intervals and tuple(intervals) != DEFAULT_REFRESH_INTERVALS:
        picker["refresh_intervals"] = intervals
    if time.get("hideTimepicker"):
        picker["hidden"] = True
    if time.get("nowDelay"):
        picker["nowDelay"] = time["nowDelay"]
    if as_array(time.get("quickRanges")):
        picker["quick_ranges"] = time["quickRanges"]
    model: Json = {
        "annotations": {"list": [_classic_annotation(as_object(a))
                                 for a in as_array(spec.get("annotations"))]},
        "editable": bool(spec.get("editable", True)),
        "fiscalYearStartMonth": as_int(time.get("fiscalYearStartMonth")),
        "graphTooltip": number(CURSOR_SYNC, spec.get("cursorSync")),
        "links": [dict(as_object(link)) for link in as_array(spec.get("links"))],
        "liveNow": bool(spec.get("liveNow", False)),
        "panels": panels_of(as_object(spec.get("layout")), as_object(spec.get("elements"))),
        "refresh": str(time.get("autoRefresh") or ""),
        "schemaVersion": SCHEMA_VERSION,
        "tags": [str(t) for t in as_array(spec.get("tags"))],
        "templating": {"list": [v for v in (_classic_variable(as_object(k))
                                            for k in as_array(spec.get("variables"))) if v]},
        "time": {"from": str(time.get("from") or "now-6h"), "to": str(time.get("to") or "now")},
        "timepicker": picker,
        "timezone": time["timezone"] if isinstance(time.get("timezone"), str) else "browser",
        "title": str(spec.get("title", "")),
        "uid": uid,
        "weekStart": str(time.get("weekStart") or ""),
    }
    if isinstance(spec.get("description"), str):
        model["description"] = spec["description"]
    if spec.get("preload"):
        model["preload"] = True
    return model


def is_dashboard_resource(document: Any) -> bool:
    """A Kubernetes-style dashboard resource (any version): ``apiVersion``, ``kind``, ``spec``."""
    return (isinstance(document, dict) and isinstance(document.get("spec"), dict)
            and str(document.get("apiVersion", "")).startswith(GROUP + "/")
            and document.get("kind", "Dashboard") == "Dashboard")


def resource_version(document: Json) -> str:
    """``v1``, ``v2``, ``v2beta1``… of a dashboard resource."""
    return str(document.get("apiVersion", "")).split("/", 1)[1]


def classic_of_resource(document: Json) -> Json:
    """The classic model a dashboard resource holds: a v0/v1 spec is one already; a v2 spec is
    converted back. The uid is the resource's name."""
    name = str(as_object(document.get("metadata")).get("name") or "")
    spec = as_object(document.get("spec"))
    if resource_version(document).startswith("v2"):
        return from_v2_spec(spec, name or str(spec.get("uid", "")))
    model = dict(spec)
    if name:
        model["uid"] = name
    return model
