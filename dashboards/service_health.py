"""Service Health: one service in depth, from its HTTP traffic down to its event loop and DB."""
from __future__ import annotations

import alerts as a
import easymo as e

from dashkit import Row, Target, above, panels, promql
from dashkit.composites import error_ratio

SERVICE = {"service": promql.var("service")}
PROCESS = {"instance": promql.var("instance")}
p = e.PROM_CLIENT_PREFIX


def process(series: str) -> str:
    """A prom-client default metric under the services' prefix."""
    return p + series


traffic = panels.timeseries(
    "Request rate by route and status",
    promql.rate_sum("http_requests_total", ["route", "status_code"], where=SERVICE),
    unit="reqps", legend="{{route}} {{status_code}}")

errors = panels.timeseries(
    "5xx ratio by route", error_ratio("http_requests_total", ["route"], where=SERVICE),
    unit="percentunit", min=0, legend="{{route}}",
    thresholds=above(e.ERROR_RATIO_CRIT, warn=e.ERROR_RATIO_WARN))

latency = panels.timeseries(
    "Latency p50 / p95 / p99",
    *[Target(promql.quantile(q, "http_request_duration_seconds", where=SERVICE), f"p{round(q * 100)}")
      for q in (0.5, 0.95, 0.99)],
    unit="s", min=0, alert=a.HIGH_RESPONSE_TIME,
    description="The red line is HighResponseTime's limit on p95.")

latency_heatmap = panels.heatmap(
    "Latency distribution", promql.bucket_rate("http_request_duration_seconds", where=SERVICE))

active = panels.timeseries(
    "Active requests", promql.sum_(promql.sel("http_requests_active", where=SERVICE)), legend="active",
    w=8)

cpu = panels.timeseries(
    "CPU (cores)", promql.rate(promql.sel(process("process_cpu_seconds_total"), where=PROCESS)),
    unit="percentunit", min=0, legend="{{instance}}", alert=a.HIGH_CPU_USAGE,
    description="CPU seconds per second; HighCPUUsage fires above 80 % of a core.", w=8)

memory = panels.timeseries(
    "Resident memory", promql.sel(process("process_resident_memory_bytes"), where=PROCESS),
    unit="bytes", min=0, legend="{{instance}}", alert=a.HIGH_MEMORY_USAGE, w=8)

event_loop = panels.timeseries(
    "Event-loop lag",
    Target(promql.sel(process("nodejs_eventloop_lag_seconds"), where=PROCESS), "lag {{instance}}"),
    Target(promql.sel(process("nodejs_eventloop_lag_p99_seconds"), where=PROCESS), "p99 {{instance}}"),
    unit="s", min=0, w=8)

heap = panels.timeseries(
    "V8 heap",
    Target(promql.sel(process("nodejs_heap_size_used_bytes"), where=PROCESS), "used {{instance}}"),
    Target(promql.sel(process("nodejs_heap_size_total_bytes"), where=PROCESS), "total {{instance}}"),
    unit="bytes", min=0, w=8)

gc = panels.timeseries(
    "GC time by kind",
    promql.rate_sum(process("nodejs_gc_duration_seconds_sum"), ["kind"], where=PROCESS),
    unit="percentunit", min=0, legend="{{kind}}",
    description="Seconds spent in garbage collection per second.", w=8)

restarts = panels.stat(
    "Restarts in range",
    promql.sum_(promql.changes(promql.sel(process("process_start_time_seconds"), where=PROCESS))),
    thresholds=above(1), instant=True, no_value="0", w=6, h=4)

db_latency = panels.timeseries(
    "DB query p95 by type and table",
    promql.quantile(0.95, "db_query_duration_seconds", ["query_type", "table"], where=PROCESS),
    unit="s", min=0, legend="{{query_type}} {{table}}", w=12)

db_connections = panels.timeseries(
    "DB connections", promql.sum_(promql.sel("db_connections_active", where=SERVICE), ["database"]),
    legend="{{database}}", min=0, w=12)

error_logs = panels.logs(
    "Recent error logs",
    e.error_lines(promql.var("service")),
    datasource=e.LOGS,
    description="pino error and fatal lines; open a line to follow its trace_id into Tempo.")

dashboard = e.make_dashboard(
    "service-health", "Service Health",
    description="Traffic, errors, latency, runtime and database health of one service.",
    tags=["service"],
    variables=[e.loki_variable, e.service_variable(multi=False), e.instance_variable],
    time=("now-3h", "now"),
    panels=[
        Row("HTTP", [traffic, errors, latency, latency_heatmap]),
        Row("Runtime", [active, cpu, memory, event_loop, heap, gc, restarts]),
        Row("Database", [db_latency, db_connections]),
        Row("Logs", [error_logs]),
    ],
)
