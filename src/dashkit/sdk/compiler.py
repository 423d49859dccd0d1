"""Dashboard → Grafana JSON model → bytes: deterministic, so review diffs show real changes only."""
from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dashkit.errors import DashkitError, each_error, raise_all
from dashkit.grafana.facts import BUILT_IN_ANNOTATION, SCHEMA_VERSION
from dashkit.grafana.jsonio import copied
from dashkit.query.promql import Expr, validate
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.grafanalib_fixes import modernise_panel
from dashkit.sdk.layout import Panel, Placed, Raw, Row, layout, site_of, walk
from dashkit.sdk.options import merge
from dashkit.sdk.panels import targets_of
from dashkit.sdk.variables import Variable, references
from dashkit.sdk.variables import datasource as datasource_variable

if TYPE_CHECKING:
    from dashkit.sdk.dashboard import Dashboard

#: Panel ids are hashed from keys into this range: small enough for a readable viewPanel URL.
_ID_SPACE = 999_983


def stable_ids(keys: list[str], fixed: dict[str, int] | None = None) -> dict[str, int]:
    """Panel ids from keys: inserting a panel does not renumber the others.

    Keys are hashed; a collision (rare) probes to the next free id, in sorted key order so the
    result does not depend on panel order. ``fixed`` ids (by key) are kept and never reused.
    """
    ids: dict[str, int] = dict(fixed or {})
    taken: set[int] = set(ids.values())
    for key in sorted(k for k in keys if k not in ids):
        candidate = zlib.crc32(key.encode()) % _ID_SPACE + 1
        while candidate in taken:
            candidate = candidate % _ID_SPACE + 1
        taken.add(candidate)
        ids[key] = candidate
    return ids


def _check_queries(panel: Panel, dashboard: Dashboard, strict: bool) -> None:
    """Every query of the panel against the catalog: every error, not only the first."""
    if dashboard.catalog is None or not strict:
        return
    errors = []
    for target in targets_of(panel):
        if isinstance(target.expr, Expr):
            try:
                validate(target.expr, dashboard.catalog)
            except DashkitError as error:
                errors.append(error)
    raise_all(errors)


def compile_panel(panel: Panel, datasource: DatasourceRef | None) -> dict[str, Any]:
    """One panel's JSON, without its id and position: raw panels as written, others through
    grafanalib and dashkit's fixes, then the panel's ``extra``."""
    if isinstance(panel.spec, Raw):
        model = copied(panel.spec.json)
    else:
        model = modernise_panel(panel.spec, datasource)
    return merge(model, panel.extra) if panel.extra else model


def _panel_json(placed: Placed, ids: dict[str, int], dashboard: Dashboard, strict: bool,
                errors: list[DashkitError], compiled: Mapping[int, dict[str, Any]]
                ) -> dict[str, Any]:
    """The panel's JSON; its errors go to ``errors`` (located at the builder call that made
    the panel) and the other panels are still compiled, so one run reports them all."""
    item = placed.item
    try:
        if isinstance(item, Row):
            model: dict[str, Any] = {
                **copied(item.extra),
                "type": "row", "title": item.title, "collapsed": item.collapsed, "panels": []}
            if item.collapsed:  # an expanded row's panels follow it, compiled by the caller
                model["panels"] = [_panel_json(child, ids, dashboard, strict, errors, compiled)
                                   for child in placed.children]
        else:
            _check_queries(item, dashboard, strict)
            known = compiled.get(id(item))
            model = (dict(known) if known is not None  # only its id and gridPos are set here
                     else compile_panel(item, dashboard.datasource))
    except DashkitError as error:
        errors.append(error.located(file=site_of(item), panel=item.title))
        model = {"type": "error", "title": item.title}  # never written: the errors are raised
    model["id"] = ids[placed.key]
    model["gridPos"] = placed.pos.to_json_data()
    return model


