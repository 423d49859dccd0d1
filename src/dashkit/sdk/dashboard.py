"""The Dashboard: what a dashboard module defines, and its links and annotations."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

from dashkit.errors import DashkitError, user_site
from dashkit.query.catalog import Catalog
from dashkit.sdk.datasources import DatasourceRef, variable_ref
from dashkit.sdk.layout import Item, Panel, Row
from dashkit.sdk.variables import Variable


@attrs.frozen
class Link:
    """A dashboard link in the top bar."""

    title: str
    url: str = ""
    type: str = "link"
    tags: tuple[str, ...] = ()
    as_dropdown: bool = False
    include_vars: bool = True
    keep_time: bool = True
    new_tab: bool = False
    icon: str = "dashboard"
    tooltip: str = ""
    #: uid of the dashboard it points at, checked by the build.
    target_uid: str | None = None

    def to_json_data(self) -> dict[str, Any]:
        return {"title": self.title, "type": self.type, "url": self.url, "tags": list(self.tags),
                "asDropdown": self.as_dropdown, "includeVars": self.include_vars,
                "keepTime": self.keep_time, "targetBlank": self.new_tab, "icon": self.icon,
                "tooltip": self.tooltip}


def link_to(uid: str, title: str, variables: Mapping[str, str] | None = None) -> Link:
    """A link to another dashboard by uid, optionally presetting its variables."""
    return Link(title, drilldown_url(uid, variables), include_vars=not variables,
                target_uid=uid)


def tagged(title: str, *tags: str) -> Link:
    """A dropdown of every dashboard carrying ``tags``."""
    return Link(title, type="dashboards", tags=tags, as_dropdown=True, icon="external link")


def drilldown_url(uid: str, variables: Mapping[str, str] | None = None, *,
                  keep_time: bool = True) -> str:
    """``/d/<uid>?var-x=…`` for data links; values may be Grafana templates like ``${__field.labels.x}``.
    Variables are a mapping, so one called ``keep_time`` is no different from any other."""
    params = [f"var-{name}={quote(value, safe='${}._:')}" for name, value in (variables or {}).items()]
    if keep_time:
        params.append("${__url_time_range}")
    return f"/d/{uid}" + ("?" + "&".join(params) if params else "")


@attrs.frozen
class Annotation:
    """An annotation query: events (deploys, alerts) drawn over every time series."""
    name: str
    datasource: DatasourceRef
    fields: dict[str, Any] = attrs.field(factory=dict)
    icon_color: str = "red"
    enable: bool = True

    def to_json_data(self) -> dict[str, Any]:
        return {"name": self.name, "datasource": self.datasource.to_json_data(),
                "enable": self.enable, "hide": False, "iconColor": self.icon_color, **self.fields}


def firing_alerts(datasource: DatasourceRef = variable_ref("prometheus", "datasource"),
                  name: str = "Firing alerts") -> Annotation:
    """Marks on every time series when a Prometheus alert fired (``ALERTS{alertstate="firing"}``)."""
    # The query in ``target``, the display settings beside it: where Grafana's Prometheus
    # annotation editor writes them (AnnotationQueryEditor.tsx); ``interval`` is its "Min step".
    return Annotation(name, datasource, {
        "target": {"refId": "Anno", "expr": 'ALERTS{alertstate="firing"}', "interval": "60s"},
        "titleFormat": "{{alertname}}", "textFormat": "{{instance}} {{job}}",
        "tagKeys": "severity", "useValueForTime": False,
    })


@attrs.define
class Dashboard:
    """A dashboard as code. ``catalog`` turns metric and label typos into build errors."""

    uid: str
    title: str
    panels: list[Item] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    description: str = ""
    variables: list[Variable] = attrs.field(factory=list)
    links: list[Link] = attrs.field(factory=list)
    annotations: list[Annotation] = attrs.field(factory=list)
    time: tuple[str, str] = ("now-6h", "now")
    refresh: str = "1m"
    timezone: str = "browser"
    #: Crosshair shared across panels: hovering one time series marks the time on all.
    shared_crosshair: bool = True
    catalog: Catalog | None = None
    #: Datasource of panels that do not name one: the dashboard's Prometheus variable.
    datasource: DatasourceRef | None = variable_ref("prometheus", "datasource")
    editable: bool = True
    week_start: str = ""
    #: Grafana's graphTooltip (0 none, 1 shared crosshair, 2 shared tooltip); overrides
    #: ``shared_crosshair`` when set.
    graph_tooltip: int | None = None
    #: Imported dashboards keep their layout, overlaps included (lint still warns).
    allow_overlaps: bool = False
    #: Top-level model fields dashkit does not model, merged last (``timepicker``, ``liveNow``…).
    extra: dict[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        """Wrong kinds of things are reported at the Dashboard(...) call, one line each."""
        where = f"Dashboard {self.uid!r}"
        for name, value, kind in (("uid", self.uid, str), ("title", self.title, str)):
            if not isinstance(value, kind):
                raise DashkitError(f"{where}: {name} must be text, not {value!r}", file=user_site())
        for name, items, kinds, hint in (
                ("panels", self.panels, (Panel, Row), "a panel builder's result or a Row"),
                ("variables", self.variables, (Variable,), "a dashkit.variables result"),
                ("links", self.links, (Link,), "link_to(...), tagged(...) or Link(...)"),
                ("annotations", self.annotations, (Annotation,), "an Annotation")):
            if not isinstance(items, (list, tuple)):
                raise DashkitError(f"{where}: {name} must be a list, not {items!r}", file=user_site())
            for index, item in enumerate(items):
                if not isinstance(item, kinds):
                    raise DashkitError(f"{where}: {name}[{index}] is {type(item).__name__} "
                                       f"{item!r:.40}, not {hint}", file=user_site())
