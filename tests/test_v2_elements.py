"""The v2 element table: every element kind dashkit writes in v2, one hand-written case each,
against the Grafana function that builds it (``apps/dashboard/pkg/migration/conversion/
v1beta1_to_v2alpha1.go``, read by hand; expected outputs written from it, never from dashkit).
The README's v2 table is this table: a test keeps the two the same."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from conftest import ROOT

from dashkit.grafana.v2 import to_v2_spec
from dashkit.grafana.v2_read import from_v2_spec

BUILT_IN = {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}
PROM = {"type": "prometheus", "uid": "prom"}


class Case(NamedTuple):
    kind: str
    function: str
    does: str
    classic: dict[str, Any]
    pick: Callable[[dict[str, Any]], Any]
    expected: Any


def _row(title, y, panels=(), collapsed=False):
    return {"type": "row", "id": 100 + y, "title": title, "collapsed": collapsed,
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": list(panels)}


def _items(spec, row=0):
    return [i["spec"] for i in spec["layout"]["spec"]["rows"][row]["spec"]["layout"]["spec"]["items"]]


def _element(spec, name="panel-1"):
    return spec["elements"][name]["spec"]


def _var(spec):
    return spec["variables"][0]


GRAPH = {"id": 1, "type": "graph", "title": "g", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 2},
         "lines": True, "legend": {"show": True}, "targets": []}

CASES = [
    Case("Built-in annotation", "buildAnnotationQuery",
         "its fields (`type`…) in `legacyOptions`, an empty query spec",
         {"annotations": {"list": [BUILT_IN]}}, lambda s: s["annotations"][0],
         {"kind": "AnnotationQuery", "spec": {
             "query": {"kind": "DataQuery", "group": "grafana", "version": "v0",
                       "datasource": {"name": "-- Grafana --"}, "spec": {}},
             "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
             "name": "Annotations & Alerts", "builtIn": True,
             "legacyOptions": {"type": "dashboard"}}}),
    Case("Datasource annotation", "buildAnnotationQuery",
         "`target` as the query spec, the editor's fields in `legacyOptions`; no `enable` is false",
         {"annotations": {"list": [{"datasource": PROM, "name": "deploys", "iconColor": "red",
                                    "target": {"expr": "up", "refId": "Anno"},
                                    "titleFormat": "{{job}}"}]}},
         lambda s: s["annotations"][0]["spec"],
         {"query": {"kind": "DataQuery", "group": "prometheus", "version": "v0",
                    "datasource": {"name": "prom"}, "spec": {"expr": "up", "refId": "Anno"}},
          "enable": False, "hide": False, "iconColor": "red", "name": "deploys",
          "legacyOptions": {"titleFormat": "{{job}}"}}),
    Case("Time settings", "transformTimeSettings",
         "`timezone` as written, `\"\"` too (`browser` only when absent)",
         {"timezone": ""}, lambda s: s["timeSettings"]["timezone"], ""),
    Case("Panel", "buildPanelKind",
         "`id`, `title`, links as DataLinks, `transparent` only when true",
         {"panels": [{"id": 1, "type": "stat", "title": "s", "transparent": True,
                      "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
                      "links": [{"title": "l", "url": "/d", "targetBlank": True}]}]},
         lambda s: {k: _element(s)[k] for k in ("id", "title", "links", "transparent")},
         {"id": 1, "title": "s", "links": [{"title": "l", "url": "/d", "targetBlank": True}],
          "transparent": True}),
    Case("Panel query", "transformPanelQueries",
         "a missing refId is the next free one; no datasource: the panel's, unless `-- Mixed --`",
         {"panels": [{"id": 1, "type": "timeseries", "title": "t", "datasource": PROM,
                      "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
                      "targets": [{"refId": "A", "expr": "a"}, {"expr": "b", "hide": True}]},
                     {"id": 2, "type": "timeseries", "title": "m",
                      "datasource": {"type": "datasource", "uid": "-- Mixed --"},
                      "gridPos": {"h": 4, "w": 6, "x": 6, "y": 0}, "targets": [{"expr": "c"}]}]},
         lambda s: [q["spec"] for e in ("panel-1", "panel-2")
                    for q in _element(s, e)["data"]["spec"]["queries"]],
         [{"query": {"kind": "DataQuery", "group": "prometheus", "version": "v0",
                     "datasource": {"name": "prom"}, "spec": {"expr": "a"}},
           "refId": "A", "hidden": False},
          {"query": {"kind": "DataQuery", "group": "prometheus", "version": "v0",
                     "datasource": {"name": "prom"}, "spec": {"expr": "b"}},
           "refId": "B", "hidden": True},
          {"query": {"kind": "DataQuery", "group": "", "version": "v0", "spec": {"expr": "c"}},
           "refId": "A", "hidden": False}]),
    Case("Query options", "buildQueryOptions",
         "only what says something: no `false`, no `0`, no empty string",
         {"panels": [{"id": 1, "type": "stat", "title": "s", "timeFrom": "1h", "timeShift": "",
                      "hideTimeOverride": False, "maxDataPoints": 0, "queryCachingTTL": "60",
                      "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0}}]},
         lambda s: _element(s)["data"]["spec"]["queryOptions"],
         {"timeFrom": "1h", "queryCachingTTL": 60}),
    Case("Transformation", "transformPanelTransformations",
         "its id as `group`, the rest of its config as spec (v2's spec has no id)",
         {"panels": [{"id": 1, "type": "table", "title": "t",
                      "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
                      "transformations": [{"id": "organize", "options": {"a": 1}}]}]},
         lambda s: _element(s)["data"]["spec"]["transformations"],
         [{"kind": "Transformation", "group": "organize",
           "spec": {"options": {"a": 1}}}]),
    Case("Visualisation", "buildVizConfig",
         "the plugin id as `group`; a legend's `showLegend` is written, true unless said",
         {"panels": [{"id": 1, "type": "timeseries", "title": "t", "pluginVersion": "12.0.0",
                      "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
                      "options": {"legend": {"displayMode": "table"}}}]},
         lambda s: _element(s)["vizConfig"],
         {"kind": "VizConfig", "group": "timeseries", "version": "12.0.0", "spec": {
             "options": {"legend": {"displayMode": "table", "showLegend": True}},
             "fieldConfig": {"defaults": {}, "overrides": []}}}),
    Case("Angular panel", "buildVizConfig, GetAngularPanelMigration",
         "under its successor (`graph` → `timeseries`, in a row too), its fields in "
         "`options.__angularMigration`",
         {"panels": [_row("r", 0, [GRAPH], collapsed=True)]},
         lambda s: _element(s)["vizConfig"],
         {"kind": "VizConfig", "group": "timeseries", "version": "", "spec": {
             "options": {"__angularMigration": {"autoMigrateFrom": "graph", "originalOptions": {
                 "lines": True, "legend": {"show": True}}}},
             "fieldConfig": {"defaults": {}, "overrides": []}}}),
    Case("Library panel", "buildElement", "a `LibraryPanel` reference: id, title, name, uid",
         {"panels": [{"id": 1, "title": "lib", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
                      "libraryPanel": {"uid": "u1", "name": "shared"}}]},
         lambda s: s["elements"]["panel-1"],
         {"kind": "LibraryPanel", "spec": {"id": 1, "title": "lib",
                                           "libraryPanel": {"name": "shared", "uid": "u1"}}}),
    Case("Grid item", "buildGridItemKind, getRepeatOptionsFromPanel",
         "x, y, width, height (6×3 without gridPos); repeat with direction and maxPerRow",
         {"panels": [{"id": 1, "type": "stat", "title": "a", "repeat": "pod",
                      "repeatDirection": "h", "maxPerRow": 4,
                      "gridPos": {"h": 4, "w": 8, "x": 2, "y": 3}},
                     {"id": 2, "type": "stat", "title": "b"}]},
         lambda s: [i["spec"] for i in s["layout"]["spec"]["items"]],
         [{"x": 2, "y": 3, "width": 8, "height": 4,
           "element": {"kind": "ElementReference", "name": "panel-1"},
           "repeat": {"mode": "variable", "value": "pod", "direction": "h", "maxPerRow": 4}},
          {"x": 0, "y": 0, "width": 6, "height": 3,
           "element": {"kind": "ElementReference", "name": "panel-2"}}]),
    Case("Row", "convertToRowsLayout, buildRowKind, yOffsetInRows",
         "`y` from the row's header; without gridPos 0; panels above the first row in a "
         "header-less row, the first at 0",
         {"panels": [{"id": 1, "type": "stat", "title": "top",
                      "gridPos": {"h": 2, "w": 6, "x": 0, "y": 1}},
                     _row("r", 3), {"id": 2, "type": "stat", "title": "in",
                                    "gridPos": {"h": 2, "w": 6, "x": 0, "y": 6}},
                     {"id": 3, "type": "stat", "title": "unplaced"}]},
         lambda s: [(r["spec"]["title"], r["spec"].get("hideHeader", False),
                     [i["spec"]["y"] for i in r["spec"]["layout"]["spec"]["items"]])
                    for r in s["layout"]["spec"]["rows"]],
         [("", True, [0]), ("r", False, [2, 0])]),
    Case("Repeated row", "buildRowKind", "`collapse` and a variable repeat",
         {"panels": [dict(_row("r", 0, collapsed=True), repeat="dc")]},
         lambda s: {k: v for k, v in s["layout"]["spec"]["rows"][0]["spec"].items()
                    if k != "layout"},
         {"title": "r", "collapse": True, "repeat": {"mode": "variable", "value": "dc"}}),
    Case("Query variable", "buildQueryVariable, buildDataQueryKindForVariable",
         "a string query as `__legacyStringValue`, an empty one as an empty spec",
         {"templating": {"list": [{"type": "query", "name": "job", "datasource": PROM,
                                   "query": "label_values(job)"}]}},
         lambda s: _var(s)["spec"]["query"],
         {"kind": "DataQuery", "group": "prometheus", "version": "v0",
          "datasource": {"name": "prom"}, "spec": {"__legacyStringValue": "label_values(job)"}}),
    Case("Interval variable", "buildIntervalVariable",
         "query, `auto_min`, `auto_count` as the variable had them (no defaults); no query: "
         "its options joined",
         {"templating": {"list": [{"type": "interval", "name": "step", "auto": False,
                                   "options": [{"text": "1m", "value": "1m"},
                                               {"text": "5m", "value": "5m"}]}]}},
         lambda s: {k: _var(s)["spec"][k] for k in ("query", "auto", "auto_min", "auto_count",
                                                   "refresh")},
         {"query": "1m,5m", "auto": False, "auto_min": "", "auto_count": 0,
          "refresh": "onTimeRangeChanged"}),
    Case("Datasource variable", "buildDatasourceVariable, getDefaultDatasourceType",
         "`pluginId` is the query; without one, the default type (`grafana` with no index)",
         {"templating": {"list": [{"type": "datasource", "name": "ds"}]}},
         lambda s: _var(s)["spec"]["pluginId"], "grafana"),
    Case("Constant variable", "buildConstantVariable",
         "the query; without `current`, the query shown as current",
         {"templating": {"list": [{"type": "constant", "name": "env", "query": "prod"}]}},
         lambda s: {k: _var(s)["spec"][k] for k in ("query", "current")},
         {"query": "prod", "current": {"text": "prod", "value": "prod"}}),
    Case("Text variable", "buildTextVariable", "the query and current",
         {"templating": {"list": [{"type": "textbox", "name": "q", "query": "x",
                                   "current": {"text": "y", "value": "y"}}]}},
         lambda s: {k: _var(s)["spec"][k] for k in ("query", "current")},
         {"query": "x", "current": {"text": "y", "value": "y"}}),
    Case("Custom variable", "buildCustomVariable, buildVariableOptions, buildVariableCurrent",
         "the query; each option says `selected` (false unless true); current is text and value",
         {"templating": {"list": [{"type": "custom", "name": "env", "query": "a,b",
                                   "current": {"text": "a", "value": "a", "selected": True},
                                   "options": [{"text": "a", "value": "a", "selected": True},
                                               {"text": "b", "value": "b"}]}]}},
         lambda s: {k: _var(s)["spec"][k] for k in ("query", "current", "options")},
         {"query": "a,b", "current": {"text": "a", "value": "a"},
          "options": [{"text": "a", "value": "a", "selected": True},
                      {"text": "b", "value": "b", "selected": False}]}),
    Case("Ad hoc variable", "buildAdhocVariable, transformAdHocFilters, transformMetricFindValues",
         "only the dashboard's own filters, `=` when no operator; default keys as text and value",
         {"templating": {"list": [{"type": "adhoc", "name": "f", "datasource": PROM,
                                   "filters": [{"key": "job", "value": "api"},
                                               {"key": "x", "operator": "!=", "value": "y",
                                                "origin": "scope"}],
                                   "defaultKeys": ["job", {"text": "pod"}, {"text": ""}]}]}},
         lambda s: {k: _var(s)["spec"][k] for k in ("filters", "baseFilters", "defaultKeys")},
         {"filters": [{"key": "job", "operator": "=", "value": "api"}], "baseFilters": [],
          "defaultKeys": [{"text": "job", "value": "job"}, {"text": "pod", "value": "pod"}]}),
    Case("Group by variable", "buildGroupByVariable, resolveGrafanaDatasourceUID",
         "its datasource; type `datasource` without a uid is Grafana's own, `grafana`",
         {"templating": {"list": [{"type": "groupby", "name": "by",
                                   "datasource": {"type": "datasource"}}]}},
         lambda s: {k: _var(s)[k] for k in ("kind", "group", "datasource")},
         {"kind": "GroupByVariable", "group": "datasource", "datasource": {"name": "grafana"}}),
    Case("Dashboard", "convertDashboardSpec_V1beta1_to_V2alpha1",
         "cursorSync from graphTooltip; editable true and liveNow false unless said",
         {"graphTooltip": 2, "tags": ["a"], "preload": True},
         lambda s: {k: s[k] for k in ("cursorSync", "editable", "liveNow", "preload", "tags")},
         {"cursorSync": "Tooltip", "editable": True, "liveNow": False, "preload": True,
          "tags": ["a"]}),
    Case("Dashboard link", "transformLinks", "every field with its default; `url`, `placement` "
         "when given",
         {"links": [{"title": "docs", "type": "link", "url": "/x", "placement": "inControlsMenu"}]},
         lambda s: s["links"],
         [{"title": "docs", "type": "link", "icon": "", "tooltip": "", "tags": [],
           "asDropdown": False, "targetBlank": False, "includeVars": False, "keepTime": False,
           "url": "/x", "placement": "inControlsMenu"}]),
]


def _dashboard(fields):
    return {"uid": "u", "title": "t", "panels": [], **json.loads(json.dumps(fields))}


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_each_v2_element_kind_is_what_grafanas_converter_writes(case):
    assert case.pick(to_v2_spec(_dashboard(case.classic))) == case.expected


def test_an_absent_timezone_is_the_browsers():
    """transformTimeSettings starts from NewDashboardTimeSettingsSpec's ``browser``."""
    assert to_v2_spec(_dashboard({}))["timeSettings"]["timezone"] == "browser"


