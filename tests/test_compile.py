from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DASHBOARDS, ROOT

import dashkit
from dashkit import Dashboard, DashkitError, Row, compile_dashboard, dumps, panels, promql, variable_ref, variables
from dashkit.errors import DashkitErrors
from dashkit.grafana.facts import SCHEMA_VERSION
from dashkit.grafana.model import iter_panels
from dashkit.project.compiled import Compiled
from dashkit.project.loading import Project, Source
from dashkit.project.pipeline import compile_project
from dashkit.query.catalog import Catalog, Metric

CATALOG = Catalog("t", [Metric.counter("http_requests_total", ["service"])])


def test_compiled_dashboards_are_in_the_shape_grafana_stores(compiled):
    for item in compiled.values():
        model = item.model
        assert model["schemaVersion"] == SCHEMA_VERSION == 38
        assert "id" not in model and "rows" not in model and "__inputs" not in model
        assert "dashboard" not in model  # bare model, never the HTTP API's wrapper
        assert model["annotations"]["list"][0]["builtIn"] == 1
        text = json.dumps(model)
        assert "${DS_" not in text
        ids = [p["id"] for p in iter_panels(model["panels"])]
        assert len(ids) == len(set(ids))
        for panel in iter_panels(model["panels"]):
            assert panel["type"] not in {"graph", "singlestat", "table-old"}
            assert panel["gridPos"]["x"] >= 0 and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
            if panel["type"] not in ("row", "text"):
                assert set(panel["datasource"]) == {"type", "uid"}
                assert all(set(t["datasource"]) == {"type", "uid"} for t in panel["targets"])


