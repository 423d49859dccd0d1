"""Every built dashboard against Grafana's own published types (@grafana/schema's ``Dashboard``,
checked by the TypeScript compiler: tests/grafana_types.py says what it filters and why). Zero
errors for the project's dashboards; the corpus's counts after import and rebuild are reported,
not a gate."""
from __future__ import annotations

import json

from dashkit.grafana.normalise import load_json_paths

from conftest import PROJECT_UIDS, ROOT, SHARED
from grafana_types import type_errors, v2_type_errors


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


def test_corpus_counts_after_import_are_reported(capsys):
    loaded, _ = load_json_paths([SHARED / "corpus"])
    errors = type_errors({item.source.rsplit("/", 1)[-1]: item.model for item in loaded})
    with capsys.disabled():
        print("\n@grafana/schema errors of the corpus dashboards (not a gate):")
        for name, found in sorted(errors.items()):
            print(f"  {name}: {len(found)}")
    assert len(errors) == 18


def test_every_project_dashboard_as_v2_has_no_type_errors(tmp_path):
    """``dashkit build --schema v2``'s files, both trees, against @grafana/schema's v2 types."""
    from dashkit.build.pipeline import build

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
