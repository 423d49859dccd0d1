"""``dashkit lint``: the rules, on dashkit dashboards, on broken copies, and on the 18 real
dashboards of ../shared/corpus (expectations written from reading those files)."""
from __future__ import annotations

import json
import zlib

import pytest
from click.testing import CliRunner
from conftest import PACKAGE, ROOT, SHARED

from dashkit.cli import main
from dashkit.lint.findings import RULES, WARNING, Subject
from dashkit.lint.run import json_subjects, run_lint
from dashkit.lint.sets import lint

CORPUS = SHARED / "corpus"


def lint_file(name: str, **kw) -> list[tuple[str, str, str, str]]:
    """The findings for one corpus file, but the catalog-missing warning (each has it without
    --catalog; test_abuse_errors covers it)."""
    subjects, early = json_subjects([CORPUS / name], **kw)
    return sorted((f.rule, f.severity, f.panel, f.message) for f in run_lint(subjects, early).findings
                  if f.rule != "catalog-missing")


def run(*args: str):
    return CliRunner().invoke(main, ["lint", *args])


def lint_model(model: dict, origin: str = "json") -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in lint([Subject(model, "x.json", origin)]))


# --- the corpus --------------------------------------------------------------------------------

def test_every_corpus_dashboard_lints_without_crashing():
    files = sorted(CORPUS.glob("*.json"))
    assert len(files) == 18
    subjects, early = json_subjects(files)
    assert not early and len(subjects) == 18
    report = run_lint(subjects)
    linted = {f.file.split(":")[0] for f in report.findings}
    # every one of them has something to say (if only that it has no catalog)
    assert linted == {str(f) for f in files}


def test_nodejs_mixin_uses_a_hostname_variable_it_never_defines():
    # nodejs-overview's "Node.js Restarts" filters on hostname=~"$hostname"; the templating list
    # has datasource, job and instance only. prom-client's *_total handle counts are gauges.
    assert lint_file("nodejs-mixin-overview.json") == [
        ("variable-undefined", "error", "Node.js Restarts", "$hostname is used but not defined")]


def test_snmp_overview_overlaps_and_links_to_a_dashboard_outside_the_set():
    # "Network traffic" (x 0-12, y 14-22) overlaps "Network errors" and "Dropped packets" (y 17);
    # the top-bar link goes to /d/snmp-fleet, which is not among the files linted. Grafana's grid
    # stacks the two y=21 panels below "Network traffic" (y 15+8) and raises the row at y=50
    # to just below the collapsed row at y=37 (react-grid-layout's vertical compact).
    assert lint_file("snmp-overview.json") == [
        ("grid-compaction", "warning", "Network errors", "Grafana's grid compacts: it draws "
         "'Network errors' at y=23, x=0 (gridPos y=21, x=0), 'Dropped packets' at y=23, x=12 "
         "(gridPos y=21, x=12), 'Fibre channel' at y=38, x=0 (gridPos y=50, x=0) and 1 more"),
        ("grid-overlap", "warning", "Network traffic", "overlaps panel 'Dropped packets'"),
        ("grid-overlap", "warning", "Network traffic", "overlaps panel 'Network errors'"),
        ("link-unknown-uid", "warning", "", "link to unknown dashboard uid 'snmp-fleet'"),
    ]


def test_postgres_mixin_shows_a_raw_counter():
    # "Conflicts/Deadlocks" plots pg_stat_database_deadlocks as is; the overview row's text
    # panel shares its grid cells with QPS and Rows.
    findings = lint_file("postgres-mixin-overview.json")
    assert ("promql-counter-rate", "warning", "Conflicts/Deadlocks",
            "counter 'pg_stat_database_deadlocks' without rate() or increase()") in findings
    assert {f[0] for f in findings} == {"promql-counter-rate", "grid-overlap", "grid-compaction"}


def test_wrapped_export_is_an_error_only_for_provisioning():
    findings = lint_file("kube-prometheus-2017-node-wrapped.json")
    rules = {(f[0], f[1]) for f in findings}
    assert ("provisioning-wrapped", "warning") in rules and ("provisioning-inputs", "warning") in rules
    assert sum(1 for f in findings if f[0] == "panel-legacy") == 8  # 8 graph/singlestat panels
    strict = lint_file("kube-prometheus-2017-node-wrapped.json", provisioning=True)
    assert {(f[0], f[1]) for f in strict} >= {("provisioning-wrapped", "error"),
                                              ("provisioning-inputs", "error")}


