"""``dashkit catalog`` against a real exporter that speaks OpenMetrics: Python's prometheus_client
serving a counter, a histogram, a gauge and an info metric, scraped by the real Prometheus
(Debian package). Prometheus keys OpenMetrics metadata by family name (``http_requests`` for the
counter whose samples are ``http_requests_total``), and the client adds ``_created`` series."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from click.testing import CliRunner
from conftest import unavailable, wait_until

from dashkit.cli import main
from dashkit.query.catalog import MetricType

pytestmark = pytest.mark.live

PROMETHEUS = "/usr/bin/prometheus"
EXPORTER = """
import sys, time
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, start_http_server
registry = CollectorRegistry()
requests = Counter("http_requests", "Requests served", ["route"], registry=registry)
latency = Histogram("http_request_duration_seconds", "Latency", ["route"], registry=registry,
                    buckets=(0.1, 0.5, 2.5))
queue = Gauge("queue_depth", "Jobs waiting", ["queue"], registry=registry)
build = Info("build", "Build of the service", registry=registry)
requests.labels("/").inc()
latency.labels("/").observe(0.3)
queue.labels("mail").set(4)
build.info({"version": "1.2.3"})
start_http_server(int(sys.argv[1]), addr="127.0.0.1", registry=registry)
time.sleep(600)
"""


@pytest.fixture(scope="module")
def openmetrics_prometheus() -> Iterator[str]:
    """The exporter and Prometheus on free loopback ports; Prometheus's URL."""
    import prometheus_client  # noqa: F401 (the test extra has it: missing, the test fails)

    if not Path(PROMETHEUS).exists():
        unavailable("needs Debian's prometheus (make test installs it)")
    from stack import free_port

    workdir = Path(tempfile.mkdtemp(prefix="dashkit-openmetrics-"))
    exporter_port, prometheus_port = free_port(), free_port()
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s"},
        "scrape_configs": [{"job_name": "pyapp",
                            "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]}]}))
    processes = [subprocess.Popen([sys.executable, "-c", EXPORTER,
                                   str(exporter_port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)]
    with open(workdir / "prometheus.log", "wb") as log:
        processes.append(subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prometheus_port}"], stdout=log,
            stderr=subprocess.STDOUT))
    url = f"http://127.0.0.1:{prometheus_port}"
    try:
        def scraped() -> bool:
            try:
                answer = requests.get(f"{url}/api/v1/metadata", timeout=2).json()
                return "http_requests" in answer.get("data", {})
            except (requests.RequestException, ValueError):
                return False
        wait_until(scraped, timeout=60, what="Prometheus to scrape the OpenMetrics exporter")
        yield url
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_exporter_really_speaks_openmetrics(openmetrics_prometheus):
    """What the rest relies on: metadata keyed by family, and _created series beside."""
    metadata = requests.get(f"{openmetrics_prometheus}/api/v1/metadata", timeout=5).json()["data"]
    assert metadata["http_requests"][0]["type"] == "counter"
    assert "http_requests_total" not in metadata
    names = requests.get(f"{openmetrics_prometheus}/api/v1/label/__name__/values",
                         timeout=5).json()["data"]
    assert {"http_requests_total", "http_requests_created", "build_info"} <= set(names)


def test_catalog_finds_the_metrics_of_an_openmetrics_exporter(openmetrics_prometheus, tmp_path):
    out = tmp_path / "catalog.py"
    result = CliRunner().invoke(main, ["catalog", "--prometheus-url", openmetrics_prometheus,
                                       "--out", str(out), "--name", "pyapp"])
    assert result.exit_code == 0, result.output
    spec = importlib.util.spec_from_file_location("openmetrics_catalog", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    own = {m.name: m for m in module.OWN}
    assert {name: (m.type, sorted(m.labels)) for name, m in own.items()} == {
        "http_requests_total": (MetricType.COUNTER, ["route"]),
        "http_request_duration_seconds": (MetricType.HISTOGRAM, ["route"]),
        "queue_depth": (MetricType.GAUGE, ["queue"]),
        "build_info": (MetricType.INFO, ["version"]),
    }
    assert own["http_request_duration_seconds"].buckets == (0.1, 0.5, 2.5)
    assert own["http_requests_total"].help == "Requests served"
    assert own["http_request_duration_seconds"].unit == "s"