def test_variables_reference_datasources_by_type_and_uid(compiled):
    for item in compiled.values():
        for variable in item.model["templating"]["list"]:
            if variable["type"] == "query":
                assert variable["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_json_output_is_byte_identical_between_processes():
    """Two separate interpreters (different hash seeds) compile the same bytes, with the code
    under test: the environment is this process's (its PYTHONPATH names the copy of src/ the
    mutation check breaks), and each child says which dashkit it imported."""
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import dashkit; from dashkit import "
              "load_project, compile_project, dumps; print(dashkit.__file__); "
              "print(''.join(dumps(c.model) for c in compile_project(load_project(sys.argv[1]))))")
    outputs = {subprocess.run([sys.executable, "-c", script, str(DASHBOARDS)], check=True,
                              capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(outputs) == 1
    imported, models = outputs.pop().split("\n", 1)
    assert imported == dashkit.__file__ and len(models) > 10000


def test_dumps_is_sorted_indented_and_newline_terminated():
    text = dumps({"b": 1, "a": {"d": 2, "c": 3}})
    assert text == '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}\n'


def in_a_project(dashboard: Dashboard) -> list[Compiled]:
    """The dashboard compiled as a project's, with the lint rules every compile enforces."""
    return compile_project(Project((Source(dashboard, "d.py"),), ()))


@pytest.mark.parametrize("uid", ["", "x" * 41, "has space", "dot.ted", "ü"])
def test_invalid_uids_are_refused(uid):
    with pytest.raises(DashkitError) as info:
        in_a_project(Dashboard(uid, "t"))
    assert str(info.value) == (f"d.py, dashboard {uid or 't'!r}: invalid uid {uid!r}: Grafana takes 1 to "
                               "40 characters of A-Z, a-z, 0-9, '-' and '_' [uid-invalid]")


def test_forty_character_uid_is_fine():
    assert in_a_project(Dashboard("a" * 40, "t"))[0].uid == "a" * 40


def test_catalog_errors_name_dashboard_and_panel():
    dashboard = Dashboard("svc", "Service", catalog=CATALOG, panels=[
        Row("HTTP", [panels.timeseries("Requests", promql.rate_sum("http_requests_total", ["route"]))])])
    with pytest.raises(DashkitError) as info:
        compile_dashboard(dashboard)
    # located at the builder call (this file, the line of Row("HTTP", ...)), the dashboard and
    # the panel
    line = next(n for n, text in enumerate(Path(__file__).read_text().splitlines(), 1)
                if text.startswith('        Row("HTTP", [panels.timeseries("Requests"'))
    assert str(info.value).endswith(f"test_compile.py:{line}, dashboard 'svc', panel 'Requests': "
                                    "metric 'http_requests_total' has no label 'route' "
                                    "(it has: instance, job, service)")


def test_variable_queries_are_checked_against_the_catalog():
    dashboard = Dashboard("svc", "Service", catalog=CATALOG, variables=[
        variables.query("svc", variables.label_values("svc", "http_requests_total"),
                        variable_ref("prometheus", "datasource"))])
    with pytest.raises(DashkitError, match=r"variable \$svc: metric 'http_requests_total' has no "
                                           r"label 'svc'"):
        compile_dashboard(dashboard)


def test_undefined_variables_are_an_error():
    dashboard = Dashboard("u", "t", [panels.stat("s", promql.sel("up", where={"job": promql.var("job")}))])
    with pytest.raises(DashkitError, match=r"panel 's': \$job is used but not defined \[variable-undefined\]$"):
        in_a_project(dashboard)


def test_one_run_reports_a_dashboards_rule_errors_beside_its_catalog_errors():
    """Issue 26: the uid, tag and variable checks are lint's rules alone; a dashboard whose
    queries the catalog refuses is still held to them, in the same run (the compiler used to
    stop at the uid)."""
    dashboard = Dashboard("bad uid", "t", tags=["x" * 51], catalog=CATALOG, panels=[
        panels.stat("Typo", promql.rate_sum("http_request_total")),
        panels.stat("Var", promql.sel("http_requests_total", where={"service": promql.var("svc")}))])
    with pytest.raises(DashkitErrors) as info:
        in_a_project(dashboard)
    at = {title: next(n for n, text in enumerate(Path(__file__).read_text().splitlines(), 1)
                      if text.startswith(f'        panels.stat("{title}"')) for title in ("Typo", "Var")}
    assert sorted(str(e) for e in info.value.errors) == [
        "d.py, dashboard 'bad uid': invalid uid 'bad uid': Grafana takes 1 to 40 characters of A-Z, "
        "a-z, 0-9, '-' and '_' [uid-invalid]",
        f"d.py, dashboard 'bad uid': tag {'x' * 51!r} is 51 bytes; Grafana 12.4+ refuses a tag over 50 "
        "[tag-too-long]",
        f"{os.path.relpath(__file__)}:{at['Typo']}, dashboard 'bad uid', panel 'Typo': unknown metric "
        "'http_request_total'; did you mean 'http_requests_total'? (not in catalog 't')",
        f"{os.path.relpath(__file__)}:{at['Var']}, dashboard 'bad uid', panel 'Var': $svc is used but not defined "
        "[variable-undefined]",
    ]


def test_datasource_variable_is_added_when_panels_use_it():
    model = compile_dashboard(Dashboard("u", "t", [panels.stat("s", promql.sel("up"))]))
    assert model["templating"]["list"][0] == {
        "name": "datasource", "type": "datasource", "query": "prometheus", "hide": 0,
        "regex": "", "options": [], "refresh": 1}


def test_dashboard_without_catalog_skips_metric_checks():
    compile_dashboard(Dashboard("u", "t", [panels.stat("s", promql.rate_sum("anything_total"))]))


def test_tags_over_fifty_bytes_are_refused():
    with pytest.raises(DashkitError, match="'éééééééééééééééééééééééééé' is 52 bytes; Grafana 12.4"
                                           r"\+ refuses a tag over 50 \[tag-too-long\]$"):
        in_a_project(Dashboard("u", "t", tags=["é" * 26]))  # 52 bytes, 26 characters


def test_a_panel_keeps_the_id_it_is_given_and_no_other_panel_takes_it():
    from dashkit.sdk.compiler import stable_ids
    hashed = stable_ids(["a"])["a"]
    dashboard = Dashboard("u", "t", [panels.text("a", "x"), panels.text("b", "y", id=hashed),
                                     panels.text("c", "z", id=7)])
    ids = {p["title"]: p["id"] for p in compile_dashboard(dashboard)["panels"]}
    assert ids["b"] == hashed and ids["c"] == 7 and ids["a"] not in (hashed, 7)
    with pytest.raises(DashkitError, match=r"panel 'c': panel id 7 is also given to panel 'b'"):
        compile_dashboard(Dashboard("u", "t", [panels.text("b", "y", id=7), panels.text("c", "z", id=7)]))


def test_each_panel_is_compiled_once_whether_its_row_is_expanded_or_collapsed(monkeypatch):
    from dashkit.sdk import compiler
    calls: list[str] = []

    def counting(spec, datasource):
        calls.append(spec.title)
        return real(spec, datasource)

    real = compiler.modernise_panel
    monkeypatch.setattr(compiler, "modernise_panel", counting)
    model = compile_dashboard(Dashboard("u", "t", [
        Row("Open", [panels.text("a", "x"), panels.text("b", "y")]),
        Row("Shut", [panels.text("c", "z")], collapsed=True)]))
    assert sorted(calls) == ["a", "b", "c"]
    assert [p["title"] for p in model["panels"]] == ["Open", "a", "b", "Shut"]
    assert [p["title"] for p in model["panels"][3]["panels"]] == ["c"]
