"""Grafana's panel migrations, each as a hand-written before and after.

The expected side of every test here is written by hand from Grafana's own migration code, not
computed by dashkit: ``flotToGraphOptions`` (public/app/plugins/panel/timeseries/migrations.ts),
``sharedSingleStatPanelChangedHandler`` (grafana-ui SingleStatBaseOptions.ts) with
``statPanelChangedHandler`` (stat/StatMigrations.ts), ``tablePanelChangedHandler``
(table/migrations.ts), ``PieChartPanelChangedHandler`` (piechart/migrations.ts) and
``PanelModel.ensureQueryIds``/``getNextRefId``. Each step is commented with the rule it follows.
Where dashkit deliberately differs from Grafana, the test says so.
"""
from __future__ import annotations

from dashkit.grafana.facts import next_ref_id, ref_id
from dashkit.grafana.migrate import (
    datasource_ref,
    graph_to_timeseries,
    migrate_dashboard,
    piechart_plugin_to_piechart,
    singlestat_to_stat,
    table_old_to_table,
)

PLACED = {"id": 4, "title": "CPU", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
          "datasource": "$ds", "targets": [{"expr": "rate(cpu[5m])", "refId": "A"}]}


def color(name: str) -> dict:
    return {"id": "color", "value": {"mode": "fixed", "fixedColor": name}}


# --- graph → timeseries -----------------------------------------------------------------------

def test_graph_with_axes_alias_colors_overrides_legend_and_thresholds():
    before = {**PLACED, "type": "graph", "lines": True, "linewidth": 2, "fill": 3, "stack": True,
              "nullPointMode": "connected", "steppedLine": True, "points": False,
              "pointradius": 2,
              "yaxes": [{"format": "percent", "min": "0", "max": "100", "show": True, "logBase": 1,
                         "label": "CPU", "decimals": 1},
                        {"format": "short", "show": True, "logBase": 1}],
              "aliasColors": {"idle": "green", "user": "", "system": "#F2495C"},
              "seriesOverrides": [{"alias": "/idle/", "yaxis": 2, "fill": 0},
                                  {"alias": "total", "color": "#FFF", "linewidth": 3,
                                   "dashes": True},
                                  {"fill": 5}],
              "legend": {"show": True, "alignAsTable": True, "rightSide": True, "values": True,
                         "max": True, "avg": True, "current": False},
              "tooltip": {"shared": True, "sort": 2},
              "thresholds": [{"value": 90, "colorMode": "critical", "op": "gt", "line": True,
                              "fill": False}],
              "xaxis": {"show": False, "mode": "time"}}
    after = {**PLACED, "type": "timeseries", "fieldConfig": {
        "defaults": {
            # getFieldConfigFromOldAxis(yaxes[0]): strings become numbers, logBase 1 is linear
            "unit": "percent", "decimals": 1, "min": 0, "max": 100,
            "custom": {"axisPlacement": "auto", "axisLabel": "CPU",
                       "drawStyle": "line", "showPoints": "never", "lineWidth": 2,
                       "fillOpacity": 30,  # fill 0-10 becomes 0-100
                       "spanNulls": True,  # nullPointMode "connected"
                       "lineInterpolation": "stepAfter",
                       "stacking": {"mode": "normal", "group": "A"},
                       "thresholdsStyle": {"mode": "line"}},
            # (Grafana also copies nullPointMode to defaults.nullValueMode, which no current panel
            # reads and the dashboard schema does not have: dashkit leaves it out)
            # a gt threshold gets a transparent base below it
            "thresholds": {"mode": "absolute", "steps": [{"color": "transparent", "value": None},
                                                         {"color": "red", "value": 90}]}},
        "overrides": [
            # aliasColors first, empty colours skipped, then seriesOverrides in order
            {"matcher": {"id": "byName", "options": "idle"}, "properties": [color("green")]},
            {"matcher": {"id": "byName", "options": "system"}, "properties": [color("#F2495C")]},
            # a /regex/ alias keeps its slashes: Grafana's byRegexp matcher reads them
            {"matcher": {"id": "byRegexp", "options": "/idle/"}, "properties": [
                {"id": "unit", "value": "short"},  # the right axis differs from the left in unit
                {"id": "custom.fillOpacity", "value": 0}]},
            {"matcher": {"id": "byName", "options": "total"}, "properties": [
                {"id": "color", "value": {"fixedColor": "#FFF", "mode": "fixed"}},
                {"id": "custom.lineWidth", "value": 3},
                {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}]},
            # an override without an alias is skipped; a hidden time axis is an override
            {"matcher": {"id": "byType", "options": "time"},
             "properties": [{"id": "custom.axisPlacement", "value": "hidden"}]}]},
        "options": {
            # calcs: the legend's true keys that are reducers, in the legend's key order
            "legend": {"showLegend": True, "displayMode": "table", "placement": "right",
                       "calcs": ["max", "mean"]},
            "tooltip": {"mode": "multi", "sort": "desc"}}}
    assert graph_to_timeseries(before) == after


