"""The EasyMO contract: metrics, alert limits, datasources and the variables the five dashboards
share. Everything EasyMO-specific lives here, once; the dashboard modules only compose it.

Facts come from ../shared/easymo/STACK.md. Where the plan left something undefined, the decision
is written next to it and marked ``addition=True`` in the catalog.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashkit import (
    Catalog,
    Dashboard,
    Datasource,
    Link,
    Metric,
    RecordingRule,
    catalogs,
    firing_alerts,
    logql,
    promql,
    recorded,
    tagged,
    variable_ref,
    variables,
)
from dashkit.slo import SLO, Events, Latency, slo_catalog

# --- metrics -----------------------------------------------------------------------------------

#: prom-client's ``collectDefaultMetrics({prefix})``: the services use ``nodejs_``, so the CPU
#: counter is ``nodejs_process_cpu_seconds_total`` (the plan's alert rules forgot the prefix).
PROM_CLIENT_PREFIX = "nodejs_"

HTTP_LABELS = ("method", "route", "status_code", "service")
#: The services as STACK.md lists their scrape targets: example values for previews.
SERVICES = ("agent-core", "voice-bridge", "wallet-service", "ranking-service", "vendor-service",
            "buyer-service", "notification-service", "message-service", "insurance-service",
            "simulator-service", "analytics-service", "support-service", "admin-app")

CONTRACT = Catalog("easymo", [
    Metric.histogram("http_request_duration_seconds", HTTP_LABELS, "Duration of HTTP requests", "s",
              buckets=(.001, .005, .01, .05, .1, .5, 1, 2, 5)),
    Metric.counter("http_requests_total", HTTP_LABELS, "Total number of HTTP requests"),
    Metric.gauge("http_requests_active", ["service"], "Number of active HTTP requests"),
    Metric.counter("ride_requests_total", ["status", "service_type"],
            "Ride requests; one request is counted as `pending` and again as `failed` if it fails"),
    Metric.counter("ride_requests_accepted_total", ["service_type"], "Accepted ride requests"),
    Metric.histogram("ride_duration_seconds", ["service_type"], "Duration of completed rides", "s",
              buckets=(60, 300, 600, 1200, 1800, 3600)),
    Metric.counter("payment_transactions_total", ["status", "payment_method"], "Payment transactions"),
    Metric.histogram("payment_amount_usd", ["payment_method"], "Payment amounts (every status)",
              "currencyUSD", buckets=(1, 5, 10, 20, 50, 100, 200, 500)),
    Metric.counter("whatsapp_messages_total", ["status", "message_type"], "WhatsApp messages"),
    Metric.gauge("db_connections_active", ["database", "service"], "Active database connections"),
    Metric.histogram("db_query_duration_seconds", ["query_type", "table"], "Database query duration", "s",
              buckets=(.001, .01, .05, .1, .5, 1, 2)),
    # Additions: the plan shows these figures but defines no metric for them.
    Metric.counter("user_signups_total", ["channel"], "Completed user sign-ups (addition: the plan's "
            "business dashboard needs it and no metric existed)", addition=True),
    Metric.counter("payment_revenue_usd_total", ["payment_method"],
            "USD amount of successful payments (addition: payment_amount_usd has no status, so "
            "revenue cannot be told from failed payments)", "currencyUSD", addition=True),
])

#: The rate window of every rule (alerts and recordings): rules cannot use $__rate_interval, and
#: 5m spans 20 scrapes at the plan's 15s interval, as the plan's own rules did.
RULE_WINDOW = "5m"
SERVER_ERROR = "5.."          # status_code pattern of server errors

# --- recording rules: the expensive queries the dashboards repeat, computed once by Prometheus --

REQUEST_RATE = RecordingRule(
    name="service:http_requests:rate5m", labels=["service"], unit="reqps",
    signal=promql.rate_sum("http_requests_total", ["service"], window=RULE_WINDOW),
    help="Requests per second of each service, over 5m")
ERROR_RATIO = RecordingRule(
    name="service:http_request_errors:ratio_rate5m", labels=["service"], unit="percentunit",
    signal=promql.rate_sum("http_requests_total", ["service"], window=RULE_WINDOW,
                           where={"status_code": promql.re(SERVER_ERROR)})
    / promql.rate_sum("http_requests_total", ["service"], window=RULE_WINDOW),
    help="Share of each service's requests that answered 5xx, over 5m")
LATENCY_P95 = RecordingRule(
    name="service:http_request_duration_seconds:p95_5m", labels=["service"], unit="s",
    signal=promql.quantile(0.95, "http_request_duration_seconds", ["service"], window=RULE_WINDOW),
    help="95th percentile request duration of each service, over 5m")
RECORDINGS = [REQUEST_RATE, ERROR_RATIO, LATENCY_P95]

# --- SLOs: the plan asks for SLO dashboards and names no objective; these are chosen here --------
# For the two services every user path goes through: agent-core (each WhatsApp conversation) and
# wallet-service (every payment). Availability is the share of requests not answered 5xx; latency
# the share answered within 1 s, a bucket bound of the histogram and the HighResponseTime limit.
# The wallet's availability is the strictest: a failed payment is money a user sees lost.
AVAILABILITY = Events(counter="http_requests_total", bad={"status_code": promql.re(SERVER_ERROR)})
WITHIN_1S = Latency(histogram="http_request_duration_seconds", threshold=1)
SLOS = [
    SLO(service="agent-core", name="availability", objective=0.995, sli=AVAILABILITY),
    SLO(service="agent-core", name="latency", objective=0.99, sli=WITHIN_1S),
    SLO(service="wallet-service", name="availability", objective=0.999, sli=AVAILABILITY),
    SLO(service="wallet-service", name="latency", objective=0.99, sli=WITHIN_1S),
]

CATALOG = Catalog("easymo", [*CONTRACT, *catalogs.prom_client(PROM_CLIENT_PREFIX),
                             *catalogs.EXPORTERS, *recorded(RECORDINGS), *slo_catalog(SLOS)],
                  label_values={"service": SERVICES})

#: Values of the contract's status labels that the queries rely on.
RIDE_REQUESTED = "pending"   # the status a request is first counted with: the acceptance denominator
PAYMENT_SUCCEEDED = "success"
PAYMENT_FAILED = "failed"
MESSAGE_DELIVERED = "delivered"
MESSAGE_FAILED = "failed"

# --- alert limits: one definition for the alert rules and every panel that shows them --------

SERVICE_DOWN = 0                        # ServiceDown: up == 0 for 1m
HIGH_ERROR_RATE = 0.05                  # HighErrorRate: 5xx per second, per series, for 2m
HIGH_RESPONSE_TIME = 1.0                # HighResponseTime: p95 seconds, for 5m
HIGH_CPU_USAGE = 0.8                    # HighCPUUsage: CPU seconds per second (80 % of a core)
HIGH_MEMORY_USAGE = 2 * 1024 ** 3       # HighMemoryUsage: resident bytes (2 GiB)
DISK_SPACE_LOW = 0.1                    # DiskSpaceLow: available / size
LOW_RIDE_ACCEPTANCE = 0.7               # LowRideAcceptanceRate: accepted / requested
HIGH_PAYMENT_FAILURES = 0.1             # HighPaymentFailureRate: failed payments per second
WHATSAPP_DELIVERY_FAILURES = 0.05       # WhatsAppDeliveryFailures: failed messages per second

#: Dashboard-only colour bands (no alert behind them): where a ratio turns orange, then red.
ERROR_RATIO_WARN, ERROR_RATIO_CRIT = 0.01, 0.05
HOST_USAGE_WARN, HOST_USAGE_CRIT = 0.8, 0.9

# --- datasources --------------------------------------------------------------------------------

PROMETHEUS = Datasource("Prometheus", "prometheus", "prometheus", "http://prometheus:9090",
                        is_default=True, json_data={"httpMethod": "POST", "timeInterval": "15s"})
TEMPO = Datasource("Tempo", "tempo", "tempo", "http://tempo:3200", json_data={
    "tracesToLogsV2": {"datasourceUid": "loki", "filterByTraceID": True,
                       "spanStartTimeShift": "-5m", "spanEndTimeShift": "5m"},
    "serviceMap": {"datasourceUid": "prometheus"},
})
LOKI = Datasource("Loki", "loki", "loki", "http://loki:3100", json_data={
    # pino writes "trace_id":"<hex>" into every line; the link opens the trace in Tempo.
    # "$$" is a literal "$": Grafana expands $VARS in provisioning files.
    "derivedFields": [{"name": "trace_id", "matcherRegex": r'"trace_id":\s*"(\w+)"',
                       "datasourceUid": TEMPO.uid, "url": "$${__value.raw}",
                       "urlDisplayLabel": "View trace"}],
})
datasources = [PROMETHEUS, LOKI, TEMPO]

# --- variables shared by the dashboards ---------------------------------------------------------

PROM = variable_ref("prometheus", "datasource")
LOGS = variable_ref("loki", "loki")
#: Loki stream labels Promtail sets (STACK.md); trace_id is deliberately not one.
LOKI_STREAM_LABELS = ("container", "stream", "service", "level", "job")

datasource_variable = variables.datasource("datasource", "prometheus", label="Prometheus")
loki_variable = variables.datasource("loki", "loki", label="Loki")


def service_variable(*, multi: bool) -> variables.Variable:
    """Services that report HTTP metrics; multi-value with All on overviews, single on drill-downs."""
    services = variables.label_values("service", "http_requests_total")
    if multi:
        return variables.multi("service", services, PROM, label="Service")
    return variables.query("service", services, PROM, label="Service")


job_variable = variables.multi("job", variables.label_values("job", "up"), PROM, label="Job")

#: Process metrics carry no ``service`` label; the scrape target's host name is the service name
#: (targets are ``agent-core:3000`` …, even where five services share job ``microservices``).
#: So the instances of the selected service are a variable chained on ``$service``; its All is
#: the list of those instances (no allValue: ``.*`` would select every service's instances).
instance_variable = variables.query(
    "instance", variables.label_values("instance", "up", where={"instance": promql.re("$service:.*")}), PROM,
    label="Instance", multi=True, include_all=True)

SERVICE_HEALTH_UID = "easymo-service-health"
TAGS = ["easymo"]


def error_lines(service: promql.Matcher) -> logql.LogQuery:
    """pino error and fatal lines of the selected services."""
    return logql.stream({"service": service}, labels=LOKI_STREAM_LABELS).errors()


def make_dashboard(slug: str, title: str, *, tags: list[str], variables: list[variables.Variable],
              links: Sequence[Link] = (), **settings: Any) -> Dashboard:
    """An EasyMO dashboard: shared uid and title scheme, catalog, datasource picker, the
    dropdown of every EasyMO dashboard, and firing alerts marked on every graph."""
    return Dashboard(
        uid=f"easymo-{slug}", title=f"EasyMO - {title}", tags=TAGS + tags, catalog=CATALOG,
        variables=[datasource_variable, *variables],
        links=[*links, tagged("EasyMO dashboards", *TAGS)],
        annotations=[firing_alerts(PROM)], **settings)
