"""EasyMO's alert routing end to end with the real programs (Debian's prometheus and
prometheus-alertmanager) on loopback: Prometheus evaluates the project's alert rules (their
``for`` shortened to 0s, nothing else changed), sends them to a real Alertmanager running the
configuration ``dashkit build`` writes (each receiver swapped for a webhook to a loopback
receiver, and the grouping waits shortened), and the webhooks see where each alert went: the
5xx alert of a healthy service reaches ``warning-alerts`` grouped by alert name and service,
ServiceDown reaches ``critical-alerts``, and the same 5xx alert of the service that is down is
silenced by the inhibit rule, never delivered."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import attrs
import pytest
import requests
import yaml
from conftest import DASHBOARDS, unavailable, wait_until
from stack import free_port, wait_for
from standins.loopback import LoopbackServer, QuietHandler

from dashkit.query.expand import seconds

pytestmark = pytest.mark.live
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
PROMETHEUS = "/usr/bin/prometheus"


class Services(QuietHandler):
    """Two services' request counters: 1,000 answers a second, and once ``failing`` is set 10
    5xx a second too, about 1%: HighErrorRate's 0.05/s, while the SLOs' fast burns (critical,
    and so inhibiting the same service's warnings) stay quiet for agent-core."""
    failing = threading.Event()
    started = failing_since = time.time()
    #: 5xx a second once failing (10: about 1% of the 1,000 answers a second).
    errors_per_second = 10.0

    def do_GET(self) -> None:  # noqa: N802
        now = time.time()
        elapsed = now - self.started
        errors = ((now - Services.failing_since) * Services.errors_per_second
                  if self.failing.is_set() else 0)
        lines = [f'http_requests_total{{service="{s}",route="/pay",method="POST",'
                 f'status_code="{code}"}} {count:.0f}'
                 for s in ("wallet-service", "agent-core")
                 for code, count in (("500", errors), ("200", elapsed * 1000))]
        self.send(200, ("\n".join(lines) + "\n").encode(), "text/plain; version=0.0.4")


class Receivers(QuietHandler):
    """Alertmanager's webhook notifications, by receiver (the path)."""
    received: ClassVar[list[tuple[str, dict]]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path.strip("/"), body))
        self.send(200, b"{}", "application/json")


def project_files(workdir: Path, receivers_url: str) -> tuple[Path, Path]:
    """The project's rule file and Alertmanager configuration, as the build writes them, with
    the test's shortcuts: alerts fire at once, groups are sent within a second, receivers are
    webhooks."""
    from dashkit import compile_project, load_project
    from dashkit.project.alertmanager import alertmanager_yaml
    from dashkit.project.rule_files import rules_yaml
    from dashkit.sdk.alerts import Alert

    project = load_project(DASHBOARDS)
    assert project.alertmanager is not None
    groups = [attrs.evolve(g, interval="1s", rules=[
        attrs.evolve(r, for_="0s") if isinstance(r, Alert) else r for r in g.rules])
        for g in project.rule_groups]
    rules = workdir / "alerts.yml"
    rules.write_text(rules_yaml(groups, compile_project(project)))
    routing = project.alertmanager.with_webhooks(receivers_url)
    routing = attrs.evolve(routing, route=attrs.evolve(
        routing.route, group_wait="1s", group_interval="1s", repeat_interval="1h"))
    config = workdir / "alertmanager.yml"
    config.write_text(alertmanager_yaml(routing))
    return rules, config


