"""Grafana-style normalisation of imported dashboards: what Grafana itself does on load.

Datasource names and ``${DS_*}`` strings become ``{type, uid}`` references (schema v33/v36);
Angular panels become their React successors the way ``PanelModel``'s auto-migration does
(``graph`` → ``timeseries``, ``singlestat`` → ``stat``/``gauge``, ``table-old`` → ``table``,
``grafana-piechart-panel`` → ``piechart``), keeping targets, units, thresholds, legends, stacking and
axes. What has no successor is reported, never dropped silently.
"""
from __future__ import annotations

import re
from typing import Any

from dashkit.grafana.facts import GRID_COLUMNS, next_ref_id
from dashkit.grafana.jsonio import copied
from dashkit.grafana.migrate_common import Json
from dashkit.grafana.migrate_graph import graph_to_timeseries
from dashkit.grafana.migrate_panels import piechart_plugin_to_piechart, singlestat_to_stat, table_old_to_table
from dashkit.grafana.migrate_schema import variables
from dashkit.grafana.migrate_steps import upgrade
from dashkit.grafana.migrate_types import as_current_types
from dashkit.grafana.model import as_array, as_object

__all__ = ["datasource_ref", "graph_to_timeseries", "migrate_dashboard", "migrate_panel",
           "piechart_plugin_to_piechart", "singlestat_to_stat", "table_old_to_table"]


def _variable_plugins(model: Json) -> dict[str, str]:
    plugins = {str(i.get("name")): str(i.get("pluginId")) for i in model.get("__inputs") or []
               if isinstance(i, dict) and i.get("type") == "datasource"}
    for variable in variables(model):
        if variable.get("type") == "datasource":
            plugins[str(variable.get("name"))] = str(variable.get("query"))
    return plugins


def datasource_ref(raw: Any, plugins: dict[str, str]) -> Any:
    """A datasource as ``{type, uid}``: Grafana's v33 migration, with variables resolved to their
    plugin type. A plain name stays ``{"uid": name}`` (Grafana would look it up by name)."""
    if raw == "default":
        return None  # migrateDatasourceNameToRef(…, returnDefaultAsNull): the default datasource
    if not isinstance(raw, str) or raw == "":
        return raw
    if raw in ("-- Grafana --", "-- Mixed --", "-- Dashboard --"):
        kinds = {"-- Grafana --": "grafana", "-- Mixed --": "datasource",
                 "-- Dashboard --": "datasource"}
        return {"type": kinds[raw], "uid": raw}
    match = re.fullmatch(r"\$\{?(\w+)(?::\w+)?\}?", raw)
    if match and match.group(1) in plugins:
        return {"type": plugins[match.group(1)], "uid": raw}
    return {"uid": raw}


def migrate_panel(panel: Json) -> tuple[Json, list[str]]:
    """A panel of a current type, and what could not be carried over."""
    kind = panel.get("type")
    title = panel.get("title", "")
    if kind == "graph":
        mode = (panel.get("xaxis") or {}).get("mode")
        if mode in ("series", "histogram"):
            return panel, [f"panel {title!r}: graph in x-axis mode {mode!r} kept as is "
                           "(Grafana migrates it to bargauge/histogram on load)"]
        return graph_to_timeseries(panel), []
    if kind in ("singlestat", "grafana-singlestat-panel"):
        new, notes = singlestat_to_stat(panel)
        return new, [f"panel {title!r}: {n}" for n in notes]
    if kind == "table-old":
        new, notes = table_old_to_table(panel)
        return new, [f"panel {title!r}: {n}" for n in notes]
    if kind == "grafana-piechart-panel":
        return piechart_plugin_to_piechart(panel), []
    if kind == "heatmap-new":
        return {**panel, "type": "heatmap"}, []
    return panel, []


def _place_unplaced(panels: list[Json], notes: list[str]) -> None:
    """Panels without ``gridPos`` flow left to right, 12×8 each (rows full width), below the
    placed ones. (Grafana would give each a 6×3 box at the top left and let the grid stack them.)
    """
    unplaced = [p for p in panels if not isinstance(p.get("gridPos"), dict)]
    if not unplaced:
        return
    x, y, line = 0, max([p["gridPos"].get("y", 0) + p["gridPos"].get("h", 0)
                         for p in panels if isinstance(p.get("gridPos"), dict)] + [0]), 0
    for panel in unplaced:
        row = panel.get("type") == "row"
        w, h = (GRID_COLUMNS, 1) if row else (12, 8)
        if x + w > GRID_COLUMNS or (row and x):
            x, y, line = 0, y + line, 0
        panel["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        x, line = x + w, max(line, h)
        if row:
            x, y, line = 0, y + line, 0
    notes.append(f"{len(unplaced)} panels had no gridPos: laid out left to right, 12×8 each")


def migrate_dashboard(model: Json, owned: bool = False) -> tuple[Json, list[str]]:
    """The model after Grafana's schema steps (migrate_steps), with current panel types and
    ``{type, uid}`` datasources, in the shapes Grafana's types declare; notes for the rest.
    The model is copied first unless it is ``owned`` (no one else holds it: it may change)."""
    model = model if owned else copied(model)
    upgrade(model)
    plugins = _variable_plugins(model)
    notes: list[str] = []

    def visit(panels: list[Any]) -> list[Json]:
        result = []
        for panel in panels:
            if not isinstance(panel, dict):
                continue
            new, panel_notes = migrate_panel(panel)
            notes.extend(panel_notes)
            if "datasource" in new:
                new["datasource"] = datasource_ref(new["datasource"], plugins)
            targets = [t for t in new.get("targets") or [] if isinstance(t, dict)]
            taken = {str(t["refId"]) for t in targets if t.get("refId")}
            for target in targets:
                if "datasource" in target:
                    target["datasource"] = datasource_ref(target["datasource"], plugins)
                if not target.get("refId"):  # PanelModel.ensureQueryIds, on load
                    target["refId"] = next_ref_id(taken)
                    taken.add(target["refId"])
            if new.get("panels"):
                new["panels"] = visit(as_array(new["panels"]))
            result.append(new)
        return result

    model["panels"] = visit(as_array(model.get("panels")))
    _place_unplaced(model["panels"], notes)
    for variable in variables(model):
        if "datasource" in variable:
            variable["datasource"] = datasource_ref(variable["datasource"], plugins)
    for annotation in as_array(as_object(model.get("annotations")).get("list")):
        if isinstance(annotation, dict) and "datasource" in annotation:
            annotation["datasource"] = datasource_ref(annotation["datasource"], plugins)
    as_current_types(model, notes)
    return model, notes
