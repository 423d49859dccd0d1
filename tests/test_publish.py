"""``dashkit publish`` end to end through the CLI, against the Grafana API stand-in
(tests/standins/grafana_api.py, a test double of CONTRACT.md §4 and §6, not Grafana)."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DASHBOARDS, PROJECT_UIDS
from standins.grafana_api import PROFILES, VERSIONS_TO_KEEP, Fault, GrafanaAPIStandIn

from dashkit.cli import main

TOKEN = "glsa_Secret0123456789abcdefghijklmnop_1a2b3c4d"
UIDS = PROJECT_UIDS
N = len(UIDS)


@pytest.fixture(params=["grafana_11_3"])
def api(request) -> Iterator[GrafanaAPIStandIn]:
    standin = GrafanaAPIStandIn(profile=request.param, token=TOKEN).start()
    yield standin
    standin.stop()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the EasyMO dashboards that a test may edit."""
    return Path(shutil.copytree(DASHBOARDS, tmp_path / "dashboards",
                                ignore=shutil.ignore_patterns("__pycache__")))


def publish(api: GrafanaAPIStandIn, *args: str, project: Path = DASHBOARDS,
            env: dict[str, str] | None = None) -> Result:
    # the classic API unless a test names another (a later --api wins)
    return CliRunner().invoke(main, ["publish", "--dashboards", str(project), "--grafana-url",
                                     api.url, "--folder", "EasyMO", "--api", "legacy", *args],
                              env={"GRAFANA_TOKEN": TOKEN, "GRAFANA_USER": None,
                                   "GRAFANA_PASSWORD": None} if env is None else env)


def rename_panel(project: Path) -> None:
    module = project / "system_overview.py"
    module.write_text(module.read_text().replace('"Health by job"', '"Health of every job"'))


def test_first_publish_creates_everything_in_the_folder(api):
    result = publish(api)
    assert result.exit_code == 0, result.output
    assert sorted(api.dashboards) == UIDS
    assert api.folders["easymo"]["title"] == "EasyMO"
    for stored in api.dashboards.values():
        assert stored.version == 1 and stored.folder_uid == "easymo"
        assert stored.data["dashkit"]["hash"].startswith("sha256:")
    assert f"{N} dashboards: {N} create" in result.output
    assert f"{api.url}/d/easymo-service-health/easymo-service-health" in result.output


def test_second_publish_writes_nothing(api):
    publish(api)
    writes_before = len(api.writes())
    result = publish(api)
    assert result.exit_code == 0, result.output
    assert len(api.writes()) == writes_before
    assert all(d.version == 1 for d in api.dashboards.values())
    assert f"{N} dashboards: {N} unchanged" in result.output and "0 writes" in result.output


def test_a_changed_dashboard_is_updated_with_version_and_folder(api, project):
    publish(api, project=project)
    rename_panel(project)
    result = publish(api, project=project)
    assert result.exit_code == 0, result.output
    stored = api.dashboards["easymo-system-overview"]
    assert stored.version == 2 and stored.folder_uid == "easymo"
    assert [r.path for r in api.writes()][-1] == "/api/dashboards/db"
    assert "renamed to 'Health of every job'" in result.output
    assert "1 update" in result.output and f"{N - 1} unchanged" in result.output


@pytest.mark.parametrize("api", PROFILES, indirect=True)
def test_an_edit_made_in_grafana_is_refused_without_force(api, project):
    publish(api, project=project)
    published = api.dashboards["easymo-infrastructure"]
    edited = json.loads(json.dumps(published.data))
    edited["description"] = "tuned in the UI"
    edited["panels"][1]["title"] = "Renamed in the UI"
    api.put_dashboard(edited, folder_uid="easymo")
    rename_panel(project)
    (project / "infrastructure.py").write_text(
        (project / "infrastructure.py").read_text().replace('"Load average"', '"Load"'))
    refused = publish(api, project=project)
    assert refused.exit_code == 1
    assert api.dashboards["easymo-infrastructure"].data["description"] == "tuned in the UI"
    assert "edited in Grafana since dashkit published it" in refused.output
    # the edit made in Grafana, against the version dashkit published (read from Grafana's
    # history), field by field; the build's own change is not part of it
    assert (f"easymo-infrastructure: edited in Grafana: version {published.version} (published "
            f"by dashkit) -> version {published.version + 1}") in refused.output
    assert '~ dashboard description: ' in refused.output and '-> "tuned in the UI"' in refused.output
    assert "renamed to 'Renamed in the UI'" in refused.output
    assert "renamed to 'Load'" not in refused.output
    assert api.dashboards["easymo-system-overview"].version == 2  # the others still publish
    forced = publish(api, "--force", project=project)
    assert forced.exit_code == 0, forced.output
    assert api.dashboards["easymo-infrastructure"].data["description"] != "tuned in the UI"