def test_graph_bars_points_and_series_override_keys():
    before = {"type": "graph", "title": "Bars", "bars": True, "fill": 1, "legend": {"show": False},
              "seriesOverrides": [{"alias": "A-series", "bars": False, "lines": True,
                                   "pointradius": 3, "stack": "B", "transform": "negative-Y",
                                   "fillBelowTo": "max", "points": True}]}
    after = {"title": "Bars", "type": "timeseries", "fieldConfig": {
        "defaults": {"custom": {
            "drawStyle": "bars", "showPoints": "never",
            "fillOpacity": 100,  # fillBelowTo sets 35, bars then always 100
            "spanNulls": False}},
        "overrides": [{"matcher": {"id": "byName", "options": "A-series"}, "properties": [
            {"id": "custom.drawStyle", "value": "line"},  # bars: false
            {"id": "custom.lineWidth", "value": 0},  # Grafana turns any "lines" key into width 0
            {"id": "custom.pointSize", "value": 8},  # 2 + radius * 2
            {"id": "custom.stacking", "value": {"mode": "normal", "group": "B"}},
            {"id": "custom.transform", "value": "negative-Y"},
            {"id": "custom.fillBelowTo", "value": "max"},
            {"id": "custom.showPoints", "value": "always"}]}]},
        "options": {"legend": {"showLegend": False, "displayMode": "list", "placement": "bottom",
                               "calcs": []},
                    "tooltip": {"mode": "single", "sort": "none"}}}
    assert graph_to_timeseries(before) == after


def test_graph_without_lines_is_points_and_log_axis_and_gradient():
    before = {"type": "graph", "title": "P", "points": True, "pointradius": 1, "fillGradient": 4,
              "dashes": True, "dashLength": 4, "yaxes": [{"show": False, "logBase": 10}]}
    after = {"title": "P", "type": "timeseries", "fieldConfig": {"defaults": {"custom": {
        "axisPlacement": "hidden", "scaleDistribution": {"type": "log", "log": 10},
        "drawStyle": "points",  # no "lines": true
        "showPoints": "always", "pointSize": 4,
        "lineStyle": {"fill": "dash", "dash": [4, 10]},
        "gradientMode": "opacity", "fillOpacity": 40,
        "spanNulls": False}}, "overrides": []},
        "options": {"legend": {"showLegend": True, "displayMode": "list", "placement": "bottom",
                               "calcs": []},
                    "tooltip": {"mode": "single", "sort": "none"}}}
    assert graph_to_timeseries(before) == after


def test_graph_lt_and_custom_thresholds():
    before = {"type": "graph", "title": "T", "lines": True, "thresholds": [
        {"value": 80, "op": "gt", "colorMode": "custom", "fillColor": "#abc", "lineColor": "#def",
         "fill": True, "line": True},
        {"value": 10, "op": "lt", "colorMode": "warning", "fill": True, "line": False}]}
    defaults = graph_to_timeseries(before)["fieldConfig"]["defaults"]
    # sorted by value; an lt below a gt: its colour from -Infinity, transparent in the gap
    assert defaults["thresholds"] == {"mode": "absolute", "steps": [
        {"color": "orange", "value": None}, {"color": "transparent", "value": 10},
        {"color": "#abc", "value": 80}]}
    assert defaults["custom"]["thresholdsStyle"] == {"mode": "line+area"}


# --- singlestat → stat / gauge ----------------------------------------------------------------

