"""Grafana 13's v2 dashboards: one model, a second emitter (dashkit.grafana.v2), the provisioning
trees ``build --schema v2`` writes (what Grafana's file provisioning and Git Sync require, read
from their source: project/provisioning.py), and v2/v1 resources read back by import and lint.
The type check against @grafana/schema's v2 types is in test_grafana_schema.py."""
from __future__ import annotations

import json

import pytest
import yaml
from conftest import PROJECT_UIDS, ROOT, SHARED

from dashkit.errors import DashkitError
from dashkit.grafana.model import iter_panels, iter_targets
from dashkit.grafana.normalise import load_json, load_json_paths
from dashkit.grafana.v2 import FOLDER_ANNOTATION, to_v2_resource, to_v2_spec
from dashkit.grafana.v2_read import from_v2_spec
from dashkit.lint.run import json_subjects
from dashkit.project.pipeline import build
from dashkit.project.provisioning import ProviderOptions


def _v2_cannot_say(model):
    """The classic model without what v2 has no place for: row ids, and a panel link's
    dashboard-link fields (v2's DataLink is title, url, targetBlank); with what v2 says that the
    classic model leaves to defaults: a legend's ``showLegend`` (buildVizConfig: true unless
    said), a field config's ``defaults`` and ``overrides`` (VizConfig requires both), an interval
    variable's refresh (buildIntervalVariable: always on time range change)."""
    model = json.loads(json.dumps(model))
    for variable in model["templating"]["list"]:
        if variable["type"] == "interval":
            variable["refresh"] = 2
    for panel in iter_panels(model["panels"]):
        if panel.get("type") == "row":
            panel.pop("id")
            continue
        config = panel.setdefault("fieldConfig", {})
        config.setdefault("defaults", {})
        config.setdefault("overrides", [])
        legend = panel.get("options", {}).get("legend")
        if isinstance(legend, dict):
            legend.setdefault("showLegend", True)
        for link in panel.get("links", []):
            for key in list(link):
                if key not in ("title", "url", "targetBlank"):
                    del link[key]
    return model


@pytest.mark.parametrize("uid", PROJECT_UIDS)
def test_v2_round_trip_keeps_every_field_v2_can_hold(uid, compiled):
    model = compiled[uid].model
    back = from_v2_spec(json.loads(json.dumps(to_v2_spec(model))), uid)
    assert _v2_cannot_say(back) == _v2_cannot_say(model)


def test_an_empty_description_survives_the_round_trip(compiled):
    """The copy-add-a-dashboard suite found it: a dashboard without a description says ``""``."""
    model = dict(compiled[PROJECT_UIDS[0]].model, description="")
    model["panels"] = [dict(model["panels"][1], description="")]
    back = from_v2_spec(json.loads(json.dumps(to_v2_spec(model))), model["uid"])
    assert back["description"] == "" and back["panels"][0]["description"] == ""


def test_rows_become_a_rows_layout_with_positions_relative_to_their_row(compiled):
    model = compiled["easymo-infrastructure"].model
    spec = to_v2_spec(model)
    rows = spec["layout"]["spec"]["rows"]
    titles = [p["title"] for p in model["panels"] if p["type"] == "row"]
    assert [r["spec"]["title"] for r in rows] == titles
    second_row = [p for p in model["panels"] if p["type"] == "row"][1]
    first_item = rows[1]["spec"]["layout"]["spec"]["items"][0]["spec"]
    panel = spec["elements"][first_item["element"]["name"]]["spec"]
    classic = next(p for p in model["panels"] if p.get("id") == panel["id"])
    assert first_item["y"] == classic["gridPos"]["y"] - second_row["gridPos"]["y"] - 1
    assert (first_item["x"], first_item["width"], first_item["height"]) == (
        classic["gridPos"]["x"], classic["gridPos"]["w"], classic["gridPos"]["h"])


def test_queries_are_data_query_kinds_of_their_datasource(compiled):
    model = compiled["easymo-service-health"].model
    spec = to_v2_spec(model)
    classic = next(p for p in iter_panels(model["panels"]) if p.get("targets"))
    element = spec["elements"][f"panel-{classic['id']}"]["spec"]
    query = element["data"]["spec"]["queries"][0]["spec"]
    assert query["refId"] == classic["targets"][0]["refId"]
    assert query["query"]["group"] == classic["targets"][0]["datasource"]["type"]
    assert query["query"]["datasource"] == {"name": classic["targets"][0]["datasource"]["uid"]}
    assert query["query"]["spec"]["expr"] == classic["targets"][0]["expr"]
    assert element["vizConfig"]["group"] == classic["type"]


