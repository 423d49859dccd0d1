"""Every compiled dashboard and provisioning file, pinned: any change shows up as a JSON diff;
and the files ``dashkit build`` writes are those snapshots, byte for byte."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS, PROJECT_UIDS, ROOT

from dashkit import dumps
from dashkit.cli import main
from dashkit.project.provisioning import ProviderOptions, datasources_yaml, provider_yaml

SNAPSHOTS = ROOT / "snapshots"

#: The project's dashboards, whatever they are: a new one needs only ``pytest --snapshot-update``
#: (its snapshot is written then; until then its test fails for want of one).
UIDS = PROJECT_UIDS


def test_no_snapshot_is_left_from_a_removed_dashboard():
    stale = sorted({path.stem.removesuffix(".v2") for path in SNAPSHOTS.glob("*.json")} - set(UIDS))
    assert not stale, f"snapshots of dashboards the project no longer defines: {stale}; delete them"


@pytest.mark.parametrize("uid", UIDS)
def test_dashboard_json(uid, compiled, json_snapshot):
    assert dumps(compiled[uid].model) == json_snapshot


@pytest.mark.parametrize("name", [f"{uid}.v2" for uid in UIDS])
def test_dashboard_v2_resource(name, compiled, json_snapshot):
    """``build --schema v2``'s file for each dashboard (the provider's folder annotation)."""
    from dashkit.project.provisioning import file_provisioning_resource

    model = compiled[name.removesuffix(".v2")].model
    assert dumps(file_provisioning_resource(model, "easymo")) == json_snapshot


@pytest.mark.parametrize("name", ["provisioning-dashboards"])
def test_provider_yaml(name, yaml_snapshot):
    assert provider_yaml(ProviderOptions(folder="EasyMO")) == yaml_snapshot


@pytest.mark.parametrize("name", ["provisioning-datasources"])
def test_datasources_yaml(name, project, yaml_snapshot):
    assert datasources_yaml(project.datasources) == yaml_snapshot


@pytest.mark.parametrize("name", ["prometheus-rules"])
def test_rules_yaml(name, project, compiled, yaml_snapshot):
    from dashkit.project.rule_files import rules_yaml

    assert rules_yaml(project.rule_groups, list(compiled.values())) == yaml_snapshot


# --- the files, not the model ------------------------------------------------------------------

def built_files(out: Path, *options: str) -> dict[str, bytes]:
    """Every file ``dashkit build`` writes for the project, as bytes, by its path under ``out``."""
    done = CliRunner().invoke(main, ["build", "--dashboards", str(DASHBOARDS), "--out",
                                     str(out / "grafana"), "--rules-out", str(out / "rules"),
                                     *options])
    assert done.exit_code == 0, done.output
    return {path.relative_to(out).as_posix(): path.read_bytes()
            for path in sorted(out.rglob("*")) if path.is_file()}


#: Each file of the provisioning tree and the rule folder, and the snapshot it must equal.
WRITTEN = {**{f"grafana/dashboards/{uid}.json": f"{uid}.json" for uid in UIDS},
           "grafana/provisioning/dashboards/dashkit.yaml": "provisioning-dashboards.yaml",
           "grafana/provisioning/datasources/datasources.yaml": "provisioning-datasources.yaml",
           "rules/alerts.yml": "prometheus-rules.yaml",
           "alertmanager/alertmanager.yml": "alertmanager.yaml"}
#: The folder markers that say dashkit wrote the folder (the abuse tests say what they do).
MARKERS = ["grafana/.dashkit-build", "rules/.dashkit-build", "alertmanager/.dashkit-build"]


def test_the_files_build_writes_are_the_snapshots_byte_for_byte(tmp_path):
    """``make build`` (``dashkit build --folder EasyMO``): nothing more, nothing less, and each
    file exactly its snapshot, so the written files cannot drift from the pinned model."""
    written = built_files(tmp_path, "--folder", "EasyMO")
    assert sorted(written) == sorted([*WRITTEN, *MARKERS])
    for path, snapshot in WRITTEN.items():
        assert written[path] == (SNAPSHOTS / snapshot).read_bytes(), path


def test_the_v2_files_build_writes_are_the_v2_snapshots_byte_for_byte(tmp_path):
    written = built_files(tmp_path, "--folder", "EasyMO", "--schema", "v2")
    for uid in UIDS:
        assert written[f"grafana/dashboards/{uid}.json"] == \
            (SNAPSHOTS / f"{uid}.v2.json").read_bytes(), uid
    for path in [p for p in WRITTEN if not p.startswith("grafana/dashboards/")]:
        assert written[path] == (SNAPSHOTS / WRITTEN[path]).read_bytes(), path


def test_the_provider_file_says_the_folder_uid_and_path_given(tmp_path):
    """``--folder-uid`` and ``--grafana-path`` reach the written provider file: it is the
    snapshot with those two lines changed and nothing else."""
    written = built_files(tmp_path, "--folder", "EasyMO", "--folder-uid", "ops-boards",
                          "--grafana-path", "/srv/grafana/dashboards")
    expected = (SNAPSHOTS / "provisioning-dashboards.yaml").read_text().replace(
        "  folderUid: easymo\n", "  folderUid: ops-boards\n").replace(
        "    path: /var/lib/grafana/dashboards\n", "    path: /srv/grafana/dashboards\n")
    assert written["grafana/provisioning/dashboards/dashkit.yaml"].decode() == expected
    assert "ops-boards" in expected and "/srv/grafana/dashboards" in expected
