"""System Overview: is anything down, slow or failing, and where to look next."""
from __future__ import annotations

import alerts as a
import easymo as e

from dashkit import Row, Target, above, drilldown_url, link_to, panels, promql, value_map
from dashkit.composites import firing_alerts_table, golden_signals

SERVICES = {"service": promql.var("service")}
#: Every per-service panel drills down into Service Health with that service preselected.
DRILLDOWN = [panels.data_link("Service Health for ${__field.labels.service}",
                              drilldown_url(e.SERVICE_HEALTH_UID, variables={"service": "${__field.labels.service}"}))]
ERROR_RATIO_BANDS = above(e.ERROR_RATIO_CRIT, warn=e.ERROR_RATIO_WARN)

health = panels.stat(
    "Health by job", promql.min_(promql.sel("up", where={"job": promql.var("job")}), by=["job"]),
    legend="{{job}}", mappings=[value_map({0: ("DOWN", "red"), 1: ("UP", "green")})],
    alert=a.SERVICE_DOWN, color_background=True,
    description="Lowest `up` of each job: DOWN as soon as one instance fails its scrape "
                "(ServiceDown fires after 1m).", w=18, h=5)

firing = panels.stat(
    "Firing alerts", promql.count(promql.sel("ALERTS", where={"alertstate": "firing"})).or_(promql.vector(0)),
    thresholds=above(1), color_background=True, w=6, h=5)

golden = golden_signals(
    requests="http_requests_total", duration="http_request_duration_seconds",
    saturation=promql.sum_(promql.sel("http_requests_active", where=SERVICES), ["service"]),
    latency_limit=e.HIGH_RESPONSE_TIME,
    latency_description="HighResponseTime fires when p95 stays above the red line for 5m.",
    error_ratio_limits=ERROR_RATIO_BANDS, links=DRILLDOWN,
    where=SERVICES)

worst = panels.table(
    "Worst services (last 5m)",
    # the recording rules' series: Prometheus computes these every 30s, not every page load
    *[Target(promql.sel(rule.name, where=SERVICES), legend)
      for rule, legend in ((e.ERROR_RATIO, "5xx ratio"), (e.LATENCY_P95, "p95"),
                           (e.REQUEST_RATE, "req/s"))],
    sort_by="Value #A",
    overrides=[
        {"matcher": {"id": "byName", "options": "Value #A"}, "properties": [
            {"id": "displayName", "value": "5xx ratio"}, {"id": "unit", "value": "percentunit"},
            {"id": "custom.cellOptions", "value": {"type": "color-text"}},
            {"id": "thresholds", "value": {"mode": "absolute",
                                           "steps": ERROR_RATIO_BANDS.to_json_data()}}]},
        {"matcher": {"id": "byName", "options": "Value #B"}, "properties": [
            {"id": "displayName", "value": "p95 latency"}, {"id": "unit", "value": "s"}]},
        {"matcher": {"id": "byName", "options": "Value #C"}, "properties": [
            {"id": "displayName", "value": "Requests/s"}, {"id": "unit", "value": "reqps"}]},
        {"matcher": {"id": "byName", "options": "service"}, "properties": [
            {"id": "links", "value": DRILLDOWN}]},
    ],
    transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True}}}],
    description="Services sorted by 5xx ratio; click a service to open its Service Health.",
    w=24, h=9)

dashboard = e.make_dashboard(
    "system-overview", "System Overview",
    description="Health, traffic, errors and latency of every EasyMO service.",
    tags=["overview"],
    variables=[e.job_variable, e.service_variable(multi=True)],
    links=[link_to(e.SERVICE_HEALTH_UID, "Service Health")],
    time=("now-3h", "now"),
    panels=[
        health, firing,
        Row("Traffic and errors", golden),
        Row("Where to look", [worst, firing_alerts_table()]),
    ],
)
