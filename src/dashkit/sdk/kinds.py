"""The panel kinds dashkit knows, one entry per Grafana panel ``type``: whether it shows values in
a unit, the builder the importer writes for it, what grafanalib gets wrong about it, the panel
that replaces it when it is an Angular one. Lint, the compiler, the importer, pull and the
preview all read this table, so adding a panel type is an entry here plus its renderer in
``preview/panels.py`` (tests/test_kinds.py holds both to it).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from dashkit.grafana.v2_panels import ANGULAR_PANELS
from dashkit.sdk.kind_fixes import fix_bar_gauge, fix_gauge, fix_heatmap, fix_row, fix_stat, fix_table

Json = dict[str, Any]


@attrs.frozen
class PanelKind:
    """One panel type and what each layer needs to know about it."""

    #: Grafana's panel ``type``.
    type: str
    #: The dashkit builder, ``panels.<builder>``, that makes it (the importer writes that call).
    builder: str | None = None
    #: Its values show in ``fieldConfig.defaults.unit``: the builder's ``unit=`` sets it.
    unit: bool = False
    #: A panel of this kind without a unit is a lint warning (``panel-units``).
    needs_unit: bool = False
    #: What grafanalib 0.7.1 writes wrong for this type, fixed in place when compiling.
    fix: Callable[[Json], None] | None = None
    #: An AngularJS panel (Grafana 11 migrates it, 12 removes it) ...
    angular: bool = False
    #: ... and the React panel that replaces it, if there is one.
    successor: str | None = None


def _angular(type: str, successor: str | None) -> PanelKind:
    return PanelKind(type, angular=True, successor=successor)


_ALL = (
    PanelKind("timeseries", builder="timeseries", unit=True, needs_unit=True),
    PanelKind("stat", builder="stat", unit=True, needs_unit=True, fix=fix_stat),
    PanelKind("gauge", builder="gauge", unit=True, needs_unit=True, fix=fix_gauge),
    PanelKind("bargauge", builder="bar_gauge", unit=True, needs_unit=True, fix=fix_bar_gauge),
    PanelKind("table", builder="table", unit=True, fix=fix_table),
    PanelKind("heatmap", builder="heatmap", fix=fix_heatmap),
    PanelKind("logs", builder="logs"),
    PanelKind("text", builder="text"),
    PanelKind("row", fix=fix_row),
    PanelKind("piechart"),
    PanelKind("state-timeline"),
    PanelKind("status-history"),
    # graph's successor depends on its x-axis mode (GetGraphMigrationTarget): timeseries by default
    _angular("graph", "timeseries"),
    _angular("heatmap-new", "heatmap"),
    _angular("grafana-polystat-panel", None),
    *(_angular(type, successor) for type, successor in ANGULAR_PANELS.items()),
)
#: Every panel kind dashkit knows, by Grafana ``type``.
KINDS: dict[str, PanelKind] = {kind.type: kind for kind in _ALL}
#: The dashkit builders that make one panel of a kind.
BUILDERS: frozenset[str] = frozenset(kind.builder for kind in _ALL if kind.builder)


def kind_of(panel_type: Any) -> PanelKind:
    """The registered kind of a ``type`` value, or an empty one (nothing known) for any other."""
    return KINDS.get(str(panel_type)) or PanelKind(str(panel_type))
