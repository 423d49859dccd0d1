"""One classic panel as a v2 element, the way Grafana's converter builds it
(``v1beta1_to_v2alpha1.go``: buildPanelKind, transformPanelQueries, buildQueryOptions,
buildVizConfig): queries as ``DataQuery`` kinds of their datasource, the query options that say
something, the visualisation under its plugin id (an Angular panel under its successor's, its
old fields kept in ``options.__angularMigration`` for the frontend to migrate). Split from
dashkit.grafana.v2 so each stays readable."""
from __future__ import annotations

import math
from typing import Any

from dashkit.grafana.facts import next_ref_id
from dashkit.grafana.model import as_array, as_object

Json = dict[str, Any]
QUERY_VERSION = "v0"
#: Panel fields that v2 keeps in the query group's options.
QUERY_OPTIONS = ("timeFrom", "timeShift", "maxDataPoints", "interval", "hideTimeOverride",
                 "cacheTimeout", "queryCachingTTL")
#: Angular panels and their successors (schemaversion.AngularPanelMigrations); ``graph`` is
#: decided by its x-axis mode (GetGraphMigrationTarget).
ANGULAR_PANELS = {"table-old": "table", "singlestat": "stat", "grafana-singlestat-panel": "stat",
                  "grafana-piechart-panel": "piechart", "grafana-worldmap-panel": "geomap",
                  "natel-discrete-panel": "state-timeline"}
#: Panel fields of the schema; any other is an Angular option v2 keeps in ``__angularMigration``
#: (knownPanelProperties).
KNOWN_PANEL_FIELDS = frozenset({
    "type", "id", "pluginVersion", "targets", "title", "description", "transparent", "datasource",
    "gridPos", "links", "repeat", "repeatDirection", "maxPerRow", "maxDataPoints",
    "transformations", "interval", "timeFrom", "timeShift", "hideTimeOverride", "timeCompare",
    "libraryPanel", "cacheTimeout", "queryCachingTTL", "options", "fieldConfig", "autoMigrateFrom"})
ANGULAR_MIGRATION = "__angularMigration"
MIXED = "-- Mixed --"


def data_query(datasource: Any, spec: Json) -> Json:
    """A ``DataQuery`` kind: the datasource's type as group, its uid as name."""
    source = as_object(datasource)
    query: Json = {"kind": "DataQuery", "group": str(source.get("type") or ""),
                   "version": QUERY_VERSION, "spec": spec}
    if source.get("uid"):
        query["datasource"] = {"name": str(source["uid"])}
    return query


def _panel_queries(targets: list[Json], panel_datasource: Any) -> list[Json]:
    """transformPanelQueries: a missing refId gets the next free one; a query without its own
    datasource takes the panel's, unless that is ``-- Mixed --``."""
    taken = {str(t["refId"]) for t in targets if t.get("refId")}
    if as_object(panel_datasource).get("uid") == MIXED:
        panel_datasource = None
    queries = []
    for target in targets:
        ref = str(target.get("refId") or "") or next_ref_id(taken)
        taken.add(ref)
        source = as_object(target.get("datasource"))
        spec = {k: v for k, v in target.items() if k not in ("refId", "datasource", "hide")}
        queries.append({"kind": "PanelQuery", "spec": {
            "query": data_query(source if source.get("uid") or source.get("type")
                                else panel_datasource, spec),
            "refId": ref, "hidden": bool(target.get("hide", False))}})
    return queries


def _transformation(item: Json) -> Json:
    """The transformation's id as group, the rest of its config as spec (v2's
    TransformationSpec has no id; ``disabled``, ``filter``, ``topic`` are kept)."""
    spec = {k: v for k, v in item.items() if k != "id"}
    spec.setdefault("options", {})
    return {"kind": "Transformation", "group": str(item.get("id", "")), "spec": spec}


