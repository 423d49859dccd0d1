"""``dashkit publish`` through Grafana's dashboard API (``/apis/dashboard.grafana.app``), v1 and
v2, against the stand-in (tests/standins/grafana_resources.py: a test double of CONTRACT.md
§4.8 read from Grafana's source, not Grafana). The classic path's scenarios are in
test_publish.py; here each runs again through the dashboard API, in both schemas."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import test_publish
from conftest import PROJECT_UIDS
from standins.grafana_api import VERSIONS_TO_KEEP, Fault, GrafanaAPIStandIn
from test_publish import TOKEN, publish, rename_panel

from dashkit.grafana.compare import content_hash
from dashkit.publishing.resources import MANAGED_LABEL, MARKER_ANNOTATION

UIDS = PROJECT_UIDS
N = len(UIDS)
APIS = "/apis/dashboard.grafana.app/"
project = test_publish.project  # the fixture: a copy a test may edit, not conftest's shared one


@pytest.fixture(params=["v1", "v2"])
def schema(request) -> str:
    return str(request.param)


@pytest.fixture
def api() -> Iterator[GrafanaAPIStandIn]:
    standin = GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()
    yield standin
    standin.stop()


def publish_via(api, schema, *args, **options):
    return publish(api, "--api", "dashboards", "--schema", schema, *args, **options)


def dashboard_writes(api):
    return [r for r in api.writes() if "/dashboards" in r.path]


def test_first_publish_creates_resources_with_the_marker_in_metadata(api, schema):
    result = publish_via(api, schema)
    assert result.exit_code == 0, result.output
    assert sorted(api.dashboards) == UIDS
    posts = [r for r in dashboard_writes(api) if r.method == "POST"]
    assert [r.path for r in posts] == [f"{APIS}{schema}/namespaces/default/dashboards"] * N
    assert not any(r.path.startswith("/api/dashboards") for r in api.requests)
    for stored in api.dashboards.values():
        assert stored.folder_uid == "easymo" and stored.version == 1
        assert stored.labels == {MANAGED_LABEL: "true"}
        assert stored.annotations[MARKER_ANNOTATION].startswith("sha256:")
        assert stored.annotations["dashkit.dev/project"] == "easymo"  # no dashkit.toml: the folder
        assert stored.annotations["dashkit.dev/folder"] == "easymo"
        # a v1 spec also carries the classic marker, for the classic API; v2 has no room for it
        assert ("dashkit" in stored.data) == (schema == "v1")
        assert (stored.v2_spec is not None) == (schema == "v2")
    assert f"{N} dashboards: {N} create" in result.output


def test_second_publish_writes_nothing(api, schema):
    publish_via(api, schema)
    writes = len(api.writes())
    result = publish_via(api, schema)
    assert result.exit_code == 0 and len(api.writes()) == writes
    assert f"{N} unchanged" in result.output


def test_a_change_is_an_update_locked_by_resource_version(api, schema, project):
    publish_via(api, schema, project=project)
    rename_panel(project)
    result = publish_via(api, schema, project=project)
    assert result.exit_code == 0, result.output
    (put,) = [r for r in dashboard_writes(api) if r.method == "PUT"]
    assert put.path.endswith("/dashboards/easymo-system-overview")
    assert api.dashboards["easymo-system-overview"].version == 2
    assert "1 update" in result.output


def test_an_edit_made_in_grafana_is_refused_without_force(api, schema, project):
    publish_via(api, schema, project=project)
    edited = json.loads(json.dumps(api.dashboards["easymo-infrastructure"].data))
    edited["description"] = "tuned in the UI"
    api.put_dashboard(edited, folder_uid="easymo")  # a UI save: the metadata comes back as is
    rename_panel(project)
    refused = publish_via(api, schema, project=project)
    assert refused.exit_code == 1
    assert "edited in Grafana since dashkit published it (version 2 by editor)" in refused.output
    # the edit made in Grafana, against the version dashkit published (read from Grafana's
    # history through the get-history list); the build's own change is not part of it
    assert ("easymo-infrastructure: edited in Grafana: version 1 (published by dashkit) -> "
            "version 2") in refused.output
    assert '-> "tuned in the UI"' in refused.output
    assert api.dashboards["easymo-infrastructure"].data["description"] == "tuned in the UI"
    assert api.dashboards["easymo-system-overview"].version == 2  # the others still publish
    forced = publish_via(api, schema, "--force", project=project)
    assert forced.exit_code == 0, forced.output
    assert api.dashboards["easymo-infrastructure"].data["description"] != "tuned in the UI"


def test_a_conflict_past_grafanas_history_is_diffed_against_the_build(api, schema, project):
    publish_via(api, schema, project=project)
    edited = dict(api.dashboards["easymo-infrastructure"].data, description="tuned in the UI")
    for _ in range(VERSIONS_TO_KEEP):
        api.put_dashboard(edited, folder_uid="easymo")
    refused = publish_via(api, schema, project=project)
    assert refused.exit_code == 1
    assert ("easymo-infrastructure: as edited in Grafana -> as built (the published version is "
            "no longer in Grafana's history") in refused.output
    assert '~ dashboard description: "tuned in the UI" -> ' in refused.output


def test_a_dashboard_not_published_by_dashkit_is_not_taken_over(api, schema):
    api.add_folder("easymo", "EasyMO")
    api.put_dashboard({"uid": "easymo-system-overview", "title": "Hand made", "panels": []},
                      "easymo")
    result = publish_via(api, schema)
    assert result.exit_code == 1 and "not published by dashkit" in result.output
    assert api.dashboards["easymo-system-overview"].title == "Hand made"


def test_a_change_between_read_and_write_is_a_kubernetes_conflict(api, schema, project):
    publish_via(api, schema, project=project)
    rename_panel(project)
    api.after_read = lambda uid: api.put_dashboard(api.dashboards[uid].data, folder_uid="easymo")
    writes = len(api.writes())
    result = publish_via(api, schema, "easymo-system-overview", project=project)
    assert result.exit_code == 1
    assert "changed in Grafana between read and write (HTTP 409: Operation cannot be fulfilled" \
        in result.output
    assert len(api.writes()) == writes + 1  # one attempt, never retried blindly


def test_a_dashboard_another_manager_owns_is_never_written(api, schema, project):
    publish_via(api, schema, project=project)
    api.dashboards["easymo-system-overview"].provisioned = True
    rename_panel(project)
    result = publish_via(api, schema, project=project)
    assert result.exit_code == 1
    assert "managed by classic-fp" in result.output and "provisioning files" in result.output
    assert api.dashboards["easymo-system-overview"].version == 1


def test_prune_deletes_only_what_dashkit_published_in_the_folder(api, schema):
    publish_via(api, schema)
    base = api.dashboards["easymo-system-overview"]

    def add(uid, folder, labels, data=None):
        stored = api.put_dashboard(dict(data or base.data, uid=uid, title=uid), folder_uid=folder)
        spec = api.resources.resource(stored, schema)["spec"]
        stored.labels = labels
        stored.annotations = {MARKER_ANNOTATION: content_hash(spec)} if labels else {}

    add("old-dashboard", "easymo", {MANAGED_LABEL: "true"})
    add("hand-made", "easymo", {})
    add("elsewhere", "", {MANAGED_LABEL: "true"})
    add("edited-old", "easymo", {MANAGED_LABEL: "true"})
    api.dashboards["edited-old"].data["description"] = "by hand"
    api.dashboards["edited-old"].v2_spec = None
    result = publish_via(api, schema, "--prune")
    assert result.exit_code == 1, result.output  # the edited one is a conflict
    assert "old-dashboard" not in api.dashboards
    assert {"hand-made", "elsewhere", "edited-old"} <= set(api.dashboards)
    assert "1 delete" in result.output and "1 conflict" in result.output
    deletes = [r.path for r in dashboard_writes(api) if r.method == "DELETE"]
    assert deletes == [f"{APIS}{schema}/namespaces/default/dashboards/old-dashboard"]


def test_prune_pages_through_the_list(api, schema, monkeypatch):
    from dashkit.publishing import resources

    monkeypatch.setattr(resources, "LIST_PAGE", 2)
    publish_via(api, schema)
    result = publish_via(api, schema, "--prune")
    assert result.exit_code == 0, result.output
    lists = [r for r in api.requests if r.method == "GET" and r.path.endswith("/dashboards")]
    assert len(lists) == (N + 1) // 2


def test_a_save_that_timed_out_is_read_back_not_re_sent(api, schema):
    api.faults.append(Fault("POST", APIS, None, apply=True, delay=3))  # lands, answers late
    result = publish_via(api, schema, "easymo-system-overview", "--timeout", "1")
    assert result.exit_code == 0, result.output
    assert "read back, it had landed" in result.output
    assert len([r for r in dashboard_writes(api) if r.method == "POST"]) == 1


def test_a_bad_gateway_on_save_is_read_back_before_any_resend(api, schema):
    api.faults.append(Fault("POST", APIS, 502, apply=True))
    result = publish_via(api, schema, "easymo-system-overview")
    assert result.exit_code == 0, result.output
    kinds = [(r.method, r.path) for r in api.requests]
    post = next(i for i, k in enumerate(kinds) if k[0] == "POST" and "/dashboards" in k[1])
    assert kinds[post + 1] == ("GET", f"{APIS}{schema}/namespaces/default/dashboards/"
                                      "easymo-system-overview")
    assert [k[0] for k in kinds].count("POST") == 2  # the folder, and the save once


def test_throttling_is_retried_and_a_server_error_is_not(api, schema):
    api.faults += [Fault("GET", APIS, 429, times=2, headers={"Retry-After": "0"}),
                   Fault("POST", APIS, 500, body={"kind": "Status", "message": "boom"})]
    result = publish_via(api, schema)
    assert result.exit_code == 1
    assert len(api.dashboards) == N - 1 and "HTTP 500: boom" in result.output
    assert [r.status for r in api.requests].count(429) == 2


def test_the_token_is_never_printed(api, schema):
    result = publish_via(api, schema, "--verbose")
    assert result.exit_code == 0 and TOKEN not in result.output


def test_auto_uses_the_dashboard_api_where_grafana_serves_it(api):
    result = publish(api, "--api", "auto")
    assert result.exit_code == 0, result.output
    assert any(r.path.startswith(f"{APIS}v1/") for r in api.writes())
    assert not any(r.path == "/api/dashboards/db" for r in api.requests)


@pytest.mark.parametrize("profile", ["grafana_10", "grafana_11_3"])
def test_auto_falls_back_to_the_classic_api_and_v2_needs_the_dashboard_api(profile):
    standin = GrafanaAPIStandIn(profile=profile, token=TOKEN).start()
    try:
        result = publish(standin, "--api", "auto")
        assert result.exit_code == 0, result.output
        assert any(r.path == "/api/dashboards/db" for r in standin.writes())
        standin.dashboards.clear()
        writes = len(standin.writes())
        refused = publish(standin, "--api", "auto", "--schema", "v2")
        assert refused.exit_code == 1 and "does not serve dashboard.grafana.app/v2" in refused.output
        assert len(standin.writes()) == writes
    finally:
        standin.stop()


def test_an_org_is_its_namespace(api, schema):
    api.resources.namespaces.add("org-2")
    result = publish_via(api, schema, "--org", "2")
    assert result.exit_code == 0, result.output
    assert all("/namespaces/org-2/" in r.path for r in dashboard_writes(api))
    missing = publish_via(api, schema, "--org", "3")
    assert missing.exit_code == 1 and 'namespaces \\"org-3\\" not found' not in missing.output
    assert 'namespaces "org-3" not found' in missing.output
    assert publish(api, "--api", "legacy", "--org", "2").exit_code == 2


@pytest.mark.parametrize("name,status,reason", [
    ("a" * 41, 400, "BadRequest"), ("with.dot", 400, "BadRequest"),
    ("bad/slash", 422, "Invalid"), ("x" * 254, 422, "Invalid")])
def test_the_stand_in_validates_names_as_grafana_does(api, name, status, reason):
    """The stand-in's own rules, so the client is tested against them (CONTRACT.md §4.8)."""
    code, body, _ = api.resources.handle(
        "POST", f"{APIS}v1/namespaces/default/dashboards",
        {}, json.dumps({"metadata": {"name": name}, "spec": {"title": "t"}}).encode())
    assert (code, body["kind"], body["reason"], body["code"]) == (status, "Status", reason, status)


def test_a_dry_run_writes_nothing_and_names_the_changes(api, schema, project):
    publish_via(api, schema, project=project)
    rename_panel(project)
    writes = len(api.writes())
    result = publish_via(api, schema, "--dry-run", project=project)
    assert result.exit_code == 0, result.output
    assert len(api.writes()) == writes
    assert "update" in result.output and "Health of every job" in result.output


@pytest.mark.parametrize("answer,said", [
    ({"groups": 5}, "does not serve dashboard.grafana.app/v1 or v1beta1"),
    ({"groups": [{"name": "dashboard.grafana.app", "versions": "v1"}]}, "does not serve"),
    ({"groups": [None, 7]}, "does not serve"),
    (["not", "an", "object"], "not an API list (is this Grafana?)")])
def test_a_discovery_answer_of_the_wrong_shape_is_one_line_and_writes_nothing(api, answer, said):
    api.faults.append(Fault("GET", "/apis", 200, body=answer))
    result = publish_via(api, "v1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert said in error
    assert not api.writes()
