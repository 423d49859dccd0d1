"""Every built dashboard against Grafana's own published types (@grafana/schema's ``Dashboard``,
checked by the TypeScript compiler: tests/grafana_types.py says what it filters and why). Zero
errors for the project's dashboards, and for every corpus dashboard imported and rebuilt (a field
Grafana reads that the types lack is allowed only where the import's notes name it)."""
from __future__ import annotations

import json

from conftest import PROJECT_UIDS, ROOT, SHARED
from grafana_types import type_errors, untyped_field, v2_type_errors
from test_schema_migrations import OLD_DASHBOARD

from dashkit.grafana.normalise import load_json, load_json_paths
from dashkit.importer.codecheck import run_module
from dashkit.importer.pipeline import import_model
from dashkit.sdk.compiler import compile_dashboard


def test_every_project_dashboard_has_no_type_errors(compiled):
    errors = type_errors({uid: compiled[uid].model for uid in PROJECT_UIDS})
    assert {uid: found for uid, found in errors.items() if found} == {}


def test_the_check_finds_what_grafanas_types_refuse(compiled):
    """It can fail: the two defects it found before they were fixed, put back."""
    model = dict(compiled[PROJECT_UIDS[0]].model)
    model["templating"] = {"list": [{"name": "v", "type": "custom", "query": "a,b", "current": {}}]}
    model["annotations"] = {"list": [{"name": "A", "enable": True, "iconColor": "red",
                                      "datasource": {"type": "prometheus", "uid": "p"},
                                      "expr": "up", "step": "60s"}]}
    chart = next(p for p in model["panels"] if p["type"] == "timeseries")
    model["panels"] = [dict(chart, links=[{"title": "x", "url": "/y"}])]
    found = type_errors({"broken": model})["broken"]
    assert any("'VariableOption'" in error for error in found)
    assert any('\'"expr"\' does not exist in type \'AnnotationQuery' in error for error in found)
    assert any("DashboardLink" in error for error in found)


def test_every_corpus_dashboard_imported_and_rebuilt_has_no_type_errors():
    """The gate: each corpus file imported, its module run and compiled, and all 18 checked in
    one compiler run (with the schema 5 dashboard of test_schema_migrations). Before the schema
    migrations this found 33 errors in 16 of them."""
    loaded, problems = load_json_paths([SHARED / "corpus"])
    assert problems == [] and len(loaded) == 18
    rebuilt, notes = {}, {}
    for item in loaded:
        name = item.source.rsplit("/", 1)[-1]
        result = import_model(item, "imported")
        rebuilt[name] = compile_dashboard(run_module(result.source)["dashboard"], strict=False)
        notes[name] = " ".join(result.notes)
    old = import_model(load_json("old.json", json.dumps(OLD_DASHBOARD))[0], "imported")
    rebuilt["old.json"] = compile_dashboard(run_module(old.source)["dashboard"], strict=False)
    notes["old.json"] = " ".join(old.notes)
    errors = type_errors(rebuilt)
    refused = {name: [e for e in found if untyped_field(e) is None]
               for name, found in errors.items()}
    assert {name: found for name, found in refused.items() if found} == {}
    unnamed = {name: field for name, found in errors.items() for field in map(untyped_field, found)
               if field is not None and f" {field}" not in notes[name]}
    assert unnamed == {}


def test_every_project_dashboard_as_v2_has_no_type_errors(tmp_path):
    """``dashkit build --schema v2``'s files, both trees, against @grafana/schema's v2 types."""
    from dashkit.project.pipeline import build

    build(ROOT / "dashboards", tmp_path / "out", schema="v2")
    files = sorted((tmp_path / "out").glob("**/*.json"))
    resources = {str(f.relative_to(tmp_path)): json.loads(f.read_text()) for f in files
                 if f.name != "_folder.json"}
    assert len(resources) == 2 * len(PROJECT_UIDS)
    errors = v2_type_errors(resources)
    assert {name: found for name, found in errors.items() if found} == {}


def test_the_v2_check_finds_what_grafanas_v2_types_refuse(compiled):
    """It can fail: a classic panel left in a v2 spec, a variable without ``current``."""
    from dashkit.grafana.v2 import to_v2_resource

    resource = to_v2_resource(compiled[PROJECT_UIDS[0]].model)
    name, element = next(iter(resource["spec"]["elements"].items()))
    resource["spec"]["elements"][name] = {"kind": "Panel", "spec": dict(
        element["spec"], gridPos={"x": 0, "y": 0, "w": 1, "h": 1})}
    del resource["spec"]["variables"][0]["spec"]["current"]
    found = v2_type_errors({"broken": resource})["broken"]
    assert any("'\"gridPos\"' does not exist in type 'PanelSpec" in error for error in found)
    assert any("is not assignable to type" in error and "DatasourceVariableSpec" in error
               for error in found)
