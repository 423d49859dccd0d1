"""Grafana's v2 dashboard schema (``dashboard.grafana.app/v2``), to and from the one model.

dashkit keeps one model, the classic dashboard JSON every other part works on; v2 is a second
way of writing it down. :func:`to_v2_spec` maps it field by field the way Grafana's own
converters do (``apps/dashboard/pkg/migration/conversion/v1beta1_to_v2alpha1.go`` and the
frontend's ``transformSceneToSaveModelSchemaV2``): panels become ``elements`` named
``panel-<id>``, their place a grid item (``RowsLayout`` of grid layouts once there is a row, the
items' ``y`` relative to their row), queries ``DataQuery`` kinds with the datasource type as
``group``, version ``v0`` and the datasource uid as ``name``. dashkit.grafana.v2_read reads a v2 spec back.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashkit.grafana.grid import UNPLACED_HEIGHT, UNPLACED_WIDTH
from dashkit.grafana.model import as_array, as_int, as_object
from dashkit.grafana.v2_panels import data_query, element

Json = dict[str, Any]

GROUP = "dashboard.grafana.app"
V2_API_VERSION = f"{GROUP}/v2"
FOLDER_ANNOTATION = "grafana.app/folder"
#: What a row's header takes in the classic grid: its panels start one cell below it.
ROW_HEIGHT = 1
#: Grafana's refresh picker when the model names none (getDefaultTimeSettingsSpec).
DEFAULT_REFRESH_INTERVALS = ("5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d")
#: A string query kept in an object spec, as Grafana's converter keeps it.
LEGACY_STRING = "__legacyStringValue"

CURSOR_SYNC = {0: "Off", 1: "Crosshair", 2: "Tooltip"}
HIDE = {0: "dontHide", 1: "hideLabel", 2: "hideVariable"}
REFRESH = {0: "never", 1: "onDashboardLoad", 2: "onTimeRangeChanged"}
SORT = {0: "disabled", 1: "alphabeticalAsc", 2: "alphabeticalDesc", 3: "numericalAsc",
        4: "numericalDesc", 5: "alphabeticalCaseInsensitiveAsc",
        6: "alphabeticalCaseInsensitiveDesc", 7: "naturalAsc", 8: "naturalDesc"}
VARIABLE_KINDS = {"query": "QueryVariable", "custom": "CustomVariable",
                  "constant": "ConstantVariable", "datasource": "DatasourceVariable",
                  "interval": "IntervalVariable", "textbox": "TextVariable",
                  "adhoc": "AdhocVariable", "groupby": "GroupByVariable"}
#: Annotation fields v2 has a place for; the rest (``type`` too) go in ``legacyOptions``
#: (buildAnnotationQuery).
ANNOTATION_FIELDS = frozenset({"builtIn", "datasource", "enable", "hide", "iconColor", "name",
                               "target", "filter", "mappings"})
#: getDefaultDatasourceType without a datasource index: what a datasource variable without a
#: query names.
DEFAULT_DATASOURCE_TYPE = "grafana"

def _reverse(table: Mapping[int, str]) -> dict[str, int]:
    return {name: number for number, name in table.items()}


def _enum(table: Mapping[int, str], value: Any, default: int = 0) -> str:
    if isinstance(value, str) and value in table.values():
        return value
    return table.get(value if isinstance(value, int) else default, table[default])


def number(table: Mapping[int, str], value: Any, default: int = 0) -> int:
    """The classic number of a v2 enum value (an unknown one is the default, as in Grafana)."""
    return _reverse(table).get(value, default) if isinstance(value, str) else default


# --- classic -> v2 -----------------------------------------------------------------------------
def _grid_item(panel: Json, name: str, row_y: int | None) -> Json:
    """buildGridItemKind: in a row, ``y`` counts from the row's header (yOffsetInRows: 0 for a
    panel without gridPos); ``row_y`` -1 is the header-less row above the first row."""
    placed = isinstance(panel.get("gridPos"), dict)
    pos = as_object(panel.get("gridPos"))
    y = as_int(pos.get("y"))
    if row_y is not None:
        y = y - row_y - ROW_HEIGHT if placed else 0
    spec: Json = {"x": as_int(pos.get("x")), "y": y,
                  "width": as_int(pos.get("w"), UNPLACED_WIDTH),
                  "height": as_int(pos.get("h"), UNPLACED_HEIGHT),
                  "element": {"kind": "ElementReference", "name": name}}
    if panel.get("repeat"):
        repeat: Json = {"mode": "variable", "value": str(panel["repeat"])}
        if panel.get("repeatDirection") in ("h", "v"):
            repeat["direction"] = panel["repeatDirection"]
        if isinstance(panel.get("maxPerRow"), int) and panel["maxPerRow"] > 0:
            repeat["maxPerRow"] = panel["maxPerRow"]
        spec["repeat"] = repeat
    return {"kind": "GridLayoutItem", "spec": spec}


def _grid(items: list[Json]) -> Json:
    return {"kind": "GridLayout", "spec": {"items": items}}


def elements_and_layout(panels: list[Any]) -> tuple[Json, Json]:
    """The ``elements`` and ``layout`` of a classic panel list."""
    elements: Json = {}
    panels = [as_object(p) for p in panels]
    ids = [p.get("id") for p in panels] + [as_object(n).get("id") for p in panels
                                          for n in as_array(p.get("panels"))]
    spare = 1 + max((i for i in ids if isinstance(i, int)), default=0)

    def add(panel: Json, row_y: int | None) -> Json:
        nonlocal spare
        name = f"panel-{panel.get('id', 0)}"
        if name in elements or not isinstance(panel.get("id"), int):
            # a repeated or missing id would lose a panel: v2 names elements by id
            panel, spare = dict(panel, id=spare), spare + 1
            name = f"panel-{panel['id']}"
        elements[name] = element(panel)
        return _grid_item(panel, name, row_y)

    if not any(p.get("type") == "row" for p in panels):
        return elements, _grid([add(p, None) for p in panels])
    rows: list[Json] = []
    row_y: int | None = None
    for panel in panels:
        if panel.get("type") == "row":
            row_y = as_int(as_object(panel.get("gridPos")).get("y"))
            spec: Json = {"title": str(panel.get("title", "")),
                          "collapse": bool(panel.get("collapsed", False)),
                          "layout": _grid([add(as_object(p), row_y)
                                           for p in as_array(panel.get("panels"))])}
            if panel.get("repeat"):
                spec["repeat"] = {"mode": "variable", "value": str(panel["repeat"])}
            rows.append({"kind": "RowsLayoutRow", "spec": spec})
        elif not rows:  # panels above the first row: a row without a header, the first at 0
            rows.append({"kind": "RowsLayoutRow", "spec": {
                "title": "", "collapse": False, "hideHeader": True, "layout": _grid([])}})
            item = add(panel, None)
            item["spec"]["y"], row_y = 0, -ROW_HEIGHT
            rows[-1]["spec"]["layout"]["spec"]["items"].append(item)
        else:
            rows[-1]["spec"]["layout"]["spec"]["items"].append(add(panel, row_y))
    return elements, {"kind": "RowsLayout", "spec": {"rows": rows}}


def _text(value: Any) -> str | list[str]:
    """buildStringOrArrayOfString: a string, a list of its strings, a legacy string; else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    legacy = as_object(value).get(LEGACY_STRING)
    return legacy if isinstance(legacy, str) else ""


