"""Panel builders with defaults that are right for current Grafana.

Each builder returns a :class:`dashkit.sdk.layout.Panel` wrapping the grafanalib panel it configured
(its arguments, as a ``direct.DirectPanel`` that writes the same JSON without building it or
importing grafanalib), so anything grafanalib can express stays reachable (``extra=`` merges raw
JSON), and the compiler brings the result up to date (see ``grafanalib_fixes``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from dashkit.errors import DashkitError, user_site
from dashkit.grafana.facts import next_ref_id
from dashkit.query.logql import LogQuery
from dashkit.query.promql import Expr
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.direct import (
    BarGaugePanel,
    GaugePanelSpec,
    HeatmapPanel,
    LogsPanel,
    StatPanel,
    TablePanel,
    TextPanel,
    TimeSeriesPanel,
)
from dashkit.sdk.layout import Panel, Raw
from dashkit.sdk.options import PanelOptions, Unpack, merge, panel_options
from dashkit.sdk.thresholds import Thresholds as Thresholds
from dashkit.sdk.thresholds import above as above
from dashkit.sdk.thresholds import below as below

Query = Expr | LogQuery | str


@attrs.frozen
class Target:
    """One query of a panel; ``ref_id`` is filled in by the builder (A, B, C…) when empty."""

    expr: Query
    legend: str = ""
    ref_id: str = ""
    instant: bool = False
    #: "table" for instant tables, "heatmap" for bucket series; None for time series.
    format: str | None = None
    datasource: DatasourceRef | None = None
    hide: bool = False
    #: Other target fields, kept as written (``interval``, ``intervalFactor``, ``exemplar``…).
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def text(self) -> str:
        return str(self.expr)

    @property
    def is_logql(self) -> bool:
        return isinstance(self.expr, LogQuery) or (self.datasource is not None
                                                  and self.datasource.type == "loki")

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"expr": self.text, "refId": self.ref_id}
        if self.legend:
            data["legendFormat"] = self.legend
        if self.is_logql:
            data["queryType"] = "instant" if self.instant else "range"
        else:
            data.update(editorMode="code", range=not self.instant, instant=self.instant)
        if self.format:
            data["format"] = self.format
        if self.datasource is not None:
            data["datasource"] = self.datasource.to_json_data()
        if self.hide:
            data["hide"] = True
        data.update(self.extra)
        return data


# --- thresholds and mappings --------------------------------------------------------------------

NEUTRAL = Thresholds(((None, "green"),))


def value_map(mapping: Mapping[Any, tuple[str, str]]) -> dict[str, Any]:
    """``{0: ("DOWN", "red"), 1: ("UP", "green")}`` as one Grafana value mapping."""
    return {"type": "value", "options": {
        str(value): {"text": text, "color": color, "index": i}
        for i, (value, (text, color)) in enumerate(mapping.items())}}


def override(match: str, properties: Mapping[str, Any], *, by: str = "byName") -> dict[str, Any]:
    """A field override: ``properties`` (Grafana's property ids and their values) for the fields
    ``match`` names; ``by="byRegexp"`` takes a pattern, as imported series overrides do."""
    return {"matcher": {"id": by, "options": match},
            "properties": [{"id": key, "value": value} for key, value in properties.items()]}


def fixed_color(color: str) -> dict[str, str]:
    """A colour that follows neither thresholds nor the palette: a series' own colour."""
    return {"mode": "fixed", "fixedColor": color}


def data_link(title: str, url: str, *, new_tab: bool = False) -> dict[str, Any]:
    """A data link on a field: from a value to a drill-down dashboard or trace."""
    return {"title": title, "url": url, "targetBlank": new_tab}


# --- builders ---------------------------------------------------------------------------------

def _targets(queries: Sequence[Query | Target], legend: str, instant: bool = False,
             format: str | None = None) -> list[Target]:
    taken = {q.ref_id for q in queries if isinstance(q, Target) and q.ref_id}
    targets = []
    for i, query in enumerate(queries):
        if isinstance(query, Target) and query.ref_id:
            targets.append(query)
            continue
        ref_id = next_ref_id(taken, i)  # its position's letter, unless another query took it
        taken.add(ref_id)
        targets.append(attrs.evolve(query, ref_id=ref_id) if isinstance(query, Target) else
                       Target(query, legend, ref_id, instant=instant, format=format))
    return targets


def _steps(thresholds: Thresholds | None) -> list[dict[str, Any]]:
    if thresholds is not None and not isinstance(thresholds, Thresholds):
        raise DashkitError(f"thresholds= takes above(limit), below(limit) or Thresholds(...), "
                           f"not {thresholds!r}", file=user_site())
    return (thresholds or NEUTRAL).to_json_data()


def timeseries(title: str, *queries: Query | Target, unit: str = "short", legend: str = "",
               min: float | None = None, max: float | None = None, decimals: int | None = None,
               thresholds: Thresholds | None = None, stack: bool = False, fill: int = 10,
               bars: bool = False, legend_calcs: Sequence[str] = (), legend_table: bool = False,
               overrides: Sequence[dict[str, Any]] = (), **options: Unpack[PanelOptions]) -> Panel:
    """Lines over time; thresholds, when given, are drawn as dashed lines at the limits."""
    common = panel_options(timeseries, title, options)
    limits = {k: v for k, v in {"min": min, "max": max}.items() if v is not None}
    drawn = common.thresholds(thresholds)
    spec = TimeSeriesPanel(dict(
        targets=_targets(queries, legend), unit=unit, fillOpacity=fill,
        drawStyle="bars" if bars else "line", showPoints="never",
        stacking={"mode": "normal", "group": "A"} if stack else {"mode": "none", "group": "A"},
        legendDisplayMode="table" if legend_table else "list",
        legendPlacement="right" if legend_table else "bottom",
        legendCalcs=list(legend_calcs), tooltipMode="multi", tooltipSort="desc",
        thresholds=_steps(drawn), thresholdsStyleMode="dashed" if drawn else "off",
        valueDecimals=decimals, overrides=list(overrides),
        **common.grafanalib(title, {"fieldConfig": {"defaults": limits}} if limits else None)),
        given=("unit", "fillOpacity", "valueDecimals", "legendCalcs"))
    return common.place(spec)


def stat(title: str, *queries: Query | Target, unit: str = "short", legend: str = "",
         thresholds: Thresholds | None = None, mappings: Sequence[dict[str, Any]] = (),
         decimals: int | None = None, graph: bool = False, color_background: bool = False,
         reduce: str = "lastNotNull", no_value: str | None = None, text_mode: str = "auto",
         instant: bool = False, **options: Unpack[PanelOptions]) -> Panel:
    """One number per series, coloured by thresholds; ``no_value`` replaces "No data"."""
    common = panel_options(stat, title, options)
    spec = StatPanel(dict(
        targets=_targets(queries, legend, instant=instant), format=unit, decimals=decimals,
        graphMode="area" if graph else "none", colorMode="background" if color_background else "value",
        reduceCalc=reduce, noValue=no_value, textMode=text_mode, mappings=list(mappings),
        thresholds=_steps(common.thresholds(thresholds)), orientation="auto", **common.grafanalib(title)),
        given=("format", "decimals", "reduceCalc", "noValue", "textMode", "mappings"))
    return common.place(spec, size=(6, 4))


def gauge(title: str, *queries: Query | Target, unit: str = "percentunit", min: float = 0,
          max: float = 1, legend: str = "", thresholds: Thresholds | None = None,
          decimals: int | None = None, reduce: str = "lastNotNull",
          **options: Unpack[PanelOptions]) -> Panel:
    """A dial between ``min`` and ``max``: by default a 0–1 ratio shown as a percentage."""
    common = panel_options(gauge, title, options)
    spec = GaugePanelSpec(dict(
        targets=_targets(queries, legend), format=unit, min=min, max=max, decimals=decimals,
        calc=reduce, thresholds=_steps(common.thresholds(thresholds)), thresholdMarkers=True,
        **common.grafanalib(title)), given=("format", "min", "max", "decimals", "calc"))
    return common.place(spec, size=(6, 6))


def bar_gauge(title: str, *queries: Query | Target, unit: str = "short", legend: str = "",
              min: float = 0, max: float | None = None, thresholds: Thresholds | None = None,
              decimals: int | None = None, reduce: str = "lastNotNull", instant: bool = False,
              **options: Unpack[PanelOptions]) -> Panel:
    """Horizontal bars, one per series: rankings such as the busiest routes."""
    common = panel_options(bar_gauge, title, options)
    spec = BarGaugePanel(dict(
        targets=_targets(queries, legend, instant=instant), format=unit, min=min, max=max,
        decimals=decimals, calc=reduce, thresholds=_steps(common.thresholds(thresholds)),
        displayMode="gradient", orientation="horizontal", **common.grafanalib(title)),
        given=("format", "min", "max", "decimals", "calc"))
    return common.place(spec)


def table(title: str, *queries: Query | Target, unit: str = "short", legend: str = "",
          thresholds: Thresholds | None = None, overrides: Sequence[dict[str, Any]] = (),
          transformations: Sequence[dict[str, Any]] = (), sort_by: str | None = None,
          descending: bool = True, cell: str = "auto", **options: Unpack[PanelOptions]) -> Panel:
    """Instant queries as rows; several queries are merged on their common labels."""
    common = panel_options(table, title, options)
    targets = _targets(queries, legend, instant=True, format="table")
    transforms = list(transformations)
    if len(targets) > 1 and not any(t.get("id") == "merge" for t in transforms):
        transforms.insert(0, {"id": "merge", "options": {}})
    # the sort goes into the JSON as grafanalib's TableSortByField writes it, without making one
    sort = {"options": {"sortBy": [{"displayName": sort_by, "desc": descending}]}} if sort_by else None
    spec = TablePanel(dict(
        targets=targets, unit=unit, displayMode=cell, filterable=False, overrides=list(overrides),
        transformations=transforms, thresholds=_steps(common.thresholds(thresholds)),
        **common.grafanalib(title, sort)), given=("unit", "displayMode"))
    return common.place(spec)


def heatmap(title: str, query: Query | Target, *, unit: str = "s",
            **options: Unpack[PanelOptions]) -> Panel:
    """Histogram buckets over time; feed it ``promql.bucket_rate``."""
    common = panel_options(heatmap, title, options)
    # the unit goes into the JSON as grafanalib's YAxis(format=unit) writes it, without making one
    spec = HeatmapPanel(dict(
        targets=_targets([query], "{{le}}", format="heatmap"), dataFormat="tsbuckets",
        **common.grafanalib(title, {"yAxis": {"format": unit}})))
    return common.place(spec)


def logs(title: str, *queries: Query | Target, **options: Unpack[PanelOptions]) -> Panel:
    """Log lines, newest first, with details (and their derived trace links) one click away.
    ``datasource=`` is required: a dashboard's default datasource is not a log store."""
    common = panel_options(logs, title, options)
    if common.datasource is None:
        raise DashkitError(f"logs panel {title!r} needs datasource=, the Loki datasource to read")
    targets = [attrs.evolve(t, datasource=t.datasource or common.datasource)
               for t in _targets(queries, "")]
    spec = LogsPanel(dict(targets=targets, showTime=True, wrapLogMessages=True, enableLogDetails=True,
                          prettifyLogMessage=False, sortOrder="Descending", dedupStrategy="none",
                          **common.grafanalib(title)), given=())
    return common.place(spec, size=(24, 10))


def text(title: str, content: str, **options: Unpack[PanelOptions]) -> Panel:
    """Markdown: a note to whoever reads the dashboard at 3 a.m."""
    common = panel_options(text, title, options)
    if common.links:
        raise DashkitError(f"text panel {title!r} shows no values, so it has no data links: "
                           "use panel_links= for links in its header")
    spec = TextPanel(dict(content=content, mode="markdown", **common.grafanalib(title)),
                     given=("content",))
    return common.place(spec, size=(24, 3))


def raw(json: dict[str, Any], **options: Unpack[PanelOptions]) -> Panel:
    """A panel passed through as written (third-party plugins, anything no builder covers);
    only the options given here are set on it."""
    common = panel_options(raw, str(json.get("title", "")), options)
    return common.place(Raw(merge(json, common.to_json_data())))


def targets_of(panel: Panel) -> list[Target]:
    """The dashkit targets of a panel, for checks; raw grafanalib targets are skipped."""
    spec = panel.spec.json if isinstance(panel.spec, Raw) else panel.spec
    found = spec.get("targets", []) if isinstance(spec, dict) else getattr(spec, "targets", [])
    return [t for t in found if isinstance(t, Target)]
