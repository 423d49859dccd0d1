"""The feature-coverage project: one dashboard using what the EasyMO dashboards do not (collapsed
and repeated rows, repeats in both directions, textbox and constant variables, an interval
variable, ``transparent``, ``timeFrom``, legends in every mode, every panel kind), written with
dashkit's public SDK only. Its classic and v2 outputs are snapshotted (tests/test_coverage_project.py)
so a change to either schema's emitter shows up as a diff here too."""
from __future__ import annotations

from dashkit import (
                                 Dashboard,
                                 Row,
                                 Target,
                                 above,
                                 firing_alerts,
                                 logql,
                                 panels,
                                 promql,
                                 value_map,
                                 variable_ref,
                                 variables,
)

PROM = variable_ref("prometheus", "datasource")
LOGS = variable_ref("loki", "loki")
UP = promql.sel("up", where={"job": promql.var("job")})
RATE = promql.rate_sum("http_requests_total", ["instance"], where={"job": promql.var("job")})

legend_list = panels.timeseries("Legend as a list", RATE, unit="reqps", legend="{{instance}}", w=8)
legend_table = panels.timeseries("Legend as a table", RATE, unit="reqps", legend="{{instance}}",
                                 legend_table=True, legend_calcs=["mean", "max", "lastNotNull"],
                                 w=8)
legend_hidden = panels.timeseries(
    "Legend hidden", RATE, unit="reqps", w=8,
    extra={"options": {"legend": {"showLegend": False, "displayMode": "hidden"}}})

every_kind = [
    panels.stat("Stat", promql.count(UP), mappings=[value_map({0: ("none", "red")})],
                thresholds=above(1), color_background=True, w=6, h=4),
    panels.gauge("Gauge", promql.avg(UP), w=6, h=4),
    panels.bar_gauge("Bar gauge", promql.sum_(UP, ["instance"]), legend="{{instance}}", w=6, h=4),
    panels.text("Transparent note", "Text with **no background**.", transparent=True, w=6, h=4),
    panels.table("Table", Target(UP, "{{instance}}"), w=12, h=6),
    panels.heatmap("Heatmap", promql.bucket_rate("http_request_duration_seconds",
                                                 where={"job": promql.var("job")}), w=12, h=6),
    panels.logs("Logs", logql.stream({"job": promql.var("job")}), datasource=LOGS, h=6),
    panels.raw({"type": "piechart", "title": "Any plugin, raw",
                "options": {"legend": {"displayMode": "list", "placement": "right"}}}, w=8, h=6),
    panels.stat("Last hour only", promql.count(UP), w=8, h=6,
                extra={"timeFrom": "1h", "hideTimeOverride": True}),
]

repeats = Row("Repeats", [
    panels.stat("Per instance, side by side", promql.sum_(UP, ["instance"]), repeat="instance",
                repeat_direction="h", max_per_row=4, w=6, h=4),
    panels.timeseries("Per instance, stacked", RATE, repeat="instance", repeat_direction="v",
                      w=24, h=6),
])

dashboard = Dashboard(
    uid="feature-coverage", title="Feature coverage",
    description="What the EasyMO dashboards do not use, in one place.",
    tags=["coverage"], refresh="", timezone="utc", week_start="monday",
    variables=[
        variables.datasource("datasource", "prometheus"),
        variables.datasource("loki", "loki"),
        variables.query("job", variables.label_values("job"), PROM, multi=True, include_all=True),
        variables.query("instance", variables.label_values("instance"), PROM, multi=True),
        variables.custom("env", ["prod", "staging"], include_all=True),
        variables.interval("step", ["1m", "5m", "1h"], auto=True),
        variables.Variable("search", "textbox", "Search", 0,
                           {"query": "error", "current": {"text": "error", "value": "error"}}),
        variables.Variable("team", "constant", None, 2, {"query": "platform"}),
    ],
    annotations=[firing_alerts()],
    panels=[
        legend_list, legend_table, legend_hidden,
        Row("Every panel kind", every_kind),
        Row("Collapsed", [panels.timeseries("Hidden until opened", RATE, w=24)], collapsed=True),
        repeats,
        Row("Repeated per job", [panels.stat("Up in $job", promql.count(UP), w=24, h=4)],
            extra={"repeat": "job"}),
    ],
)
