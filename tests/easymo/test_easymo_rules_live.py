"""EasyMO's generated alerting and recording rules in the real Prometheus (Debian package) of the
live stack, which loads build/prometheus/rules/alerts.yml as the plan's Prometheus would: every
rule is healthy, every selector of every rule matches series the services emit, ``dashkit
check`` runs the rules like panels, and HighErrorRate fires once a service answers 5xx (for
this episode: Prometheus's activeAt is after the errors began), and resolves after it stops."""
from __future__ import annotations

import json
import time

import alerts
import easymo
import pytest
import requests
from click.testing import CliRunner
from conftest import DASHBOARDS, wait_until
from stack import SCRAPE_INTERVAL

from dashkit.cli import main
from dashkit.query.expand import seconds

pytestmark = pytest.mark.live
RULES = [r for g in alerts.rule_groups for r in g.rules]


def rule_groups(live_stack) -> list[dict]:
    answer = requests.get(f"{live_stack.prometheus_url}/api/v1/rules", timeout=5).json()
    return answer["data"]["groups"]


def unix(stamp: str) -> float:
    """An RFC 3339 time as Prometheus writes it (nanoseconds, Z) in seconds since the epoch."""
    from datetime import datetime

    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float(f"0.{fraction or 0}")


def firing(live_stack, alert: str) -> list[dict]:
    answer = requests.get(f"{live_stack.prometheus_url}/api/v1/alerts", timeout=5).json()
    return [a for a in answer["data"]["alerts"]
            if a["labels"]["alertname"] == alert and a["state"] == "firing"]


def test_every_generated_rule_is_loaded_and_healthy(live_stack):
    def evaluated():  # type: ignore[no-untyped-def]
        loaded = {r["name"]: r for g in rule_groups(live_stack) for r in g["rules"]}
        ours = [loaded.get(rule.name) for rule in RULES]
        done = all(r is not None and not r["lastEvaluation"].startswith("0001") for r in ours)
        return ours if done else None

    loaded = wait_until(evaluated, 90, "every rule evaluated once")
    assert [(r["name"], r["health"], r.get("lastError", "")) for r in loaded] == [
        (rule.name, "ok", "") for rule in RULES]


def test_every_rule_selector_matches_series_the_services_emit(prometheus):
    from promql_parser import parse

    def selectors(node):  # type: ignore[no-untyped-def]
        if type(node).__name__ == "VectorSelector":
            yield node
        for name in ("expr", "lhs", "rhs", "vector_selector"):
            child = getattr(node, name, None)
            if child is not None:
                yield from selectors(child)
        for child in getattr(node, "args", None) or []:
            yield from selectors(child)

    empty = []
    for rule in RULES:
        for selector in selectors(parse(rule.signal.text)):
            text = str(selector)
            if not prometheus.query(f"count({text})"):
                empty.append(f"{rule.name}: {text}")
    assert empty == []


def test_check_runs_the_rules_like_panels(live_stack):
    result = CliRunner().invoke(main, [
        "check", "--dashboards", str(DASHBOARDS), "--prometheus-url", live_stack.prometheus_url,
        "--scrape-interval", f"{SCRAPE_INTERVAL:.0f}s", "--format", "json", "prometheus-rules"])
    report = json.loads(result.stdout)
    assert [d["uid"] for d in report["dashboards"]] == ["prometheus-rules"]
    statuses = {q["panel"]: q["status"] for q in report["dashboards"][0]["queries"]}
    from dashkit import load_project

    every = [r for g in load_project(DASHBOARDS).rule_groups for r in g.rules]  # SLOs' too
    assert statuses == {f"{'alert' if hasattr(r, 'op') else 'record'} {r.name}": "ok" for r in every}
    assert result.exit_code == 0, result.output


def test_high_error_rate_fires_within_its_for_and_resolves_after_the_errors_stop(live_stack):
    rule = alerts.HIGH_ERROR_RATE
    group = next(g for g in alerts.rule_groups if rule in g.rules)
    interval, hold = seconds(group.interval), seconds(rule.for_)
    window = seconds(easymo.RULE_WINDOW)
    assert not firing(live_stack, rule.name)  # quiet while no service answers 5xx
    started = time.time()
    requests.get(f"{live_stack.services_url}/control/5xx/wallet-service?per_scrape=2", timeout=5)
    try:
        time.sleep(20)  # 40 errors in 20 s: 0.13/s over the 5m window, above the 0.05 limit
    finally:
        requests.get(f"{live_stack.services_url}/control/5xx/wallet-service?per_scrape=0", timeout=5)
    stopped = time.time()
    # waited for generously (a loaded machine is slow, and no elapsed time is asserted): that it
    # fired only after its ``for`` is Prometheus's own timestamps' business, checked below
    alert = wait_until(lambda: firing(live_stack, rule.name), hold + interval + 120,
                       "HighErrorRate firing")
    assert [a["labels"]["service"] for a in alert] == ["wallet-service"]
    # this episode's: it went pending after the errors began (activeAt, Prometheus's clock)
    assert unix(alert[0]["activeAt"]) >= started - 1
    assert alert[0]["annotations"]["dashboard"].startswith(
        f"{alerts.GRAFANA_URL}/d/easymo-error-tracking?viewPanel=")
    wait_until(lambda: not firing(live_stack, rule.name), window + interval + 120 - (time.time() - stopped),
               "HighErrorRate resolved once the errors left its 5m window")