def test_singlestat_becomes_stat():
    before = {"type": "singlestat", "title": "Up", "format": "s", "thresholds": "1,2",
              "colors": ["red", "orange", "green"], "valueName": "current",
              "colorBackground": True, "decimals": 0, "nullText": "n/a",
              "sparkline": {"show": True}, "tableColumn": "up", "postfix": "x",
              "valueMaps": [{"op": "=", "text": "DOWN", "value": "0"}]}
    after = {"title": "Up", "type": "stat", "fieldConfig": {"defaults": {
        "unit": "s", "noValue": "n/a", "decimals": 0,  # decimals 0 is kept
        # one more colour than thresholds: the first from -Infinity
        "thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                     {"color": "orange", "value": 1},
                                                     {"color": "green", "value": 2}]},
        "mappings": [{"type": "value", "options": {"0": {"text": "DOWN", "index": 0}}}]},
        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "/^up$/"},
                    "orientation": "horizontal", "graphMode": "area", "colorMode": "background"}}
    assert singlestat_to_stat(before) == (after, ["postfix 'x' has no equivalent in stat and was "
                                                  "dropped"])


def test_singlestat_name_value_ranges_and_no_colours():
    before = {"type": "singlestat", "title": "N", "valueName": "name", "colorValue": True,
              "thresholds": "1", "rangeMaps": [{"from": "0", "to": "10", "text": "low"}]}
    after = {"title": "N", "type": "stat", "fieldConfig": {"defaults": {
        # thresholds without colours are not converted
        "mappings": [{"type": "range", "options": {"from": 0, "to": 10,
                                                   "result": {"text": "low", "index": 0}}}]},
        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["mean"]},  # "name" is no reducer
                    "orientation": "horizontal", "graphMode": "none", "colorMode": "value",
                    "textMode": "name"}}
    assert singlestat_to_stat(before) == (after, [])


def test_singlestat_gauge_becomes_gauge():
    before = {"type": "singlestat", "title": "G", "valueName": "avg", "thresholds": "5",
              "colors": ["green", "red"],
              "gauge": {"show": True, "minValue": 0, "maxValue": 10, "thresholdMarkers": True,
                        "thresholdLabels": False}}
    after = {"title": "G", "type": "gauge", "fieldConfig": {"defaults": {
        "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                     {"color": "red", "value": 5}]},
        "min": 0, "max": 10}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["mean"]}, "orientation": "horizontal",
                    "showThresholdMarkers": True, "showThresholdLabels": False}}
    assert singlestat_to_stat(before) == (after, [])


def test_sparkline_colour_without_colour_mode():
    new, _ = singlestat_to_stat({"type": "singlestat", "sparkline": {"show": True,
                                                                     "lineColor": "blue"}})
    assert new["fieldConfig"]["defaults"] == {"color": {"mode": "fixed", "fixedColor": "blue"}}


# --- table-old → table ------------------------------------------------------------------------

def test_table_old_styles_and_transform():
    before = {"type": "table-old", "title": "T", "transform": "timeseries_aggregations",
              "columns": [{"text": "Avg", "value": "avg"}, {"text": "Max", "value": "max"}],
              "styles": [
                  {"pattern": "/.*/", "unit": "bytes", "decimals": 1, "align": "auto",
                   "thresholds": [], "colorMode": None},
                  {"pattern": "Time", "type": "date", "dateFormat": "YYYY-MM-DD", "alias": "When"},
                  {"pattern": "/^err/", "type": "number", "unit": "short", "decimals": 0,
                   "colorMode": "cell", "colors": ["green", "red"], "thresholds": ["5"],
                   "link": True, "linkUrl": "/d/x", "linkTooltip": "go"},
                  {"pattern": "Value", "type": "hidden"}]}
    after = {"title": "T", "type": "table",
             "transformations": [{"id": "reduce", "options": {"reducers": ["mean", "max"],
                                                             "includeTimeField": False}}],
             "fieldConfig": {
                 # the /.*/ style is the defaults; align "auto" is no alignment
                 "defaults": {"unit": "bytes", "decimals": 1, "custom": {}},
                 "overrides": [
                     {"matcher": {"id": "byName", "options": "Time"}, "properties": [
                         {"id": "displayName", "value": "When"},
                         {"id": "unit", "value": "time: YYYY-MM-DD"}]},
                     {"matcher": {"id": "byRegexp", "options": "/^err/"}, "properties": [
                         {"id": "unit", "value": "short"},  # decimals 0: Grafana skips it
                         {"id": "links", "value": [{"title": "go", "url": "/d/x",
                                                    "targetBlank": False}]},
                         {"id": "custom.cellOptions", "value": {"type": "color-background"}},
                         {"id": "thresholds", "value": {"mode": "absolute", "steps": [
                             {"color": "green", "value": None}, {"color": "red", "value": 5}]}}]},
                     # dashkit differs here: Grafana's handler drops "hidden" and shows the
                     # column again; dashkit keeps it hidden
                     {"matcher": {"id": "byName", "options": "Value"}, "properties": [
                         {"id": "custom.hidden", "value": True}]}]}}
    assert table_old_to_table(before) == (after, [])


