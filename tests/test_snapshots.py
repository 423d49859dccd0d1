"""Every compiled dashboard and provisioning file, pinned: any change shows up as a JSON diff."""
from __future__ import annotations

import pytest

from dashkit import dumps
from dashkit.build.provisioning import ProviderOptions, datasources_yaml, provider_yaml

from conftest import PROJECT_UIDS, ROOT

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
    from dashkit.build.provisioning import file_provisioning_resource

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
    from dashkit.build.rules import rules_yaml

    assert rules_yaml(project.rule_groups, list(compiled.values())) == yaml_snapshot
