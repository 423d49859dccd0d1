"""``dashkit import``: round trip and idempotence over the 18 corpus dashboards and the plan's two,
the migrations it does the way Grafana does, and its errors."""
from __future__ import annotations

import json
import re
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SHARED
from import_oracle import GRAFANA_REWRITES, lost_fields

from dashkit import dumps
from dashkit.cli import main
from dashkit.grafana.model import iter_panels
from dashkit.grafana.normalise import load_json
from dashkit.importer.pipeline import import_model
from dashkit.sdk.compiler import compile_dashboard

sys.path.insert(0, str(ROOT / "examples" / "plan"))
from extract import plan_dashboards  # noqa: E402

CORPUS = sorted((SHARED / "corpus").glob("*.json"))
PLAN = plan_dashboards()


def sources() -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in CORPUS] + sorted(PLAN.items())


def run_module(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "<imported>", "exec"), namespace)
    # strict=False: the inputs' own mistakes (the nodejs mixin's undefined $hostname) are lint's
    # business; here the question is whether the import is faithful
    return compile_dashboard(namespace["dashboard"], strict=False)


def code_body(source: str) -> str:
    """The module without its docstring and IMPORT_NOTES (notes of a first import, such as a
    derived uid, do not apply to a second)."""
    body = source.split('"""\n', 2)[-1]
    return re.sub(r"\nIMPORT_NOTES = .*?\n\n", "\n", body, flags=re.S)


#: A dashboard as an old export writes it, and as Grafana would load it back: only fields on the
#: GRAFANA_REWRITES list differ (database id and version, schemaVersion, refresh false, a
#: missing refId, a query format at its default).
_EXPORTED = {"uid": "u", "title": "T", "id": 5, "version": 3, "schemaVersion": 16, "refresh": False,
             "panels": [{"type": "timeseries", "id": 2, "title": "P", "datasource": "Prometheus",
                         "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                         "targets": [{"expr": "up", "format": "time_series"}],
                         "fieldConfig": {"defaults": {"unit": "s"}}}],
             "templating": {"list": []}}
_LOADED = {"uid": "u", "title": "T", "schemaVersion": 41, "refresh": "",
           "panels": [{"type": "timeseries", "id": 2, "title": "P", "datasource": "Prometheus",
                       "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                       "targets": [{"expr": "up", "refId": "A"}],
                       "fieldConfig": {"defaults": {"unit": "s"}}}],
           "templating": {"list": []}}


def test_what_the_round_trip_leaves_to_grafana():
    """The short list of fields the round trip does not hold dashkit to, with the reason: what
    it lists is forgiven, and a change to anything else is reported, one line each."""
    print("\n".join(f"{where}: {why}" for where, why in GRAFANA_REWRITES))
    assert lost_fields(_EXPORTED, [], _LOADED) == []
    changed = json.loads(json.dumps(_LOADED))
    changed.update(title="X", refresh="5s")
    panel = changed["panels"][0]
    panel.update(id=3, gridPos={"x": 12, "y": 0, "w": 12, "h": 8})
    panel["fieldConfig"]["defaults"]["unit"] = "ms"
    panel["targets"][0].update(expr="up2", format="table")
    assert lost_fields(_EXPORTED, [], changed) == [
        "title: 'T' became 'X'", "refresh: '' became '5s'", "panels[0].id: 2 became 3",
        "panels[0].gridPos.x: 0 became 12", "panels[0].fieldConfig.defaults.unit: 's' became 'ms'",
        "panels[0].targets[0].expr: 'up' became 'up2'",
        "panels[0].targets[0].format: 'time_series' became 'table'"]


def test_every_source_is_covered():
    """Every corpus file the corpus README lists, and the plan's two, are round-tripped, and each
    holds dashboards with panels (a file that loaded as nothing would pass the round trip
    vacuously)."""
    listed = re.findall(r"^\| ([\w.-]+\.json) \|", (SHARED / "corpus" / "README.md").read_text(),
                        flags=re.M)
    assert len(listed) == 18 and sorted(listed) == [p.name for p in CORPUS]
    assert sorted(PLAN) == ["business-metrics.json", "system-overview.json"]
    assert [name for name, _ in sources()] == [*sorted(listed), *sorted(PLAN)]
    for name, text in sources():
        loaded = load_json(name, text)
        assert (len(loaded) == 1 and loaded[0].model.get("panels")) or loaded[0].model.get("rows"), name


