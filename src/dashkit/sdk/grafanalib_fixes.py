"""What grafanalib 0.7.1 gets wrong for current Grafana, fixed in one pass over its output.

grafanalib's ``to_json_data`` emits schemaVersion-12-era shapes: null values everywhere,
``maxDataPoints: 100`` and ``intervalFactor: 2`` on every query, name-string datasources,
thresholds as ``""``, gauge/bar-gauge options in the pre-7 ``fieldOptions`` shape, table value
mappings outside ``fieldConfig``, legacy heatmap options. Every panel dashkit compiles, whether a
dashkit builder or a grafanalib class the user chose, goes through :func:`modernise_panel`, so
the output is in the shape Grafana 10.2 to 13 store (CONTRACT.md §1, §6).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashkit.grafana.facts import next_ref_id
from dashkit.grafana.jsonio import plain
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.options import merge

Json = dict[str, Any]

#: Panel keys from the Angular era that no React panel reads.
_LEGACY_PANEL_KEYS = ("span", "minSpan", "height", "error", "editable", "cacheTimeout",
                      "hideTimeOverride", "thresholdType", "columns", "fontSize", "color", "mappings",
                      "scroll", "styles", "sort")
#: grafanalib's default query density: 100 points a panel, halved again by intervalFactor 2.
_GRAFANALIB_MAX_DATA_POINTS = 100
_TARGET_LEGACY_KEYS = ("intervalFactor", "query", "target", "metric", "step", "format")

#: Grafana's own load-time migration of the table's ``displayMode`` (schema v38).
_TABLE_DISPLAY_MODES: dict[str, Json] = {
    "auto": {"type": "auto"},
    "basic": {"type": "gauge", "mode": "basic"},
    "color-background": {"type": "color-background", "mode": "gradient"},
    "color-background-solid": {"type": "color-background", "mode": "basic"},
    "color-text": {"type": "color-text"},
    "gradient-gauge": {"type": "gauge", "mode": "gradient"},
    "lcd-gauge": {"type": "gauge", "mode": "lcd"},
    "json-view": {"type": "json-view"},
    "image": {"type": "image"},
}

DEFAULT_THRESHOLDS: Json = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}


def _drop_none(data: Json) -> Json:
    return {k: v for k, v in data.items() if v is not None}


def _steps(raw: Any) -> list[Json]:
    """Threshold steps from whatever grafanalib produced: ``""``, Threshold dicts, or steps."""
    if not raw or not isinstance(raw, list):
        return list(DEFAULT_THRESHOLDS["steps"])
    steps = []
    for i, step in enumerate(raw):
        value = step.get("value")
        if i == 0 or value == "null":
            value = None
        steps.append({"color": step.get("color", "green"), "value": value})
    return steps


def _fix_field_config(panel: Json) -> None:
    field_config = panel.setdefault("fieldConfig", {})
    defaults = _drop_none(field_config.get("defaults", {}))
    custom = defaults.get("custom")
    if isinstance(custom, dict):
        defaults["custom"] = _drop_none(custom)
    thresholds = defaults.get("thresholds") or {}
    defaults["thresholds"] = {"mode": thresholds.get("mode") or "absolute",
                              "steps": _steps(thresholds.get("steps"))}
    if defaults.get("unit") == "":
        del defaults["unit"]
    if defaults.get("color") in (None, {}):
        defaults.pop("color", None)
    defaults.setdefault("mappings", [])
    field_config["defaults"] = defaults
    field_config.setdefault("overrides", [])


def _reduce_options(calcs: list[str], values: bool = False, limit: int | None = None) -> Json:
    options: Json = {"calcs": calcs or ["lastNotNull"], "fields": "", "values": values}
    if limit is not None:
        options["limit"] = limit
    return options


def _fix_gauge(panel: Json) -> None:
    """grafanalib's GaugePanel puts reduce options into ``fieldConfig.defaults``."""
    field_config = panel.get("fieldConfig", {})
    old = field_config.get("defaults", {})
    if "calcs" not in old:
        return
    thresholds = (old.get("thresholds") or {}).get("steps")
    panel["fieldConfig"] = {
        "defaults": {
            **{k: old.get(k) for k in ("decimals", "max", "min", "unit", "links", "mappings")},
            "displayName": old.get("title"),
            "thresholds": {"mode": "absolute", "steps": _steps(thresholds)},
        },
        "overrides": [],
    }
    panel["options"] = {
        "reduceOptions": _reduce_options(old.get("calcs"), old.get("values", False), old.get("limit")),
        "showThresholdLabels": field_config.get("showThresholdLabels", False),
        "showThresholdMarkers": field_config.get("showThresholdMarkers", True),
        "orientation": "auto",
    }