def test_file_map_is_read_and_flagged():
    findings = lint_file("etcd-2019-wrapped.json")
    assert ("provisioning-wrapped", "warning", "",
            "wrapped in a file map: file provisioning reads no title and skips it") in findings


def test_duplicate_titles_across_files():
    subjects, _ = json_subjects([CORPUS / "redis-exporter.json", CORPUS / "redis-mixin-overview.json"])
    duplicates = [f for f in run_lint(subjects).findings if f.rule == "title-duplicate"]
    assert len(duplicates) == 1
    assert "Redis Dashboard for Prometheus Redis Exporter 1.x" in duplicates[0].message


# --- rules on small models ---------------------------------------------------------------------

PROM = {"type": "prometheus", "uid": "${datasource}"}
DS_VARIABLE = {"name": "datasource", "type": "datasource", "query": "prometheus"}


def dashboard(*panels: dict, variables: list[dict] | None = None, prometheus: bool = True,
              **extra) -> dict:
    listed = ([DS_VARIABLE] if prometheus else []) + (variables or [])
    return {"uid": "d", "title": "D", "schemaVersion": 38, "panels": list(panels),
            "templating": {"list": listed}, **extra}


def ts(title: str, expr: str, **extra) -> dict:
    """A timeseries panel; its id, unless given, is 1000 and up, from its title (crc32, not
    hash(), which changes with the hash seed), so it never meets the small ids tests give."""
    default_id = 1000 + zlib.crc32(title.encode()) % 1000
    return {"type": "timeseries", "title": title, "id": extra.pop("id", default_id),
            "datasource": PROM, "gridPos": extra.pop("gridPos", {"x": 0, "y": 0, "w": 12, "h": 8}),
            "fieldConfig": {"defaults": {"unit": "s"}},
            "targets": [{"refId": "A", "expr": expr, "datasource": PROM}], **extra}


def test_a_clean_model_has_no_findings():
    assert lint_model(dashboard(ts("ok", "sum(rate(x_total[$__rate_interval]))"))) == [
        ("catalog-missing", "its metrics and labels were not checked: no catalog")]


@pytest.mark.parametrize("expr,rule", [
    ("rate(x_total[5m])", "promql-rate-interval"),
    ("x_total", "promql-counter-rate"),
    ("sum(rate(x_bucket[$__rate_interval]))", "promql-bucket"),
    ("histogram_quantile(0.9, sum without (le) (rate(x_bucket[$__rate_interval])))",
     "promql-quantile-le"),
    ("sum(rate(x_total[$__rate_interval])", "promql-parse"),
    ("up{job=~\"$job\"}", "variable-undefined"),
])
def test_promql_rules(expr, rule):
    assert rule in {r for r, _ in lint_model(dashboard(ts("p", expr)))}


def test_panel_rules():
    no_unit = ts("No unit", "sum(rate(x_total[$__rate_interval]))", fieldConfig={"defaults": {}})
    untitled = ts("", "sum(rate(x_total[$__rate_interval]))", id=7,
                  gridPos={"x": 12, "y": 0, "w": 12, "h": 8})
    empty = {"type": "stat", "title": "Nothing", "id": 8, "datasource": PROM,
             "fieldConfig": {"defaults": {"unit": "s"}}, "gridPos": {"x": 0, "y": 8, "w": 6, "h": 4}}
    legacy = {"type": "graph", "title": "Old", "id": 9, "targets": [], "datasource": PROM,
              "gridPos": {"x": 6, "y": 8, "w": 6, "h": 4}}
    assert [f for f in lint_model(dashboard(no_unit, untitled, empty, legacy))
            if f[0].startswith("panel-")] == [
        ("panel-legacy", "AngularJS panel type 'graph'; use 'timeseries'"),
        ("panel-no-targets", "graph panel without queries"),
        ("panel-no-targets", "stat panel without queries"),
        ("panel-title", "panel has no title"),
        ("panel-units", "timeseries panel without a unit")]