def _fixed_ids(placed: list[Placed]) -> dict[str, int]:
    """The ids panels set themselves (``id=``), each used once."""
    fixed: dict[str, int] = {}
    owners: dict[int, str] = {}
    for item in walk(placed):
        panel_id = getattr(item.item, "id", None)
        if panel_id is None:
            continue
        if panel_id in owners:
            raise DashkitError(f"panel id {panel_id} is also given to panel {owners[panel_id]!r}",
                               panel=item.item.title)
        owners[panel_id] = item.item.title
        fixed[item.key] = panel_id
    return fixed


def compile_dashboard(dashboard: Dashboard, strict: bool = True, *,
                      compiled: Mapping[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The dashboard as the JSON model Grafana stores (a plain dict).

    It checks what it needs to write the JSON and the queries against the dashboard's catalog;
    what Grafana refuses of the JSON (a bad uid, a long tag, an undefined variable) is for lint's
    rules, which ``compile_project`` and ``build`` run. ``strict=False`` skips the catalog
    checks so that lint can report every problem under its own rule rather than stop at the first.
    ``compiled`` holds panels whose JSON is known already (``compile_panel``'s, with no
    dashboard datasource), by the id of the Panel object: the import's first pass compiled each
    of its panels to compare it, and its dashboard is made of those same objects. The model
    returned holds their values, not copies: neither may be changed (the import writes the
    model out at once).
    """
    if dashboard.datasource is not None:
        compiled = None  # compile_panel's JSON depends on the dashboard's datasource
    known = compiled or {}
    try:
        if not dashboard.title.strip():
            raise DashkitError("dashboard title cannot be empty")
        placed = layout(dashboard.panels, dashboard.allow_overlaps)
        ids = stable_ids([p.key for p in walk(placed)], _fixed_ids(placed))
        panels: list[dict[str, Any]] = []
        errors: list[DashkitError] = []
        for top in placed:
            panels.append(_panel_json(top, ids, dashboard, strict, errors, known))
            if isinstance(top.item, Row) and not top.item.collapsed:
                panels.extend(_panel_json(child, ids, dashboard, strict, errors, known)
                              for child in top.children)
        for variable in dashboard.variables:
            if strict and dashboard.catalog is not None and variable.expr is not None:
                try:
                    validate(variable.expr, dashboard.catalog)
                except DashkitError as error:
                    errors += [DashkitError(f"variable ${variable.name}: {e.message}")
                               for e in each_error(error)]
        model_variables = _with_datasource_variable(dashboard)
        model = {
            "uid": dashboard.uid,
            "title": dashboard.title,
            "description": dashboard.description,
            "tags": list(dashboard.tags),
            "editable": dashboard.editable,
            "graphTooltip": dashboard.graph_tooltip if dashboard.graph_tooltip is not None
            else 1 if dashboard.shared_crosshair else 0,
            "fiscalYearStartMonth": 0,
            "liveNow": False,
            "schemaVersion": SCHEMA_VERSION,
            "time": {"from": dashboard.time[0], "to": dashboard.time[1]},
            "timepicker": {},
            "timezone": dashboard.timezone,
            "weekStart": dashboard.week_start,
            "refresh": dashboard.refresh,
            "links": [link.to_json_data() for link in dashboard.links],
            "annotations": {"list": [dict(BUILT_IN_ANNOTATION)]
                            + [a.to_json_data() for a in dashboard.annotations]},
            "templating": {"list": [v.to_json_data() for v in model_variables]},
            "panels": panels,
            **dashboard.extra,
        }
        raise_all(errors)
        return model
    except DashkitError as error:
        raise error.located(dashboard=dashboard.uid or dashboard.title) from None


def _with_datasource_variable(dashboard: Dashboard) -> list[Variable]:
    """The dashboard's variables, led by the datasource variable its default datasource names
    when the author did not define it: panels then follow whatever datasource the user picks."""
    if dashboard.datasource is None:
        return list(dashboard.variables)
    names = references(dashboard.datasource.uid)
    if not names or names & {v.name for v in dashboard.variables}:
        return list(dashboard.variables)
    return [datasource_variable(names.pop(), dashboard.datasource.type), *dashboard.variables]
