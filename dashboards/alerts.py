"""EasyMO's alert rules: the plan's nine alerts (names, limits, ``for`` durations, severities and
groups as the plan's alerts.yml has them), with its defects fixed. Each limit is the constant in
easymo.py that the panels showing the signal also draw (they name the alert: ``alert=``).
``dashkit build`` writes them to build/prometheus/rules/alerts.yml with the recording rules."""
from __future__ import annotations

import easymo as e

from dashkit import Alert, RuleGroup, RuleTest, promql

#: The plan's GF_SERVER_ROOT_URL: alerts link to the panel that shows them, under it.
GRAFANA_URL = "https://monitoring.easymo.dev"
W = e.RULE_WINDOW
PROCESS_CPU = f"{e.PROM_CLIENT_PREFIX}process_cpu_seconds_total"
PROCESS_MEMORY = f"{e.PROM_CLIENT_PREFIX}process_resident_memory_bytes"
#: File systems that are not disks (the Infrastructure dashboard leaves the same ones out).
NOT_DISKS = promql.nre("tmpfs|ramfs|devtmpfs|squashfs|nsfs|proc|sysfs")

SERVICE_DOWN = Alert(
    name="ServiceDown", op="==", limit=e.SERVICE_DOWN, for_="1m",
    # Kept per target: one target down is what this alert is for. It carries `service` (the job
    # name is the service's, STACK.md) so that Alertmanager's inhibit rule can silence the
    # warnings of a service that is down: the plan's rule compared labels no alert shared.
    signal=promql.call("label_replace", promql.sel("up"), '"service"', '"$1"', '"job"', '"(.*)"'),
    severity="critical", summary="Service {{ $labels.job }} is down",
    description="{{ $labels.job }} on {{ $labels.instance }} has been down for more than 1 minute.",
    fixed="kept per target; carries `service` (from `job`) for the inhibit rule")

HIGH_ERROR_RATE = Alert(
    name="HighErrorRate", op=">", limit=e.HIGH_ERROR_RATE, for_="2m", severity="warning",
    # The plan filtered on `status`; the label is `status_code`. Per service, not per series:
    # per route and method the same incident fired a dozen alerts and a spread-out one none.
    signal=promql.rate_sum("http_requests_total", ["service"], window=W,
                           where={"status_code": promql.re(e.SERVER_ERROR)}),
    summary="High 5xx rate on {{ $labels.service }}",
    description="{{ $labels.service }} answers {{ $value | printf \"%.2f\" }} 5xx per second.",
    fixed="label `status_code`, not `status`; summed per service")

HIGH_RESPONSE_TIME = Alert(
    name="HighResponseTime", op=">", limit=e.HIGH_RESPONSE_TIME, for_="5m", severity="warning",
    # histogram_quantile needs `le`: the plan's rate of buckets without `sum by (le, …)` gives a
    # quantile per series at best and nothing after any aggregation. Per service.
    signal=promql.quantile(0.95, "http_request_duration_seconds", ["service"], window=W),
    summary="High response time on {{ $labels.service }}",
    description="95th percentile response time of {{ $labels.service }} is "
                "{{ $value | humanizeDuration }}.",
    fixed="`sum by (le, service)` inside histogram_quantile")

HIGH_CPU_USAGE = Alert(
    name="HighCPUUsage", op=">", limit=e.HIGH_CPU_USAGE, for_="5m", severity="warning",
    # A counter of CPU seconds only grows: the plan compared its total with 0.8, which every
    # process passes within a second of CPU. Its rate is cores used; prom-client's prefix added.
    signal=promql.rate(promql.sel(PROCESS_CPU), window=W),
    summary="High CPU usage on {{ $labels.instance }}",
    description="{{ $labels.instance }} uses {{ $value | humanizePercentage }} of a core.",
    fixed="rate of the counter, and the `nodejs_` prefix")

