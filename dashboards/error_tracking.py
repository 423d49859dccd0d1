"""Error Tracking: where 5xx come from, what the error logs say, and which trace to open."""
from __future__ import annotations

import alerts as a
import easymo as e

from dashkit import Row, Target, logql, panels, promql
from dashkit.composites import firing_alerts_table

SERVICES = {"service": promql.var("service")}
SERVER_ERRORS = {**SERVICES, "status_code": promql.re(e.SERVER_ERROR)}
ERROR_LINES = e.error_lines(promql.var("service"))

by_service = panels.timeseries(
    "5xx per second by service", promql.rate_sum("http_requests_total", ["service"], where=SERVER_ERRORS),
    unit="reqps", legend="{{service}}", alert=a.HIGH_ERROR_RATE,
    description="HighErrorRate fires when a series stays above the red line for 2m.")

by_route = panels.timeseries(
    "5xx per second by route",
    promql.rate_sum("http_requests_total", ["service", "route"], where=SERVER_ERRORS),
    unit="reqps", legend="{{service}} {{route}}", alert=a.HIGH_ERROR_RATE)

top_routes = panels.bar_gauge(
    "Top failing routes (5xx in range)",
    promql.topk(10, promql.increase_sum("http_requests_total", ["service", "route", "status_code"],
                                        where=SERVER_ERRORS)),
    legend="{{service}} {{route}} {{status_code}}", instant=True, decimals=0, w=12, h=10)

log_volume = panels.timeseries(
    "Error log lines by service", Target(logql.count_over_time(ERROR_LINES, by=["service"]),
                                         "{{service}}", datasource=e.LOGS),
    datasource=e.LOGS, bars=True, stack=True, fill=80, w=12, h=10)

error_logs = panels.logs(
    "Error logs (open a line for its trace)", ERROR_LINES.where('trace_id != ""'),
    datasource=e.LOGS,
    description="Lines with a trace_id; the Loki datasource's derived field links it to Tempo.",
    h=12)

payment_failures = panels.timeseries(
    "Failed payments /s by method",
    promql.rate_sum("payment_transactions_total", ["payment_method"], where={"status": e.PAYMENT_FAILED}),
    unit="ops", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12)

whatsapp_failures = panels.timeseries(
    "Failed WhatsApp messages /s by type",
    promql.rate_sum("whatsapp_messages_total", ["message_type"], where={"status": e.MESSAGE_FAILED}),
    unit="ops", legend="{{message_type}}", alert=a.WHATSAPP_FAILURES, w=12)

dashboard = e.make_dashboard(
    "error-tracking", "Error Tracking",
    description="Server errors by service and route, error logs with trace links, failed "
                "payments and messages.",
    tags=["errors"],
    variables=[e.loki_variable, e.service_variable(multi=True)],
    time=("now-6h", "now"),
    panels=[
        firing_alerts_table(),
        Row("Server errors", [by_service, by_route, top_routes, log_volume]),
        Row("Error logs", [error_logs]),
        Row("Business failures", [payment_failures, whatsapp_failures]),
    ],
)
