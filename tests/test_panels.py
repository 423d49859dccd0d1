"""Builders and the grafanalib fixes: what reaches Grafana is in the current shape."""
from __future__ import annotations

import attrs
import grafanalib.core as gl
import pytest

from dashkit import Dashboard, DashkitError, Panel, above, below, compile_dashboard, panels, promql, variables
from dashkit.grafana.facts import PANEL_LINK_DEFAULTS
from dashkit.project.loading import Project, Source
from dashkit.project.pipeline import compile_project
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.grafanalib_fixes import modernise_panel
from dashkit.sdk.panels import targets_of

PROM = DatasourceRef("prometheus", "${datasource}")


def compiled_panel(panel: Panel) -> dict:
    return compile_dashboard(Dashboard("u", "t", [panel]))["panels"][0]


def assert_no_nulls_outside_thresholds(value, path="panel"):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "steps":
                continue
            assert item is not None, f"{path}.{key} is null"
            assert_no_nulls_outside_thresholds(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_no_nulls_outside_thresholds(item, f"{path}[{i}]")


ALL_BUILDERS = [
    panels.timeseries("ts", promql.sel("up"), unit="s", thresholds=above(1)),
    panels.stat("stat", promql.sel("up")),
    panels.gauge("gauge", promql.sel("up"), thresholds=below(0.7)),
    panels.bar_gauge("bars", promql.sel("up")),
    panels.table("table", promql.sel("up"), promql.sel("up")),
    panels.heatmap("heat", promql.bucket_rate("x")),
    panels.logs("logs", '{service="a"}', datasource=DatasourceRef("loki", "loki")),
    panels.text("text", "hello"),
]


@pytest.mark.parametrize("panel", ALL_BUILDERS, ids=lambda p: p.title)
def test_builders_emit_current_grafana_shapes(panel):
    model = compiled_panel(panel)
    assert_no_nulls_outside_thresholds(model)
    for legacy in ("span", "height", "error", "editable", "maxDataPoints", "minSpan", "style"):
        assert legacy not in model
    if model["type"] != "text":
        assert model["datasource"]["uid"]
        for target in model["targets"]:
            assert isinstance(target["datasource"], dict)
            assert "intervalFactor" not in target and "query" not in target
            assert target["refId"]
    assert model["type"] in {"timeseries", "stat", "gauge", "bargauge", "table", "heatmap",
                             "logs", "text"}


def test_stat_shows_no_data_instead_of_none_and_has_real_thresholds():
    raw = gl.Stat(title="s", targets=[gl.Target(expr="up", refId="A")])
    model = modernise_panel(raw, PROM)
    assert "noValue" not in model["fieldConfig"]["defaults"]
    assert model["fieldConfig"]["defaults"]["thresholds"] == {
        "mode": "absolute", "steps": [{"color": "green", "value": None}]}


def test_grafanalib_target_defaults_are_dropped():
    model = modernise_panel(gl.TimeSeries(title="t", targets=[gl.Target(expr="up", refId="A")]), PROM)
    assert model["targets"] == [{"expr": "up", "refId": "A", "instant": False,
                                 "datasource": {"type": "prometheus", "uid": "${datasource}"}}]
    assert "maxDataPoints" not in model


def test_gauge_options_move_to_reduce_options():
    raw = gl.GaugePanel(title="g", targets=[gl.Target(expr="up", refId="A")], calc="max",
                        thresholds=[gl.Threshold("green", 0, 0.0), gl.Threshold("red", 1, 80.0)])
    model = modernise_panel(raw, PROM)
    assert model["options"]["reduceOptions"]["calcs"] == ["max"]
    assert "calcs" not in model["fieldConfig"]["defaults"]
    assert model["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "green", "value": None}, {"color": "red", "value": 80.0}]


def test_bar_gauge_field_options_become_field_config():
    raw = gl.BarGauge(title="b", targets=[gl.Target(expr="up", refId="A")], format="bytes")
    model = modernise_panel(raw, PROM)
    assert "fieldOptions" not in model["options"]
    assert model["fieldConfig"]["defaults"]["unit"] == "bytes"


def test_table_mappings_and_display_mode_are_migrated():
    mapping = {"type": "value", "options": {"1": {"text": "UP"}}}
    raw = gl.Table(title="t", mappings=[mapping], displayMode="color-background")
    model = modernise_panel(raw, PROM)
    assert model["fieldConfig"]["defaults"]["mappings"] == [mapping]
    assert model["fieldConfig"]["defaults"]["custom"]["cellOptions"] == {
        "type": "color-background", "mode": "gradient"}
    assert "mappings" not in model and "displayMode" not in model["fieldConfig"]["defaults"]["custom"]


def test_legacy_heatmap_becomes_react_heatmap():
    model = modernise_panel(gl.Heatmap(title="h", yAxis=gl.YAxis(format="s")), PROM)
    assert model["options"]["yAxis"]["unit"] == "s"
    assert model["options"]["calculate"] is False
    assert "cards" not in model and "xAxis" not in model


def test_datasource_name_strings_become_refs():
    model = modernise_panel(gl.TimeSeries(title="t", dataSource="Prometheus",
                                          targets=[gl.Target(expr="up", refId="A",
                                                             datasource="Prometheus")]), PROM)
    assert model["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert model["targets"][0]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_thresholds_drawn_as_lines_on_timeseries():
    model = compiled_panel(panels.timeseries("t", promql.sel("up"), thresholds=above(1)))
    defaults = model["fieldConfig"]["defaults"]
    assert defaults["custom"]["thresholdsStyle"] == {"mode": "dashed"}
    assert defaults["thresholds"]["steps"] == [{"color": "green", "value": None},
                                               {"color": "red", "value": 1}]


def test_below_thresholds_colour_low_values_red():
    assert below(0.7).to_json_data() == [{"color": "red", "value": None},
                                                {"color": "green", "value": 0.7}]


def test_extra_merges_raw_json():
    model = compiled_panel(panels.timeseries("t", promql.sel("up"),
                                             extra={"options": {"legend": {"showLegend": False}}}))
    assert model["options"]["legend"]["showLegend"] is False
    assert model["options"]["legend"]["displayMode"] == "list"  # the rest is kept


def test_any_grafanalib_panel_can_be_placed():
    raw = gl.PieChartv2(title="pie", targets=[gl.Target(expr="up", refId="A")])
    model = compiled_panel(Panel(raw, w=8, h=6))
    assert model["type"] == "piechart" and model["gridPos"] == {"x": 0, "y": 0, "w": 8, "h": 6}


def test_loki_targets_are_range_log_queries():
    model = compiled_panel(panels.logs("l", '{service="a"}', datasource=DatasourceRef("loki", "l")))
    assert model["targets"][0] == {"expr": '{service="a"}', "refId": "A", "queryType": "range",
                                   "datasource": {"type": "loki", "uid": "l"}}


def test_table_merges_several_queries():
    model = compiled_panel(panels.table("t", promql.sel("up"), promql.sel("up")))
    assert model["transformations"][0]["id"] == "merge"
    assert all(t["format"] == "table" and t["instant"] for t in model["targets"])


def test_golden_signals_share_labels_and_limits():
    from dashkit.sdk.composites import golden_signals

    traffic, errors, latency, saturation = golden_signals(
        requests="http_requests_total", duration="http_request_duration_seconds",
        saturation=promql.sum_(promql.sel("http_requests_active"), ["service"]),
        latency_limit=1.0, quantiles=(0.5, 0.99), where={"service": promql.var("svc")})
    assert [p.title for p in (traffic, errors, latency, saturation)] == [
        "Request rate by service", "5xx ratio by service", "p50/p99 latency by service",
        "Active requests by service"]
    error_expr = targets_of(errors)[0].text
    assert error_expr.count('service=~"$svc"') == 2 and 'status_code=~"5.."' in error_expr
    latency_targets = targets_of(latency)
    assert [t.legend for t in latency_targets] == ["p50 {{service}}", "p99 {{service}}"]
    assert all("sum by (le, service)" in t.text for t in latency_targets)
    latency.spec.targets = [attrs.evolve(t, expr=promql.Expr("up")) for t in latency.spec.targets]
    steps = compiled_panel(latency)["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1] == {"color": "red", "value": 1.0}


def test_drilldown_variables_are_a_mapping_so_any_name_works():
    from dashkit import drilldown_url, link_to
    url = drilldown_url("svc", {"service": "${__field.labels.service}", "keep_time": "x"},
                        keep_time=False)
    assert url == "/d/svc?var-service=${__field.labels.service}&var-keep_time=x"
    assert drilldown_url("svc") == "/d/svc?${__url_time_range}"
    link = link_to("svc", "Service", {"service": "api"})
    assert (link.url, link.include_vars) == ("/d/svc?var-service=api&${__url_time_range}", False)
    assert link_to("svc", "Service").include_vars


BUILDERS = [
    lambda **o: panels.timeseries("p", promql.sel("up"), **o),
    lambda **o: panels.stat("p", promql.sel("up"), **o),
    lambda **o: panels.gauge("p", promql.sel("up"), **o),
    lambda **o: panels.bar_gauge("p", promql.sel("up"), **o),
    lambda **o: panels.table("p", promql.sel("up"), **o),
    lambda **o: panels.heatmap("p", promql.bucket_rate("h"), **o),
    lambda **o: panels.logs("p", '{job="x"}', datasource=DatasourceRef("loki", "logs"), **o),
    lambda **o: panels.text("p", "words", **o),
    lambda **o: panels.raw({"type": "acme-panel", "title": "p"}, **o),
]


@pytest.mark.parametrize("build", BUILDERS, ids=["timeseries", "stat", "gauge", "bar_gauge", "table",
                                                  "heatmap", "logs", "text", "raw"])
def test_every_builder_takes_the_common_options(build):
    runbook = panels.data_link("Runbook", "https://runbooks.example/p")
    panel = build(description="why", panel_links=[runbook], transparent=True, repeat="service",
                  repeat_direction="v", max_per_row=3, w=7, h=5, key="k", extra={"maxDataPoints": 9})
    dashboard = Dashboard("u", "t", [panel], variables=[variables.custom("service", ["a", "b"])])
    model = compile_dashboard(dashboard)["panels"][0]
    assert (model["description"], model["transparent"]) == ("why", True)
    assert model["links"] == [{**PANEL_LINK_DEFAULTS, **runbook}]  # what Grafana's types require
    assert (model["repeat"], model["repeatDirection"], model["maxPerRow"]) == ("service", "v", 3)
    assert (model["gridPos"]["w"], model["gridPos"]["h"], model["maxDataPoints"]) == (7, 5, 9)
    plain = compile_dashboard(Dashboard("u", "t", [build()]))["panels"][0]
    assert not {"transparent", "repeat", "repeatDirection", "maxPerRow", "links"} & set(plain)


def test_data_links_reach_every_value_panel():
    link = panels.data_link("Service", "/d/svc")
    for build in BUILDERS[:7]:
        model = compile_dashboard(Dashboard("u", "t", [build(links=[link])]))["panels"][0]
        assert model["fieldConfig"]["defaults"]["links"] == [link], model["type"]


@pytest.mark.parametrize("call,message", [
    (lambda: panels.stat("Requests", "up", unti="s"),
     "stat panel 'Requests': no option 'unti'; did you mean 'unit'?"),
    (lambda: panels.timeseries("Latency", "up", widht=6),
     "timeseries panel 'Latency': no option 'widht'"),
    (lambda: panels.gauge("CPU", "up", w="6"),
     "gauge panel 'CPU': w must be a whole number of grid units, not '6'"),
    (lambda: panels.table("T", "up", repeat_direction="x"), "table panel 'T': 'repeat_direction' must be in"),
    (lambda: panels.stat("S", "up", transparent="yes"), "stat panel 'S': 'transparent' must be <class 'bool'>"),
    (lambda: panels.logs("Errors", '{job="x"}'), "logs panel 'Errors' needs datasource="),
    (lambda: panels.text("Note", "hi", links=[panels.data_link("a", "/b")]), "use panel_links="),
])
def test_option_mistakes_are_one_line_errors_naming_builder_and_panel(call, message):
    with pytest.raises(DashkitError) as caught:
        call()
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "widht'?" not in str(caught.value)


def test_repeat_over_an_undefined_variable_is_caught():
    dashboard = Dashboard("u", "t", [panels.stat("Per service", "up", repeat="service")])
    with pytest.raises(DashkitError, match=r"panel 'Per service': \$service is used but not defined"):
        compile_project(Project((Source(dashboard, "d.py"),), ()))


def test_override_and_fixed_color_write_grafanas_shapes():
    assert panels.override("Busy", {"color": panels.fixed_color("#EAB839"), "unit": "s"}) == {
        "matcher": {"id": "byName", "options": "Busy"},
        "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "#EAB839"}},
                       {"id": "unit", "value": "s"}]}
    assert panels.override("/idle/", {}, by="byRegexp")["matcher"] == {"id": "byRegexp",
                                                                     "options": "/idle/"}


def test_a_grafanalib_panel_s_queries_get_grafana_s_ref_ids():
    """Grafana's ``PanelModel.ensureQueryIds`` gives a query without a refId
    ``getNextRefId(queries)``: the first letter from A that no query of the panel uses."""
    from dashkit.sdk.panels import Target

    up = promql.sum_(promql.sel("up"))
    unnamed = Panel(gl.PieChartv2(title="Pie", targets=[Target(up), Target(up)]))
    one_named = Panel(gl.PieChartv2(title="Pie 2", targets=[Target(up, ref_id="B"), Target(up)]))
    model = compile_dashboard(Dashboard(uid="refids", title="Ref ids", panels=[unnamed, one_named]))
    assert [[t["refId"] for t in p["targets"]] for p in model["panels"]] == [["A", "B"], ["B", "A"]]
