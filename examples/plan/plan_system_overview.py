"""Imported by dashkit import. IMPORT_NOTES says what was not carried over faithfully."""

from __future__ import annotations

from dashkit import Dashboard, Target, panels

IMPORT_NOTES = (
    "Grafana's grid compacts this layout: it draws 'Error Rate' at y=4, x=0 (gridPos y=8, x=0); the code keeps the source's positions (lint: grid-compaction)",
    "the dashboard had no uid: 'easymo-system-overview' was derived from its title",
)

PANEL_SETTINGS = {
    "fieldConfig": {"defaults": {"custom": {"drawStyle": "points", "showPoints": "auto"}}},
    "options": {"tooltip": {"mode": "single", "sort": "none"}},
}

service_health_status = panels.stat(
    "Service Health Status", Target("up", legend="{{ job }}"), unit="", w=12, h=4, id=1
)

total_requests_last_hour = panels.timeseries(
    "Total Requests (Last Hour)",
    Target("sum(rate(http_requests_total[5m])) by (service)", legend="{{ service }}"),
    unit="",
    fill=0,
    w=12,
    h=8,
    id=2,
    extra=PANEL_SETTINGS,
)

error_rate = panels.timeseries(
    "Error Rate",
    Target(
        'sum(rate(http_requests_total{status_code=~"5.."}[5m])) by (service)',
        legend="{{ service }}",
    ),
    unit="",
    fill=0,
    w=12,
    h=8,
    x=0,
    y=8,
    id=3,
    extra=PANEL_SETTINGS,
)

response_time_p95 = panels.timeseries(
    "Response Time (P95)",
    Target(
        "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))",
        legend="{{ service }}",
    ),
    unit="",
    fill=0,
    w=12,
    h=8,
    id=4,
    extra=PANEL_SETTINGS,
)

dashboard = Dashboard(
    uid="easymo-system-overview",
    title="EasyMO - System Overview",
    tags=["easymo", "overview"],
    refresh="",
    graph_tooltip=0,
    datasource=None,
    allow_overlaps=True,
    panels=[service_health_status, total_requests_last_hour, error_rate, response_time_p95],
)
