"""Any Grafana dashboard JSON a user has, as the one model shape dashkit works on.

Accepts the bare model; the HTTP API's ``{"dashboard": …, "meta": …}`` and
``{"dashboard": …, "overwrite": …, "inputs": …}``; exported files with ``__inputs``/``__requires``;
mixin file maps ``{"name.json": {…}}``; Kubernetes-style resources of Grafana 12/13's dashboard API,
a v0/v1 one wrapping the classic model and a v2 one converted back (dashkit.grafana.v2); and legacy
``rows[]`` layouts, converted to grid positions the way Grafana's
``DashboardMigrator.upgradeToGridLayout`` does.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import orjson

from dashkit.errors import DashkitError
from dashkit.grafana.jsonio import copied
from dashkit.grafana.migrate_common import number
from dashkit.grafana.model import as_array, as_int
from dashkit.grafana.v2_read import classic_of_resource, is_dashboard_resource, resource_version

Json = dict[str, Any]

# Grafana's grid: 30 px cells with 8 px margins, 3 cells minimum; old spans were twelfths.
_CELL_HEIGHT, _CELL_MARGIN, _MIN_PANEL_HEIGHT = 30, 8, 90
_DEFAULT_ROW_HEIGHT = 250
#: Git Sync's folder metadata file (a Folder resource) in a repository's folder.
GIT_SYNC_FOLDER_FILE = "_folder.json"


@attrs.frozen
class Loaded:
    """A dashboard model found in a file, and how it was wrapped."""

    name: str
    model: Json
    source: str
    #: "bare", "api" ({"dashboard": …}), "file-map" ({"x.json": {…}}), or "resource-v1",
    #: "resource-v2"… (``{"apiVersion": "dashboard.grafana.app/<version>", "spec": …}``)
    wrapper: str = "bare"
    #: True where the file carried ``__inputs`` (an export for the import UI).
    exported: bool = False
    #: True where the layout was converted from legacy ``rows[]``.
    legacy_rows: bool = False
    #: The import inputs (``__inputs``, or the API wrapper's ``inputs``).
    inputs: tuple[dict[str, Any], ...] = ()


def _looks_like_dashboard(value: Any) -> bool:
    """A model Grafana would load: panels or rows, or (before schema 16 a dashboard may have
    only variables) a templating section, with a title or a schema version."""
    return isinstance(value, dict) and any(k in value for k in ("panels", "rows", "templating")) \
        and ("title" in value or "schemaVersion" in value)


def unwrap(raw: Any, source: str) -> list[Loaded]:
    """The dashboards in a parsed JSON document, before any layout conversion."""
    if _looks_like_dashboard(raw):
        return [Loaded(str(raw.get("title") or Path(source).stem), raw, source,
                       exported=bool(raw.get("__inputs")),
                       inputs=tuple(raw.get("__inputs") or ()))]
    if is_dashboard_resource(raw):
        model = classic_of_resource(raw)
        if not _looks_like_dashboard(model):
            raise DashkitError("a dashboard resource whose spec is not a dashboard (no panels)",
                               file=source)
        return [Loaded(str(model.get("title") or Path(source).stem), model, source,
                       f"resource-{resource_version(raw)}")]
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
    return math.ceil(float(height) / (_CELL_HEIGHT + _CELL_MARGIN))


class _RowArea:
    """``upgradeToGridLayout``'s RowArea: how high each grid column of a legacy row is filled,
    so a panel goes into the free space at the right, or the row wraps by its own height."""

    def __init__(self, height: int, y: int) -> None:
        self.area, self.y, self.height = [0] * 24, y, height

    def add(self, grid: Json) -> None:
        for i in range(grid["x"], min(grid["x"] + grid["w"], 24)):
            self.area[i] = max(self.area[i], grid["y"] + grid["h"] - self.y)

    def place(self, width: int, again: bool = True) -> tuple[int, int]:
        start: int | None = None
        end: int | None = None
        for i in range(23, -1, -1):
            if self.height - self.area[i] <= 0:
                break
            if end is None:
                end = i
            elif self.area[i] <= self.area[i + 1]:
                start = i
            else:
                break
        if start is not None and end is not None and end - start >= width - 1:
            return start, max(self.area[start:])
        if not again:
            return 0, 0
        self.y, self.area = self.y + self.height, [0] * 24
        return self.place(width, again=False)


def rows_to_panels(model: Json) -> Json:
    """A ``rows[]`` dashboard with its panels placed on the grid: Grafana's schema 16
    (``upgradeToGridLayout``). A repeated row's copy is skipped; a row panel keeps its row's
    height; after a collapsed row the next starts where its panels' area ended."""
    rows = [r for r in as_array(model.get("rows")) if isinstance(r, dict)]
    result = {k: v for k, v in model.items() if k != "rows"}
    panels: list[Json] = []
    next_id = 1 + max([as_int(p.get("id")) for r in rows for p in as_array(r.get("panels"))
                       if isinstance(p, dict)] + [0])
    show_rows = any(r.get("collapse") or r.get("showTitle") or r.get("repeat") for r in rows)
    y = 0
    for row in rows:
        if row.get("repeatIteration") is not None:
            continue  # a copy Grafana drew for a repeated row: the row itself comes once
        height = grid_height(row.get("height") or _DEFAULT_ROW_HEIGHT)
        row_panels = [copied(p) for p in as_array(row.get("panels")) if isinstance(p, dict)]
        for panel in row_panels:
            if "id" not in panel:
                panel["id"], next_id = next_id, next_id + 1
        collapsed = bool(row.get("collapse"))
        row_panel: Json | None = None
        if show_rows:
            row_panel = {"type": "row", "title": row.get("title") or "", "id": next_id,
                         "collapsed": collapsed, "panels": [],
                         "gridPos": {"x": 0, "y": y, "w": 24, "h": height}}
            if row.get("repeat"):
                row_panel["repeat"] = row["repeat"]
            next_id, y = next_id + 1, y + 1
            panels.append(row_panel)
        area = _RowArea(height, y)
        for panel in row_panels:
            width = min(24, max(1, math.floor(number(panel.pop("span", None)) or 4) * 2))
            min_span = panel.get("minSpan")
            if isinstance(min_span, (int, float)) and not isinstance(min_span, bool) and min_span:
                panel["minSpan"] = min(24, 2 * min_span)  # twelfths to grid columns
            panel_height = grid_height(panel.pop("height")) if panel.get("height") else height
            x, dy = area.place(width)
            y = area.y
            panel["gridPos"] = {"x": x, "y": y + dy, "w": width, "h": panel_height}
            area.add(panel["gridPos"])
            (row_panel["panels"] if row_panel is not None and collapsed else panels).append(panel)
        if row_panel is None or not collapsed:
            y += height
    result["panels"] = panels + as_array(model.get("panels"))
    return result


