"""A compiled dashboard: its source and the JSON it compiled to, what lint, build, publish and the
rule files share (a module of its own, so the rule files need not import the pipeline that uses them)."""
from __future__ import annotations

from typing import Any

import attrs

from dashkit.grafana.model import iter_panels
from dashkit.project.loading import Source
from dashkit.project.provisioning import dashboard_file
from dashkit.query.catalog import Catalog


@attrs.frozen
class Compiled:
    """A dashboard of the project and the JSON it compiled to: what lint, build and publish share."""
    source: Source
    model: dict[str, Any]

    @property
    def uid(self) -> str:
        return str(self.model["uid"])

    @property
    def catalog(self) -> Catalog | None:
        return self.source.dashboard.catalog

    @property
    def title(self) -> str:
        return str(self.model["title"])

    @property
    def panel_count(self) -> int:
        return sum(1 for p in iter_panels(self.model["panels"]) if p.get("type") != "row")

    @property
    def filename(self) -> str:
        return dashboard_file(self.uid)


@attrs.frozen
class Built:
    """A dashboard a build wrote: what its table and the rule checks keep once its JSON and its
    Python objects are let go."""
    file: str
    uid: str
    title: str
    panel_count: int
    #: The catalog its queries were checked against (rules are checked against the first).
    catalog: Catalog | None = None

    @classmethod
    def of(cls, compiled: Compiled) -> Built:
        """What the build keeps of a dashboard it has written."""
        return cls(compiled.source.file, compiled.uid, compiled.title, compiled.panel_count,
                   compiled.catalog)

    @property
    def filename(self) -> str:
        return dashboard_file(self.uid)