def test_table_old_without_styles_and_unknown_transform():
    new, notes = table_old_to_table({"type": "table-old", "transform": "json"})
    assert new == {"type": "table", "fieldConfig": {"defaults": {"custom": {}}, "overrides": []}}
    assert notes == ["table-old transform 'json' has no equivalent and was dropped"]


# --- grafana-piechart-panel → piechart ---------------------------------------------------------

def test_piechart_plugin():
    before = {"type": "grafana-piechart-panel", "title": "Share", "format": "percent",
              "valueName": "total", "pieType": "donut", "legendType": "Under graph",
              "legend": {"show": True, "values": True, "percentage": True},
              "aliasColors": {"a": "red", "b": None}}
    after = {"title": "Share", "type": "piechart", "fieldConfig": {
        "defaults": {"unit": "percent", "decimals": 0},  # the old piechart's 0 decimals
        "overrides": [{"matcher": {"id": "byName", "options": "a"}, "properties": [color("red")]}]},
        "options": {"legend": {"placement": "bottom", "values": ["value", "percent"],
                               "displayMode": "table", "showLegend": True, "calcs": []},
                    "reduceOptions": {"calcs": ["sum"]}, "pieType": "donut"}}
    assert piechart_plugin_to_piechart(before) == after


def test_piechart_legend_on_graph_becomes_labels():
    new = piechart_plugin_to_piechart({"type": "grafana-piechart-panel", "legendType": "On graph",
                                       "legend": {"show": True, "values": True}})
    assert new["options"]["legend"]["showLegend"] is False
    assert new["options"]["displayLabels"] == ["name", "value"]


# --- on load: datasource names (schema v33, migrateDatasourceNameToRef) ------------------------

def test_datasource_names_become_references():
    # a name Grafana cannot look up here stays as the uid, letter for letter
    assert datasource_ref("Prometheus Main", {}) == {"uid": "Prometheus Main"}
    # "default" and null mean the default datasource: null (returnDefaultAsNull)
    assert datasource_ref("default", {}) is None and datasource_ref(None, {}) is None
    ref = {"type": "loki", "uid": "abc"}
    assert datasource_ref(ref, {}) is ref  # already a reference
    # a variable resolves to its plugin type (dashkit's reading of the frontend's resolution)
    assert datasource_ref("${ds}", {"ds": "prometheus"}) == {"type": "prometheus", "uid": "${ds}"}
    assert datasource_ref("$ds", {"ds": "prometheus"}) == {"type": "prometheus", "uid": "$ds"}


# --- on load: query ids and the dashboard walk -------------------------------------------------

def test_ref_ids_follow_grafana():
    assert [ref_id(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
    # ensureQueryIds: the first letter no query of the panel has yet
    assert next_ref_id({"A", "B", "D"}) == "C"


def test_dashboard_walk_migrates_nested_panels_and_fills_missing_ref_ids():
    model = {"title": "D", "panels": [
        {"type": "row", "title": "r", "collapsed": True, "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
         "panels": [{"type": "graph", "title": "g", "gridPos": {"x": 0, "y": 1, "w": 24, "h": 8},
                     "targets": [{"expr": "a"}, {"expr": "b", "refId": "A"}]}]},
        {"type": "heatmap-new", "title": "h", "gridPos": {"x": 0, "y": 2, "w": 24, "h": 8}}]}
    migrated, notes = migrate_dashboard(model)
    inner = migrated["panels"][0]["panels"][0]
    assert inner["type"] == "timeseries" and notes == []
    assert [t["refId"] for t in inner["targets"]] == ["B", "A"]  # A was taken
    assert migrated["panels"][1]["type"] == "heatmap"
    assert model["panels"][0]["panels"][0]["type"] == "graph"  # the input is not changed