def test_a_conflict_past_grafanas_history_is_diffed_against_the_build(api, project):
    """Grafana keeps the newest 20 saves: after more UI saves than that, the published version
    is gone, and the conflict says so and shows the edit against the build instead."""
    publish(api, project=project)
    edited = dict(api.dashboards["easymo-infrastructure"].data, description="tuned in the UI")
    for _ in range(VERSIONS_TO_KEEP):
        api.put_dashboard(edited, folder_uid="easymo")
    refused = publish(api, project=project)
    assert refused.exit_code == 1
    assert ("easymo-infrastructure: as edited in Grafana -> as built (the published version is "
            "no longer in Grafana's history") in refused.output
    assert '~ dashboard description: "tuned in the UI" -> ' in refused.output


def test_a_dashboard_not_published_by_dashkit_is_not_taken_over(api):
    api.add_folder("easymo", "EasyMO")
    api.put_dashboard({"uid": "easymo-system-overview", "title": "Hand made"}, "easymo")
    result = publish(api)
    assert result.exit_code == 1
    assert "not published by dashkit" in result.output
    assert api.dashboards["easymo-system-overview"].title == "Hand made"


@pytest.mark.parametrize("api", PROFILES, indirect=True)
def test_a_change_between_read_and_write_is_a_conflict(api, project):
    publish(api, project=project)
    rename_panel(project)

    def someone_saves(uid: str) -> None:
        api.put_dashboard(api.dashboards[uid].data, folder_uid="easymo")

    api.after_read = someone_saves
    writes_before = len(api.writes())
    result = publish(api, "easymo-system-overview", project=project)
    assert result.exit_code == 1
    expected = "409" if api.profile == "grafana_13_2" else "412"
    assert f"changed in Grafana between read and write (HTTP {expected}" in result.output
    assert len(api.writes()) == writes_before + 1  # one attempt, never retried blindly


def test_provisioned_dashboards_are_reported_with_a_hint(api, project):
    publish(api, project=project)
    api.dashboards["easymo-system-overview"].provisioned = True
    rename_panel(project)
    result = publish(api, project=project)
    assert result.exit_code == 1
    assert "provisioned" in result.output and "change the provisioning files" in result.output
    assert api.dashboards["easymo-system-overview"].version == 1


def test_provisioned_refusal_on_save_is_recognised(api, project):
    publish(api, project=project)
    rename_panel(project)
    api.faults.append(Fault("POST", "/api/dashboards/db", 400,
                            body={"message": "Cannot save provisioned dashboard"}))
    result = publish(api, project=project)
    assert result.exit_code == 1 and "change the provisioning files" in result.output


def test_prune_deletes_only_dashboards_dashkit_published(api):
    publish(api)
    marked = dict(api.dashboards["easymo-system-overview"].data, uid="old-dashboard", title="Old")
    marked["dashkit"] = dict(marked["dashkit"])
    from dashkit.grafana.compare import content_hash
    marked["dashkit"]["hash"] = content_hash(marked)
    api.put_dashboard(marked, folder_uid="easymo")
    api.put_dashboard({"uid": "hand-made", "title": "Hand made"}, folder_uid="easymo")
    api.put_dashboard(dict(marked, uid="elsewhere", title="Elsewhere"), folder_uid="")
    # published by dashkit, then edited in Grafana: its marker's hash no longer matches
    api.put_dashboard(dict(marked, uid="edited-old", title="Edited old", description="by hand"),
                      folder_uid="easymo")
    result = publish(api, "--prune")
    assert result.exit_code == 1, result.output  # the edited one is a conflict
    assert "old-dashboard" not in api.dashboards
    assert {"hand-made", "elsewhere", "edited-old"} <= set(api.dashboards)
    assert "1 delete" in result.output and "1 conflict" in result.output
    assert "edited in Grafana since publish: not deleted" in result.output