def _fix_bar_gauge(panel: Json) -> None:
    """grafanalib's BarGauge uses the pre-Grafana-7 ``options.fieldOptions`` shape."""
    options = panel.get("options", {})
    old = options.get("fieldOptions")
    if old is None:
        return
    defaults = old.get("defaults", {})
    panel["fieldConfig"] = merge({  # what the builder set in fieldConfig (data links) stays
        "defaults": {
            **{k: defaults.get(k) for k in ("decimals", "max", "min", "unit", "links")},
            "displayName": defaults.get("title"),
            "mappings": old.get("mappings", []),
            "thresholds": {"mode": "absolute", "steps": _steps(old.get("thresholds"))},
        },
        "overrides": [],
    }, panel.get("fieldConfig", {}))
    panel["options"] = {
        "displayMode": options.get("displayMode", "gradient"),
        "orientation": options.get("orientation", "horizontal"),
        "reduceOptions": _reduce_options(old.get("calcs"), old.get("values", False), old.get("limit")),
        "showUnfilled": True,
        "valueMode": "color",
        "namePlacement": "auto",
        "sizing": "auto",
        "minVizHeight": 16,
        "minVizWidth": 8,
        "maxVizHeight": 300,
    }


def _fix_table(panel: Json) -> None:
    """Mappings into ``fieldConfig.defaults``; ``displayMode`` to ``cellOptions`` (schema v38)."""
    defaults = panel.setdefault("fieldConfig", {}).setdefault("defaults", {})
    if panel.get("mappings") and not defaults.get("mappings"):
        defaults["mappings"] = panel["mappings"]
    custom = defaults.setdefault("custom", {})
    mode = custom.pop("displayMode", None)
    if mode is not None and "cellOptions" not in custom:
        custom["cellOptions"] = dict(_TABLE_DISPLAY_MODES.get(mode, {"type": "auto"}))
    options = panel.setdefault("options", {})
    options.setdefault("cellHeight", "sm")
    options.setdefault("footer", {"show": False, "reducer": ["sum"], "fields": "", "countRows": False})


def _fix_stat(panel: Json) -> None:
    defaults = panel.setdefault("fieldConfig", {}).setdefault("defaults", {})
    if defaults.get("noValue") == "none":  # grafanalib's default prints the word "none"
        del defaults["noValue"]
    if defaults.get("custom") == {}:
        del defaults["custom"]
    options = panel.setdefault("options", {})
    options.setdefault("wideLayout", True)
    options.setdefault("showPercentChange", False)


_HEATMAP_LEGACY_KEYS = ("cards", "dataFormat", "heatmap", "hideZeroBuckets", "highlightCards",
                        "legend", "reverseYBuckets", "tooltip", "xAxis", "xBucketNumber",
                        "xBucketSize", "yAxis", "yBucketBound", "yBucketNumber", "yBucketSize")


def _fix_heatmap(panel: Json) -> None:
    """The Angular heatmap's options become the React heatmap's (Grafana 9+)."""
    if "dataFormat" not in panel and isinstance(panel.get("options"), dict):
        return
    y_axis = panel.get("yAxis") or {}
    color = panel.get("color") or {}
    legacy_options = panel.get("options")
    for key in _HEATMAP_LEGACY_KEYS:
        panel.pop(key, None)
    panel["options"] = {
        "calculate": False,
        "cellGap": 1,
        "color": {"exponent": color.get("exponent", 0.5), "fill": "dark-orange", "mode": "scheme",
                  "reverse": False, "scale": "exponential", "scheme": "Oranges", "steps": 64},
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
        "filterValues": {"le": 1e-9},
        "legend": {"show": True},
        "rowsFrame": {"layout": "auto"},
        "tooltip": {"mode": "single", "yHistogram": False, "showColorScale": False},
        "yAxis": {"axisPlacement": "left", "reverse": False, "unit": y_axis.get("format") or "short"},
        **(legacy_options if isinstance(legacy_options, dict) else {}),
    }


def _fix_row(panel: Json) -> None:
    for key in ("fieldConfig", "targets", "transformations", "links", "options", "maxDataPoints",
                "interval", "description", "timeFrom", "timeShift"):
        panel.pop(key, None)
    panel.setdefault("panels", [])


_TYPE_FIXES: dict[str, Callable[[Json], None]] = {
    "gauge": _fix_gauge,
    "bargauge": _fix_bar_gauge,
    "table": _fix_table,
    "stat": _fix_stat,
    "heatmap": _fix_heatmap,
}


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
    panel = plain(raw)
    panel_type = panel.get("type")
    if panel_type == "row":
        _fix_row(panel)
    fix = _TYPE_FIXES.get(panel_type or "")
    if fix:
        fix(panel)
    if panel.get("maxDataPoints") == _GRAFANALIB_MAX_DATA_POINTS:
        del panel["maxDataPoints"]
    if not panel.get("repeat"):
        for key in ("repeat", "repeatDirection", "maxPerRow"):
            panel.pop(key, None)
    panel.pop("thresholds", None)
    if panel.get("transparent") is False:
        del panel["transparent"]
    for key in _LEGACY_PANEL_KEYS:
        panel.pop(key, None)
    panel = _drop_none(panel)
    for key in ("links", "transformations"):
        if panel.get(key) == []:
            del panel[key]
    if panel_type not in ("row", "text"):
        _fix_field_config(panel)
    if panel_type != "row":
        if isinstance(panel.get("datasource"), str) or (panel_type == "text"):
            panel.pop("datasource", None)
        if "datasource" not in panel and datasource is not None and panel_type != "text":
            panel["datasource"] = datasource.to_json_data()
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