def test_each_finding_names_the_panel_and_the_query_it_was_found_in():
    # the rules report through a function made afresh for each panel and each query: a finding
    # of the first panel's query B is never put on the second panel or on query A
    first = ts("First", "sum(rate(x_total[$__rate_interval]))", fieldConfig={"defaults": {}})
    first["targets"].append({"refId": "B", "expr": "rate(y_total[5m])", "datasource": PROM})
    second = ts("Second", "x_total", gridPos={"x": 12, "y": 0, "w": 12, "h": 8})
    second["targets"].append({"refId": "B", "expr": "sum(rate(y_total[$__rate_interval]))",
                              "datasource": PROM})
    findings = lint([Subject(dashboard(first, second), "x.json", "json")])
    assert sorted((f.rule, f.panel, f.target) for f in findings if f.rule != "catalog-missing") == [
        ("panel-units", "First", ""),
        ("promql-counter-rate", "Second", "A"),
        ("promql-rate-interval", "First", "B")]


def test_each_variable_is_replaced_by_what_its_own_part_of_the_query_needs():
    # the strings split the query into parts, and each variable stands for a window, a number
    # or a selector by the text beside it in its own part: [$window] after a string still parses
    expr = 'topk($n, sum by (route) (rate(x_total{job="api", route!~"/health"}[$window])))'
    variables = [{"name": "n", "type": "custom", "query": "5,10"},
                 {"name": "window", "type": "interval", "query": "5m,1h"}]
    findings = lint_model(dashboard(ts("Top", expr), variables=variables))
    assert [r for r, _ in findings if r in ("promql-parse", "variable-undefined")] == []
    assert ("promql-rate-interval", "rate(x_total[…]) should use $__rate_interval") in findings  # parsed


def test_fixed_datasource_and_missing_variable():
    panel = ts("p", "up")
    panel["datasource"] = panel["targets"][0]["datasource"] = {"type": "prometheus", "uid": "abc"}
    model = dashboard(panel)
    model["templating"]["list"] = []
    rules = {r for r, _ in lint_model(model)}
    assert {"panel-datasource", "datasource-variable"} <= rules


def test_variable_rules():
    variables = [
        {"name": "a", "type": "query", "query": "label_values(up{x=~\"$b\"}, a)", "refresh": 2,
         "datasource": PROM},
        {"name": "b", "type": "query", "query": "label_values(up{x=~\"$a\"}, b)", "refresh": 1,
         "datasource": PROM},
        {"name": "spare", "type": "custom", "query": "1,2"},
    ]
    found = lint_model(dashboard(ts("p", 'up{a=~"$a"}'), variables=variables))
    assert ("variable-cycle", "variables depend on each other: $a -> $b -> $a") in found
    assert ("variable-unused", "$spare is defined but never used") in found
    assert ("variable-refresh", "$b refreshes on load only; set it to on time-range change") in found


