"""Two projects publishing to one Grafana (the stand-in, tests/standins/grafana_api.py: a test
double of CONTRACT.md, not Grafana), through the classic API and the dashboard API in both
schemas: what one project publishes, another never updates, moves or prunes without --force;
prune reads each candidate before it deletes; a save counts only when Grafana's answer proves
it. The ownership rules are the README's table ("Who may change what")."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import both_apis
import pytest
from both_apis import WAYS
from conftest import DASHBOARDS, PROJECT_UIDS
from standins.grafana_api import Fault
from test_publish import publish, rename_panel

from dashkit.grafana.compare import content_hash
from dashkit.publishing.resources import MANAGED_LABEL, MARKER_ANNOTATION

api, way = both_apis.api, both_apis.way  # the fixtures, shared with the other file

N = len(PROJECT_UIDS)
A, B = "payments-1a2b", "search-3c4d"


def team(tmp_path: Path, name: str, *, without: str = "") -> Path:
    """A copy of the EasyMO project whose dashkit.toml names it ``name``."""
    root = tmp_path / name
    shutil.copytree(DASHBOARDS, root / "dashboards", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "dashkit.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    if without:
        (root / "dashboards" / without).unlink()
    return root / "dashboards"


def run(api, project: Path, folder: str, way: tuple[str, ...], *args: str):
    return publish(api, "--folder", folder, *way, *args, project=project)


def owner(api, uid: str) -> str:
    """The project the stored dashboard's marker names, read where each API writes it."""
    stored = api.dashboards[uid]
    return stored.annotations.get("dashkit.dev/project") or stored.data["dashkit"]["project"]


def test_another_projects_dashboard_in_another_folder_is_refused_and_nothing_written(
        api, tmp_path, way):
    assert run(api, team(tmp_path, A), "Payments", way).exit_code == 0
    writes = len(api.writes())
    result = run(api, team(tmp_path, B), "Search", way)
    assert result.exit_code == 1, result.output
    assert f"{N} conflict" in result.output
    assert f"owned by project '{A}' in folder 'payments', not by this project ('{B}')" \
        in result.output
    assert len(api.writes()) == writes and "search" not in api.folders  # not even the folder
    assert all(d.folder_uid == "payments" and owner(api, d.uid) == A for d in api.dashboards.values())


def test_another_projects_dashboard_in_the_same_folder_is_refused(api, tmp_path, way):
    run(api, team(tmp_path, A), "Payments", way)
    writes = len(api.writes())
    result = run(api, team(tmp_path, B), "Payments", way)
    assert result.exit_code == 1 and f"{N} conflict" in result.output, result.output
    assert f"not by this project ('{B}')" in result.output and len(api.writes()) == writes


def test_force_takes_over_and_the_first_owner_is_then_refused(api, tmp_path, way):
    first = team(tmp_path, A)
    run(api, first, "Payments", way)
    taken = run(api, team(tmp_path, B), "Search", way, "--force")
    assert taken.exit_code == 0 and f"{N} update" in taken.output, taken.output
    assert all(d.folder_uid == "search" and owner(api, d.uid) == B for d in api.dashboards.values())
    back = run(api, first, "Payments", way)
    assert back.exit_code == 1 and f"owned by project '{B}'" in back.output, back.output


def test_a_move_to_another_folder_needs_force_even_for_the_owner(api, tmp_path, way):
    project = team(tmp_path, A)
    run(api, project, "Payments", way)
    writes = len(api.writes())
    moved = run(api, project, "Payments v2", way)
    assert moved.exit_code == 1 and f"{N} conflict" in moved.output, moved.output
    assert "in folder 'payments', the build says 'payments-v2'" in moved.output
    assert len(api.writes()) == writes
    forced = run(api, project, "Payments v2", way, "--force")
    assert forced.exit_code == 0, forced.output
    assert {d.folder_uid for d in api.dashboards.values()} == {"payments-v2"}


