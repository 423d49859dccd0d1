"""Alertmanager's routing from Python: the file ``dashkit build`` writes is checked by the real
``amtool`` (Debian's prometheus-alertmanager), every alert of the project is routed by amtool to
the receivers dashkit's own routing says, and the checks that tie routes and inhibit rules to the
alerts refuse the plan's mistakes."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from conftest import DASHBOARDS, unavailable

from dashkit import Alert, Alertmanager, Email, Inhibit, Receiver, Route, RuleGroup, Slack, Smtp, promql
from dashkit.errors import DashkitError
from dashkit.project.alertmanager import _sample, alertmanager_yaml, check_routing, firing_labels
from dashkit.sdk.routing import receivers_for


def amtool() -> str:
    found = shutil.which("amtool")
    if found is None:
        unavailable("amtool missing: apt-get install prometheus-alertmanager (make test does)")
    return str(found)


def receiver(name: str) -> Receiver:
    return Receiver(name=name, emails=[Email(to=f"{name}@example.com")])


A, B, C, D = (receiver(n) for n in "abcd")


@pytest.mark.parametrize("labels, expected", [
    ({"severity": "critical", "team": "pay"}, ["b", "c"]),  # continue: the next sibling too
    ({"severity": "critical"}, ["b"]),                       # c needs team=pay
    ({"severity": "warning", "team": "pay"}, ["c"]),
    ({"severity": "warning", "team": "ops"}, ["d"]),         # the deepest match wins
    ({"severity": "info"}, ["a"]),                           # no child: the node itself
    ({}, ["a"]),
])
def test_routing_follows_alertmanager_s_route_match(labels, expected):
    """Alertmanager's ``Route.Match`` (dispatch/route.go): the matching children in order,
    stopping after a match unless it has ``continue``; the node itself where none matches."""
    tree = Route(receiver=A, routes=[
        Route(receiver=B, match={"severity": "critical"}, continue_=True),
        Route(receiver=C, match={"team": "pay"}),
        Route(receiver=A, match_re={"severity": "warn.*"},
              routes=[Route(receiver=D, match={"team": "ops"})]),
    ])
    assert receivers_for(tree, labels) == expected


def test_regex_matchers_are_anchored_and_a_missing_label_is_empty():
    route = Route(receiver=A, match_re={"service": "pay"}, match={"team": ""})
    assert route.matches({"service": "pay"})
    assert not route.matches({"service": "payments"})  # anchored, as Alertmanager's
    assert not route.matches({"service": "pay", "team": "x"})


@pytest.fixture(scope="module")
def easymo(tmp_path_factory):
    from dashkit import build

    out = tmp_path_factory.mktemp("build")
    result = build(DASHBOARDS, out / "grafana", rules_dir=out / "rules",
                   alertmanager_dir=out / "alertmanager")
    assert result.alertmanager_dir is not None
    from dashkit import load_project

    project = load_project(DASHBOARDS)
    return result.alertmanager_dir / "alertmanager.yml", project


def test_amtool_accepts_the_built_configuration(easymo):
    path, _ = easymo
    checked = subprocess.run([amtool(), "check-config", str(path)], capture_output=True,
                             text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout and "3 receivers" in checked.stdout


def test_every_alert_goes_where_amtool_routes_it(easymo):
    """Each alert with the labels it fires with, routed by amtool (``config routes test``): the
    same receivers as dashkit's checks assume; critical alerts reach on-call, warnings e-mail."""
    path, project = easymo
    from dashkit import compile_project
    from dashkit.project.rule_files import project_catalog

    catalog = project_catalog(compile_project(project))
    alerts = [a for g in project.rule_groups for a in g.alerts()]
    assert len(alerts) >= 9  # the plan's nine and the SLOs' burn-rate alerts
    for alert in alerts:
        labels = _sample(firing_labels(alert, catalog))
        routed = subprocess.run(
            [amtool(), "config", "routes", "test", f"--config.file={path}",
             *[f"{k}={v}" for k, v in sorted(labels.items())]],
            capture_output=True, text=True, timeout=60, check=False)
        assert routed.returncode == 0, routed.stderr
        amtool_says = routed.stdout.strip().split(",")
        assert amtool_says == receivers_for(project.alertmanager.route, labels), alert.name
        assert amtool_says == {"critical": ["critical-alerts"],
                               "warning": ["warning-alerts"]}[alert.severity], alert.name