def _option(value: Any, listed: bool = True) -> Json:
    """buildVariableOptions (``selected`` always said, false unless true) or, not ``listed``,
    buildVariableCurrent (text and value only)."""
    option = as_object(value)
    out: Json = {"text": _text(option.get("text")), "value": _text(option.get("value"))}
    if listed:
        out["selected"] = option.get("selected") is True
    return out


def _adhoc_filters(filters: Any) -> list[Json]:
    """transformAdHocFilters: only the dashboard's own filters (no ``origin``, or
    ``dashboard``); ``=`` when no operator; labels and values when there are some."""
    out = []
    for item in map(as_object, as_array(filters)):
        if item.get("origin", "dashboard") != "dashboard":
            continue
        kept: Json = {"key": str(item.get("key") or ""), "operator": str(item.get("operator") or "="),
                      "value": str(item.get("value") or "")}
        kept.update({k: item[k] for k in ("keyLabel", "condition")
                     if isinstance(item.get(k), str) and item[k]})
        for key in ("values", "valueLabels"):
            texts = [v for v in as_array(item.get(key)) if isinstance(v, str)]
            if texts:
                kept[key] = texts
        out.append(kept)
    return out


def _default_keys(keys: Any) -> list[Json]:
    """transformMetricFindValues: a string key, or an object's non-empty text, as
    ``{text, value}``."""
    texts = [k if isinstance(k, str) else as_object(k).get("text") for k in as_array(keys)]
    return [{"text": t, "value": t} for t, k in zip(texts, as_array(keys))
            if isinstance(k, str) or (isinstance(t, str) and t)]