def test_prune_with_named_dashboards_is_a_usage_error(api):
    result = publish(api, "--prune", "easymo-system-overview")
    assert result.exit_code == 2 and not api.requests


def test_wrong_token_is_refused_and_never_printed(api):
    result = publish(api, "--verbose", env={"GRAFANA_TOKEN": "glsa_wrong_token_value_123456"})
    assert result.exit_code == 1
    assert "Grafana refused the credentials (HTTP 401: Invalid API key)" in result.output
    assert "glsa_wrong_token_value_123456" not in result.output
    assert not api.writes()
    accepted = publish(api, "--verbose")
    assert accepted.exit_code == 0 and TOKEN not in accepted.output
    assert "GET /api/health -> 200" in accepted.output  # the trace is there, the token is not


def test_token_file_and_basic_auth(api, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    assert publish(api, "--token-file", str(token_file), env={}).exit_code == 0
    basic = publish(api, env={"GRAFANA_USER": "admin", "GRAFANA_PASSWORD": "admin-password"})
    assert basic.exit_code == 0 and "admin-password" not in basic.output


def test_no_credentials_is_a_usage_error(api):
    result = publish(api, env={})
    assert result.exit_code == 2 and "GRAFANA_TOKEN" in result.output and not api.requests


def test_unhealthy_grafana_stops_before_any_write(api, retry_waits):
    api.healthy = False
    result = publish(api)
    assert result.exit_code == 1
    assert "not healthy (HTTP 503, database failing); nothing was written" in result.output
    assert {r.path for r in api.requests} == {"/api/health"} and not api.writes()


def test_unreachable_grafana_is_one_clear_line(tmp_path, retry_waits):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(main, ["publish", "--grafana-url", f"http://127.0.0.1:{port}",
                                       "--dashboards", str(DASHBOARDS), "--timeout", "1"],
                                env={"GRAFANA_TOKEN": TOKEN})
    assert result.exit_code == 1
    assert f"cannot reach Grafana at http://127.0.0.1:{port}: ConnectionError" in result.output
    assert len(retry_waits) == 4  # five attempts, a wait between each two


def test_throttling_and_resets_are_retried(api):
    api.faults += [Fault("GET", "/api/health", 503, headers={"Retry-After": "0"}),
                   Fault("GET", "/api/dashboards/uid/", 429, times=2, headers={"Retry-After": "1"}),
                   Fault("POST", "/api/dashboards/db", 502),
                   Fault("POST", "/api/dashboards/db", None)]  # connection reset
    result = publish(api)
    assert result.exit_code == 0, result.output
    assert sorted(api.dashboards) == UIDS
    statuses = [r.status for r in api.requests]
    assert statuses.count(429) == 2 and 502 in statuses and 0 in statuses


@pytest.mark.parametrize("status,message", [(500, "Internal Server Error"),
                                            (400, "Dashboard title cannot be empty")])
def test_a_server_or_client_error_is_not_retried_and_the_rest_is_published(api, status, message):
    api.faults.append(Fault("POST", "/api/dashboards/db", status, body={"message": message}))
    result = publish(api)
    assert result.exit_code == 1
    assert len(api.dashboards) == N - 1
    failed = (set(UIDS) - set(api.dashboards)).pop()
    assert f"Not published: {failed} (failed: HTTP {status}: {message})" in result.output
    assert [r.status for r in api.requests].count(status) == 1  # sent once, not retried


def test_dry_run_writes_nothing_and_shows_the_changes(api, project):
    dry = publish(api, "--dry-run", project=project)
    assert dry.exit_code == 0 and not api.writes()
    assert "would create" in dry.output
    publish(api, project=project)
    rename_panel(project)
    writes_before = len(api.writes())
    dry = publish(api, "--dry-run", project=project)
    assert len(api.writes()) == writes_before
    assert "would update" in dry.output
    assert "~ panel 'Health by job' renamed to 'Health of every job'" in dry.output
    assert '"type"' not in dry.output  # a readable diff, not a JSON dump


def test_existing_folder_and_folder_race_are_accepted(api):
    # missing when checked, and again when created before the first write
    api.faults.append(Fault("GET", "/api/folders/easymo", 404, times=2,
                            body={"status": "not-found", "message": "folder not found"}))
    api.add_folder("easymo", "EasyMO")  # created by someone else just before our POST
    result = publish(api)
    assert result.exit_code == 0, result.output
    assert [r.status for r in api.requests if r.path == "/api/folders"] == [409]


@pytest.mark.parametrize("api", PROFILES, indirect=True)
def test_every_profile_publishes_and_is_idempotent(api):
    assert publish(api).exit_code == 0
    writes = len(api.writes())
    assert publish(api).exit_code == 0 and len(api.writes()) == writes


def test_python_api_returns_a_result_per_dashboard(api):
    from dashkit import compile_project, load_project
    from dashkit.remote import Credentials, FolderTarget, GrafanaClient
    from dashkit.remote import publish as publish_api

    client = GrafanaClient(api.url, Credentials.token(TOKEN))
    report = publish_api(compile_project(load_project(DASHBOARDS)), client, FolderTarget("EasyMO"))
    assert [r.action.value for r in report.results] == ["create"] * N
    assert report.ok and report.writes == N + 1  # the folder and every dashboard
    assert TOKEN not in repr(client.session.auth)


class TestStandInContract:
    """The stand-in itself follows CONTRACT.md where the client never goes."""

    def post(self, api, body):
        import requests

        return requests.post(f"{api.url}/api/dashboards/db", json=body,
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)

    def test_update_without_folder_uid_moves_to_root(self, api):
        api.add_folder("f", "F")
        assert self.post(api, {"dashboard": {"uid": "d", "title": "D"}, "folderUid": "f"}).ok
        moved = self.post(api, {"dashboard": {"uid": "d", "title": "D", "version": 1}})
        assert moved.json()["version"] == 2 and api.dashboards["d"].folder_uid == ""

    def test_missing_version_is_a_version_mismatch(self, api):
        self.post(api, {"dashboard": {"uid": "d", "title": "D"}})
        response = self.post(api, {"dashboard": {"uid": "d", "title": "D"}})
        assert response.status_code == 412 and response.json()["status"] == "version-mismatch"

    @pytest.mark.parametrize("api", ["grafana_10"], indirect=True)
    def test_title_must_be_unique_in_a_folder_before_11_3(self, api):
        self.post(api, {"dashboard": {"uid": "a", "title": "Same"}})
        response = self.post(api, {"dashboard": {"uid": "b", "title": "Same"}})
        assert response.status_code == 412 and response.json()["status"] == "name-exists"

    def test_search_limit(self, api):
        import requests

        response = requests.get(f"{api.url}/api/search", params={"limit": 5001},
                                headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert response.status_code == 422
        assert json.loads(response.text)["message"].startswith("Limit is above maximum")


def test_a_dry_run_names_each_changed_field(api, project):
    publish(api, project=project)
    source = project / "service_health.py"
    text = source.read_text()
    assert text.count('unit="s"') >= 1 and text.count('"lag {{instance}}"') == 1
    source.write_text(text.replace('"lag {{instance}}"', '"event loop lag {{instance}}"'))
    result = publish(api, "--dry-run", "easymo-service-health", project=project)
    assert result.exit_code == 0, result.output
    assert ('query A legendFormat: "lag {{instance}}" -> "event loop lag {{instance}}"'
            in result.output), result.output


@pytest.mark.parametrize("answer", [{"versions": "junk"}, [1, None, {"version": "1", "message":
                                    "Published by dashkit"}], "not json at all"])
def test_a_history_answer_of_the_wrong_shape_falls_back_to_the_build(api, project, answer):
    publish(api, project=project)
    edited = dict(api.dashboards["easymo-infrastructure"].data, description="tuned in the UI")
    api.put_dashboard(edited, folder_uid="easymo")
    api.faults.append(Fault("GET", "/api/dashboards/uid/easymo-infrastructure/versions", 200,
                            body=answer))
    refused = publish(api, project=project)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "the published version is no longer in Grafana's history" in refused.output