def test_grid_ids_schema_and_legacy_rules():
    nested = {"type": "row", "title": "r", "id": 1, "collapsed": True,
              "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1}, "panels": [ts("inner", "up", id=7)]}
    model = dashboard(ts("a", "up", id=7), ts("wide", "up", id=8, gridPos={"x": 6, "y": 0, "w": 24, "h": 4}),
                      nested, {"type": "graph", "title": "old", "id": 9, "datasource": PROM,
                               "gridPos": {"x": 0, "y": 20, "w": 12, "h": 8},
                               "targets": [{"refId": "A", "expr": "up"}]})
    model["schemaVersion"] = 43
    model["uid"] = "bad.uid"
    rules = {r for r, _ in lint_model(model, origin="dashkit")}
    assert {"panel-id-duplicate", "grid-width", "grid-overlap", "panel-legacy", "schema-version",
            "uid-invalid"} <= rules
    overlap = [f for f in lint([Subject(model, "x", "json")]) if f.rule == "grid-overlap"]
    assert overlap[0].severity == "warning"  # imported JSON: overlaps are common


def test_logql_rules():
    def logs(expr: str) -> dict:
        return {"type": "logs", "title": "l", "id": 3, "datasource": {"type": "loki", "uid": "${loki}"},
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "targets": [{"refId": "A", "expr": expr}]}
    variables = [{"name": "loki", "type": "datasource", "query": "loki"}]
    assert lint_model(dashboard(logs('{service="a"} | json | level=~"50|60|error"'),
                                variables=variables, prometheus=False)) == []
    cases = {'{trace_id="abc"}': "logql-cardinality",
             '{service="a"} | json | level="error"': "logql-pino-levels",
             'count_over_time(|= "x" [5m])': "logql-selector",
             '{service="a"': "logql-parse"}
    for expr, rule in cases.items():
        found = {r for r, _ in lint_model(dashboard(logs(expr), variables=variables,
                                                    prometheus=False))}
        assert rule in found, expr


def test_catalog_checks_json_when_given(tmp_path):
    model = dashboard(ts("p", 'sum by (svc) (rate(http_requests_total[$__rate_interval]))'),
                      ts("q", "rate(http_requests_active[$__rate_interval])", id=2,
                         gridPos={"x": 12, "y": 0, "w": 12, "h": 8}),
                      ts("r", "sum(rate(http_request_total[$__rate_interval]))", id=3,
                         gridPos={"x": 0, "y": 8, "w": 12, "h": 8}))
    path = tmp_path / "dashkit-lint-catalog.json"
    path.write_text(json.dumps(model))
    (tmp_path / "team_catalog.py").write_text(
        "from dashkit import Catalog, Metric\n"
        'CATALOG = Catalog("team", [Metric.counter("http_requests_total", ["service"]),\n'
        '                           Metric.gauge("http_requests_active", ["service"])])\n')
    result = run(str(path), "--catalog", f"{tmp_path}/team_catalog.py:CATALOG", "--format", "json")
    found = {(f["rule"], f["panel"]) for f in json.loads(result.stdout)["findings"]}
    assert {("label-unknown", "p"), ("promql-rate-gauge", "q"), ("metric-unknown", "r")} <= found
    assert result.exit_code == 1


# --- output, exclusions, docs ------------------------------------------------------------------

def test_output_formats_and_exit_codes():
    table = run(str(CORPUS / "nodejs-mixin-overview.json"))
    assert table.exit_code == 1 and "1 error, 1 warning in 1 dashboard" in table.stdout
    github = run(str(CORPUS / "nodejs-mixin-overview.json"), "--format", "github")
    assert github.stdout.startswith("::error file=") and "title=variable-undefined::" in github.stdout
    warnings_only = run(str(CORPUS / "redis-mixin-overview.json"))  # catalog-missing among them
    assert warnings_only.exit_code == 0
    assert run(str(CORPUS / "redis-mixin-overview.json"), "--strict").exit_code == 1


def test_not_a_dashboard_is_a_finding(tmp_path):
    (tmp_path / "bad.json").write_text("{nope")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    result = run(str(tmp_path), "--format", "json")
    messages = sorted(f["message"] for f in json.loads(result.stdout)["findings"])
    assert result.exit_code == 1
    assert messages[0].startswith("invalid JSON at line 1") and "not a Grafana dashboard" in messages[1]


def test_exclusions_need_a_reason(tmp_path):
    config = tmp_path / "lint.yaml"
    config.write_text("exclusions:\n  - rule: panel-units\n")
    result = run("--config", str(config))
    assert result.exit_code == 1 and "exclusion 1 (panel-units) needs a reason" in result.stderr


def test_every_rule_is_documented():
    """The reference is generated from the registry (docs/hooks.py; tests/test_docs.py checks the
    built page); the lint guide explains each rule in words."""
    guide = (ROOT / "docs" / "guides" / "lint.md").read_text()
    missing = [rule for rule in RULES if f"`{rule}`" not in guide]
    assert not missing, missing


def test_tag_and_refresh_rules():
    found = lint_model(dashboard(ts("p", "up"), tags=["x" * 51], refresh="1s"))
    assert ("tag-too-long", f"tag {'x' * 51!r} is 51 bytes; Grafana 12.4+ refuses a tag over 50") in found
    assert ("refresh-too-short", "refresh '1s' is below 5s") in found


def test_the_table_names_dashboards_by_title_and_json_keeps_the_uid():
    from click.testing import CliRunner

    from dashkit.cli import main

    traefik = str(SHARED / "corpus" / "traefik.json")
    table = CliRunner().invoke(main, ["lint", traefik]).stdout
    assert "Traefik (qPdAviJmz), panel 'Average response time', query A" in table
    found = json.loads(CliRunner().invoke(main, ["lint", "--format", "json", traefik]).stdout)
    assert {(f["dashboard"], f["title"]) for f in found["findings"]} == {("qPdAviJmz", "Traefik")}


def test_a_panel_whose_thresholds_disagree_with_its_alert_is_flagged():
    def with_alert(steps: list, link: str = "Alert: HighErrorRate > 0.05 for 2m") -> dict:
        panel = ts("Errors", "sum(rate(http_requests_total[5m]))")
        panel["links"] = [{"title": link, "url": "/alerting/list?search=HighErrorRate"}]
        panel["fieldConfig"] = {"defaults": {"unit": "reqps", "thresholds": {"mode": "absolute", "steps": steps}}}
        return dashboard(panel)

    agree = [{"color": "green", "value": None}, {"color": "red", "value": 0.05}]
    assert ("alert-threshold", ) not in {(r,) for r, _ in lint_model(with_alert(agree))}
    moved = [{"color": "green", "value": None}, {"color": "red", "value": 0.1}]
    found = [m for r, m in lint_model(with_alert(moved)) if r == "alert-threshold"]
    assert found == ["names alert HighErrorRate (> 0.05) but its thresholds (None: green, 0.1: red) "
                     "do not turn red where it fires"]
    below_ok = [{"color": "red", "value": None}, {"color": "green", "value": 0.7}]
    assert not [r for r, _ in lint_model(with_alert(below_ok, "Alert: LowRide < 0.7 for 10m"))
                if r == "alert-threshold"]
    inverted = [{"color": "green", "value": None}, {"color": "red", "value": 0.7}]
    assert [r for r, _ in lint_model(with_alert(inverted, "Alert: LowRide < 0.7 for 10m"))
            if r == "alert-threshold"] == ["alert-threshold"]


# --- each rule, for every panel type, function, label or form it names ------------------------

def rule_messages(model: dict, rule: str, **subject: object) -> list[str]:
    return sorted(f.message for f in lint([Subject(model, "x.json", "json", **subject)])  # type: ignore[arg-type]
                  if f.rule == rule)


@pytest.mark.parametrize("kind,instead", [
    ("graph", "timeseries"), ("singlestat", "stat"), ("table-old", "table"),
    ("grafana-singlestat-panel", "stat"), ("grafana-piechart-panel", "piechart"),
    ("grafana-worldmap-panel", "geomap"), ("natel-discrete-panel", "state-timeline"),
    ("heatmap-new", "heatmap"),
])
def test_panel_legacy_names_each_angular_type_and_its_replacement(kind, instead):
    old = {"type": kind, "title": "Old", "id": 1, "datasource": PROM,
           "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "targets": [{"refId": "A", "expr": "up"}]}
    assert rule_messages(dashboard(old), "panel-legacy") == [
        f"AngularJS panel type {kind!r}; use {instead!r}"]


def test_panel_legacy_names_an_angular_type_with_no_replacement():
    old = {"type": "grafana-polystat-panel", "title": "Old", "id": 1, "datasource": PROM,
           "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "targets": [{"refId": "A", "expr": "up"}]}
    assert [m.startswith("AngularJS panel type 'grafana-polystat-panel'")
            for m in rule_messages(dashboard(old), "panel-legacy")] == [True]


@pytest.mark.parametrize("kind,flagged", [
    ("timeseries", True), ("stat", True), ("gauge", True), ("bargauge", True),
    ("table", False), ("piechart", False), ("text", False),
])
def test_panel_units_for_each_type_that_shows_a_number(kind, flagged):
    panel = ts("p", "sum(rate(x_total[$__rate_interval]))", type=kind, fieldConfig={"defaults": {}})
    assert rule_messages(dashboard(panel), "panel-units") == (
        [f"{kind} panel without a unit"] if flagged else [])


@pytest.mark.parametrize("function", ["rate", "irate", "increase"])
def test_promql_rate_interval_for_each_rate_function(function):
    fixed = rule_messages(dashboard(ts("p", f"sum({function}(x_total[5m]))")), "promql-rate-interval")
    assert len(fixed) == 1 and fixed[0].startswith(f"{function}(x_total[…])")
    assert rule_messages(dashboard(ts("p", f"sum({function}(x_total[$__rate_interval]))")),
                         "promql-rate-interval") == []


@pytest.mark.parametrize("function", ["rate", "irate", "increase"])
def test_promql_rate_gauge_for_each_rate_function(function):
    from dashkit import Catalog, Metric

    catalog = Catalog("t", [Metric.gauge("queue_depth", ["service"])])
    found = rule_messages(dashboard(ts("p", f"sum({function}(queue_depth[$__rate_interval]))")),
                          "promql-rate-gauge", catalog=catalog)
    assert len(found) == 1 and function in found[0] and "queue_depth" in found[0]


@pytest.mark.parametrize("name", ["job", "instance"])
def test_job_instance_variables_for_each_name(name):
    custom = {"name": name, "type": "custom", "query": "a,b"}
    panel = ts("p", f'up{{{name}=~"${name}"}}')
    assert rule_messages(dashboard(panel, variables=[custom]), "job-instance-variables") == [
        f"${name} should be a query variable on the datasource variable"]
    queried = {"name": name, "type": "query", "refresh": 2, "datasource": PROM,
               "query": f"label_values(up, {name})"}
    assert rule_messages(dashboard(panel, variables=[queried]), "job-instance-variables") == []


def test_job_instance_variables_leaves_other_names_alone():
    custom = {"name": "service", "type": "custom", "query": "a,b"}
    panel = ts("p", 'up{service=~"$service"}')
    assert rule_messages(dashboard(panel, variables=[custom]), "job-instance-variables") == []


@pytest.mark.parametrize("form", ["$svc", "${svc}", "${svc:regex}", "[[svc]]"])
def test_variable_undefined_for_each_way_of_writing_a_variable(form):
    found = rule_messages(dashboard(ts("p", f'up{{service=~"{form}"}}')), "variable-undefined")
    assert len(found) == 1 and "$svc" in found[0]


@pytest.mark.parametrize("expr", [
    'up{zone="a"}', "sum by (zone) (up)", "sum without (zone) (up)",
    "up * on (zone) up", "up * ignoring (zone) up",
])
def test_label_unknown_in_each_place_a_label_is_named(expr):
    from dashkit import Catalog, Metric

    catalog = Catalog("t", [Metric.gauge("up", ["job", "instance"])])
    found = rule_messages(dashboard(ts("p", expr)), "label-unknown", catalog=catalog)
    assert found and all("'zone'" in m for m in found), found


def logs_panel(expr: str) -> dict:
    return {"type": "logs", "title": "l", "id": 3, "datasource": {"type": "loki", "uid": "${loki}"},
            "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8}, "targets": [{"refId": "A", "expr": expr}]}


LOKI_VARIABLE = [{"name": "loki", "type": "datasource", "query": "loki"}]


@pytest.mark.parametrize("label", ["trace_id", "span_id", "request_id", "user_id"])
def test_logql_cardinality_for_each_high_cardinality_label(label):
    model = dashboard(logs_panel(f'{{service="a", {label}="x"}}'), variables=LOKI_VARIABLE,
                      prometheus=False)
    assert rule_messages(model, "logql-cardinality") == [
        f"stream selector on {label!r}: parse it from the line instead"]


@pytest.mark.parametrize("expr,flagged", [
    ('{service="a"} | json | level="error"', True),
    ('{service="a"} | json | level=~"error|fatal"', True),
    ('{service="a"} | json | level_extracted="error"', True),
    ('{service="a"} | json | level=~"50|60|error"', False),
    ('{service="a"} | json | level=~"50|60"', False),
])
def test_logql_pino_levels_for_each_form_of_a_level_filter(expr, flagged):
    model = dashboard(logs_panel(expr), variables=LOKI_VARIABLE, prometheus=False)
    assert rule_messages(model, "logql-pino-levels") == (
        ["level filter misses pino's numeric levels (50 error, 60 fatal)"] if flagged else [])


def test_every_finding_comes_from_its_rule():
    """A finding is made by its rule (``UID_DUPLICATE.finding(...)``), which holds its id and
    severity: no code restates them by building a ``Finding`` by hand (the rule's method aside)."""
    import ast

    by_hand = sorted(f"{path.relative_to(PACKAGE.parent.parent)}:{node.lineno}"
                     for path in PACKAGE.rglob("*.py")
                     for node in ast.walk(ast.parse(path.read_text()))
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id == "Finding")
    assert [place.split(":")[0] for place in by_hand] == ["src/dashkit/lint/findings.py"], by_hand
    rule = RULES["link-unknown-uid"]
    assert rule.finding("m", "f.json", "d").severity == "error"
    assert rule.finding("m", "f.json", "d", severity=WARNING).severity == "warning"
