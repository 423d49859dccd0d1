"""Any Grafana dashboard JSON a user has, as the one model shape dashkit works on.

Accepts the bare model; the HTTP API's ``{"dashboard": …, "meta": …}`` and
``{"dashboard": …, "overwrite": …, "inputs": …}``; exported files with ``__inputs``/``__requires``;
mixin file maps ``{"name.json": {…}}``; and legacy ``rows[]`` layouts, converted to grid positions
the way Grafana's ``DashboardMigrator.upgradeToGridLayout`` does.
"""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import attrs

from dashkit.errors import DashkitError

Json = dict[str, Any]

# Grafana's grid: 30 px cells with 8 px margins, 3 cells minimum; old spans were twelfths.
_CELL_HEIGHT, _CELL_MARGIN, _MIN_PANEL_HEIGHT = 30, 8, 90
_DEFAULT_ROW_HEIGHT = 250


@attrs.frozen
class Loaded:
    """A dashboard model found in a file, and how it was wrapped."""

    name: str
    model: Json
    source: str
    #: "bare", "api" ({"dashboard": …}), or "file-map" ({"x.json": {…}})
    wrapper: str = "bare"
    #: True where the file carried ``__inputs`` (an export for the import UI).
    exported: bool = False
    #: True where the layout was converted from legacy ``rows[]``.
    legacy_rows: bool = False
    #: The import inputs (``__inputs``, or the API wrapper's ``inputs``).
    inputs: tuple[dict[str, Any], ...] = ()


def _looks_like_dashboard(value: Any) -> bool:
    return isinstance(value, dict) and ("panels" in value or "rows" in value) and (
        "title" in value or "schemaVersion" in value)


def unwrap(raw: Any, source: str) -> list[Loaded]:
    """The dashboards in a parsed JSON document, before any layout conversion."""
    if _looks_like_dashboard(raw):
        return [Loaded(str(raw.get("title") or Path(source).stem), raw, source,
                       exported=bool(raw.get("__inputs")),
                       inputs=tuple(raw.get("__inputs") or ()))]
    if isinstance(raw, dict) and _looks_like_dashboard(raw.get("dashboard")):
        inner = raw["dashboard"]
        inputs = tuple(raw.get("inputs") or inner.get("__inputs") or ())
        return [Loaded(str(inner.get("title") or Path(source).stem), inner, source, "api",
                       exported=bool(inputs), inputs=inputs)]
    if isinstance(raw, dict) and raw and all(
            k.endswith(".json") and _looks_like_dashboard(v) for k, v in raw.items()):
        return [Loaded(k, v, f"{source}:{k}", "file-map", exported=bool(v.get("__inputs")))
                for k, v in sorted(raw.items())]
    raise DashkitError("not a Grafana dashboard (no panels or rows)", file=source)


def grid_height(height: Any) -> int:
    """Grafana's ``getGridHeight``: pixels (``"250px"`` or 250) to grid units."""
    if isinstance(height, str):
        digits = "".join(ch for ch in height if ch.isdigit())
        height = int(digits) if digits else _DEFAULT_ROW_HEIGHT
    if not isinstance(height, (int, float)) or height <= 0:
        height = _DEFAULT_ROW_HEIGHT
    height = max(height, _MIN_PANEL_HEIGHT)
    return math.ceil(height / (_CELL_HEIGHT + _CELL_MARGIN))


def rows_to_panels(model: Json) -> Json:
    """A ``rows[]`` dashboard with its panels placed on the grid (``upgradeToGridLayout``)."""
    rows = model.get("rows") or []
    result = {k: v for k, v in model.items() if k != "rows"}
    panels: list[Json] = []
    next_id = 1 + max([p.get("id") or 0 for r in rows for p in r.get("panels") or []] + [0])
    show_rows = len(rows) > 1 or any(r.get("showTitle") or r.get("collapse") or r.get("repeat")
                                     for r in rows)
    y = 0
    for row in rows:
        height = grid_height(row.get("height", _DEFAULT_ROW_HEIGHT))
        row_panel: Json | None = None
        if show_rows:
            row_panel = {"type": "row", "title": row.get("title") or "", "id": next_id,
                         "collapsed": bool(row.get("collapse")), "panels": [],
                         "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}}
            if row.get("repeat"):
                row_panel["repeat"] = row["repeat"]
            next_id += 1
            panels.append(row_panel)
            y += 1
        x, line_height = 0, 0
        placed: list[Json] = []
        for old in row.get("panels") or []:
            panel = copy.deepcopy(old)
            width = max(1, math.floor(float(panel.pop("span", 12) or 12)) * 2)
            panel_height = grid_height(panel.pop("height")) if panel.get("height") else height
            if x + width > 24:
                y, x, line_height = y + line_height, 0, 0
            panel["gridPos"] = {"x": x, "y": y, "w": min(width, 24), "h": panel_height}
            x += width
            line_height = max(line_height, panel_height)
            if not panel.get("id"):
                panel["id"] = next_id
                next_id += 1
            placed.append(panel)
        y += line_height if placed else 0
        if row_panel is not None and row_panel["collapsed"]:
            row_panel["panels"] = placed
            y = row_panel["gridPos"]["y"] + 1
        else:
            panels.extend(placed)
    result["panels"] = panels + (model.get("panels") or [])
    return result


def normalise(loaded: Loaded) -> Loaded:
    """The model with a grid layout; everything else as written."""
    if loaded.model.get("rows"):
        return attrs.evolve(loaded, model=rows_to_panels(loaded.model), legacy_rows=True)
    return loaded


def load_json(path: str | Path, text: str | None = None) -> list[Loaded]:
    """Every dashboard in a JSON file, normalised; one clear error for anything else."""
    source = str(path)
    try:
        raw = json.loads(text if text is not None else Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DashkitError(f"invalid JSON at line {error.lineno} column {error.colno}: "
                           f"{error.msg}", file=source) from None
    except OSError as error:
        raise DashkitError(f"cannot read: {error.strerror}", file=source) from None
    return [normalise(item) for item in unwrap(raw, source)]
