"""EasyMO's dashboards under ``dashkit check`` against the real Prometheus and exporters (tests/live/stack.py) and, for
Loki, against tests/standins/loki_api.py, a stand-in following Loki's documented query_range
responses (Loki itself cannot be installed here)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS, PROJECT_UIDS
from easymo_copies import broken_copy
from stack import SCRAPE_INTERVAL
from standins.loki_api import LokiAPIStandIn

from dashkit.cli import main

pytestmark = pytest.mark.live
SERVICES = ["agent-core", "wallet-service", "message-service", "admin-app"]


@pytest.fixture(scope="module")
def loki() -> Iterator[LokiAPIStandIn]:
    standin = LokiAPIStandIn().start()
    now = time.time_ns()
    for service in SERVICES:
        lines = [(now - i * 10**9, json.dumps({"level": level, "msg": "payment failed",
                                               "service": service, "trace_id": f"{i:032x}",
                                               "time": now // 10**6}))
                 for i, level in enumerate([50, 30, 60, 40, 50])]
        standin.push({"service": service, "container": service, "stream": "stdout",
                      "level": "info", "job": "docker"}, lines)
    yield standin
    standin.stop()


def check(live_stack, *args: str, loki: LokiAPIStandIn | None = None, folder=DASHBOARDS):
    extra = ["--loki-url", loki.url] if loki is not None else []
    result = CliRunner().invoke(main, ["check", "--dashboards", str(folder), "--prometheus-url",
                                       live_stack.prometheus_url, "--scrape-interval",
                                       f"{SCRAPE_INTERVAL:.0f}s", "--format", "json",
                                       *extra, *args])
    return result, (json.loads(result.stdout) if result.stdout.startswith("{") else None)


def queries(report: dict) -> list[dict]:
    return [q for d in report["dashboards"] for q in d["queries"]]


def test_every_easymo_dashboard_checks_clean(live_stack, loki):
    result, report = check(live_stack, loki=loki)
    assert result.exit_code == 0, result.output
    statuses = {(q["panel"], q["refId"]): q["status"] for q in queries(report)}
    assert set(statuses.values()) == {"ok"}, statuses
    # the project's dashboards, and its alerting and recording rules checked like panels
    uids = [d["uid"] for d in report["dashboards"]]
    assert sorted(uids[:-1]) == sorted(PROJECT_UIDS) and uids[-1] == "prometheus-rules"
    loki_queries = [q for q in queries(report) if q["datasource"] == "loki"]
    assert len(loki_queries) == 3 and all(q["series"] >= 1 for q in loki_queries)
    assert all(q["seconds"] < 5 for q in queries(report))


def test_without_loki_its_queries_are_skipped(live_stack):
    result, report = check(live_stack, "easymo-error-tracking")
    assert result.exit_code == 0
    assert {q["status"] for q in queries(report) if q["datasource"] == "loki"} == {"skipped"}


EXPECTED = {"misspelt metric": "unknown metric", "wrong label": "empty",
            "syntax error": "error", "quantile without le": "empty"}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_copies_are_reported_with_their_status(case, live_stack, tmp_path):
    folder = broken_copy(tmp_path, case)
    result, report = check(live_stack, "easymo-system-overview", folder=folder)
    assert result.exit_code == 1
    panel = next(q for q in queries(report) if q["panel"] == "Active requests by service")
    assert panel["status"] == EXPECTED[case]
    if case == "syntax error":
        assert "parse error" in panel["message"]
    if case == "misspelt metric":
        assert panel["message"] == "no series named http_requests_activ"
    others = [q for q in queries(report) if q["panel"] != "Active requests by service"]
    assert {q["status"] for q in others} == {"ok"}


def test_loki_errors_and_empty_results(live_stack, loki, tmp_path):
    folder = broken_copy(tmp_path, "misspelt metric")  # any copy to edit
    module = folder / "service_health.py"
    module.write_text(module.read_text().replace(
        'e.error_lines(promql.var("service"))',
        'e.logql.LogQuery(\'{service=~"$service"\')'))
    (folder / "system_overview.py").write_text((DASHBOARDS / "system_overview.py").read_text())
    result, report = check(live_stack, "easymo-service-health", loki=loki, folder=folder)
    logs = next(q for q in queries(report) if q["datasource"] == "loki")
    assert result.exit_code == 1 and logs["status"] == "error"
    assert logs["message"].startswith("parse error at line 1")
    # a service without logs: an empty panel, which --allow-empty accepts
    result, report = check(live_stack, "easymo-service-health", "--var", "service=voice-bridge",
                           loki=loki)
    logs = next(q for q in queries(report) if q["datasource"] == "loki")
    assert logs["status"] == "empty" and result.exit_code == 1
    allowed, _ = check(live_stack, "easymo-service-health", "--var", "service=voice-bridge",
                       "--allow-empty", loki=loki)
    assert allowed.exit_code == 0


def test_series_and_time_budgets_are_reported(live_stack):
    """Each budget on its own: no query takes an hour and every dashboard takes more than
    nothing, and the other way round (no elapsed time is asserted either way)."""
    result, report = check(live_stack, "easymo-infrastructure", "--series-limit", "1",
                           "--query-budget", "1h", "--dashboard-budget", "0ms")
    assert result.exit_code == 0  # budgets warn; they do not fail the check
    assert any(q["too_many_series"] for q in queries(report))
    assert not any(q["slow"] for q in queries(report)) and report["dashboards"][0]["over_budget"]
    _, report = check(live_stack, "easymo-infrastructure", "--query-budget", "0ms",
                      "--dashboard-budget", "1h")
    assert all(q["slow"] for q in queries(report)) and not report["dashboards"][0]["over_budget"]
    assert not any(q["too_many_series"] for q in queries(report))  # 500 by default


def test_table_output_names_failures(live_stack, tmp_path):
    folder = broken_copy(tmp_path, "wrong label")
    result = CliRunner().invoke(main, ["check", "--dashboards", str(folder), "--prometheus-url",
                                       live_stack.prometheus_url, "--scrape-interval", "1s"])
    assert result.exit_code == 1
    assert "Active requests by service" in result.stdout and "empty" in result.stdout
    assert "failing" in result.stdout.splitlines()[-1]