def test_build_schema_v2_writes_the_trees_grafana_reads(tmp_path):
    options = ProviderOptions(folder="EasyMO")
    build(ROOT / "dashboards", tmp_path / "out", options, schema="v2")
    provider = yaml.safe_load((tmp_path / "out/provisioning/dashboards/dashkit.yaml").read_text())
    folder_uid = provider["providers"][0]["folderUid"]
    for uid in PROJECT_UIDS:
        resource = json.loads((tmp_path / "out/dashboards" / f"{uid}.json").read_text())
        assert resource["apiVersion"] == "dashboard.grafana.app/v2"
        assert resource["kind"] == "Dashboard"
        # file provisioning: a folder annotation must equal the provider's folderUid; no namespace
        assert resource["metadata"] == {"name": uid, "annotations": {FOLDER_ANNOTATION: folder_uid}}
        # Git Sync: the folder is the directory; Grafana writes back metadata.name alone
        synced = json.loads((tmp_path / "out/git-sync/easymo" / f"{uid}.json").read_text())
        assert synced["metadata"] == {"name": uid}
        assert synced["spec"] == resource["spec"]
    folder = json.loads((tmp_path / "out/git-sync/easymo/_folder.json").read_text())
    assert folder == {"apiVersion": "folder.grafana.app/v1beta1", "kind": "Folder",
                      "metadata": {"name": folder_uid}, "spec": {"title": "EasyMO"}}


def test_build_schema_v2_is_deterministic(tmp_path):
    for name in ("a", "b"):
        build(ROOT / "dashboards", tmp_path / name, schema="v2")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
                         for f in files)


def test_an_unknown_schema_is_one_error_and_writes_nothing(tmp_path):
    with pytest.raises(DashkitError, match="unknown dashboard schema 'v3'"):
        build(ROOT / "dashboards", tmp_path / "out", schema="v3")
    assert not (tmp_path / "out").exists()


def test_import_and_lint_read_v2_and_v1_resources_as_the_classic_model(tmp_path, compiled):
    model = compiled["easymo-error-tracking"].model
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps(to_v2_resource(model, folder_uid="f")))
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps({"apiVersion": "dashboard.grafana.app/v1", "kind": "Dashboard",
                              "metadata": {"name": model["uid"]},
                              "spec": {k: v for k, v in model.items() if k != "uid"}}))
    (loaded_v2,), (loaded_v1,) = load_json(v2), load_json(v1)
    assert (loaded_v2.wrapper, loaded_v1.wrapper) == ("resource-v2", "resource-v1")
    assert loaded_v1.model == model
    assert _v2_cannot_say(loaded_v2.model) == _v2_cannot_say(model)
    subjects, problems = json_subjects([tmp_path])
    assert problems == [] and sorted(s.model["uid"] for s in subjects) == [model["uid"]] * 2


def test_a_resource_whose_spec_is_no_dashboard_is_one_clear_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"apiVersion": "dashboard.grafana.app/v2", "kind": "Dashboard",
                                "metadata": {"name": "x"}, "spec": {"title": "t", "elements": 5,
                                                                    "layout": "nope"}}))
    (loaded,) = load_json(path)  # hostile shapes read as nothing, never as a crash
    assert loaded.model["panels"] == [] and loaded.model["title"] == "t"
    path.write_text(json.dumps({"apiVersion": "dashboard.grafana.app/v1", "kind": "Dashboard",
                                "metadata": {"name": "x"}, "spec": {"nothing": 1}}))
    with pytest.raises(DashkitError, match="spec is not a dashboard"):
        load_json(path)


def test_the_corpus_keeps_its_panels_and_queries_through_v2():
    loaded, _ = load_json_paths([SHARED / "corpus"])
    assert len(loaded) == 18
    for item in loaded:
        back = from_v2_spec(json.loads(json.dumps(to_v2_spec(item.model))), "x")
        def summary(model):
            return sorted((p.get("title", ""), p.get("type", "")) for p in iter_panels(model["panels"])
                          if p.get("type") != "row"), sorted(
                str(t.target.get("expr", t.target.get("query", ""))) for t in iter_targets(model))
        assert summary(back) == summary(item.model), item.source


HOSTILE_SPECS = [
    {"title": "t", "layout": {"kind": "GridLayout", "spec": {"items": [
        {"spec": {"x": "1", "y": None, "width": True, "height": 1e300, "element": {"name": "a"}}},
        "not an item", None]}}, "elements": {"a": {"kind": "Panel", "spec": {
            "id": "7", "vizConfig": [], "data": {"spec": {"queries": [None, {"spec": 5}]}}}}}},
    {"title": "t", "layout": {"kind": "RowsLayout", "spec": {"rows": [{"spec": {"layout": 3}}]}},
     "elements": [], "variables": [{"kind": "QueryVariable", "spec": None}, 7],
     "annotations": [None, {"spec": {"query": "x"}}], "timeSettings": {"fiscalYearStartMonth": "x"}},
]


def _nested(depth):
    layout = {"kind": "GridLayout", "spec": {"items": []}}
    for _ in range(depth):
        layout = {"kind": "RowsLayout", "spec": {"rows": [{"spec": {"layout": layout}}]}}
    return {"title": "deep", "layout": layout, "elements": {}}


@pytest.mark.parametrize("spec", [*HOSTILE_SPECS, _nested(120)])
def test_a_hostile_v2_file_is_read_or_refused_in_one_line_never_a_crash(tmp_path, spec):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"apiVersion": "dashboard.grafana.app/v2", "kind": "Dashboard",
                                "metadata": {"name": "h"}, "spec": spec}))
    try:
        (loaded,) = load_json(path)
    except DashkitError as error:
        assert "\n" not in str(error) and "hostile.json" in str(error)
    else:
        assert loaded.model["uid"] == "h" and isinstance(loaded.model["panels"], list)