def _number(value: Any) -> int | None:
    """A JSON number as Go's ``int64(v)`` reads it (truncated); None for anything else, an
    infinite or NaN one too."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value)


def _query_options(panel: Json) -> Json:
    """buildQueryOptions: only what says something (a non-empty string, a positive count,
    ``hideTimeOverride`` true, a cache TTL that is a number)."""
    options: Json = {k: panel[k] for k in ("timeFrom", "timeShift", "interval", "cacheTimeout")
                     if isinstance(panel.get(k), str) and panel[k]}
    points = _number(panel.get("maxDataPoints"))
    if points is not None and points >= 1:
        options["maxDataPoints"] = points
    if panel.get("hideTimeOverride") is True:
        options["hideTimeOverride"] = True
    ttl = panel.get("queryCachingTTL")
    if isinstance(ttl, str) and ttl.strip().lstrip("-").isdigit():
        options["queryCachingTTL"] = int(ttl)
    elif (seconds := _number(ttl)) is not None:
        options["queryCachingTTL"] = seconds
    return {k: options[k] for k in QUERY_OPTIONS if k in options}


def _angular_successor(panel: Json) -> str | None:
    """GetAngularPanelMigration: the type an Angular panel becomes, or None."""
    kind = str(panel.get("type", ""))
    if kind in ("graph", "graphite"):
        mode = as_object(panel.get("xaxis")).get("mode")
        if mode == "histogram":
            return "histogram"
        if mode == "series":
            return "bargauge" if as_object(panel.get("legend")).get("values") is True else "barchart"
        return "timeseries"
    return ANGULAR_PANELS.get(kind)


def _viz_config(panel: Json) -> Json:
    """buildVizConfig: an Angular panel (or one with fields outside the schema) keeps them in
    ``options.__angularMigration`` under its successor's type; a legend shows unless it says not."""
    kind = str(panel.get("type") or "timeseries")
    options = dict(as_object(panel.get("options")))
    if isinstance(options.get("legend"), dict):
        shown = options["legend"].get("showLegend")
        options["legend"] = dict(options["legend"], showLegend=shown if isinstance(shown, bool)
                                 else True)
    original = {k: v for k, v in panel.items() if k not in KNOWN_PANEL_FIELDS}
    migrated_from = panel.get("autoMigrateFrom") if isinstance(panel.get("autoMigrateFrom"), str) \
        else ""
    if not migrated_from:
        successor = _angular_successor(panel)
        if successor is not None:
            migrated_from, kind = kind, successor
        elif original:
            migrated_from = kind
    if migrated_from:
        options[ANGULAR_MIGRATION] = {"autoMigrateFrom": migrated_from, "originalOptions": original}
    field_config = as_object(panel.get("fieldConfig"))
    return {"kind": "VizConfig", "group": kind, "version": str(panel.get("pluginVersion", "")),
            "spec": {"options": options,
                     "fieldConfig": {"defaults": as_object(field_config.get("defaults")),
                                     "overrides": as_array(field_config.get("overrides"))}}}


def _data_link(link: Json) -> Json:
    out: Json = {"title": str(link.get("title", "")), "url": str(link.get("url", ""))}
    if "targetBlank" in link:
        out["targetBlank"] = bool(link["targetBlank"])
    return out


def element(panel: Json) -> Json:
    """One classic panel as a v2 element (a library panel stays a reference)."""
    if isinstance(panel.get("libraryPanel"), dict):
        library = panel["libraryPanel"]
        return {"kind": "LibraryPanel", "spec": {
            "id": panel.get("id", 0), "title": str(panel.get("title", "")),
            "libraryPanel": {"name": str(library.get("name", "")),
                             "uid": str(library.get("uid", ""))}}}
    spec: Json = {"id": panel.get("id", 0), "title": str(panel.get("title", ""))}
    if isinstance(panel.get("description"), str):  # even empty: a round trip keeps it
        spec["description"] = panel["description"]
    spec["links"] = [_data_link(as_object(link)) for link in as_array(panel.get("links"))]
    spec["data"] = {"kind": "QueryGroup", "spec": {
        "queries": _panel_queries([as_object(t) for t in as_array(panel.get("targets"))],
                                  panel.get("datasource")),
        "transformations": [_transformation(as_object(t))
                            for t in as_array(panel.get("transformations"))],
        "queryOptions": _query_options(panel)}}
    spec["vizConfig"] = _viz_config(panel)
    if panel.get("transparent"):
        spec["transparent"] = True
    return {"kind": "Panel", "spec": spec}