HIGH_MEMORY_USAGE = Alert(
    name="HighMemoryUsage", op=">", limit=e.HIGH_MEMORY_USAGE, for_="5m", severity="warning",
    # prom-client's prefix added (the plan's name matches nothing); compared in bytes, the unit
    # the Service Health panel draws, so the limit is one number in both.
    signal=promql.sel(PROCESS_MEMORY),
    summary="High memory usage on {{ $labels.instance }}",
    description="{{ $labels.instance }} holds {{ $value | humanize1024 }}B resident.",
    fixed="the `nodejs_` prefix; compared in bytes")

DISK_SPACE_LOW = Alert(
    name="DiskSpaceLow", op="<", limit=e.DISK_SPACE_LOW, for_="5m", severity="critical",
    # tmpfs and friends are left out: they fill and empty by design, and the dashboard omits them.
    signal=promql.sel("node_filesystem_avail_bytes", where={"fstype": NOT_DISKS})
    / promql.sel("node_filesystem_size_bytes", where={"fstype": NOT_DISKS}),
    summary="Disk space low on {{ $labels.instance }} {{ $labels.mountpoint }}",
    description="Only {{ $value | humanizePercentage }} of {{ $labels.mountpoint }} is free.",
    fixed="memory file systems left out; the description's percentage was a ratio")

LOW_RIDE_ACCEPTANCE = Alert(
    name="LowRideAcceptanceRate", op="<", limit=e.LOW_RIDE_ACCEPTANCE, for_="10m",
    severity="warning",
    # ride_requests_total counts a request as `pending` and again as `failed`: the dashboards
    # divide by the pending ones, the requests made, and so does the alert. Summed over types.
    signal=promql.rate_sum("ride_requests_accepted_total", window="10m")
    / promql.rate_sum("ride_requests_total", window="10m", where={"status": e.RIDE_REQUESTED}),
    summary="Low ride acceptance rate",
    description="Only {{ $value | humanizePercentage }} of ride requests are accepted.",
    fixed="denominator: requests made (`status=\"pending\"`), as the dashboards divide")

HIGH_PAYMENT_FAILURES = Alert(
    name="HighPaymentFailureRate", op=">", limit=e.HIGH_PAYMENT_FAILURES, for_="5m",
    severity="critical",
    # Summed over payment methods: the limit is the business's, as the Business Metrics stat shows.
    signal=promql.rate_sum("payment_transactions_total", window=W,
                           where={"status": e.PAYMENT_FAILED}),
    summary="High payment failure rate",
    description="{{ $value | printf \"%.2f\" }} payments fail per second.",
    fixed="summed over payment methods")

WHATSAPP_FAILURES = Alert(
    name="WhatsAppDeliveryFailures", op=">", limit=e.WHATSAPP_DELIVERY_FAILURES, for_="5m",
    severity="warning",
    signal=promql.rate_sum("whatsapp_messages_total", window=W, where={"status": e.MESSAGE_FAILED}),
    summary="WhatsApp message delivery failures",
    description="{{ $value | printf \"%.2f\" }} WhatsApp messages fail per second.",
    fixed="summed over message types")

rule_groups = [
    RuleGroup("recording", e.RECORDINGS, "30s", grafana_url=GRAFANA_URL),
    RuleGroup("service_health", [SERVICE_DOWN, HIGH_ERROR_RATE, HIGH_RESPONSE_TIME], "30s",
              grafana_url=GRAFANA_URL),
    RuleGroup("resource_usage", [HIGH_CPU_USAGE, HIGH_MEMORY_USAGE, DISK_SPACE_LOW], "30s",
              grafana_url=GRAFANA_URL),
    RuleGroup("business_metrics", [LOW_RIDE_ACCEPTANCE, HIGH_PAYMENT_FAILURES, WHATSAPP_FAILURES],
              "1m", grafana_url=GRAFANA_URL),
]
ALERTS = [a for group in rule_groups for a in group.alerts()]

