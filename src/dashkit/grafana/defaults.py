"""What Grafana assumes when a field is absent, so that writing it changes nothing.

The importer drops these values (the generated module states each fact once) and compares
dashboards in meaning: a query without ``format`` is the same query as one with
``format: "time_series"``.
"""
from __future__ import annotations

from typing import Any

#: Fields of a Prometheus or Loki query (a target with ``expr``) and the values that mean the
#: same as leaving them out. ``format``: the Prometheus backend reads anything but "table" and
#: "heatmap" as a time series (``pkg/promlib/models/query.go``); ``hide``: DataQuery's
#: "true if query is disabled"; ``legendFormat`` "": the series' own name; ``exemplar``,
#: ``interval`` "": off, and no minimum step; ``intervalFactor`` 1: the Prometheus datasource's
#: ``target.intervalFactor || 1``. SQL datasources are not covered: their default format is
#: "table".
QUERY_DEFAULTS: dict[str, tuple[Any, ...]] = {
    "format": ("time_series",),
    "hide": (False,),
    "legendFormat": ("",),
    "exemplar": (False,),
    "interval": ("",),
    "intervalFactor": (1,),
}


def is_default(key: str, value: Any, defaults: dict[str, tuple[Any, ...]]) -> bool:
    """True where ``value`` is what Grafana assumes for an absent ``key`` (booleans and numbers
    are not confused: ``False`` is not ``0``)."""
    return any(type(value) is type(default) and value == default
               for default in defaults.get(key, ()))


def query_without_defaults(target: Any) -> Any:
    """A Prometheus/Loki query without the fields that restate Grafana's defaults; any other
    target (no ``expr``) as it is."""
    if not isinstance(target, dict) or not isinstance(target.get("expr"), str):
        return target
    return {k: v for k, v in target.items() if not is_default(k, v, QUERY_DEFAULTS)}


#: What a timeseries panel's field config means when a setting is absent: Grafana fills it in
#: from the panel's option registry (``public/app/plugins/panel/timeseries/config.ts``:
#: ``defaultGraphConfig`` and each option's ``defaultValue``; the first of
#: ``graphFieldOptions.showPoints``/``fillGradient``/``axisPlacement``; the axis builder's
#: ``axisLabel`` "" and linear scale; the colour option's ``palette-classic``).
TIMESERIES_FIELD_DEFAULTS: dict[str, Any] = {
    "color": {"mode": "palette-classic"},
    "custom": {
        "drawStyle": "line", "lineInterpolation": "linear", "lineWidth": 1, "fillOpacity": 0,
        "gradientMode": "none", "barAlignment": 0, "barWidthFactor": 0.6, "spanNulls": False,
        "insertNulls": False, "showPoints": "auto", "pointSize": 5,
        "stacking": {"mode": "none", "group": "A"}, "axisPlacement": "auto", "axisLabel": "",
        "axisCenteredZero": False, "axisBorderShow": False, "scaleDistribution": {"type": "linear"},
        "thresholdsStyle": {"mode": "off"},
    },
}
#: And its legend and tooltip options (grafana-ui's ``addLegendOptions`` and
#: ``addTooltipOptions``, each option's ``defaultValue``).
TIMESERIES_OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "legend": {"showLegend": True, "displayMode": "list", "placement": "bottom", "calcs": []},
    "tooltip": {"mode": "single", "sort": "none"},
}


def _with_field_defaults(panel: dict[str, Any]) -> dict[str, Any]:
    """A timeseries panel with the field settings and legend and tooltip options Grafana
    assumes filled in where absent."""
    config = panel.get("fieldConfig")
    config = config if isinstance(config, dict) else {}
    defaults = config.get("defaults")
    defaults = defaults if isinstance(defaults, dict) else {}
    custom = defaults.get("custom")
    filled = {**TIMESERIES_FIELD_DEFAULTS["custom"], **(custom if isinstance(custom, dict) else {})}
    options = panel.get("options")
    options = options if isinstance(options, dict) else {}
    filled_options = dict(options)
    for key, option_defaults in TIMESERIES_OPTION_DEFAULTS.items():
        own = options.get(key)
        filled_options[key] = {**option_defaults, **(own if isinstance(own, dict) else {})}
    return {**panel, "options": filled_options, "fieldConfig": {**config, "defaults": {
        "color": TIMESERIES_FIELD_DEFAULTS["color"], **defaults, "custom": filled}}}


#: A panel's own fields where an empty list means the same as leaving it out (PanelModel starts
#: from empty lists); any of its own fields that is null means the same as absent.
EMPTY_PANEL_LISTS = frozenset({"links", "transformations"})


def panel_meaning(panel: dict[str, Any]) -> dict[str, Any]:
    """The panel as Grafana reads it: without its own null fields, empty link and transformation
    lists and its queries' default fields, and with a timeseries' field defaults filled in. Two
    panels with the same meaning draw the same; a builder value that differs from what the
    source left to Grafana's default is therefore carried over."""
    meaning = {k: v for k, v in panel.items()
               if v is not None and not (k in EMPTY_PANEL_LISTS and v == [])}
    targets = meaning.get("targets")
    if isinstance(targets, list):
        meaning["targets"] = [query_without_defaults(t) for t in targets]
    if meaning.get("type") == "timeseries":
        meaning = _with_field_defaults(meaning)
    return meaning
