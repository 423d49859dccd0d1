"""Every compiled dashboard and provisioning file, pinned: any change shows up as a JSON diff."""
from __future__ import annotations

import pytest

from dashkit import dumps
from dashkit.build.provisioning import ProviderOptions, datasources_yaml, provider_yaml

UIDS = ["easymo-system-overview", "easymo-service-health", "easymo-business-metrics",
        "easymo-error-tracking", "easymo-infrastructure"]


def test_every_dashboard_is_snapshotted(compiled):
    assert sorted(compiled) == sorted(UIDS)


@pytest.mark.parametrize("uid", UIDS)
def test_dashboard_json(uid, compiled, json_snapshot):
    assert dumps(compiled[uid].model) == json_snapshot


@pytest.mark.parametrize("name", ["provisioning-dashboards"])
def test_provider_yaml(name, yaml_snapshot):
    assert provider_yaml(ProviderOptions(folder="EasyMO")) == yaml_snapshot


@pytest.mark.parametrize("name", ["provisioning-datasources"])
def test_datasources_yaml(name, project, yaml_snapshot):
    assert datasources_yaml(project.datasources) == yaml_snapshot
