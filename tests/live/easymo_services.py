"""Stand-in for EasyMO's 13 scrape targets: serves /metrics/<service> in Prometheus text format.

The metric names, labels and buckets are written out here the way the services' shared
instrumentation (`packages/commons/src/monitoring/prometheus.ts` in the plan, prom-client with
``prefix: 'nodejs_'``) emits them, independently of dashkit's catalog, so a catalog typo is
caught by the live test instead of being mirrored by it. Counters grow on every scrape.

Run: python easymo_services.py PORT
"""
from __future__ import annotations

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

SERVICES = ["agent-core", "voice-bridge", "wallet-service", "ranking-service", "vendor-service",
            "buyer-service", "notification-service", "message-service", "insurance-service",
            "simulator-service", "analytics-service", "support-service", "admin-app"]
PREFIX = "nodejs_"
HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5]
DB_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2]
RIDE_BUCKETS = [60, 300, 600, 1200, 1800, 3600]
AMOUNT_BUCKETS = [1, 5, 10, 20, 50, 100, 200, 500]
GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5]
STARTED = time.time()


def labels(**pairs: object) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs.items()) + "}" if pairs else ""


class Exposition:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.declared: set[str] = set()

    def sample(self, name: str, metric_type: str, value: float, **pairs: object) -> None:
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if metric_type == "histogram" and name.endswith(suffix):
                family = name[: -len(suffix)]
        if family not in self.declared:
            self.declared.add(family)
            self.lines.append(f"# HELP {family} {family}")
            self.lines.append(f"# TYPE {family} {metric_type}")
        self.lines.append(f"{name}{labels(**pairs)} {value}")

    def histogram(self, name: str, buckets: list[float], observations: float, mean: float,
                  **pairs: object) -> None:
        """Observations spread so that roughly half fall at or below ``mean``."""
        for bound in buckets:
            share = min(1.0, bound / (2 * mean))
            self.sample(f"{name}_bucket", "histogram", round(observations * share), le=bound, **pairs)
        self.sample(f"{name}_bucket", "histogram", observations, le="+Inf", **pairs)
        self.sample(f"{name}_sum", "histogram", observations * mean, **pairs)
        self.sample(f"{name}_count", "histogram", observations, **pairs)


def render(service: str, tick: int, server_errors: int = 0) -> str:
    """One scrape of ``service``: counters grow with ``tick``; its 5xx counters stand at
    ``server_errors`` (they grow only while the test injects errors: see Handler)."""
    out = Exposition()
    n = tick + 1
    for method, route, status, weight in [("GET", "/health", "200", 20), ("POST", "/rides", "201", 8),
                                          ("GET", "/rides/:id", "404", 2),
                                          ("POST", "/payments", "500", 0),
                                          ("POST", "/payments", "503", 0)]:
        pairs = dict(method=method, route=route, status_code=status, service=service)
        count = server_errors if status == "500" else n * weight
        out.sample("http_requests_total", "counter", count, **pairs)
        out.histogram("http_request_duration_seconds", HTTP_BUCKETS, count, 0.08, **pairs)
    out.sample("http_requests_active", "gauge", 3 + tick % 4, service=service)
    out.sample("db_connections_active", "gauge", 5, database="easymo", service=service)
    for query_type, table in [("select", "rides"), ("insert", "payments")]:
        out.histogram("db_query_duration_seconds", DB_BUCKETS, n * 4, 0.02,
                      query_type=query_type, table=table)
    if service == "agent-core":
        for service_type in ("moto", "cab"):
            out.sample("ride_requests_total", "counter", n * 10, status="pending",
                       service_type=service_type)
            out.sample("ride_requests_total", "counter", n * 1, status="failed",
                       service_type=service_type)
            out.sample("ride_requests_accepted_total", "counter", n * 8, service_type=service_type)
            out.histogram("ride_duration_seconds", RIDE_BUCKETS, n * 5, 900, service_type=service_type)
    if service == "wallet-service":
        for method in ("momo", "card"):
            out.sample("payment_transactions_total", "counter", n * 20, status="success",
                       payment_method=method)
            out.sample("payment_transactions_total", "counter", n * 1, status="failed",
                       payment_method=method)
            out.histogram("payment_amount_usd", AMOUNT_BUCKETS, n * 21, 25, payment_method=method)
            out.sample("payment_revenue_usd_total", "counter", n * 500, payment_method=method)
    if service == "message-service":
        for status, weight in (("sent", 30), ("delivered", 28), ("failed", 2)):
            out.sample("whatsapp_messages_total", "counter", n * weight, status=status,
                       message_type="text")
    if service == "buyer-service":
        out.sample("user_signups_total", "counter", n * 3, channel="whatsapp")
    p = PREFIX
    out.sample(f"{p}process_cpu_user_seconds_total", "counter", n * 0.2)
    out.sample(f"{p}process_cpu_system_seconds_total", "counter", n * 0.05)
    out.sample(f"{p}process_cpu_seconds_total", "counter", n * 0.25)
    out.sample(f"{p}process_start_time_seconds", "gauge", int(STARTED))
    out.sample(f"{p}process_resident_memory_bytes", "gauge", 180e6 + tick * 1000)
    out.sample(f"{p}process_open_fds", "gauge", 40)
    for suffix, value in (("", 0.011), ("_min", 0.009), ("_max", 0.03), ("_mean", 0.012),
                          ("_stddev", 0.002), ("_p50", 0.011), ("_p90", 0.015), ("_p99", 0.025)):
        out.sample(f"{p}nodejs_eventloop_lag{suffix}_seconds", "gauge", value)
    out.sample(f"{p}nodejs_heap_size_total_bytes", "gauge", 90e6)
    out.sample(f"{p}nodejs_heap_size_used_bytes", "gauge", 60e6 + tick * 100)
    out.sample(f"{p}nodejs_external_memory_bytes", "gauge", 2e6)
    out.sample(f"{p}nodejs_active_handles_total", "gauge", 12)
    out.sample(f"{p}nodejs_version_info", "gauge", 1, version="v20.11.0", major=20, minor=11, patch=0)
    for kind in ("minor", "major", "incremental"):
        out.histogram(f"{p}nodejs_gc_duration_seconds", GC_BUCKETS, n * 6, 0.004, kind=kind)
    return "\n".join(out.lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    ticks: ClassVar[dict[str, int]] = {}
    #: 5xx answers a service adds on each scrape (``GET /control/5xx/<service>?per_scrape=N``):
    #: none until a test asks, so HighErrorRate is quiet until then.
    injected: ClassVar[dict[str, int]] = {}
    server_errors: ClassVar[dict[str, int]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        service = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if self.path.startswith("/control/5xx/") and service in SERVICES:
            self.injected[service] = int(self.path.split("per_scrape=")[-1] or 0)
            self.send_response(204)
            self.end_headers()
            return
        if not self.path.startswith("/metrics/") or service not in SERVICES:
            self.send_error(404)
            return
        tick = self.ticks.get(service, 0)
        self.ticks[service] = tick + 1
        errors = self.server_errors.get(service, 0) + self.injected.get(service, 0)
        self.server_errors[service] = errors
        body = render(service, tick, errors).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