@pytest.fixture
def routing_stack() -> Iterator[dict[str, object]]:
    for binary in (ALERTMANAGER, PROMETHEUS):
        if not Path(binary).exists():
            unavailable(f"{binary} missing: make test installs prometheus and "
                        "prometheus-alertmanager")
    workdir = Path(tempfile.mkdtemp(prefix="dashkit-routing-"))
    services, receivers = LoopbackServer(Services), LoopbackServer(Receivers)
    Services.failing.clear()
    Services.errors_per_second = 10.0
    Receivers.received = []
    processes: list[subprocess.Popen[bytes]] = []
    try:
        services.start()
        receivers.start()
        rules, config = project_files(workdir, receivers.url)
        am_port, prom_port = free_port(), free_port()
        with open(workdir / "am.log", "wb") as log:  # the child has its own copy
            processes.append(subprocess.Popen(
                [ALERTMANAGER, f"--config.file={config}", f"--storage.path={workdir / 'am'}",
                 f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
                stdout=subprocess.DEVNULL, stderr=log))
        closed = free_port()  # nothing listens: wallet-service's target is down
        prometheus_yml = workdir / "prometheus.yml"
        prometheus_yml.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules)],
            "alerting": {"alertmanagers": [{"static_configs": [
                {"targets": [f"127.0.0.1:{am_port}"]}]}]},
            "scrape_configs": [
                {"job_name": "easymo-services", "static_configs": [
                    {"targets": [services.url.removeprefix("http://")]}]},
                {"job_name": "wallet-service", "static_configs": [
                    {"targets": [f"127.0.0.1:{closed}"]}]}]}))
        with open(workdir / "prometheus.log", "wb") as log:
            processes.append(subprocess.Popen(
                [PROMETHEUS, f"--config.file={prometheus_yml}",
                 f"--storage.tsdb.path={workdir / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prom_port}"],
                stdout=subprocess.DEVNULL, stderr=log))
        wait_for(f"http://127.0.0.1:{am_port}/-/ready")
        wait_for(f"http://127.0.0.1:{prom_port}/-/ready")
        yield {"alertmanager": f"http://127.0.0.1:{am_port}", "received": Receivers.received}
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        services.stop()
        receivers.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def alerts_in(alertmanager: str, name: str) -> list[dict]:
    answer = requests.get(f"{alertmanager}/api/v2/alerts", timeout=5).json()
    return [a for a in answer if a["labels"].get("alertname") == name]


def test_alerts_reach_the_receivers_the_routes_name_and_the_inhibited_one_does_not(routing_stack):
    am, received = str(routing_stack["alertmanager"]), routing_stack["received"]
    assert isinstance(received, list)
    # ServiceDown first, so that the inhibit rule is in force before any warning exists
    down = wait_until(lambda: [a for a in alerts_in(am, "ServiceDown")
                               if a["labels"].get("service") == "wallet-service"],
                      timeout=60, what="ServiceDown{service=wallet-service} in Alertmanager")
    assert down[0]["labels"]["severity"] == "critical"
    Services.failing_since = time.time()
    Services.failing.set()
    delivered = wait_until(
        lambda: [b for r, b in received if r == "warning-alerts"
                 and b["groupLabels"] == {"alertname": "HighErrorRate", "service": "agent-core"}],
        timeout=90, what="HighErrorRate of agent-core at the warning-alerts webhook")
    assert [a["labels"]["service"] for a in delivered[0]["alerts"]] == ["agent-core"]
    silenced = wait_until(lambda: [a for a in alerts_in(am, "HighErrorRate")
                                   if a["labels"].get("service") == "wallet-service"],
                          timeout=60, what="HighErrorRate of wallet-service in Alertmanager")
    assert silenced[0]["status"]["state"] == "suppressed"
    assert silenced[0]["status"]["inhibitedBy"]
    time.sleep(3)  # three group intervals: had it been sent, it would have arrived
    critical = [b for r, b in received if r == "critical-alerts"]
    assert any(b["groupLabels"] == {"alertname": "ServiceDown", "service": "wallet-service"}
               for b in critical)
    assert not [b for r, b in received for a in b["alerts"]
                if a["labels"]["alertname"] == "HighErrorRate"
                and a["labels"]["service"] == "wallet-service"]
    assert {r for r, _ in received} <= {"critical-alerts", "warning-alerts"}


def test_a_burst_of_errors_pages_through_the_slo_s_fast_burn_alert(routing_stack):
    """Error injection into a service fires its SLO's page (the 1h/5m burn-rate alert, critical)
    within its short window, and Alertmanager sends it to on-call: agent-core answers 5xx for
    about 17% of its requests, more than 14.4 times the 0.5% its 99.5% objective allows."""
    import easymo

    slo = next(s for s in easymo.SLOS if s.id == "agent-core-availability")
    page = slo.alerts()[0]
    assert page.severity == "critical" and page.labels["window"] == "1h"
    received = routing_stack["received"]
    assert isinstance(received, list)
    Services.errors_per_second = 200.0
    Services.failing_since = time.time()
    Services.failing.set()
    paged = wait_until(lambda: [b for r, b in received if r == "critical-alerts"
                                and b["groupLabels"].get("alertname") == page.name],
                       timeout=120, what=f"{page.name} at the critical-alerts webhook")
    alert = paged[0]["alerts"][0]
    assert alert["labels"]["service"] == "agent-core" and alert["labels"]["slo"] == slo.id
    started = datetime.fromisoformat(alert["startsAt"].replace("Z", "+00:00")).timestamp()
    assert started - Services.failing_since <= seconds("5m")  # within the short window