@pytest.mark.parametrize("name,text", sources(), ids=[n for n, _ in sources()])
def test_round_trip_and_idempotence(name, text):
    for loaded in load_json(name, text):
        result = import_model(loaded, "imported")
        compiled = run_module(result.source)
        # the expected side is the input itself (tests/import_oracle.py imports no dashkit code)
        lost = lost_fields(loaded.model, list(loaded.inputs), compiled)
        print("\n".join(lost))  # every field that was lost or changed, when this fails
        assert lost == []
        assert compiled["uid"] == result.uid and compiled["title"] == loaded.model["title"]
        again = import_model(load_json("again.json", dumps(compiled))[0], "imported")
        assert code_body(again.source) == code_body(result.source)
        if not result.notes:
            assert again.source == result.source


def test_generated_code_is_idiomatic():
    result = import_model(load_json(SHARED / "corpus" / "node-exporter-full.json")[0], "nef")
    source = result.source
    assert "panels.raw(" not in source  # every panel of Node Exporter Full has a builder
    loaded = load_json(SHARED / "corpus" / "node-exporter-full.json")[0].model
    inputs = [p for row in loaded["panels"] for p in [row, *row.get("panels", [])]]
    # one builder call per time series of the input, counted from the input itself
    assert source.count("panels.timeseries(") == sum(p["type"] == "timeseries" for p in inputs)
    assert source.count("Row(") == sum(p["type"] == "row" for p in inputs)
    # each datasource is named once and referred to by name
    constants = [line.split(" = ")[0] for line in source.splitlines() if " = DatasourceRef(" in line]
    assert constants and source.count("DatasourceRef(") == len(constants)
    assert constants == ["DS_PROMETHEUS"]
    assert source.count("datasource=DS_PROMETHEUS") == sum(p["type"] != "row" for p in inputs)
    assert '"id"' not in source.split("dashboard = ")[1][:200]  # no instance ids
    assert "gnetId" not in source and "iteration" not in source
    assert max(len(line) for line in source.splitlines() if '"' not in line) <= 100


def test_third_party_panels_are_passed_through():
    result = import_model(load_json(SHARED / "corpus" / "harbor-overview.json")[0], "harbor")
    assert "panels.raw(" in result.source and "marcusolsson-treemap-panel" in result.source


def test_exported_inputs_become_datasource_variables():
    loaded = load_json(SHARED / "corpus" / "kube-prometheus-2017-node-wrapped.json")[0]
    result = import_model(loaded, "nodes")
    compiled = run_module(result.source)
    variable = compiled["templating"]["list"][0]
    assert variable["name"] == "DS_PROMETHEUS" and variable["type"] == "datasource"
    assert variable["query"] == "prometheus"
    panels = [p for p in compiled["panels"] if p.get("type") != "row"]
    assert panels[0]["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


# --- legacy layouts (the panel migrations are in test_migrations.py) ---------------------------

def test_legacy_rows_become_grid_positions():
    loaded = load_json("x.json", json.dumps({"title": "T", "rows": [
        {"title": "A", "height": "250px", "showTitle": True,
         "panels": [{"type": "graph", "id": 1, "span": 6}, {"type": "graph", "id": 2, "span": 6},
                    {"type": "graph", "id": 3, "span": 12}]},
        {"title": "B", "height": 100, "collapse": True, "panels": [{"type": "text", "id": 4, "span": 4}]},
    ]}))[0]
    panels = loaded.model["panels"]
    assert loaded.legacy_rows and [p["type"] for p in panels] == ["row", "graph", "graph", "graph", "row"]
    assert panels[1]["gridPos"] == {"x": 0, "y": 1, "w": 12, "h": 7}  # 250px → 7 units
    assert panels[3]["gridPos"] == {"x": 0, "y": 8, "w": 24, "h": 7}
    assert panels[4]["collapsed"] and panels[4]["panels"][0]["gridPos"]["h"] == 3


# --- the command -------------------------------------------------------------------------------

def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["import", *args], input=stdin)


