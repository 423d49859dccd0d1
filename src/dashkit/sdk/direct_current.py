"""The time series, stat and gauge panels written straight in the shape current Grafana stores
(the other builders' panels take the general path: their JSON, fixed).

Any panel is brought up to date by ``grafanalib_fixes.modernise_panel``: grafanalib's JSON, its
nulls, Angular-era keys and old shapes included, is built and then fixed. For the panels
dashkit's own builders describe (``direct.DirectPanel``) building what is thrown away was most
of compiling them, so here the fixed shape is written from the builder's arguments. It covers
what the builders and their options write; a panel given anything else (``extraJson`` beyond
data links, panel links, ``transparent`` and axis limits; a repeat) gets None and takes the
general path. tests/test_direct_panels.py holds the two paths to the same bytes over generated
builder calls, before and after the spec is changed by hand.
"""
from __future__ import annotations

from typing import Any

from dashkit.sdk.direct import DirectPanel, GaugePanelSpec, StatPanel, TimeSeriesPanel
from dashkit.sdk.kind_fixes import current_defaults, reduce_options

Json = dict[str, Any]

#: The ``extraJson`` keys written here (the panel options' links and ``transparent``) ...
_EXTRA_KEYS = frozenset(("fieldConfig", "links", "transparent"))
#: ... and the ``fieldConfig.defaults`` ones (data links, a time series' axis limits).
_EXTRA_DEFAULTS = frozenset(("links", "min", "max"))


class _Outside(Exception):
    """The arguments hold something only the general path writes as grafanalib would."""


def current_shape(panel: DirectPanel) -> Json | None:
    """The panel as ``modernise_panel`` leaves it before its datasource and queries are set, or
    None where the arguments are outside what this writes."""
    writer = _WRITERS.get(type(panel))
    if writer is None:
        return None
    values = panel.plain_values()
    if values["transformations"] != []:  # no builder of these kinds gives any
        return None
    extra = values["extraJson"] or {}
    if not isinstance(extra, dict) or not extra.keys() <= _EXTRA_KEYS:
        return None
    field_config = extra.get("fieldConfig", {})
    if not isinstance(field_config, dict) or not field_config.keys() <= {"defaults"}:
        return None
    extra_defaults = field_config.get("defaults", {})
    if not isinstance(extra_defaults, dict) or not extra_defaults.keys() <= _EXTRA_DEFAULTS:
        return None
    try:
        shaped = writer(panel, values, extra_defaults)
    except _Outside:
        return None
    for key, name in (("datasource", "dataSource"), ("description", "description"),
                      ("targets", "targets"), ("title", "title")):
        if values[name] is not None:
            shaped[key] = values[name]
    links = extra.get("links")
    if links is not None and links != []:
        shaped["links"] = links
    transparent = extra.get("transparent")
    if transparent is not None and transparent is not False:
        shaped["transparent"] = transparent
    return shaped


def _merged(written: Json, extra: Json) -> Json:
    """``extraJson``'s defaults over the panel's, as grafanalib's ``_deep_update`` puts them
    where the panel's is no dictionary (which it would merge key by key, or fail on)."""
    for key in extra:
        if isinstance(written.get(key), dict):
            raise _Outside(key)
    return written | extra


def _timeseries(panel: DirectPanel, v: Json, extra: Json) -> Json:
    top, field_config = panel.kind_json(v)
    written = field_config["defaults"]
    written["custom"] = {k: x for k, x in written["custom"].items() if x is not None}
    defaults = current_defaults(v["thresholdType"], v["thresholds"], _merged(written, extra))
    return {**top, "fieldConfig": {"defaults": defaults, "overrides": v["overrides"]}}


def _stat(panel: DirectPanel, v: Json, extra: Json) -> Json:
    written = {"color": v["color"], "decimals": v["decimals"], "mappings": v["mappings"],
               "unit": v["format"], "noValue": None if v["noValue"] == "none" else v["noValue"]}
    defaults = current_defaults(v["thresholdType"], v["thresholds"], _merged(written, extra))
    if defaults.get("color") == {}:
        del defaults["color"]
    return {"options": {"textMode": v["textMode"], "colorMode": v["colorMode"],
                        "graphMode": v["graphMode"], "justifyMode": v["alignment"],
                        "orientation": v["orientation"],
                        "reduceOptions": {"calcs": [v["reduceCalc"]], "fields": v["fields"],
                                          "values": False},
                        "wideLayout": True, "showPercentChange": False},
            "type": panel.TYPE,
            "fieldConfig": {"defaults": defaults, "overrides": v["overrides"]}}


def _gauge(panel: DirectPanel, v: Json, extra: Json) -> Json:
    written = _merged({"decimals": v["decimals"], "max": v["max"], "min": v["min"],
                       "unit": v["format"], "links": v["dataLinks"], "mappings": v["valueMaps"]},
                      extra)
    written["displayName"] = v["label"]
    return {"type": panel.TYPE,
            "fieldConfig": {"defaults": current_defaults("absolute", v["thresholds"], written),
                            "overrides": []},
            "options": {"reduceOptions": reduce_options([v["calc"]], v["allValues"], v["limit"]),
                        "showThresholdLabels": v["thresholdLabels"],
                        "showThresholdMarkers": v["thresholdMarkers"], "orientation": "auto"}}


_WRITERS = {TimeSeriesPanel: _timeseries, StatPanel: _stat, GaugePanelSpec: _gauge}
