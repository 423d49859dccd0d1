"""Many Grafanas in one run (``publish --target``/``--all-targets`` over dashkit.toml's
``[[targets]]``) and ``dashkit diff``, against Grafana API stand-ins (tests/standins/grafana_api.py,
test doubles of CONTRACT.md, not Grafana)."""
from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS, PROJECT_UIDS
from standins.grafana_api import GrafanaAPIStandIn
from test_publish import TOKEN, publish, rename_panel
from test_publish_ownership import WAYS

from dashkit.cli import main

N = len(PROJECT_UIDS)
STAGING, PRODUCTION = "glsa_staging_0123456789abcdef_0a1b2c3d", "glsa_production_0123456789abc_4e5f6a7b"


@pytest.fixture
def three() -> Iterator[list[GrafanaAPIStandIn]]:
    standins = [GrafanaAPIStandIn(profile="grafana_11_3", token=STAGING).start(),
                GrafanaAPIStandIn(profile="grafana_13_2", token=PRODUCTION).start(),
                GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()]
    yield standins
    for standin in standins:
        standin.stop()


def project_with_targets(tmp_path: Path, targets: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(DASHBOARDS, root / "dashboards", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "dashkit.toml").write_text('[project]\nname = "payments-1a2b"\n\n' + targets,
                                       encoding="utf-8")
    return root / "dashboards"


def targets_toml(staging: str, production: str, slow: str) -> str:
    return (f'[[targets]]\nname = "staging"\nurl = "{staging}"\ntoken_env = "STAGING_TOKEN"\n'
            f'api = "legacy"\n\n'
            f'[[targets]]\nname = "production"\nurl = "{production}"\nfolder = "Payments"\n'
            f'token_file = "production.token"\n\n'
            f'[[targets]]\nname = "eu"\nurl = "{slow}"\n')


def fan_out(project: Path, *args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(main, ["publish", "--dashboards", str(project), "--folder", "EasyMO",
                                     *args], env=env if env is not None else {
        "STAGING_TOKEN": STAGING, "GRAFANA_TOKEN": TOKEN, "GRAFANA_USER": None,
        "GRAFANA_PASSWORD": None})


def test_all_targets_one_failing_never_stops_the_others(three, tmp_path, retry_waits):
    staging, production, eu = three
    project = project_with_targets(tmp_path, targets_toml(staging.url, production.url, eu.url))
    (project.parent / "production.token").write_text(PRODUCTION + "\n", encoding="utf-8")
    eu.healthy = False  # its database is failing: 503
    result = fan_out(project, "--all-targets")
    assert result.exit_code == 1, result.output
    assert sorted(staging.dashboards) == PROJECT_UIDS == sorted(production.dashboards)
    assert {d.folder_uid for d in staging.dashboards.values()} == {"easymo"}
    assert {d.folder_uid for d in production.dashboards.values()} == {"payments"}  # its folder
    assert not any(r.path.startswith("/apis/dashboard") for r in staging.requests)  # api legacy
    assert any(r.path.startswith("/apis/dashboard") for r in production.requests)
    table = result.output.splitlines()
    assert sum(line.startswith("staging ") and " create " in line for line in table) == N
    assert sum(line.startswith("production ") and " create " in line for line in table) == N
    assert any(line.startswith("eu ") and " failed " in line and "is not healthy (HTTP 503" in line
               for line in table)
    assert "eu: failed: Grafana at" in result.output and not eu.dashboards and not eu.writes()
    assert STAGING not in result.output and PRODUCTION not in result.output


def test_named_targets_only_and_each_its_own_token(three, tmp_path):
    staging, production, eu = three
    project = project_with_targets(tmp_path, targets_toml(staging.url, production.url, eu.url))
    result = fan_out(project, "--target", "staging", "--target", "eu")
    assert result.exit_code == 0, result.output
    assert len(staging.dashboards) == N == len(eu.dashboards) and not production.requests
    assert {r.authorization for r in staging.requests} == {f"Bearer {STAGING}"}
    again = fan_out(project, "--target", "staging", env={"STAGING_TOKEN": None,
                                                         "GRAFANA_TOKEN": TOKEN})
    assert again.exit_code == 1 and "target 'staging': $STAGING_TOKEN is not set" in again.output


@pytest.mark.parametrize("targets,said", [
    ('[[targets]]\nname = "x"\nurl = "http://127.0.0.1:1"\ntoken = "glsa_x"\n',
     "unknown key 'token' (a token goes in token_env or token_file, never in the file)"),
    ('[[targets]]\nname = "x"\nurl = "ftp://grafana"\n', "needs http:// or https://"),
    ('[[targets]]\nname = "x"\nurl = "http://a"\napi = "soap"\n', "api 'soap' is not one of"),
    ('[[targets]]\nname = "x"\nurl = "http://a"\n\n[[targets]]\nname = "x"\nurl = "http://b"\n',
     "target 'x' is named twice")])
def test_a_bad_targets_file_is_one_line_and_nothing_runs(tmp_path, targets, said):
    result = fan_out(project_with_targets(tmp_path, targets), "--all-targets")
    assert result.exit_code == 2 and said in result.output, result.output
    assert "dashkit.toml: [[targets]] #" in result.output or "named twice" in result.output


def test_target_choice_is_checked_before_anything_runs(tmp_path, three):
    project = project_with_targets(tmp_path, targets_toml(*(s.url for s in three)))
    unknown = fan_out(project, "--target", "mars")
    assert unknown.exit_code == 2 and "no target 'mars' (the targets: staging, production, eu)" \
        in unknown.output
    both = fan_out(project, "--target", "eu", "--grafana-url", three[0].url)
    assert both.exit_code == 2 and "one of them" in both.output
    assert not any(s.requests for s in three)


def test_publishing_everywhere_is_bounded_and_keeps_the_targets_order():
    from dashkit.publishing.targets import GrafanaTarget, publish_everywhere

    lock, running, peak = threading.Lock(), [0], [0]

    def slow(target: GrafanaTarget):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)  # long enough for the others to start, if they were allowed
        with lock:
            running[0] -= 1
        if target.name == "t3":
            from dashkit.errors import DashkitError
            raise DashkitError("t3 is down")

    targets = [GrafanaTarget(f"t{i}", f"http://127.0.0.1:{i + 1}") for i in range(6)]
    reports = publish_everywhere(targets, slow, parallel=2)  # type: ignore[arg-type]
    assert peak[0] <= 2
    assert [r.target for r in reports] == [t.name for t in targets]
    assert [r.error for r in reports] == ["", "", "", "t3 is down", "", ""]


@pytest.mark.parametrize("way", ["classic", "dashboard-api-v1"])
def test_diff_names_each_field_and_exits_as_git_diff(tmp_path, way):
    api = GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()
    try:
        project = Path(shutil.copytree(DASHBOARDS, tmp_path / "dashboards",
                                       ignore=shutil.ignore_patterns("__pycache__")))
        publish(api, *WAYS[way], project=project)
        writes = len(api.writes())

        def diff(*args: str):
            return CliRunner().invoke(main, ["diff", "--dashboards", str(project), "--grafana-url",
                                             api.url, "--folder", "EasyMO", *WAYS[way], *args],
                                      env={"GRAFANA_TOKEN": TOKEN})

        same = diff("--exit-code")
        assert same.exit_code == 0 and f"{N} dashboards compared: 0 differ" in same.output
        rename_panel(project)
        changed = diff("--exit-code")
        assert changed.exit_code == 1, changed.output
        assert "easymo-system-overview: differs" in changed.output
        assert "  ~ panel 'Health by job' renamed to 'Health of every job'" in changed.output
        assert diff().exit_code == 0  # without --exit-code, a difference is not a failure
        assert len(api.writes()) == writes
    finally:
        api.stop()
