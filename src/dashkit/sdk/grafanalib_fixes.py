"""What grafanalib 0.7.1 gets wrong for current Grafana, fixed in one pass over its output.

grafanalib's ``to_json_data`` emits schemaVersion-12-era shapes: null values everywhere,
``maxDataPoints: 100`` and ``intervalFactor: 2`` on every query, name-string datasources,
thresholds as ``""``, gauge/bar-gauge options in the pre-7 ``fieldOptions`` shape, table value
mappings outside ``fieldConfig``, legacy heatmap options (the fixes for one panel type are in
``kind_fixes``, each named by its kind in ``kinds``). Every panel dashkit compiles, whether a
dashkit builder or a grafanalib class the user chose, goes through :func:`modernise_panel`, so
the output is in the shape Grafana 10.2 to 13 store (CONTRACT.md §1, §6).
"""
from __future__ import annotations

from typing import Any

from dashkit.grafana.facts import next_ref_id
from dashkit.grafana.jsonio import plain
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.direct import DirectPanel
from dashkit.sdk.direct_current import current_shape
from dashkit.sdk.kind_fixes import current_defaults
from dashkit.sdk.kinds import kind_of

Json = dict[str, Any]

#: Panel keys from the Angular era that no React panel reads.
_LEGACY_PANEL_KEYS = ("span", "minSpan", "height", "error", "editable", "cacheTimeout",
                      "hideTimeOverride", "thresholdType", "columns", "fontSize", "color", "mappings",
                      "scroll", "styles", "sort")
#: grafanalib's default query density: 100 points a panel, halved again by intervalFactor 2.
_GRAFANALIB_MAX_DATA_POINTS = 100
#: Keys no current panel keeps: the Angular ones, grafanalib's top-level ``thresholds`` ...
_DROPPED = frozenset(("thresholds", *_LEGACY_PANEL_KEYS))
#: ... and, on a panel that does not repeat, the repeat settings.
_DROPPED_UNREPEATED = _DROPPED | {"repeat", "repeatDirection", "maxPerRow"}
_TARGET_LEGACY_KEYS = ("intervalFactor", "query", "target", "metric", "step", "format")


def _drop_none(data: Json) -> Json:
    return {k: v for k, v in data.items() if v is not None}


def _fix_field_config(panel: Json) -> None:
    field_config = panel.setdefault("fieldConfig", {})
    written = field_config.get("defaults", {})
    thresholds = written.get("thresholds") or {}
    defaults = current_defaults(thresholds.get("mode"), thresholds.get("steps"), written)
    custom = defaults.get("custom")
    if isinstance(custom, dict):
        defaults["custom"] = _drop_none(custom)
    if defaults.get("color") == {}:
        del defaults["color"]
    field_config["defaults"] = defaults
    field_config.setdefault("overrides", [])



#: Every key grafanalib's Target emits: a target with all of them came from grafanalib.
_GRAFANALIB_TARGET_KEYS = frozenset({"expr", "query", "target", "format", "hide", "interval",
                                     "intervalFactor", "legendFormat", "metric", "refId", "step"})


def modernise_target(target: Json, datasource: DatasourceRef | None) -> Json:
    """grafanalib's target defaults dropped; any other target is kept as its author wrote it."""
    if target.keys() >= _GRAFANALIB_TARGET_KEYS:
        target = _drop_none(target)
        if target.get("query") == target.get("expr"):
            target.pop("query", None)
        for key in _TARGET_LEGACY_KEYS:
            if key == "format" and target.get(key) not in (None, "time_series"):
                continue
            target.pop(key, None)
        for key, default in (("hide", False), ("interval", ""), ("legendFormat", "")):
            if target.get(key) == default:
                del target[key]
        if isinstance(target.get("datasource"), str):
            target.pop("datasource")
    if "datasource" not in target and datasource is not None:
        target["datasource"] = datasource.to_json_data()
    return target


def modernise_panel(raw: Any, datasource: DatasourceRef | None) -> Json:
    """A panel (grafanalib object or dict) in the shape current Grafana stores."""
    if isinstance(raw, DirectPanel):  # a builder's: written in that shape where it can be
        panel = current_shape(raw)
        if panel is None:
            panel = _current_shape_of(raw.plain_json())
    else:
        panel = _current_shape_of(plain(raw))
    return _with_queries(panel, datasource)


def _current_shape_of(panel: Json) -> Json:
    """grafanalib's JSON of a panel, its queries aside, in the shape current Grafana stores."""
    panel_type = panel.get("type")
    fix = kind_of(panel_type).fix
    if fix is not None:
        fix(panel)
    if panel.get("maxDataPoints") == _GRAFANALIB_MAX_DATA_POINTS:
        del panel["maxDataPoints"]
    if panel.get("transparent") is False:
        del panel["transparent"]
    dropped = _DROPPED if panel.get("repeat") else _DROPPED_UNREPEATED
    panel = {k: v for k, v in panel.items() if v is not None and k not in dropped}
    for key in ("links", "transformations"):
        if panel.get(key) == []:
            del panel[key]
    if panel_type not in ("row", "text"):
        _fix_field_config(panel)
    return panel


def _with_queries(panel: Json, datasource: DatasourceRef | None) -> Json:
    """The panel's datasource (the dashboard's where it names none by uid) and its queries."""
    panel_type = panel.get("type")
    if panel_type != "row":
        if isinstance(panel.get("datasource"), str) or (panel_type == "text"):
            panel.pop("datasource", None)
        if "datasource" not in panel and datasource is not None and panel_type != "text":
            panel["datasource"] = datasource.to_json_data()
            own_ref: DatasourceRef | None = datasource
        else:
            own = panel.get("datasource")
            own_ref = DatasourceRef(str(own.get("type") or ""), str(own.get("uid") or "")) \
                if isinstance(own, dict) else datasource
        if panel_type == "text":
            panel.pop("targets", None)
        else:
            panel["targets"] = _with_ref_ids(
                [modernise_target(t, own_ref) for t in panel.get("targets", [])])
    return panel


def _with_ref_ids(targets: list[Json]) -> list[Json]:
    """Every query gets a refId, as Grafana's ``PanelModel.ensureQueryIds`` gives one on load
    (``getNextRefId``: the first letter from A that no query uses): a grafanalib panel's
    targets default to ``""``, which Grafana would rewrite, a diff at every publish."""
    taken = {str(t.get("refId")) for t in targets if isinstance(t, dict) and t.get("refId")}
    for target in targets:
        if isinstance(target, dict) and not target.get("refId"):
            target["refId"] = next_ref_id(taken)
            taken.add(target["refId"])
    return targets