def test_a_dry_run_names_the_take_over(api, tmp_path, way):
    run(api, team(tmp_path, A), "Payments", way)
    dry = run(api, team(tmp_path, B), "Search", way, "--force", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"~ owner project '{A}' -> project '{B}'" in dry.output
    assert "~ folder payments -> search" in dry.output


def test_prune_never_deletes_another_projects_dashboard(api, tmp_path, way):
    run(api, team(tmp_path, A), "Payments", way)
    smaller = team(tmp_path, B, without="system_overview.py")
    result = run(api, smaller, "Payments", way, "--force", "--prune")
    assert result.exit_code == 0 and f"{N - 1} update" in result.output, result.output
    assert owner(api, "easymo-system-overview") == A  # not B's: --force does not widen prune
    assert not [r for r in api.writes() if r.method == "DELETE"]


def test_the_owner_survives_a_save_in_grafanas_ui(api, tmp_path, way):
    first = team(tmp_path, A)
    run(api, first, "Payments", way)
    stored = api.dashboards["easymo-infrastructure"]
    # the UI sends the dashboard JSON and the metadata it loaded back (dashboard/api/v2.ts)
    api.put_dashboard(dict(json.loads(json.dumps(stored.data)), description="tuned in the UI"),
                      folder_uid="payments")
    other = run(api, team(tmp_path, B), "Payments", way, "easymo-infrastructure")
    assert other.exit_code == 1 and f"owned by project '{A}'" in other.output, other.output
    mine = run(api, first, "Payments", way, "easymo-infrastructure")
    assert mine.exit_code == 1 and "edited in Grafana since dashkit published it" in mine.output


@pytest.mark.parametrize("before,after", [(WAYS["classic"], ("--api", "auto")),
                                          (WAYS["dashboard-api-v1"], WAYS["classic"])])
def test_a_dashboard_published_through_one_api_is_recognised_through_the_other(
        api, tmp_path, before, after):
    project = team(tmp_path, A)
    assert run(api, project, "Payments", before).exit_code == 0
    rename_panel(project)  # Grafana upgraded (or a fleet of both): the next publish changes one
    result = run(api, project, "Payments", after)
    assert result.exit_code == 0, result.output
    assert "1 update" in result.output and f"{N - 1} unchanged" in result.output


def test_prune_reads_each_candidate_instead_of_trusting_the_search(api, tmp_path):
    project = team(tmp_path, A)
    run(api, project, "Payments", WAYS["classic"])
    # published by this project long ago, into the root folder: its marker intact
    root = dict(json.loads(json.dumps(api.dashboards["easymo-system-overview"].data)),
                uid="root-dashboard")
    root["dashkit"] = {"hash": content_hash(root), "project": A, "folder": ""}
    api.put_dashboard(root, folder_uid="")
    # a search that ignores folderUIDs, and a hit without folderUid (Grafana's hit has one
    # only for a dashboard in a folder: pkg/services/search/model Hit, `folderUid,omitempty`)
    api.faults.append(Fault("GET", "/api/search", 200, body=[
        {"uid": "root-dashboard", "title": "Root", "type": "dash-db"}]))
    result = run(api, project, "Payments", WAYS["classic"], "--prune")
    assert result.exit_code == 0, result.output
    assert "root-dashboard" in api.dashboards and "delete" not in result.output


@pytest.mark.parametrize("schema", ["v1", "v2"])
def test_prune_reads_each_candidate_instead_of_trusting_the_label_list(api, tmp_path, schema):
    project, way = team(tmp_path, A), ("--api", "dashboards", "--schema", schema)
    run(api, project, "Payments", way)
    root = api.put_dashboard(dict(json.loads(json.dumps(
        api.dashboards["easymo-system-overview"].data)), uid="root-dashboard"), folder_uid="")
    # published by this project, its marker intact, but in the root folder
    root.annotations = {MARKER_ANNOTATION: content_hash(api.resources.resource(root, schema)["spec"]),
                        "dashkit.dev/project": A, "dashkit.dev/folder": "payments"}
    root.labels = {MANAGED_LABEL: "true"}
    claimed = api.resources.resource(root, schema)
    claimed["metadata"]["annotations"]["grafana.app/folder"] = "payments"  # what the list says
    api.resources._list = lambda version, query: (200, {  # type: ignore[method-assign]
        "kind": "DashboardList", "metadata": {}, "items": [claimed]}, {})
    result = run(api, project, "Payments", way, "--prune")
    assert result.exit_code == 0, result.output
    assert "root-dashboard" in api.dashboards and "delete" not in result.output


def test_a_marker_from_before_ownership_is_adopted_by_the_folders_project(api, tmp_path):
    project = team(tmp_path, A)
    run(api, project, "Payments", WAYS["classic"])
    for stored in api.dashboards.values():  # as a dashkit before ownership marked them
        stored.data["dashkit"] = {"hash": stored.data["dashkit"]["hash"]}
    rename_panel(project)
    result = run(api, project, "Payments", WAYS["classic"])
    assert result.exit_code == 0 and "1 update" in result.output, result.output
    assert owner(api, "easymo-system-overview") == A


HTML = b"<!DOCTYPE html><html><body>Sign in</body></html>"


@pytest.mark.parametrize("status,body,said", [
    (200, HTML, "HTTP 200, text/html, '<!DOCTYPE html><html><body>Sign in</body></html>'"),
    (200, {"message": "ok"}, "HTTP 200, application/json, \"{'message': 'ok'}\""),
    (200, {"status": "success", "uid": "someone-else", "version": 2}, "'uid': 'someone-else'"),
    (200, {"status": "success", "uid": "easymo-system-overview"}, "'status': 'success'")])
def test_a_classic_save_counts_only_when_the_answer_proves_it(api, tmp_path, status, body, said):
    content_type = "text/html; charset=utf-8" if isinstance(body, bytes) else "application/json"
    api.faults.append(Fault("POST", "/api/dashboards/db", status, body=body,
                            content_type=content_type))
    result = run(api, team(tmp_path, A), "Payments", WAYS["classic"], "easymo-system-overview")
    assert result.exit_code == 1, result.output
    assert "does not prove the save" in result.output and said in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("schema", ["v1", "v2"])
@pytest.mark.parametrize("status,body,said", [
    (201, HTML, "HTTP 201, text/html"),
    (200, {"metadata": {"name": "someone-else", "resourceVersion": "7"}, "spec": {}},
     "'name': 'someone-else'"),
    (201, {"metadata": {"name": "easymo-system-overview"}, "spec": {}}, "HTTP 201")])
def test_a_dashboard_api_save_counts_only_when_the_answer_proves_it(api, tmp_path, schema,
                                                                   status, body, said):
    content_type = "text/html" if isinstance(body, bytes) else "application/json"
    api.faults.append(Fault("POST", "/apis/dashboard.grafana.app/", status, body=body,
                            content_type=content_type))
    result = run(api, team(tmp_path, A), "Payments", ("--api", "dashboards", "--schema", schema),
                 "easymo-system-overview")
    assert result.exit_code == 1 and "does not prove the save" in result.output, result.output
    assert said in result.output


def test_a_wrong_url_behind_a_login_proxy_stores_nothing_and_says_so(api, tmp_path):
    api.wrong_url_behind_proxy = True  # GETs: 404 HTML; writes: 200 HTML
    result = run(api, team(tmp_path, A), "Payments", ("--api", "auto"))
    assert result.exit_code == 1, result.output
    assert "cannot create folder 'Payments' (payments): HTTP 200, text/html" in result.output
    assert "Traceback" not in result.output
    assert not api.dashboards and not api.folders
