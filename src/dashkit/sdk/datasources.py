"""Datasources, and the ``{type, uid}`` references Grafana expects on panels, targets and variables."""
from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class DatasourceRef:
    """A datasource as Grafana references it, `{type, uid}`; a variable or a fixed uid."""
    type: str
    uid: str

    def to_json_data(self) -> dict[str, str]:
        # a reference by name only (an imported pre-v33 dashboard) has no type
        return {"type": self.type, "uid": self.uid} if self.type else {"uid": self.uid}


def variable_ref(type_: str, variable: str) -> DatasourceRef:
    """A reference through a datasource variable, so the dashboard works whatever the uid is."""
    return DatasourceRef(type_, f"${{{variable}}}")


#: Built-in Grafana datasource that serves the built-in annotation.
GRAFANA = DatasourceRef("grafana", "-- Grafana --")


@attrs.frozen
class Datasource:
    """A datasource to provision; its uid is what dashboards reference."""

    name: str
    type: str
    uid: str
    url: str
    is_default: bool = False
    json_data: dict[str, Any] = attrs.field(factory=dict)

    @property
    def ref(self) -> DatasourceRef:
        return DatasourceRef(self.type, self.uid)

    def to_provisioning(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name, "type": self.type, "uid": self.uid, "access": "proxy",
            "url": self.url, "orgId": 1, "isDefault": self.is_default, "editable": False,
            "version": 1,
        }
        if self.json_data:
            entry["jsonData"] = self.json_data
        return entry
