"""Imported by dashkit import. IMPORT_NOTES says what was not carried over faithfully."""

from __future__ import annotations

from dashkit import Dashboard, Target, panels

IMPORT_NOTES = (
    "4 panels had no gridPos: laid out left to right, 12×8 each",
    "the dashboard had no uid: 'easymo-business-metrics' was derived from its title",
)

ride_requests_last_hour = panels.stat(
    "Ride Requests (Last Hour)",
    Target("sum(increase(ride_requests_total[1h]))"),
    unit="",
    w=12,
    h=8,
    id=1,
)

acceptance_rate = panels.gauge(
    "Acceptance Rate",
    Target(
        "sum(rate(ride_requests_accepted_total[10m])) / sum(rate(ride_requests_total[10m])) * 100"
    ),
    unit="",
    min=None,
    max=None,
    w=12,
    h=8,
    id=2,
)

payment_success_rate = panels.timeseries(
    "Payment Success Rate",
    Target(
        'sum(rate(payment_transactions_total{status="success"}[5m])) / sum(rate(payment_transactions_total[5m])) * 100'
    ),
    unit="",
    fill=0,
    w=12,
    h=8,
    id=3,
    extra={
        "fieldConfig": {"defaults": {"custom": {"drawStyle": "points", "showPoints": "auto"}}},
        "options": {"tooltip": {"mode": "single", "sort": "none"}},
    },
)

active_rides = panels.stat(
    "Active Rides",
    Target('sum(ride_requests_total{status="in_progress"})'),
    unit="",
    w=12,
    h=8,
    id=4,
)

dashboard = Dashboard(
    uid="easymo-business-metrics",
    title="EasyMO - Business Metrics",
    tags=["easymo", "business"],
    refresh="",
    graph_tooltip=0,
    datasource=None,
    allow_overlaps=True,
    panels=[ride_requests_last_hour, acceptance_rate, payment_success_rate, active_rides],
)