def test_a_graph_read_back_from_v2_is_the_graph_that_was_written():
    """dashkit reads ``__angularMigration`` back as the panel it came from (the importer then
    migrates it with everything else), and the built-in annotation's ``legacyOptions`` back
    into the annotation."""
    model = _dashboard({"panels": [_row("r", 0, [GRAPH], collapsed=True)],
                        "annotations": {"list": [BUILT_IN]}, "timezone": ""})
    back = from_v2_spec(json.loads(json.dumps(to_v2_spec(model))), "u")
    graph = back["panels"][0]["panels"][0]
    assert (graph["type"], graph["lines"], graph["legend"]) == ("graph", True, {"show": True})
    assert "__angularMigration" not in graph["options"]
    assert back["annotations"]["list"] == [BUILT_IN] and back["timezone"] == ""


def test_the_v2_guide_s_table_is_this_table():
    text = (ROOT / "docs" / "guides" / "v2.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| `(.+?)` \| (.+?) \|$", text.split(
        "<!-- v2-elements -->")[1].split("<!-- /v2-elements -->")[0], re.M)
    assert rows == [(c.kind, c.function.replace(", ", "`, `"), c.does) for c in CASES]


def test_hostile_numbers_in_a_classic_panel_are_left_out_never_a_crash():
    """buildQueryOptions reads numbers with Go's int64(v); JSON's 1e400 is infinite in Python."""
    model = _dashboard({"panels": [{"id": 1, "type": "stat", "maxDataPoints": float("inf"),
                                    "queryCachingTTL": float("nan"), "options": {"legend": 3},
                                    "gridPos": "nowhere", "targets": [None, {"refId": 5}]}]})
    spec = to_v2_spec(model)
    assert spec["elements"]["panel-1"]["spec"]["data"]["spec"]["queryOptions"] == {}
    assert spec["layout"]["spec"]["items"][0]["spec"]["width"] == 6