def with_grid_layout(loaded: Loaded) -> Loaded:
    """The model with a grid layout; everything else as written."""
    if loaded.model.get("rows"):
        return attrs.evolve(loaded, model=rows_to_panels(loaded.model), legacy_rows=True)
    return loaded


#: Grafana stores numbers as float64 or int64: a larger integer is not a value it can hold.
_INT_RANGE = (-(2 ** 63), 2 ** 64 - 1)


def _integer(text: str) -> int:
    value = int(text)
    if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
        raise ValueError(f"the integer {text[:20]}… does not fit in 64 bits")
    return value


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str | bytes, source: str) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, integers within 64 bits, nesting Python can walk,
    text that is valid Unicode. Anything else is one error naming the file."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DashkitError(f"not UTF-8 text (byte {error.start})", file=source) from None
    try:
        raw = json.loads(text, parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise DashkitError(f"invalid JSON at line {error.lineno} column {error.colno}: "
                           f"{error.msg}", file=source) from None
    except ValueError as error:
        raise DashkitError(f"invalid JSON: {error}", file=source) from None
    except RecursionError:
        raise DashkitError("invalid JSON: nested too deeply", file=source) from None
    try:
        orjson.dumps(raw)  # lone surrogates (\ud800) and too deep a nesting for the writer
    except orjson.JSONEncodeError as error:
        raise DashkitError(f"invalid JSON: {error}", file=source) from None
    return raw


def load_json(path: str | Path, text: str | bytes | None = None) -> list[Loaded]:
    """Every dashboard in a JSON file, normalised; one clear error for anything else."""
    source = str(path)
    try:
        content: str | bytes = text if text is not None else Path(path).read_bytes()
    except OSError as error:
        raise DashkitError(f"cannot read: {error.strerror}", file=source) from None
    return loaded_from(parse_json(content, source), source)


def loaded_from(raw: Any, source: str) -> list[Loaded]:
    """:func:`load_json` of a document parsed already (the import reloads its own JSON)."""
    found = unwrap(raw, source)
    for item in found:
        check_shape(item.model, item.source)
    return [with_grid_layout(item) for item in found]



def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def _expect(value: Any, kind: type | tuple[type, ...], where: str, problems: list[str]) -> bool:
    ok = isinstance(value, kind) and not (kind in (int, (int, float)) and isinstance(value, bool))
    if not ok:
        wanted = {dict: "an object", list: "a list", str: "a string"}.get(kind, "a number")  # type: ignore[call-overload]
        problems.append(f"{where} must be {wanted}, not {_kind(value)}")
    return ok


def check_shape(model: Json, source: str) -> None:
    """The fields dashkit reads have the types Grafana gives them: a field of another type is
    one error naming it (``panels[3].gridPos.x must be a number, not a string``)."""
    problems: list[str] = []
    for key in ("title", "uid", "description"):
        if model.get(key) is not None:
            _expect(model[key], str, key, problems)
    for key in ("tags", "links", "panels", "rows"):
        if model.get(key) is not None:
            _expect(model[key], list, key, problems)
    for key in ("templating", "annotations", "time"):
        if model.get(key) is not None and _expect(model[key], dict, key, problems) and key != "time":
            inner = model[key].get("list")
            if inner is not None and _expect(inner, list, f"{key}.list", problems):
                for i, item in enumerate(inner):
                    _expect(item, dict, f"{key}.list[{i}]", problems)
    for i, tag in enumerate(as_array(model.get("tags"))):
        _expect(tag, str, f"tags[{i}]", problems)
    for i, link in enumerate(as_array(model.get("links"))):
        _expect(link, dict, f"links[{i}]", problems)
    rows = as_array(model.get("rows"))
    for r, row in enumerate(rows):
        if _expect(row, dict, f"rows[{r}]", problems) and row.get("panels") is not None:
            _check_panels(row["panels"], f"rows[{r}].panels", problems)
    if isinstance(model.get("panels"), list):
        _check_panels(model["panels"], "panels", problems)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DashkitError(f"field {problems[0]}{more}", file=source,
                           dashboard=str(model.get("uid") or model.get("title") or "") or None)


def _check_panels(panels: Any, where: str, problems: list[str]) -> None:
    if not _expect(panels, list, where, problems):
        return
    for i, panel in enumerate(panels):
        at = f"{where}[{i}]"
        if not _expect(panel, dict, at, problems):
            continue
        for key in ("title", "type", "description"):
            if panel.get(key) is not None:
                _expect(panel[key], str, f"{at}.{key}", problems)
        grid = panel.get("gridPos")
        if grid is not None and _expect(grid, dict, f"{at}.gridPos", problems):
            for axis in ("x", "y", "w", "h"):
                if grid.get(axis) is not None:
                    _expect(grid[axis], (int, float), f"{at}.gridPos.{axis}", problems)
        for key in ("targets", "panels"):
            if panel.get(key) is not None and _expect(panel[key], list, f"{at}.{key}", problems):
                if key == "panels":
                    _check_panels(panel[key], f"{at}.panels", problems)
                else:
                    for t, target in enumerate(panel[key]):
                        _expect(target, dict, f"{at}.targets[{t}]", problems)
        for key in ("fieldConfig", "options", "datasource"):
            if key == "datasource" and isinstance(panel.get(key), str):
                continue  # a legacy datasource name
            if panel.get(key) is not None:
                _expect(panel[key], dict, f"{at}.{key}", problems)


def json_files(path: Path) -> list[Path]:
    """The file given, or the JSON files of a folder (recursively) that may hold dashboards."""
    if not path.is_dir():
        return [path]
    # a Git Sync folder's metadata is a Folder resource, not a dashboard
    return sorted(f for f in path.rglob("*.json") if f.name != GIT_SYNC_FOLDER_FILE)


def load_json_paths(paths: Iterable[Path]) -> tuple[list[Loaded], list[DashkitError]]:
    """Every dashboard in the JSON files given, and in the folders given (recursively); a file
    that is not a dashboard is an error of its own, and the others are still read."""
    loaded: list[Loaded] = []
    errors: list[DashkitError] = []
    for path in paths:
        for file in json_files(path):
            try:
                loaded += load_json(file)
            except DashkitError as error:
                errors.append(error.located(file=str(file)))
    return loaded, errors
