"""Grafana's schema migrations, one hand-written before and after per step.

Each case names the Grafana function it follows (the backend's
apps/dashboard/pkg/migration/schemaversion/vN.go, which ports the frontend's
DashboardMigrator.ts step for step); the after side is worked out by hand from that code, never
computed by dashkit. Where dashkit differs from Grafana, the case says so.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from conftest import ROOT

from dashkit.errors import DashkitError
from dashkit.grafana.migrate import migrate_dashboard
from dashkit.grafana.migrate_steps import STEPS, upgrade
from dashkit.grafana.normalise import load_json


def step(version: int) -> Any:
    return next(s for s in STEPS if s.version == version).apply


def graph(**fields: Any) -> dict:
    return {"type": "timeseries", "title": "p", **fields}


# (schema version, Grafana function, before, after)
CASES: list[tuple[int, str, dict, dict]] = [
    # grid.min 0 stays min: the frontend's `if (panel.grid.min)` (V2's migrateGridProperties)
    (2, "V2 migrateServicesFilter, upgradePanel, migrateGridProperties, migrateYFormats",
     {"services": {"filter": {"time": {"from": "now-1h", "to": "now"},
                              "list": [{"name": "v", "type": "query"}]}},
      "panels": [{"type": "graphite", "legend": True, "grid": {"min": 0, "max": 100},
                  "y_format": "short", "y2_format": "bytes"},
                 {"type": "graphite", "grid": {"min": 5}, "y2_format": "bytes"},
                 {"type": "graph", "legend": True, "y_format": "short"}]},
     {"time": {"from": "now-1h", "to": "now"}, "templating": {"list": [{"name": "v",
                                                                       "type": "query"}]},
      "panels": [{"type": "graph", "legend": {"show": True}, "grid": {"min": 0, "leftMax": 100},
                  "y_formats": ["short", "bytes"]},
                 {"type": "graph", "grid": {"leftMin": 5}, "y_formats": [None, "bytes"]},
                 {"type": "graph", "legend": True, "y_format": "short"}]}),
    # the pulldowns key itself goes: the frontend's DashboardModel keeps only its own properties
    (6, "V6 (pulldowns → annotations; variable types)",
     {"pulldowns": [{"type": "filtering", "enable": True},
                    {"type": "annotations", "enable": True, "annotations": [{"name": "deploys"}]}],
      "templating": {"list": [{"name": "a", "type": "filter"}, {"name": "b"}]}},
     {"annotations": {"list": [{"name": "deploys"}]},
      "templating": {"list": [{"name": "a", "type": "query"}, {"name": "b", "type": "query"}]}}),
    (7, "V7 (nav → timepicker)",
     {"nav": [{"type": "timepicker", "refresh_intervals": ["5s"]}, {"type": "other"}]},
     {"timepicker": {"type": "timepicker", "refresh_intervals": ["5s"]}}),
    (8, "V8 (old InfluxDB query schema)",
     {"panels": [{"targets": [
         {"fields": [{"name": "value", "func": "mean", "mathExpr": "*2", "asExpr": "doubled"},
                     {"name": "x"}],
          "tags": [{"key": "host", "value": "a"}],
          "groupBy": [{"type": "time", "interval": "1m"}, {"type": "tag", "key": "host"}],
          "fill": "null", "refId": "A"},
         {"fields": [{"name": "v"}], "tags": [], "groupBy": [], "fill": "0", "rawQuery": True,
          "query": "SELECT 1"},
         {"fields": [{"name": "v"}], "groupBy": []}]}]},
     {"panels": [{"targets": [
         {"select": [[{"type": "field", "params": ["value"]}, {"type": "mean", "params": []},
                      {"type": "math", "params": ["*2"]}, {"type": "alias", "params": ["doubled"]}],
                     [{"type": "field", "params": ["x"]}]],
          "tags": [{"key": "host", "value": "a"}],
          "groupBy": [{"type": "time", "params": ["1m"]}, {"type": "tag", "params": ["host"]},
                      {"type": "fill", "params": ["null"]}], "refId": "A"},
         {"tags": [], "groupBy": [], "rawQuery": True, "query": "SELECT 1"},
         {"fields": [{"name": "v"}], "groupBy": []}]}]}),
    (9, "V9 (singlestat thresholds)",
     {"panels": [{"type": "singlestat", "thresholds": "10,20,30"},
                 {"type": "singlestat", "thresholds": "20,30"}, {"type": "stat", "thresholds": "1,2,3"}]},
     {"panels": [{"type": "singlestat", "thresholds": "20,30"},
                 {"type": "singlestat", "thresholds": "20,30"}, {"type": "stat", "thresholds": "1,2,3"}]}),
    (10, "V10 (table style thresholds)",
     {"panels": [{"type": "table", "styles": [{"thresholds": ["1", "2", "3"]},
                                              {"thresholds": ["5", "6"]}]}]},
     {"panels": [{"type": "table", "styles": [{"thresholds": ["2", "3"]},
                                              {"thresholds": ["5", "6"]}]}]}),
    # dashkit also drops hideVariable/hideLabel, which nothing reads once hide is set
    (12, "V12 (refresh and hide of variables)",
     {"templating": {"list": [{"name": "a", "refresh": True, "hideVariable": True},
                              {"name": "b", "refresh": False, "hideLabel": True},
                              {"name": "c", "hideVariable": True, "hideLabel": True}, {"name": "d"}]}},
     {"templating": {"list": [{"name": "a", "refresh": 1, "hide": 2},
                              {"name": "b", "refresh": 0, "hide": 1},
                              {"name": "c", "hide": 2}, {"name": "d"}]}}),
    # the frontend's second V12 upgrade; keys the old panel did not have stay out (undefined)
    (12, "V12 (DashboardMigrator: graph grid and y_formats → yaxes)",
     {"panels": [{"type": "graph", "grid": {"leftMin": 0, "leftMax": None, "leftLogBase": 1,
                                            "rightMax": 10, "rightLogBase": 2, "threshold1": None},
                  "y_formats": ["bytes", "short"], "leftYAxisLabel": "B", "y-axis": True,
                  "x-axis": False},
                 {"type": "graph", "grid": {"leftMin": 1}, "yaxes": []}]},
     {"panels": [{"type": "graph", "grid": {"threshold1": None},
                  "yaxes": [{"show": True, "min": 0, "max": None, "logBase": 1, "format": "bytes",
                             "label": "B"},
                            {"show": True, "max": 10, "logBase": 2, "format": "short"}],
                  "xaxis": {"show": False}},
                 {"type": "graph", "grid": {"leftMin": 1}, "yaxes": []}]}),
    # two numbers: both gt, or both lt when the first is above; one null: nothing; {} is a grid
    (13, "V13 (DashboardMigrator: graph grid thresholds)",
     {"panels": [{"type": "graph", "grid": {"threshold1": 80, "threshold1Color": "red",
                                            "threshold2": 90, "threshold2Color": "#f00",
                                            "thresholdLine": False}},
                 {"type": "graph", "grid": {"threshold1": 10, "threshold1Color": "a",
                                            "threshold2": 5, "threshold2Color": "b",
                                            "thresholdLine": True}},
                 {"type": "graph", "grid": {"threshold1": None, "threshold2": 5}},
                 {"type": "graph", "grid": {}},
                 {"type": "graph"},
                 {"type": "graph", "grid": {"threshold1": 3}, "thresholds": [{"value": 1}]}]},
     {"panels": [{"type": "graph", "grid": {}, "thresholds": [
         {"value": 80, "fill": True, "fillColor": "red", "colorMode": "custom", "op": "gt"},
         {"value": 90, "fill": True, "fillColor": "#f00", "colorMode": "custom", "op": "gt"}]},
                 {"type": "graph", "grid": {}, "thresholds": [
                     {"value": 10, "line": True, "lineColor": "a", "colorMode": "custom", "op": "lt"},
                     {"value": 5, "line": True, "lineColor": "b", "colorMode": "custom", "op": "lt"}]},
                 {"type": "graph", "grid": {}, "thresholds": []},
                 {"type": "graph", "grid": {}, "thresholds": []},
                 {"type": "graph"},
                 {"type": "graph", "grid": {}, "thresholds": [
                     {"value": 1}, {"value": 3, "fill": True, "colorMode": "custom", "op": "gt"}]}]}),
    (14, "V14 (sharedCrosshair → graphTooltip)", {"sharedCrosshair": True}, {"graphTooltip": 1}),
    (14, "V14 (sharedCrosshair → graphTooltip)", {"sharedCrosshair": False}, {"graphTooltip": 0}),
    (14, "V14 (sharedCrosshair → graphTooltip)", {}, {"graphTooltip": 0}),
    # 24 / minSpan, then the factor of 24 before the first one above it
    (17, "V17 migrateMinSpanToMaxPerRow",
     {"panels": [{"minSpan": 8}, {"minSpan": 5}, {"minSpan": 1}, {"minSpan": 30},
                 {"minSpan": "x"}, {"minSpan": 0}]},
     {"panels": [{"maxPerRow": 3}, {"maxPerRow": 4}, {"maxPerRow": 24}, {"maxPerRow": 1}, {}, {}]}),
    (18, "V18 migrateGaugePanelOptions",
     {"panels": [{"type": "gauge", "options-gauge": {
         "unit": "ms", "stat": "last", "decimals": 2, "prefix": "Value: ", "suffix": " ms",
         "thresholds": [{"color": "green", "value": 0}, {"color": "red", "value": 100}],
         "minValue": 0, "options": {"bug": 1}}}]},
     {"panels": [{"type": "gauge", "options": {
         "valueOptions": {"unit": "ms", "stat": "last", "decimals": 2, "prefix": "Value: ",
                          "suffix": " ms"},
         "thresholds": [{"color": "red", "value": 100}, {"color": "green", "value": 0}],
         "minValue": 0}}]}),
    (19, "V19 upgradePanelLink, buildPanelLinkURL, slugifyForURL",
     {"panels": [{"links": [{"dashboard": "My Dash: CPU!", "keepTime": True, "includeVars": True,
                             "params": "a=b", "title": "t", "targetBlank": True},
                            {"dashUri": "db/x", "targetBlank": False}, {"url": "http://x",
                                                                        "params": "q=1"},
                            {}, "junk"]}]},
     {"panels": [{"links": [{"url": "dashboard/db/my-dash-cpu?$__url_time_range&$__all_variables"
                                    "&a=b", "title": "t", "targetBlank": True},
                            {"url": "dashboard/db/x", "title": ""},
                            {"url": "http://x?q=1", "title": ""}, {"url": "/", "title": ""}]}]}),
    (20, "V20 updateVariablesSyntax",
     {"panels": [{"options": {"dataLinks": [{"url": "http://x?s=$__series_name&t=__value_time"}],
                              "fieldOptions": {"defaults": {"title": "__field_name",
                                                            "links": [{"url": "$__field_name"}]}}}}]},
     {"panels": [{"options": {"dataLinks": [{"url": "http://x?s=${__series.name}&t=__value.time"}],
                              "fieldOptions": {"defaults": {"title": "__field.name",
                                                            "links": [{"url": "${__field.name}"}]}}}}]}),
    (21, "V21 updateDataLinks",
     {"panels": [{"type": "row", "panels": [{"options": {"dataLinks": [
         {"url": "?a=${__series.labels.a}&b=${__series.labels}"}]}}]}]},
     {"panels": [{"type": "row", "panels": [{"options": {"dataLinks": [
         {"url": "?a=${__field.labels.a}&b=${__field.labels}"}]}}]}]}),
    (22, "V22 migrateTableStyles",
     {"panels": [{"type": "table", "styles": [{"pattern": "Time", "align": "left"}, {"pattern": "x"}]}]},
     {"panels": [{"type": "table", "styles": [{"pattern": "Time", "align": "auto"},
                                              {"pattern": "x", "align": "auto"}]}]}),
    # an empty styles list is still the Angular table (JavaScript's `!panel.styles` is false)
    (24, "V24 (DashboardMigrator: tables to table-old)",
     {"panels": [{"type": "table", "styles": []}, {"type": "table"},
                 {"type": "table", "styles": [], "table": "table2"}]},
     {"panels": [{"type": "table-old", "styles": []}, {"type": "table"},
                 {"type": "table", "styles": [], "table": "table2"}]}),
    (26, "V26 migrateText2Panel",
     {"panels": [{"type": "text2", "options": {"content": "x", "angular": True, "mode": "html"}}]},
     {"panels": [{"type": "text", "options": {"content": "x", "mode": "html"}}]}),
    # a constant shown (hide 0 or 1) becomes a textbox; a hidden one stays a constant
    (27, "V27 removeRepeatedPanels, migrateConstantVariable",
     {"panels": [{"id": 1}, {"id": 2, "repeatPanelId": 1}, {"id": 6, "repeatByRow": True},
                 {"id": 3, "type": "row", "panels": [{"id": 4}, {"id": 5, "repeatPanelId": 4}]}],
      "templating": {"list": [{"type": "constant", "query": "v", "hide": 0},
                              {"type": "constant", "query": "w", "hide": 2}]}},
     {"panels": [{"id": 1}, {"id": 3, "type": "row", "panels": [{"id": 4}]}],
      "templating": {"list": [
          {"type": "textbox", "query": "v", "hide": 0,
           "current": {"selected": True, "text": "v", "value": "v"},
           "options": [{"selected": True, "text": "v", "value": "v"}]},
          {"type": "constant", "query": "w", "hide": 2,
           "current": {"selected": True, "text": "w", "value": "w"},
           "options": [{"selected": True, "text": "w", "value": "w"}]}]}}),
    (28, "V28 removeDeprecatedVariableProperties",
     {"templating": {"list": [{"name": "a", "tags": ["x"], "tagsQuery": "q", "tagValuesQuery": "v",
                              "useTags": True}]}},
     {"templating": {"list": [{"name": "a"}]}}),
    (29, "V29 (query variables' refresh and options)",
     {"templating": {"list": [{"type": "query", "refresh": 0, "options": [{"text": "A"}]},
                              {"type": "query", "refresh": 2, "options": [{"text": "B"}]},
                              {"type": "query"},
                              {"type": "custom", "refresh": 0, "options": [{"text": "C"}]}]}},
     {"templating": {"list": [{"type": "query", "refresh": 1, "options": []},
                              {"type": "query", "refresh": 2, "options": []},
                              {"type": "query", "refresh": 1},
                              {"type": "custom", "refresh": 0, "options": [{"text": "C"}]}]}}),
    # value maps merge into one, first; "90" is numeric: its colour is the threshold it reaches
    (30, "V30 upgradeValueMappings, getActiveThresholdColor, migrateTooltipOptions",
     {"panels": [{"type": "stat", "fieldConfig": {
         "defaults": {"thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                                   {"color": "red", "value": 80}]},
                      "mappings": [{"id": 0, "text": "Up", "type": 1, "value": "1"},
                                   {"id": 1, "text": "90", "type": 1, "value": 0},
                                   {"id": 2, "text": "No data", "type": 1, "value": "null"},
                                   {"from": "10", "to": "20", "text": "Medium", "type": 2},
                                   {"type": "range", "options": {"from": 1, "to": 2,
                                                                 "result": {"text": "x"}}},
                                   {"type": "value", "options": {"7": {"text": "seven"}}},
                                   {"text": "skipped: a null value", "type": 1, "value": None}]},
         "overrides": [{"matcher": {"id": "byName", "options": "a"}, "properties": [
             {"id": "mappings", "value": [{"text": "5", "type": 1, "value": "5"}]}]}]}},
                 {"type": "timeseries", "options": {"tooltipOptions": {"mode": "multi"}}},
                 {"type": "stat", "options": {"tooltipOptions": {"mode": "multi"}}}]},
     {"panels": [{"type": "stat", "fieldConfig": {
         "defaults": {"thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                                   {"color": "red", "value": 80}]},
                      "mappings": [{"type": "value", "options": {
                          "1": {"text": "Up"}, "0": {"text": "90", "color": "red"},
                          "7": {"text": "seven"}}},
                          {"type": "special", "options": {"match": "null",
                                                          "result": {"text": "No data"}}},
                          {"type": "range", "options": {"from": 10, "to": 20,
                                                        "result": {"text": "Medium"}}},
                          {"type": "range", "options": {"from": 1, "to": 2,
                                                        "result": {"text": "x"}}}]},
         "overrides": [{"matcher": {"id": "byName", "options": "a"}, "properties": [
             {"id": "mappings", "value": [{"type": "value", "options": {"5": {"text": "5"}}}]}]}]}},
                 {"type": "timeseries", "options": {"tooltip": {"mode": "multi"}}},
                 {"type": "stat", "options": {"tooltipOptions": {"mode": "multi"}}}]}),
    (31, "V31 processPanelsV31",
     {"panels": [{"transformations": [{"id": "labelsToFields", "options": {"mode": "rows"}},
                                      {"id": "organize", "options": {}}]}]},
     {"panels": [{"transformations": [{"id": "labelsToFields", "options": {"mode": "rows"}},
                                      {"id": "merge", "options": {}},
                                      {"id": "organize", "options": {}}]}]}),
    # new queries take the next free refIds after every query's (E, F); an empty list stays
    (34, "V34 migrateCloudWatchQueriesInPanel, migrateCloudWatchAnnotationQueries",
     {"panels": [{"targets": [
         {"refId": "A", "dimensions": {"InstanceId": "i-1"}, "namespace": "AWS/EC2",
          "region": "us-east-1", "metricName": "CPU", "statistics": ["Average", "Maximum", None]},
         {"refId": "B", "expr": "up"},
         {"refId": "C", "dimensions": {}, "namespace": "n", "region": "r", "metricName": "m",
          "statistics": []},
         {"refId": "D", "dimensions": {}, "namespace": "n", "region": "r", "metricName": "m",
          "statistics": ["Sum"], "metricEditorMode": 1}]}],
      "annotations": {"list": [
          {"name": "CW", "dimensions": {}, "namespace": "n", "region": "r", "prefixMatching": False,
           "statistics": ["Maximum", "Minimum"]},
          {"name": "one", "dimensions": {}, "namespace": "n", "region": "r",
           "prefixMatching": False, "statistics": ["Sum"]},
          {"name": "other"}]}},
     {"panels": [{"targets": [
         {"refId": "A", "dimensions": {"InstanceId": "i-1"}, "namespace": "AWS/EC2",
          "region": "us-east-1", "metricName": "CPU", "metricEditorMode": 0, "metricQueryType": 0,
          "statistic": "Average"},
         {"refId": "B", "expr": "up"},
         {"refId": "C", "dimensions": {}, "namespace": "n", "region": "r", "metricName": "m",
          "statistics": [], "metricEditorMode": 0, "metricQueryType": 0},
         {"refId": "D", "dimensions": {}, "namespace": "n", "region": "r", "metricName": "m",
          "metricEditorMode": 1, "metricQueryType": 0, "statistic": "Sum"},
         {"refId": "E", "dimensions": {"InstanceId": "i-1"}, "namespace": "AWS/EC2",
          "region": "us-east-1", "metricName": "CPU", "metricEditorMode": 0, "metricQueryType": 0,
          "statistic": "Maximum"},
         {"refId": "F", "dimensions": {"InstanceId": "i-1"}, "namespace": "AWS/EC2",
          "region": "us-east-1", "metricName": "CPU", "metricEditorMode": 0,
          "metricQueryType": 0}]}],
      "annotations": {"list": [
          {"name": "CW - Maximum", "dimensions": {}, "namespace": "n", "region": "r",
           "prefixMatching": False, "statistic": "Maximum"},
          {"name": "one", "dimensions": {}, "namespace": "n", "region": "r",
           "prefixMatching": False, "statistic": "Sum"},
          {"name": "other"},
          {"name": "CW - Minimum", "dimensions": {}, "namespace": "n", "region": "r",
           "prefixMatching": False, "statistic": "Minimum"}]}}),
    (35, "V35 applyXAxisVisibilityOverride",
     {"panels": [graph(fieldConfig={"defaults": {"custom": {"axisPlacement": "hidden"}},
                                    "overrides": []}),
                 {"type": "barchart", "fieldConfig": {"defaults": {"custom": {
                     "axisPlacement": "hidden"}}}}]},
     {"panels": [graph(fieldConfig={"defaults": {"custom": {"axisPlacement": "hidden"}},
                                    "overrides": [{"matcher": {"id": "byType", "options": "time"},
                                                   "properties": [{"id": "custom.axisPlacement",
                                                                   "value": "auto"}]}]}),
                 {"type": "barchart", "fieldConfig": {"defaults": {"custom": {
                     "axisPlacement": "hidden"}}}}]}),
    (37, "V37 (legend normalisation)",
     {"panels": [{"options": {"legend": True}},
                 {"options": {"legend": {"displayMode": "hidden", "showLegend": True}}},
                 {"options": {"legend": {"displayMode": "table", "showLegend": False}}},
                 {"options": {"legend": {"displayMode": "table"}}}]},
     {"panels": [{"options": {"legend": {"displayMode": "list", "showLegend": True}}},
                 {"options": {"legend": {"displayMode": "list", "showLegend": False}}},
                 {"options": {"legend": {"displayMode": "list", "showLegend": False}}},
                 {"options": {"legend": {"displayMode": "table", "showLegend": True}}}]}),
    (38, "V38 migrateTableDisplayModeToCellOptions",
     {"panels": [{"type": "table", "fieldConfig": {
         "defaults": {"custom": {"displayMode": "gradient-gauge"}},
         "overrides": [{"matcher": {"id": "byName", "options": "CPU"}, "properties": [
             {"id": "custom.displayMode", "value": "color-background-solid"}]}]}}]},
     {"panels": [{"type": "table", "fieldConfig": {
         "defaults": {"custom": {"cellOptions": {"type": "gauge", "mode": "gradient"}}},
         "overrides": [{"matcher": {"id": "byName", "options": "CPU"}, "properties": [
             {"id": "custom.cellOptions", "value": {"type": "color-background",
                                                    "mode": "basic"}}]}]}}]}),
    (39, "V39 processPanelsV39",
     {"panels": [{"transformations": [{"id": "timeSeriesTable",
                                       "options": {"refIdToStat": {"A": "mean", "B": "max"}}}]}]},
     {"panels": [{"transformations": [{"id": "timeSeriesTable",
                                       "options": {"A": {"stat": "mean"}, "B": {"stat": "max"}}}]}]}),
    (40, "V40 (refresh as a string)", {"refresh": False}, {"refresh": ""}),
    (40, "V40 (refresh as a string)", {"refresh": "1m"}, {"refresh": "1m"}),
    (41, "V41 (time_options removed)",
     {"timepicker": {"refresh_intervals": ["5s"], "time_options": ["5m"]}},
     {"timepicker": {"refresh_intervals": ["5s"]}}),
    (42, "V42 migrateHideFromForPanel",
     {"panels": [{"type": "row", "panels": [{"fieldConfig": {"overrides": [{"properties": [
         {"id": "custom.hideFrom", "value": {"viz": True, "legend": False}},
         {"id": "custom.hideFrom", "value": {"viz": False}}]}]}}]}]},
     {"panels": [{"type": "row", "panels": [{"fieldConfig": {"overrides": [{"properties": [
         {"id": "custom.hideFrom", "value": {"viz": True, "legend": False, "tooltip": True}},
         {"id": "custom.hideFrom", "value": {"viz": False}}]}]}}]}]}),
]


@pytest.mark.parametrize("version,grafana,before,after", CASES,
                         ids=[f"v{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_step_as_grafana_writes_it(version, grafana, before, after):
    model = copy.deepcopy(before)
    step(version)(model)
    assert model == after, grafana


def test_every_step_dashkit_ports_has_a_case():
    ported = {s.version for s in STEPS if s.apply is not None}
    assert ported == {version for version, *_ in CASES}
    assert [s.version for s in STEPS] == sorted({s.version for s in STEPS})


def test_only_the_steps_a_model_has_not_had_run():
    # schema 28: V29 runs (refresh 0 → 1), V14 does not (sharedCrosshair untouched)
    model = {"schemaVersion": 28, "sharedCrosshair": True,
             "templating": {"list": [{"type": "query", "refresh": 0}]}}
    upgrade(model)
    assert model == {"schemaVersion": 42, "sharedCrosshair": True, "refresh": "",
                     "templating": {"list": [{"type": "query", "refresh": 1}]}}
    current = {"schemaVersion": 42, "refresh": False}
    upgrade(current)
    assert current == {"schemaVersion": 42, "refresh": False}


def test_an_angular_table_is_migrated_by_the_table_handler():
    """V24 makes it table-old; tablePanelChangedHandler turns a date style into an override (V22
    set its align to auto first, which the handler writes as a null custom.align)."""
    model, _ = migrate_dashboard({"title": "T", "schemaVersion": 20, "panels": [
        {"type": "table", "title": "t", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
         "styles": [{"pattern": "Time", "type": "date", "dateFormat": "YYYY"}]}]})
    table = model["panels"][0]
    assert table["type"] == "table" and "styles" not in table
    assert table["fieldConfig"]["overrides"] == [
        {"matcher": {"id": "byName", "options": "Time"},
         "properties": [{"id": "unit", "value": "time: YYYY"},
                        {"id": "custom.align", "value": None}]}]


def test_the_import_guide_prints_the_table_of_steps():
    readme = (ROOT / "docs" / "guides" / "import.md").read_text()
    rows = re.findall(r"^\| (\d+) \| (.+?) \| (.+?) \|$", readme, flags=re.M)
    assert [(int(v), g, d) for v, g, d in rows] == [(s.version, s.grafana, s.does) for s in STEPS]


# --- schema 16: rows to the grid (upgradeToGridLayout) ----------------------------------------

def test_rows_to_grid_as_upgrade_to_grid_layout():
    rows = [
        {"title": "A", "showTitle": True, "height": "250px",
         "panels": [{"id": 1, "span": 8}, {"id": 2, "span": 8}, {"title": "no id or span"}]},
        {"title": "B", "collapse": True, "height": 100,
         "panels": [{"id": 4, "span": 12}, {"id": 5, "span": 12}]},
        {"title": "B", "repeatIteration": 1234, "panels": [{"id": 6}]},
        {"title": "C", "height": 250, "panels": [{"id": 7, "span": 6, "height": "100px"},
                                                  {"id": 8, "span": 6, "height": "100px"},
                                                  {"id": 9, "span": 6, "height": "100px"}]}]
    model = load_json("x.json", json.dumps({"title": "T", "rows": rows}))[0].model

    def row(title: str, id_: int, y: int, h: int, collapsed: bool = False, panels=()) -> dict:
        # (Grafana writes collapsed only when the row had collapse; false is the same)
        return {"type": "row", "title": title, "id": id_, "collapsed": collapsed,
                "panels": list(panels), "gridPos": {"x": 0, "y": y, "w": 24, "h": h}}

    def at(x: int, y: int, w: int, h: int) -> dict:
        return {"gridPos": {"x": x, "y": y, "w": w, "h": h}}

    assert model["panels"] == [
        # max id 9: the id-less panel gets 10 before its row gets 11 (V16's first pass)
        row("A", 11, 0, 7),  # a row panel keeps its row's height (250px: 7)
        {"id": 1, **at(0, 1, 16, 7)},
        {"id": 2, **at(0, 8, 16, 7)},  # no room on the right: the row wraps by its height
        {"title": "no id or span", "id": 10, **at(16, 8, 8, 7)},  # span 4 by default: 8 wide
        row("B", 12, 15, 3, collapsed=True, panels=[{"id": 4, **at(0, 16, 24, 3)},
                                                     {"id": 5, **at(0, 19, 24, 3)}]),
        # the repeated copy of B is skipped; C starts where B's panels ended (no rewind to 16)
        row("C", 13, 19, 7),
        {"id": 7, **at(0, 20, 12, 3)}, {"id": 8, **at(12, 20, 12, 3)},
        {"id": 9, **at(0, 23, 12, 3)},  # lower than the row: RowArea stacks it below
    ]


def test_a_dashboard_with_only_variables_is_migrated():
    """Old dashboards may have no panels key at all: Grafana loads and migrates them (here V12
    and V29 run on a schema 11 one)."""
    loaded = load_json("v.json", json.dumps({"title": "Vars", "schemaVersion": 11, "templating": {
        "list": [{"name": "a", "type": "query", "refresh": True, "hideLabel": True}]}}))[0]
    model, notes = migrate_dashboard(loaded.model)
    assert model["panels"] == [] and notes == []
    assert model["templating"]["list"] == [{"name": "a", "type": "query", "refresh": 1, "hide": 1}]
    with pytest.raises(DashkitError, match="not a Grafana dashboard"):
        load_json("n.json", json.dumps({"title": "no panels, rows or variables"}))


# --- the whole import: what the issue listed as lost --------------------------------------------

#: A schema 5 dashboard with what an import used to lose (also type-checked by the corpus gate).
OLD_DASHBOARD = {
    "title": "Old", "schemaVersion": 5, "sharedCrosshair": True,
    "pulldowns": [{"type": "filtering", "enable": True}, {"type": "annotations", "enable": True,
                                                          "annotations": [
        {"name": "Deploys", "datasource": "Prometheus", "enable": True, "iconColor": "red",
         "expr": "changes(up[5m]) > 0", "step": "60s"}]}],
    "templating": {"list": [{"name": "job", "type": "query", "datasource": "Prometheus",
                             "query": "label_values(up, job)", "refresh": True, "hideLabel": True,
                             "options": [{"text": "a", "value": "a"}]}]},
    "rows": [{"title": "R", "showTitle": True, "height": "250px", "panels": [
        {"id": 1, "type": "graph", "title": "CPU", "span": 6, "minSpan": 4, "lines": True,
         "datasource": "Prometheus", "targets": [{"expr": "up"}],
         "links": [{"type": "dashboard", "dashboard": "Node Details", "keepTime": True,
                    "title": "details"}]},
        {"id": 2, "type": "graph", "title": "CPU", "span": 6, "repeatPanelId": 1,
         "datasource": "Prometheus", "targets": [{"expr": "up"}]}]},
        {"title": "R", "repeatIteration": 123, "panels": [{"id": 4, "type": "text"}]}]}


def test_an_old_dashboard_imports_with_what_grafana_shows():
    from dashkit.importer.codecheck import run_module
    from dashkit.importer.pipeline import import_model
    from dashkit.sdk.compiler import compile_dashboard

    result = import_model(load_json("old.json", json.dumps(OLD_DASHBOARD))[0], "old")
    built = compile_dashboard(run_module(result.source)["dashboard"], strict=False)
    assert built["graphTooltip"] == 1  # V14
    assert "pulldowns" not in built and "sharedCrosshair" not in built
    # V6, then the Prometheus datasource's prepareAnnotation
    deploys = [a for a in built["annotations"]["list"] if not a.get("builtIn")]
    assert [(a["name"], a["iconColor"], a["target"]) for a in deploys] == [
        ("Deploys", "red", {"refId": "Anno", "expr": "changes(up[5m]) > 0", "interval": "60s"})]
    job = built["templating"]["list"][0]
    assert (job["refresh"], job["hide"], job.get("options")) == (1, 1, [])  # V12, V29
    # V16: the repeated row and (V27) the repeated panel are gone; one row, one chart
    assert [p["type"] for p in built["panels"]] == ["row", "timeseries"]
    chart = built["panels"][1]
    assert chart["maxPerRow"] == 3  # minSpan 4 twelfths: 8 columns (V16), 24 / 8 (V17)
    # V19's url, with the fields @grafana/schema's DashboardLink requires at what means the same
    assert chart["links"] == [{"title": "details", "url": "dashboard/db/node-details?$__url_time_range",
                               "asDropdown": False, "icon": "external link", "includeVars": False,
                               "keepTime": False, "tags": [], "targetBlank": False, "tooltip": "",
                               "type": "link"}]


# --- after the steps: what Grafana reads that its types refuse --------------------------------

def test_what_the_types_refuse_is_written_as_grafana_reads_it():
    model = {"title": "T", "schemaVersion": 42, "timepicker": {"now": True, "hidden": False},
             "templating": {"list": [{"name": "v", "type": "custom", "allValue": None,
                                      "definition": "a,b"}]},
             "annotations": {"list": [
                 # the Prometheus datasource's prepareAnnotation: expr and step into the target
                 {"name": "p", "datasource": {"type": "prometheus", "uid": "x"}, "expr": "up",
                  "step": "1m"},
                 {"name": "l", "datasource": {"type": "loki", "uid": "y"}, "expr": "{a=\"b\"}"}]},
             "panels": [{"type": "row", "title": "r", "collapse": False, "repeat": None,
                         "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "panels": []},
                        {"type": "table", "title": "t", "maxDataPoints": "",
                         "gridPos": {"x": 0, "y": 1, "w": 24, "h": 8},
                         "transformations": [{"id": "merge"}]}]}
    migrated, notes = migrate_dashboard(model)
    assert migrated["timepicker"] == {"hidden": False}
    assert migrated["templating"]["list"] == [{"name": "v", "type": "custom", "definition": "a,b"}]
    assert migrated["annotations"]["list"] == [
        {"name": "p", "datasource": {"type": "prometheus", "uid": "x"},
         "target": {"refId": "Anno", "expr": "up", "interval": "1m"}},
        {"name": "l", "datasource": {"type": "loki", "uid": "y"}, "expr": "{a=\"b\"}"}]
    assert migrated["panels"][0] == {"type": "row", "title": "r", "panels": [],
                                     "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}}
    assert "maxDataPoints" not in migrated["panels"][1]
    assert migrated["panels"][1]["transformations"] == [{"id": "merge", "options": {}}]
    assert notes == [
        "1 row panels had the old rows' settings (collapse, showTitle, titleSize, height, span, "
        "repeatIteration, repeatRowId), which a row panel does not read: dropped",
        "timepicker now: the old time picker's settings, which no current Grafana reads, were "
        "dropped",
        "kept although @grafana/schema's types lack them (Grafana reads them): annotation expr, "
        "variable definition"]


@pytest.mark.parametrize("text,number", [("100", 100), (" 2.5 ", 2.5), ("", None), ("x", None),
                                         ("1e400", None), ("nan", None), ("1_000", None)])
def test_a_number_written_as_text_is_read_as_javascript_reads_it(text, number):
    """maxDataPoints as Number() reads it: a number, or unset (never NaN or Infinity)."""
    model, _ = migrate_dashboard({"title": "T", "panels": [
        {"type": "text", "maxDataPoints": text, "gridPos": {"x": 0, "y": 0, "w": 1, "h": 1}}]})
    assert model["panels"][0].get("maxDataPoints") == number


HOSTILE = [None, True, 1, 2, 7, "x", "null", [], {}, [1, "a", None], {"a": 1}]
KEYS = ["templating", "annotations", "panels", "timepicker", "nav", "pulldowns", "services",
        "refresh", "sharedCrosshair", "schemaVersion"]
PANEL_KEYS = ["links", "options", "fieldConfig", "transformations", "styles", "panels", "minSpan",
              "options-gauge", "thresholds", "type", "legend", "maxDataPoints", "repeat"]


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v) for v in HOSTILE])
def test_wrong_types_anywhere_never_crash_a_step(value):
    for key in KEYS:
        migrate_dashboard({"title": "T", key: value})
        migrate_dashboard({"title": "T", "templating": {"list": [{"type": "query", key: value}]}})
    migrate_dashboard({"title": "T", "annotations": {"list": [value, {
        "dimensions": value, "namespace": value, "region": value, "prefixMatching": value,
        "statistics": value, "name": value, "expr": value, "datasource": value, "target": value}]}})
    for key in PANEL_KEYS:
        for kind in ("table", "singlestat", "row", "timeseries", "text2", "gauge", "graphite",
                     "graph", "table-old", "grafana-piechart-panel"):
            mappings = [value, {"type": value, "value": value, "text": value, "from": value,
                                "to": value, "options": value}]
            panel = {"type": kind, key: value,
                     "fieldConfig": {"overrides": [value, {"properties": [
                         {"id": "mappings", "value": mappings}]}],
                                     "defaults": {"mappings": mappings, "thresholds": {
                                         "steps": [value, {"value": value}]}}},
                     "options": {"legend": value, "dataLinks": [value]},
                     "targets": [value, {"fields": value, "tags": value, "groupBy": value,
                                         "fill": value},
                                 {"dimensions": value, "namespace": value, "region": value,
                                  "metricName": value, "statistics": value, "refId": value}],
                     "grid": {"threshold1": value, "leftMin": value}}
            migrate_dashboard({"title": "T", "panels": [panel, {"type": "row", "panels": [panel]}]})