def variable(classic: Json) -> Json | None:
    """One templating variable as a v2 variable kind (None for a type v2 does not have)."""
    kind = VARIABLE_KINDS.get(str(classic.get("type", "")))
    if kind is None:
        return None
    spec: Json = {"name": str(classic.get("name", ""))}
    for key in ("label", "description"):
        if classic.get(key):
            spec[key] = str(classic[key])
    spec["hide"] = _enum(HIDE, classic.get("hide", 0))
    spec["skipUrlSync"] = bool(classic.get("skipUrlSync", False))
    query = classic.get("query", "")
    if kind not in ("AdhocVariable",):
        # buildVariableCurrent; a constant without one shows its query (buildConstantVariable)
        shown = query if kind == "ConstantVariable" and isinstance(query, str) else ""
        spec["current"] = _option(classic.get("current"), listed=False) \
            if classic.get("current") else {"text": shown, "value": shown}
    if kind in ("QueryVariable", "CustomVariable", "DatasourceVariable", "IntervalVariable",
                "GroupByVariable"):
        spec["options"] = [_option(o) for o in as_array(classic.get("options"))]
    if kind in ("QueryVariable", "CustomVariable", "DatasourceVariable", "GroupByVariable"):
        spec["multi"] = bool(classic.get("multi", False))
    if kind in ("QueryVariable", "CustomVariable", "DatasourceVariable"):
        spec["includeAll"] = bool(classic.get("includeAll", False))
        if isinstance(classic.get("allValue"), str) and classic["allValue"]:
            spec["allValue"] = classic["allValue"]
    if kind in ("QueryVariable", "CustomVariable", "DatasourceVariable", "AdhocVariable"):
        spec["allowCustomValue"] = bool(classic.get("allowCustomValue", True))
    if kind in ("QueryVariable", "DatasourceVariable"):
        spec["refresh"] = _enum(REFRESH, classic.get("refresh", 0))
        spec["regex"] = str(classic.get("regex") or "")
    if kind == "QueryVariable":
        spec["sort"] = _enum(SORT, classic.get("sort", 0))
        if classic.get("definition"):
            spec["definition"] = str(classic["definition"])
        spec["query"] = data_query(classic.get("datasource"), dict(query) if isinstance(
            query, dict) else {LEGACY_STRING: query} if isinstance(query, str) and query else {})
    elif kind == "DatasourceVariable":  # buildDatasourceVariable
        plugin = classic.get("query")  # absent or not a string: the default (not "")
        spec["pluginId"] = plugin if isinstance(plugin, str) else DEFAULT_DATASOURCE_TYPE
    elif kind == "IntervalVariable":  # buildIntervalVariable: what the variable had, no default
        if not (isinstance(query, str) and query):
            values = [str(o.get("value") if "value" in o else o.get("text") or "")
                      for o in map(as_object, as_array(classic.get("options")))]
            query = ",".join(v for v in values if v)
        auto_min = classic.get("auto_min")
        spec.update({"query": query, "auto": bool(classic.get("auto", False)),
                     "auto_min": auto_min if isinstance(auto_min, str) else "",
                     "auto_count": as_int(classic.get("auto_count")),
                     "refresh": "onTimeRangeChanged"})
    elif kind in ("CustomVariable", "ConstantVariable", "TextVariable"):
        spec["query"] = str(query or "")
    out: Json = {"kind": kind}
    if kind in ("AdhocVariable", "GroupByVariable"):
        source = as_object(classic.get("datasource"))
        out["group"] = str(source.get("type") or "")
        uid = source.get("uid") or ("grafana" if kind == "GroupByVariable"  # buildGroupByVariable:
                                    and out["group"] == "datasource" else "")  # Grafana's own
        if uid:
            out["datasource"] = {"name": str(uid)}
        if kind == "AdhocVariable":
            spec.update({"baseFilters": _adhoc_filters(classic.get("baseFilters")),
                         "filters": _adhoc_filters(classic.get("filters")),
                         "defaultKeys": _default_keys(classic.get("defaultKeys"))})
    out["spec"] = spec
    return out