def test_import_writes_modules_that_build(tmp_path):
    out = tmp_path / "dashboards"
    result = run(str(SHARED / "corpus" / "node-exporter-full.json"),
                 str(SHARED / "corpus" / "etcd-2019-wrapped.json"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["etcd.py", "node_exporter_full.py"]
    assert "note: etcd: the dashboard had no uid" in result.output
    built = CliRunner().invoke(main, ["build", "--dashboards", str(out), "--out",
                                      str(tmp_path / "build")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "build" / "dashboards" / "rYdddlPWk.json").exists()


def test_the_collector_runs_less_while_importing_and_as_before_after(tmp_path, monkeypatch):
    """The command raises the collector's young threshold for the import and the carry-over, and
    puts it back, also when the import fails; one the process set higher (or off) stays."""
    import gc

    from dashkit.importer import carried_over, files

    seen = []
    real_import, real_carry = files.import_files, carried_over.carry_over
    monkeypatch.setattr(files, "import_files",
                        lambda *a, **k: seen.append(gc.get_threshold()[0]) or real_import(*a, **k))
    monkeypatch.setattr(carried_over, "carry_over",
                        lambda *a, **k: seen.append(gc.get_threshold()[0]) or real_carry(*a, **k))
    before = gc.get_threshold()
    try:
        for first in (700, 50_000, 0):
            gc.set_threshold(first, *before[1:])
            seen.clear()
            result = run(str(SHARED / "corpus" / "etcd-2019-wrapped.json"), "--out",
                         str(tmp_path / str(first)))
            assert result.exit_code == 0, result.output
            assert seen == [files.COLLECT_EVERY if first == 700 else first] * 2
            assert gc.get_threshold() == (first, *before[1:])
        gc.set_threshold(700, *before[1:])
        monkeypatch.setattr(files, "import_files", lambda *a, **k: 1 / 0)
        assert isinstance(run(str(SHARED / "corpus" / "etcd-2019-wrapped.json"), "--out",
                              str(tmp_path / "failed")).exception, ZeroDivisionError)
        assert gc.get_threshold() == (700, *before[1:])
    finally:
        gc.set_threshold(*before)


def test_stdin_and_name(tmp_path):
    result = run("-", "--name", "from_stdin", "--out", str(tmp_path),
                 stdin=PLAN["system-overview.json"])
    assert result.exit_code == 0, result.output
    assert 'title="EasyMO - System Overview"' in (tmp_path / "from_stdin.py").read_text()


@pytest.mark.parametrize("content,message", [
    ("{not json", "invalid JSON at line 1 column 2"),
    ('{"hello": "world"}', "not a Grafana dashboard (no panels or rows)"),
    ('{"panels": [], "schemaVersion": 38}', "dashboard has no title"),
])
def test_bad_input_is_one_line_exit_1_and_writes_nothing(content, message, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    out = tmp_path / "out"
    result = run(str(bad), str(SHARED / "corpus" / "apache-http.json"), "--out", str(out))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0] and message in errors[0]
    assert [p.name for p in out.iterdir()] == ["apache_http_server.py"]  # the good file still


def test_existing_module_needs_force(tmp_path):
    source = str(SHARED / "corpus" / "apache-http.json")
    assert run(source, "--out", str(tmp_path)).exit_code == 0
    (tmp_path / "apache_http_server.py").write_text("# mine\n")
    refused = run(source, "--out", str(tmp_path))
    assert refused.exit_code == 1 and "exists (use --force to overwrite)" in refused.stderr
    assert (tmp_path / "apache_http_server.py").read_text() == "# mine\n"
    assert run(source, "--out", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / "apache_http_server.py").read_text() != "# mine\n"


def test_import_from_grafana(tmp_path):
    from standins.grafana_api import GrafanaAPIStandIn

    api = GrafanaAPIStandIn(token="glsa_import_token").start()
    try:
        api.put_dashboard(json.loads((SHARED / "corpus" / "traefik.json").read_text()))
        result = CliRunner().invoke(main, ["import", "--grafana-url", api.url, "--uid", "qPdAviJmz",
                                           "--out", str(tmp_path)],
                                    env={"GRAFANA_TOKEN": "glsa_import_token"})
    finally:
        api.stop()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "traefik.py").exists() and "glsa_import_token" not in result.output


def test_import_a_folder_or_everything_from_grafana(tmp_path):
    """--folder imports every dashboard of one folder (by title), --all every dashboard; two
    dashboards that share a title (allowed in two folders) become two modules and two titles."""
    from standins.grafana_api import GrafanaAPIStandIn

    api = GrafanaAPIStandIn(token="glsa_import_token").start()
    env = {"GRAFANA_TOKEN": "glsa_import_token"}
    try:
        api.add_folder("redis", "Redis")
        api.add_folder("other", "Other")
        for name, folder in (("redis-exporter.json", "redis"), ("redis-mixin-overview.json", "redis"),
                             ("traefik.json", "other")):
            api.put_dashboard(json.loads((SHARED / "corpus" / name).read_text()), folder_uid=folder)
        one = CliRunner().invoke(main, ["import", "--grafana-url", api.url, "--folder", "Redis",
                                        "--out", str(tmp_path / "one")], env=env)
        every = CliRunner().invoke(main, ["import", "--grafana-url", api.url, "--all",
                                          "--out", str(tmp_path / "all")], env=env)
        missing = CliRunner().invoke(main, ["import", "--grafana-url", api.url, "--folder", "Nope",
                                            "--out", str(tmp_path / "none")], env=env)
    finally:
        api.stop()
    assert one.exit_code == 0, one.output
    assert sorted(p.name for p in (tmp_path / "one").glob("*.py")) == [
        "redis_dashboard_for_prometheus_redis_exporter_1_x.py",
        "redis_dashboard_for_prometheus_redis_exporter_1_x_2.py"]
    assert "is now 'Redis Dashboard for Prometheus Redis Exporter 1.x (2)'" in one.output
    assert "2/2 dashboards read" in one.output and "1/2" not in one.output  # a pipe: no \r
    assert every.exit_code == 0 and len(list((tmp_path / "all").glob("*.py"))) == 3
    assert missing.exit_code == 1 and "no folder titled 'Nope' in Grafana" in missing.output


@pytest.mark.parametrize("args,message", [
    (["--folder", "Redis"], "--uid, --folder and --all need --grafana-url"),
    (["--grafana-url", "http://127.0.0.1:9"], "--grafana-url needs --uid, --folder or --all"),
    (["--grafana-url", "http://127.0.0.1:9", "--folder", "A", "--all"], "--folder or --all, not both"),
])
def test_import_source_options_are_checked(args, message):
    result = CliRunner().invoke(main, ["import", *args])
    assert result.exit_code == 2 and message in result.output


def test_committed_plan_imports_are_current():
    """examples/plan holds what the importer makes of the plan's dashboards today."""
    for name, module in (("system-overview.json", "plan_system_overview"),
                         ("business-metrics.json", "plan_business_metrics")):
        result = import_model(load_json(name, PLAN[name])[0], module)
        assert (ROOT / "examples" / "plan" / f"{module}.py").read_text() == result.source


def test_name_with_several_dashboards_is_a_usage_error(tmp_path):
    result = run(str(SHARED / "corpus" / "apache-http.json"), str(SHARED / "corpus" / "traefik.json"),
                 "--name", "one", "--out", str(tmp_path))
    assert result.exit_code == 2 and not list(tmp_path.iterdir())


def test_repeated_selectors_are_named_once():
    result = import_model(load_json(SHARED / "corpus" / "node-exporter-full.json")[0], "nef")
    assert "INSTANCE_JOB = 'instance=\"$node\",job=\"$job\"'" in result.source
    # every query whose selector is exactly that one uses the name (and only those do)
    model = load_json(SHARED / "corpus" / "node-exporter-full.json")[0].model
    exprs = [str(t.get("expr")) for panel in iter_panels(model["panels"])
             for t in panel.get("targets") or []]
    uses = sum(e.count('{instance="$node",job="$job"}') for e in exprs if "%" not in e)
    assert len(re.findall(r"\bINSTANCE_JOB\b", result.source)) == uses + 1  # + its definition
    # and the queries are still exactly the original ones: the round trip test covers them


def test_the_import_guide_shows_the_committed_import():
    readme = (ROOT / "docs" / "guides" / "import.md").read_text()
    marker = "and imported (`examples/plan/plan_system_overview.py`, after):\n\n```python\n"
    shown = readme[readme.index(marker) + len(marker):]
    shown = shown[:shown.index("```\n")]
    assert shown == (ROOT / "examples" / "plan" / "plan_system_overview.py").read_text()


def test_a_multi_line_query_stays_multi_line():
    expr = ('sum by (service) (\n  rate(http_requests_total{status_code=~"5.."}[5m])\n)\n/\n'
            'sum by (service) (\n  rate(http_requests_total[5m])\n)')
    model = {"uid": "m", "title": "M", "panels": [{
        "type": "timeseries", "title": "Errors", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
        "targets": [{"refId": "A", "expr": expr}]}]}
    source = import_model(load_json("m.json", json.dumps(model))[0], "m").source
    assert '        "  rate(http_requests_total[5m])\\n"\n' in source
    assert run_module(source)["panels"][0]["targets"][0]["expr"] == expr


def test_a_file_whose_module_fails_its_check_writes_nothing_and_the_next_file_gets_its_own(
        tmp_path, monkeypatch):
    """A run's modules are formatted together, then each file's are checked: when the first of
    a file's two modules fails its check, the next file still gets its own formatted module."""
    from dashkit.errors import DashkitError
    from dashkit.importer import files

    finish = files.finish_model

    def failing_first(loaded, generated, formatted):
        if generated.uid == "a1":
            raise DashkitError("the check failed", file=loaded.source)
        return finish(loaded, generated, formatted)

    monkeypatch.setattr(files, "finish_model", failing_first)
    two = json.dumps({"a1.json": {"uid": "a1", "title": "First A", "panels": []},  # a mixin's
                      "a2.json": {"uid": "a2", "title": "Second A", "panels": []}})  # file map
    one = json.dumps({"uid": "b1", "title": "Only B", "panels": []})
    written = files.import_files([("two.json", two), ("one.json", one)], tmp_path / "out")
    assert [(w.file, w.path is not None) for w in written] == [("two.json", False), ("one.json", True)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["only_b.py"]
    assert 'title="Only B"' in (tmp_path / "out" / "only_b.py").read_text()
