"""Folders and project identity for ``dashkit publish``, against the Grafana API stand-in
(tests/standins/grafana_api.py, a test double of CONTRACT.md, not Grafana): folder uids that
never merge two titles, a folder of another title refused, nested folders (Grafana 11+'s
``parentUid``: pkg/api/folder.go ``CreateFolder``), and the identity dashkit.toml gives."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from standins.grafana_api import GrafanaAPIStandIn
from test_publish import TOKEN, publish
from test_publish_ownership import WAYS, team

from dashkit.cli import main
from dashkit.project.provisioning import folder_uid

TITLES = ["監視", "Мониторинг", "★", "☆", "Payments (prod)", "payments prod", "Payments/Prod",
          "Platform/Payments", "a" * 60, "a" * 61]


@pytest.fixture
def api() -> Iterator[GrafanaAPIStandIn]:
    standin = GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()
    yield standin
    standin.stop()


def test_different_titles_never_share_a_folder_uid():
    uids = [folder_uid(title) for title in TITLES]
    assert len(set(uids)) == len(TITLES), uids
    # Grafana's uid rule (CONTRACT.md §4: [a-zA-Z0-9-_], at most 40)
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", uid) for uid in uids)
    assert folder_uid("EasyMO") == "easymo" and folder_uid("Team Payments") == "team-payments"
    assert folder_uid("Payments (prod)").startswith("payments-prod-")
    assert folder_uid("監視").startswith("f-") and folder_uid("監視") == folder_uid("監視")


@pytest.mark.parametrize("way", sorted(WAYS))
def test_a_folder_with_the_derived_uid_and_another_title_is_never_shared(api, tmp_path, way):
    api.add_folder("payments", "PAYMENTS")  # another team's folder: same uid, another title
    result = publish(api, "--folder", "Payments", *WAYS[way], project=team(tmp_path, "a"))
    assert result.exit_code == 1, result.output
    assert "folder uid 'payments' is taken by folder 'PAYMENTS', not 'Payments'" in result.output
    assert not api.dashboards and not api.writes()


@pytest.mark.parametrize("way", sorted(WAYS))
def test_a_nested_folder_path_is_created_then_found(api, tmp_path, way):
    project = team(tmp_path, "a")
    first = publish(api, "--folder", "Platform/Payments", *WAYS[way], project=project)
    assert first.exit_code == 0, first.output
    child = folder_uid("Platform/Payments")
    assert api.folders["platform"]["parentUid"] == ""
    assert api.folders[child]["title"] == "Payments" and api.folders[child]["parentUid"] == "platform"
    assert {d.folder_uid for d in api.dashboards.values()} == {child}
    writes = len(api.writes())
    again = publish(api, "--folder", "Platform/Payments", *WAYS[way], project=project)
    assert again.exit_code == 0 and len(api.writes()) == writes, again.output


def test_a_nested_path_on_a_grafana_without_nested_folders_is_one_line(tmp_path):
    old = GrafanaAPIStandIn(profile="grafana_10", token=TOKEN).start()
    try:
        result = publish(old, "--folder", "Platform/Payments", project=team(tmp_path, "a"))
    finally:
        old.stop()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is under '(root)', not 'platform'" in result.output and not old.dashboards


def test_init_gives_each_project_its_own_identity(tmp_path):
    from dashkit.publishing.identity import project_name

    names = set()
    for team_dir in ("team-a/monitoring", "team-b/monitoring"):  # the same folder name
        made = CliRunner().invoke(main, ["init", str(tmp_path / team_dir)])
        assert made.exit_code == 0, made.output
        name = project_name(tmp_path / team_dir / "dashboards")
        assert name is not None and re.fullmatch(r"monitoring-[0-9a-f]{8}", name)
        names.add(name)
    assert len(names) == 2


@pytest.mark.parametrize("text,said", [
    ('[project]\nname = "two words"\n', "[project] name 'two words' must be"),
    ('[project\nname = "x"\n', "cannot read it"),
    ('[project]\nname = 7\n', "[project] name 7 must be")])
def test_a_bad_dashkit_toml_is_one_line_and_writes_nothing(api, tmp_path, text, said):
    project = team(tmp_path, "a")
    (project.parent / "dashkit.toml").write_text(text, encoding="utf-8")
    result = publish(api, project=project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{project.parent / 'dashkit.toml'}: " in result.output and said in result.output
    assert not api.requests