def test_the_built_file_names_secret_files_never_secrets(easymo):
    path, _ = easymo
    config = yaml.safe_load(path.read_text())
    assert config["global"]["smtp_auth_password_file"] == "/etc/alertmanager/secrets/sendgrid-api-key"
    assert "smtp_auth_password" not in config["global"]
    slack = config["receivers"][1]["slack_configs"][0]
    assert slack["api_url_file"] == "/etc/alertmanager/secrets/slack-webhook-url"
    assert "api_url" not in slack and "${" not in path.read_text()


@pytest.mark.parametrize("make", [
    lambda: Slack(channel="#x", api_url_file="${SLACK_WEBHOOK_URL}"),
    lambda: Slack(channel="#x", api_url_file="https://hooks.slack.com/services/T/B/secret"),
    lambda: Smtp(smarthost="smtp:587", sender="a@b", auth_password_file="$SENDGRID_API_KEY"),
], ids=["env-reference", "a-url", "smtp-env"])
def test_a_secret_is_only_ever_a_file(make):
    with pytest.raises(DashkitError, match="never the secret itself"):
        make()


SERVICE = promql.sum_(promql.rate(promql.sel("http_requests_total"), "5m"), by=["service"])
WARN = Alert(name="Slow", signal=SERVICE, op=">", limit=1, severity="warning")
CRIT = Alert(name="Down", signal=promql.sel("up"), op="==", limit=0, severity="critical")
GROUPS = [RuleGroup("g", [WARN, CRIT])]


def routed(inhibits=(), routes=None) -> Alertmanager:
    return Alertmanager(route=Route(receiver=A, routes=routes if routes is not None else [
        Route(receiver=B, match={"severity": "critical"}),
        Route(receiver=C, match={"severity": "warning"})]), inhibits=inhibits)


def messages(config: Alertmanager) -> list[str]:
    from dashkit.query.catalog import Catalog, Metric

    catalog = Catalog("t", [Metric.counter("http_requests_total", ["service"]), Metric.gauge("up")])
    return [e.message for e in check_routing(config, GROUPS, catalog)]


def test_the_plan_s_inhibit_rule_is_refused_because_it_can_never_fire():
    plan = Inhibit(source={"severity": "critical"}, target={"severity": "warning"},
                   equal=["alertname", "service"])
    assert messages(routed([plan])) == [
        "inhibit rule 1 (equal: alertname, service) can never fire: no alert it would silence "
        "shares those label values with one it listens to"]
    on_instance = Inhibit(source={"severity": "critical"}, target={"severity": "warning"},
                          equal=["cluster"])
    assert messages(routed([on_instance])) == [
        "inhibit rule 1 (equal: cluster) can never fire: no alert carries 'cluster'"]


def test_an_inhibit_rule_on_labels_both_sides_carry_is_accepted():
    both = Alert(name="Slower", signal=SERVICE, op=">", limit=2, severity="critical")
    groups = [RuleGroup("g", [WARN, both])]
    rule = Inhibit(source={"severity": "critical"}, target={"severity": "warning"},
                   equal=["service"])
    from dashkit.query.catalog import Catalog, Metric

    catalog = Catalog("t", [Metric.counter("http_requests_total", ["service"])])
    assert check_routing(routed([rule]), groups, catalog) == []


def test_an_alert_only_the_default_receives_and_a_receiver_nobody_reaches_are_refused():
    config = routed(routes=[Route(receiver=B, match={"severity": "critical"}),
                            Route(receiver=D, match={"severity": "page"})])
    assert messages(config) == [
        "alert Slow (severity warning) reaches only the default receiver 'a': no route "
        "matches its labels",
        "receiver 'd': no alert of the project is routed to it"]


def test_the_firing_labels_are_the_query_s_result_and_the_rule_s():
    alert = Alert(name="X", signal=SERVICE, op=">", limit=1, severity="warning",
                  labels={"team": "pay"})
    from dashkit.query.catalog import Catalog, Metric

    labels = firing_labels(alert, Catalog("t", [Metric.counter("http_requests_total", ["service"])]))
    assert {k: v for k, v in labels.items() if isinstance(v, str)} == {
        "alertname": "X", "severity": "warning", "team": "pay"}
    assert set(labels) == {"alertname", "severity", "team", "service"}


def test_two_different_receivers_of_one_name_are_refused():
    other = Receiver(name="a", emails=[Email(to="else@example.com")])
    config = Alertmanager(route=Route(receiver=A, routes=[Route(receiver=other, match={"x": "y"})]))
    with pytest.raises(DashkitError, match="two different receivers are named 'a'"):
        config.config()


@pytest.mark.parametrize("name", ["alertmanager"])
def test_the_configuration_is_deterministic_and_pinned(name, easymo, yaml_snapshot):
    path, project = easymo
    assert path.read_text() == alertmanager_yaml(project.alertmanager)
    assert path.read_text() == yaml_snapshot