def annotation(classic: Json) -> Json:
    """buildAnnotationQuery: the target is the query spec (empty without one); every other
    field, ``type`` too, goes in ``legacyOptions`` (so the built-in one's do)."""
    extra = {k: v for k, v in classic.items() if k not in ANNOTATION_FIELDS}
    target = classic.get("target")
    spec: Json = {"query": data_query(classic.get("datasource"), dict(as_object(target))),
                  "enable": classic["enable"] if isinstance(classic.get("enable"), bool) else False,
                  "hide": classic["hide"] if isinstance(classic.get("hide"), bool) else False,
                  "iconColor": str(classic.get("iconColor", "")),
                  "name": str(classic.get("name", ""))}
    if isinstance(classic.get("builtIn"), (bool, int, float)):
        spec["builtIn"] = bool(classic["builtIn"])
    for key in ("filter", "mappings"):
        if isinstance(classic.get(key), dict):
            spec[key] = classic[key]
    if extra:
        spec["legacyOptions"] = extra
    return {"kind": "AnnotationQuery", "spec": spec}


def _dashboard_link(link: Json) -> Json:
    out: Json = {"title": str(link.get("title", "")), "type": str(link.get("type", "link")),
                 "icon": str(link.get("icon", "")), "tooltip": str(link.get("tooltip", "")),
                 "tags": [str(t) for t in as_array(link.get("tags"))],
                 "asDropdown": bool(link.get("asDropdown", False)),
                 "targetBlank": bool(link.get("targetBlank", False)),
                 "includeVars": bool(link.get("includeVars", False)),
                 "keepTime": bool(link.get("keepTime", False))}
    for key in ("url", "placement"):
        if isinstance(link.get(key), str):
            out[key] = link[key]
    return out


def _time_settings(model: Json) -> Json:
    time, picker = as_object(model.get("time")), as_object(model.get("timepicker"))
    intervals = [str(i) for i in as_array(picker.get("refresh_intervals"))]
    timezone = model.get("timezone")  # transformTimeSettings: any string, "" too; else browser
    settings: Json = {"timezone": timezone if isinstance(timezone, str) else "browser",
                      "from": str(time.get("from") or "now-6h"), "to": str(time.get("to") or "now"),
                      "autoRefresh": str(model.get("refresh") or ""),
                      "autoRefreshIntervals": intervals or list(DEFAULT_REFRESH_INTERVALS),
                      "hideTimepicker": bool(picker.get("hidden", False)),
                      "fiscalYearStartMonth": as_int(model.get("fiscalYearStartMonth"))}
    if model.get("weekStart") in ("saturday", "monday", "sunday"):
        settings["weekStart"] = model["weekStart"]
    if picker.get("nowDelay"):
        settings["nowDelay"] = str(picker["nowDelay"])
    if as_array(picker.get("quick_ranges")):
        settings["quickRanges"] = [{k: str(as_object(r).get(k, "")) for k in ("display", "from", "to")}
                                   for r in picker["quick_ranges"]]
    return settings


def to_v2_spec(model: Json) -> Json:
    """The v2 ``spec`` of a classic dashboard model."""
    elements, layout = elements_and_layout(as_array(model.get("panels")))
    variables = [variable(as_object(v)) for v in as_array(as_object(model.get("templating")).get("list"))]
    spec: Json = {
        "annotations": [annotation(as_object(a)) for a in
                        as_array(as_object(model.get("annotations")).get("list"))],
        "cursorSync": _enum(CURSOR_SYNC, model.get("graphTooltip", 0)),
        "editable": bool(model.get("editable", True)),
        "elements": elements, "layout": layout,
        "links": [_dashboard_link(as_object(link)) for link in as_array(model.get("links"))],
        "liveNow": bool(model.get("liveNow", False)),
        "preload": bool(model.get("preload", False)),
        "tags": [str(t) for t in as_array(model.get("tags"))],
        "timeSettings": _time_settings(model),
        "title": str(model.get("title", "")),
        "variables": [v for v in variables if v is not None]}
    if isinstance(model.get("description"), str):  # even empty: a round trip keeps it
        spec["description"] = model["description"]
    return spec


def to_v2_resource(model: Json, folder_uid: str | None = None,
                   annotations: Mapping[str, str] | None = None,
                   labels: Mapping[str, str] | None = None) -> Json:
    """A v2 resource file: ``metadata.name`` is the uid; the folder is an annotation."""
    metadata: Json = {"name": str(model.get("uid", ""))}
    notes = dict(annotations or {})
    if folder_uid:
        notes[FOLDER_ANNOTATION] = folder_uid
    if notes:
        metadata["annotations"] = dict(sorted(notes.items()))
    if labels:
        metadata["labels"] = dict(sorted(labels.items()))
    return {"apiVersion": V2_API_VERSION, "kind": "Dashboard", "metadata": metadata,
            "spec": to_v2_spec(model)}
