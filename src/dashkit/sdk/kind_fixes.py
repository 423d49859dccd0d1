"""What grafanalib 0.7.1 gets wrong for one panel type, fixed: each fix is named by its kind in
``dashkit.sdk.kinds`` and run by :func:`dashkit.sdk.grafanalib_fixes.modernise_panel`."""
from __future__ import annotations

from typing import Any

from dashkit.sdk.options import merge

Json = dict[str, Any]

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


def threshold_steps(raw: Any) -> list[Json]:
    """Threshold steps from whatever grafanalib produced: ``""``, Threshold dicts, or steps."""
    if not raw or not isinstance(raw, list):  # fresh steps: the JSON may be changed in place
        return [dict(step) for step in DEFAULT_THRESHOLDS["steps"]]
    steps = []
    for i, step in enumerate(raw):
        value = step.get("value")
        if i == 0 or value == "null":
            value = None
        steps.append({"color": step.get("color", "green"), "value": value})
    return steps


def current_defaults(mode: Any, steps: Any, written: Json) -> Json:
    """``fieldConfig.defaults`` as current Grafana stores them: no nulls, thresholds with a mode
    and steps, no empty unit, mappings always a list (``written`` itself is left as it was)."""
    defaults = {k: v for k, v in written.items() if v is not None}
    defaults["thresholds"] = {"mode": mode or "absolute", "steps": threshold_steps(steps)}
    if defaults.get("unit") == "":
        del defaults["unit"]
    defaults.setdefault("mappings", [])
    return defaults


def reduce_options(calcs: list[str], values: bool = False, limit: int | None = None) -> Json:
    """The ``options.reduceOptions`` Grafana 7+ reads, from grafanalib's separate settings."""
    options: Json = {"calcs": calcs or ["lastNotNull"], "fields": "", "values": values}
    if limit is not None:
        options["limit"] = limit
    return options


def fix_gauge(panel: Json) -> None:
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
            "thresholds": {"mode": "absolute", "steps": threshold_steps(thresholds)},
        },
        "overrides": [],
    }
    panel["options"] = {
        "reduceOptions": reduce_options(old.get("calcs"), old.get("values", False), old.get("limit")),
        "showThresholdLabels": field_config.get("showThresholdLabels", False),
        "showThresholdMarkers": field_config.get("showThresholdMarkers", True),
        "orientation": "auto",
    }


def fix_bar_gauge(panel: Json) -> None:
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
            "thresholds": {"mode": "absolute", "steps": threshold_steps(old.get("thresholds"))},
        },
        "overrides": [],
    }, panel.get("fieldConfig", {}))
    panel["options"] = {
        "displayMode": options.get("displayMode", "gradient"),
        "orientation": options.get("orientation", "horizontal"),
        "reduceOptions": reduce_options(old.get("calcs"), old.get("values", False), old.get("limit")),
        "showUnfilled": True,
        "valueMode": "color",
        "namePlacement": "auto",
        "sizing": "auto",
        "minVizHeight": 16,
        "minVizWidth": 8,
        "maxVizHeight": 300,
    }


def fix_table(panel: Json) -> None:
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


def fix_stat(panel: Json) -> None:
    """grafanalib's Stat prints "none" for no value and omits the options Grafana 10+ writes."""
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


def fix_heatmap(panel: Json) -> None:
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


def fix_row(panel: Json) -> None:
    """A row holds panels; grafanalib gives it a query panel's fields, which Grafana drops."""
    for key in ("fieldConfig", "targets", "transformations", "links", "options", "maxDataPoints",
                "interval", "description", "timeFrom", "timeShift"):
        panel.pop(key, None)
    panel.setdefault("panels", [])