# --- promtool unit tests: each alert fires on series that cross its limit, and not at the limit --

WALLET = 'service="wallet-service", route="/pay", method="POST"'
AGENT = 'job="agent-core", instance="agent-core:3000"'
DISK = 'job="node-exporter", instance="node:9100", device="/dev/sda1", mountpoint="/"'


def _rate(per_minute: float, points: int = 20) -> str:
    """A counter growing by ``per_minute`` each minute, as promtool's values notation."""
    return f"0+{per_minute:g}x{points}"


rule_tests = [
    RuleTest(name="a target down for over 1m fires", alert="ServiceDown", at="4m",
             series={'up{job="wallet-service", instance="wallet-service:3002"}': "1 1 1 0 0 0 0"},
             fires=[{"labels": {"severity": "critical", "job": "wallet-service",
                                "instance": "wallet-service:3002", "service": "wallet-service"},
                     "summary": "Service wallet-service is down",
                     "description": "wallet-service on wallet-service:3002 has been down for "
                                    "more than 1 minute."}]),
    RuleTest(name="a target down for 30s only is pending", alert="ServiceDown", at="3m30s",
             series={'up{job="wallet-service", instance="wallet-service:3002"}': "1 1 1 0 0 0 0"}),
    RuleTest(name="0.1 5xx/s on a service fires", alert="HighErrorRate", at="10m",
             series={f'http_requests_total{{{WALLET}, status_code="500"}}': _rate(6),
                     f'http_requests_total{{{WALLET}, status_code="200"}}': _rate(600)},
             fires=[{"labels": {"severity": "warning", "service": "wallet-service"},
                     "summary": "High 5xx rate on wallet-service",
                     "description": "wallet-service answers 0.10 5xx per second."}]),
    RuleTest(name="5xx at the limit, and many 2xx, do not fire", alert="HighErrorRate", at="10m",
             series={f'http_requests_total{{{WALLET}, status_code="500"}}': _rate(3),
                     f'http_requests_total{{{WALLET}, status_code="200"}}': _rate(6000)}),
    RuleTest(name="p95 of 1.95s fires", alert="HighResponseTime", at="10m",
             series={f'http_request_duration_seconds_bucket{{{WALLET}, le="1"}}': _rate(0),
                     f'http_request_duration_seconds_bucket{{{WALLET}, le="2"}}': _rate(10),
                     f'http_request_duration_seconds_bucket{{{WALLET}, le="+Inf"}}': _rate(10)},
             fires=[{"labels": {"severity": "warning", "service": "wallet-service"},
                     "summary": "High response time on wallet-service",
                     "description": "95th percentile response time of wallet-service is 1.95s."}]),
    RuleTest(name="p95 of exactly 1s does not fire", alert="HighResponseTime", at="10m",
             series={f'http_request_duration_seconds_bucket{{{WALLET}, le="0.5"}}': _rate(0),
                     f'http_request_duration_seconds_bucket{{{WALLET}, le="1"}}': _rate(19),
                     f'http_request_duration_seconds_bucket{{{WALLET}, le="2"}}': _rate(20),
                     f'http_request_duration_seconds_bucket{{{WALLET}, le="+Inf"}}': _rate(20)}),
    RuleTest(name="0.9 cores fires", alert="HighCPUUsage", at="11m",
             series={f"{PROCESS_CPU}{{{AGENT}}}": _rate(54)},
             fires=[{"labels": {"severity": "warning", "job": "agent-core",
                                "instance": "agent-core:3000"},
                     "summary": "High CPU usage on agent-core:3000",
                     "description": "agent-core:3000 uses 90% of a core."}]),
    RuleTest(name="0.8 cores does not fire", alert="HighCPUUsage", at="11m",
             series={f"{PROCESS_CPU}{{{AGENT}}}": _rate(48)}),
    RuleTest(name="3 GiB resident fires", alert="HighMemoryUsage", at="6m",
             series={f"{PROCESS_MEMORY}{{{AGENT}}}": "3221225472x10"},
             fires=[{"labels": {"severity": "warning", "job": "agent-core",
                                "instance": "agent-core:3000"},
                     "summary": "High memory usage on agent-core:3000",
                     "description": "agent-core:3000 holds 3GiB resident."}]),
    RuleTest(name="exactly 2 GiB does not fire", alert="HighMemoryUsage", at="6m",
             series={f"{PROCESS_MEMORY}{{{AGENT}}}": f"{e.HIGH_MEMORY_USAGE}x10"}),
    RuleTest(name="5% free on a disk fires", alert="DiskSpaceLow", at="6m",
             series={f'node_filesystem_avail_bytes{{{DISK}, fstype="ext4"}}': "5x10",
                     f'node_filesystem_size_bytes{{{DISK}, fstype="ext4"}}': "100x10"},
             fires=[{"labels": {"severity": "critical", "job": "node-exporter",
                                "instance": "node:9100", "device": "/dev/sda1",
                                "mountpoint": "/", "fstype": "ext4"},
                     "summary": "Disk space low on node:9100 /",
                     "description": "Only 5% of / is free."}]),
    RuleTest(name="10% free, or a full tmpfs, does not fire", alert="DiskSpaceLow", at="6m",
             series={f'node_filesystem_avail_bytes{{{DISK}, fstype="ext4"}}': "10x10",
                     f'node_filesystem_size_bytes{{{DISK}, fstype="ext4"}}': "100x10",
                     'node_filesystem_avail_bytes{job="node-exporter", instance="node:9100", '
                     'device="tmpfs", mountpoint="/run", fstype="tmpfs"}': "0x10",
                     'node_filesystem_size_bytes{job="node-exporter", instance="node:9100", '
                     'device="tmpfs", mountpoint="/run", fstype="tmpfs"}': "100x10"}),
    RuleTest(name="half of the requests accepted fires", alert="LowRideAcceptanceRate", at="25m",
             series={'ride_requests_accepted_total{service_type="moto"}': _rate(30, 30),
                     'ride_requests_total{status="pending", service_type="moto"}': _rate(60, 30),
                     'ride_requests_total{status="failed", service_type="moto"}': _rate(30, 30)},
             fires=[{"labels": {"severity": "warning"},
                     "description": "Only 50% of ride requests are accepted."}]),
    RuleTest(name="75% accepted does not fire (the plan's denominator said 37.5%)",
             alert="LowRideAcceptanceRate", at="25m",
             series={'ride_requests_accepted_total{service_type="moto"}': _rate(45, 30),
                     'ride_requests_total{status="pending", service_type="moto"}': _rate(60, 30),
                     'ride_requests_total{status="failed", service_type="moto"}': _rate(60, 30)}),
    RuleTest(name="0.12 failed payments/s over two methods fires", alert="HighPaymentFailureRate",
             at="10m",
             series={'payment_transactions_total{status="failed", payment_method="card"}': _rate(3.6),
                     'payment_transactions_total{status="failed", payment_method="momo"}': _rate(3.6)},
             fires=[{"labels": {"severity": "critical"},
                     "description": "0.12 payments fail per second."}]),
    RuleTest(name="0.1 failed payments/s does not fire", alert="HighPaymentFailureRate", at="10m",
             series={'payment_transactions_total{status="failed", payment_method="card"}': _rate(6)}),
    RuleTest(name="0.1 failed messages/s fires", alert="WhatsAppDeliveryFailures", at="10m",
             series={'whatsapp_messages_total{status="failed", message_type="otp"}': _rate(6)},
             fires=[{"labels": {"severity": "warning"},
                     "description": "0.10 WhatsApp messages fail per second."}]),
    RuleTest(name="0.05 failed messages/s does not fire", alert="WhatsAppDeliveryFailures", at="10m",
             series={'whatsapp_messages_total{status="failed", message_type="otp"}': _rate(3)}),
]
