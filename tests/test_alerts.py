"""Alert and recording rules from the same definitions as the panels: the SDK's checks, the rule
file ``dashkit build`` writes (checked by the real ``promtool check rules``), the links between
panels and alerts, and ``dashkit test-rules`` (the real ``promtool test rules``), which fails when
a limit moves. promtool comes with Debian's prometheus package (make test installs it); without
it these tests skip, except under CI, where they fail."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import DASHBOARDS, ROOT, unavailable

from dashkit import Alert, Catalog, Dashboard, DashkitError, Metric, RecordingRule, RuleGroup, above, panels, promql
from dashkit.cli import main
from dashkit.lint.findings import Subject
from dashkit.lint.sets import lint
from dashkit.project.rule_files import rules_document
from dashkit.sdk.alerts import check_rules
from dashkit.sdk.compiler import compile_dashboard


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        unavailable("needs promtool (Debian's prometheus package; make test installs it)")
    assert found is not None
    return found


def build(tmp_path: Path, folder: Path = DASHBOARDS):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["build", "--dashboards", str(folder), "--out",
                                     str(tmp_path / "grafana"), "--rules-out",
                                     str(tmp_path / "rules")])


def test_build_writes_rules_promtool_accepts_and_writes_them_the_same_twice(tmp_path, promtool):
    first = build(tmp_path)
    assert first.exit_code == 0, first.output
    rules = tmp_path / "rules" / "alerts.yml"
    checked = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    from dashkit import load_project

    count = sum(len(g.rules) for g in load_project(DASHBOARDS).rule_groups)
    assert count >= 12 and f"SUCCESS: {count} rules found" in checked.stdout
    text = rules.read_text()
    assert build(tmp_path).exit_code == 0 and rules.read_text() == text
    document = yaml.safe_load(text)
    names = [g["name"] for g in document["groups"]]
    assert names[:4] == ["recording", "service_health", "resource_usage", "business_metrics"]
    assert all(n.startswith("slo-") for n in names[4:])  # each SLO's records and alerts
    alerts = {r["alert"]: r for g in document["groups"] for r in g["rules"] if "alert" in r}
    plan = {a: r for a, r in alerts.items() if "BudgetBurn" not in a}
    assert sorted(plan) == sorted(["ServiceDown", "HighErrorRate", "HighResponseTime",
                                   "HighCPUUsage", "HighMemoryUsage", "DiskSpaceLow",
                                   "LowRideAcceptanceRate", "HighPaymentFailureRate",
                                   "WhatsAppDeliveryFailures"])
    # the plan's three defects, fixed
    assert 'status_code=~"5.."' in alerts["HighErrorRate"]["expr"]
    assert alerts["HighCPUUsage"]["expr"].startswith("rate(nodejs_process_cpu_seconds_total[5m])")
    assert "sum by (le, service)" in alerts["HighResponseTime"]["expr"]
    assert 'status="pending"' in alerts["LowRideAcceptanceRate"]["expr"]


def test_each_alert_links_to_the_panel_that_shows_it_and_that_panel_draws_its_limit(tmp_path):
    assert build(tmp_path).exit_code == 0
    document = yaml.safe_load((tmp_path / "rules" / "alerts.yml").read_text())
    models = {p.stem: yaml.safe_load(p.read_text()) for p in (tmp_path / "grafana" / "dashboards").glob("*.json")}
    plan = (r for g in document["groups"] if not g["name"].startswith("slo-")
            for r in g["rules"] if "alert" in r)  # an SLO's alerts have its dashboard instead
    for rule in plan:
        url = rule["annotations"]["dashboard"]
        uid, panel_id = re.fullmatch(r"https://monitoring\.easymo\.dev/d/([\w-]+)\?viewPanel=(\d+)", url).groups()
        panel = next(p for p in _panels(models[uid]) if p.get("id") == int(panel_id))
        assert any(link["title"].startswith(f"Alert: {rule['alert']} ") for link in panel["links"])
        _, op, limit = rule["expr"].rsplit(" ", 2)
        steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
        assert steps[0]["value"] is None and len(steps) == 2, (rule["alert"], steps)
        # Grafana colours a value v with the last step whose value <= v (getActiveThreshold), so
        # the panel is red exactly where the rule fires: from the limit up for > and >=, below
        # it for < and <=, and below limit + 1 for == (whole numbers: up == 0)
        where, colours = {">": (float(limit), ["green", "red"]),
                          ">=": (float(limit), ["green", "red"]),
                          "<": (float(limit), ["red", "green"]),
                          "<=": (float(limit), ["red", "green"]),
                          "==": (float(limit) + 1, ["red", "green"])}[op]
        assert (steps[1]["value"], [s["color"] for s in steps]) == (where, colours), \
            (rule["alert"], op, steps)


def _panels(model):  # type: ignore[no-untyped-def]
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels") or []


def test_test_rules_passes_and_fails_when_a_limit_moves(tmp_path, promtool):
    passed = CliRunner().invoke(main, ["test-rules", "--dashboards", str(DASHBOARDS)])
    assert passed.exit_code == 0, passed.output
    from dashkit import load_project

    project = load_project(DASHBOARDS)
    alerts = sum(len(g.alerts()) for g in project.rule_groups)
    assert alerts >= 9 and f"{len(project.rule_tests)} rule tests of {alerts} alerts passed" \
        in passed.output
    copy = Path(shutil.copytree(DASHBOARDS, tmp_path / "dashboards",
                                ignore=shutil.ignore_patterns("__pycache__")))
    module = copy / "easymo.py"
    module.write_text(module.read_text().replace("HIGH_ERROR_RATE = 0.05 ", "HIGH_ERROR_RATE = 0.2 "))
    # only the moved alert's tests: the rest passed above, and promtool is most of this test
    moved = CliRunner().invoke(main, ["test-rules", "--dashboards", str(copy),
                                      "--alert", "HighErrorRate"])
    assert moved.exit_code == 1
    assert "0.1 5xx/s on a service fires" in moved.output and "FAILED" in moved.output
    assert "HighResponseTime" not in moved.output  # another alert's tests did not run
    unknown = CliRunner().invoke(main, ["test-rules", "--dashboards", str(copy),
                                        "--alert", "HighErorRate"])
    assert unknown.exit_code == 1 and "no alert named HighErorRate" in unknown.output


def test_rules_cannot_use_grafana_macros_or_unknown_metrics_and_say_where():
    catalog = Catalog("t", [Metric.counter("http_requests_total", ["service"])])
    macro = Alert(name="Macro", signal=promql.rate_sum("http_requests_total"), op=">", limit=1)
    typo = Alert(name="Typo", signal=promql.rate_sum("http_request_total", window="5m"), op=">", limit=1)
    errors = [str(e) for e in check_rules([RuleGroup("g", [macro, typo, typo])], catalog)]
    here = Path(__file__).name
    assert any("alert 'Macro'" in e and "$__rate_interval" in e and here in e for e in errors)
    assert any("alert 'Typo'" in e and "unknown metric 'http_request_total'" in e for e in errors)
    assert any("alert 'Typo' is defined twice" in e for e in errors)
    with pytest.raises(DashkitError, match="not a duration"):
        Alert(name="X", signal="up", op="==", limit=0, for_="five minutes")
    with pytest.raises(DashkitError, match="not a Prometheus name"):
        Alert(name="High error rate", signal="up", op="==", limit=0)


def test_a_panel_takes_its_thresholds_from_the_alert_it_names_unless_given():
    alert = Alert(name="HighErrorRate", signal=promql.rate_sum("http_requests_total", window="5m"),
                  op=">", limit=0.05, for_="2m")
    named = panels.timeseries("Errors", alert.signal, unit="reqps", alert=alert)
    own = panels.timeseries("Errors too", alert.signal, unit="reqps", alert=alert,
                            thresholds=above(0.1), key="own")
    model = compile_dashboard(Dashboard(uid="t", title="T", panels=[named, own]))
    first, second = model["panels"]
    assert first["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "green", "value": None}, {"color": "red", "value": 0.05}]
    assert first["links"][0]["title"] == "Alert: HighErrorRate > 0.05 for 2m"
    assert second["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] == 0.1
    # lint flags the disagreement of the second panel
    flagged = [f for f in lint([Subject(model, "t.py", "dashkit")]) if f.rule == "alert-threshold"]
    assert [f.panel for f in flagged] == ["Errors too"]


def test_recorded_series_are_catalog_metrics_and_the_dashboards_use_them():
    rule = RecordingRule(name="service:http_requests:rate5m", labels=["service"],
                         signal=promql.rate_sum("http_requests_total", ["service"], window="5m"))
    catalog = Catalog("t", [Metric.counter("http_requests_total", ["service"]), rule.metric()])
    ok = panels.timeseries("Rate", promql.sum_(promql.sel(rule.name), ["service"]))
    compile_dashboard(Dashboard(uid="t", title="T", catalog=catalog, panels=[ok]))
    wrong = panels.timeseries("Rate", promql.sum_(promql.sel(rule.name), ["route"]))
    with pytest.raises(DashkitError, match="has no label 'route'"):
        compile_dashboard(Dashboard(uid="t", title="T", catalog=catalog, panels=[wrong]))
    assert rules_document([RuleGroup("g", [rule])], {})["groups"][0]["rules"] == [
        {"record": "service:http_requests:rate5m",
         "expr": "sum by (service) (rate(http_requests_total[5m]))"}]


def test_the_alerts_guide_lists_each_alert_with_what_was_fixed():
    from dashkit import load_project

    section = (ROOT / "docs" / "guides" / "alerts.md").read_text()
    groups = [g for g in load_project(DASHBOARDS).rule_groups if not g.name.startswith("slo-")]
    for alert in [a for g in groups for a in g.alerts()]:  # an SLO's alerts: the SLO section
        row = next((line for line in section.splitlines() if line.startswith(f"| `{alert.name}`")),
                   None)
        assert row is not None, alert.name
        expr = alert.expr.replace("|", "\\|")  # escaped in a Markdown table
        assert f"`{expr}`" in row and alert.fixed in row and alert.for_ in row


def test_each_alerts_cases_run_against_only_the_rules_it_reads():
    """promtool evaluates every rule of its file at every step: an alert's cases get the alert
    and what it reads, transitively; a label the rule sets rules a record out only when a
    matcher asks for another value of it."""
    from dashkit.project.rule_tests import rules_for

    def record(name, expr, **labels):
        return {"record": name, "expr": expr, **({"labels": labels} if labels else {})}

    ratio_5m = record("slo:ratio", "rate(errors[5m])", window="5m")
    ratio_1h = record("slo:ratio", "rate(errors[1h])", window="1h")
    ratio_30d = record("slo:ratio", "rate(errors[30d])", window="30d")
    burn = record("slo:burn", 'max(slo:ratio{window=~"1h|5m"})')
    other = record("other:rate", "rate(other[5m])")
    fast = {"alert": "FastBurn", "expr": "slo:burn > 14", "for": "2m"}
    slow = {"alert": "SlowBurn", "expr": 'slo:ratio{window="30d"} > 1'}
    loose = {"alert": "Loose", "expr": 'slo:ratio{window=~"1.*"} > 1'}
    document = {"groups": [
        {"name": "records", "interval": "30s", "rules": [ratio_5m, ratio_1h, ratio_30d, other]},
        {"name": "burn", "rules": [burn]},
        {"name": "alerts", "interval": "1m", "rules": [fast, slow, loose]}]}
    assert rules_for(document, "FastBurn") == {"groups": [
        {"name": "records", "interval": "30s", "rules": [ratio_5m, ratio_1h]},
        {"name": "burn", "rules": [burn]},
        {"name": "alerts", "interval": "1m", "rules": [fast]}]}
    assert rules_for(document, "SlowBurn") == {"groups": [
        {"name": "records", "interval": "30s", "rules": [ratio_30d]},
        {"name": "alerts", "interval": "1m", "rules": [slow]}]}
    # a regex that is not plain alternatives may match any window: every one is kept
    assert rules_for(document, "Loose") == {"groups": [
        {"name": "records", "interval": "30s", "rules": [ratio_5m, ratio_1h, ratio_30d]},
        {"name": "alerts", "interval": "1m", "rules": [loose]}]}
