"""grafanalib 0.7.1's panel fields, written out: each field's default and validator as its attrs
class declares them, for the panels dashkit's builders describe (``direct.DirectPanel``).

Importing ``grafanalib.core`` makes some 150 attrs classes: 70 ms, more than the rest of
``import dashkit`` together, and most of a small ``dashkit build``. With these tables a builder's
panel is checked, read and written without it; grafanalib is imported only where one of its
objects is really made (``DirectPanel.grafanalib()``, a default such as a heatmap's ``yAxis`` read
from the spec, a value checked against one of its classes). tests/test_direct_panels.py holds
every table to grafanalib's own ``attrs.fields``.
"""
from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, NamedTuple

from attrs import Factory
from attrs.validators import deep_iterable, in_, instance_of, optional


def grafanalib_core() -> ModuleType:
    """``grafanalib.core``, imported the first time something needs one of its objects."""
    return importlib.import_module("grafanalib.core")


class Field(NamedTuple):
    """What an attrs field says of itself that a panel needs: validators read only ``name``."""

    name: str
    default: Any  # a value, or an attrs Factory
    validator: Any  # an attrs validator, or None


class Made:
    """A default grafanalib makes as its own objects: made by grafanalib when read from a spec,
    written as their JSON (``json``, copied) when the panel is."""

    def __init__(self, make: Callable[[ModuleType], Any], json: Any) -> None:
        self.make, self._json = make, json

    def __call__(self) -> Any:
        return self.make(grafanalib_core())

    def json(self) -> Any:
        return copy.deepcopy(self._json)


class InstanceOfGrafanalib:
    """``instance_of`` one of grafanalib's classes, which is imported only to check a value."""

    def __init__(self, name: str) -> None:
        self.name = name

    def resolved(self) -> Any:
        return instance_of(getattr(grafanalib_core(), self.name))

    def __call__(self, inst: Any, attr: Any, value: Any) -> None:
        self.resolved()(inst, attr, value)

    def __repr__(self) -> str:
        return repr(self.resolved())


_STR, _INT, _BOOL, _LIST, _DICT = (instance_of(t) for t in (str, int, bool, list, dict))
_LISTED: Any = Factory(list)
_CALCS = ["lastNotNull", "min", "mean", "max", "last", "firstNotNull", "first", "sum", "count",
          "range", "delta", "step", "diff", "logmin", "allIsZero", "allIsNull", "changeCount",
          "distinctCount", "diffperc", "allValues"]
#: BarGauge's and GaugePanel's default thresholds: green from the start, red from 80.
_GREEN_RED = Made(lambda gl: [gl.Threshold("green", 0, 0.0), gl.Threshold("red", 1, 80.0)],
                  [{"op": "gt", "yaxis": "left", "color": "green", "line": True, "index": 0,
                    "value": "null"},
                   {"op": "gt", "yaxis": "left", "color": "red", "line": True, "index": 1,
                    "value": 80.0}])

#: ``Panel``'s fields a builder may set (the rest are written as their defaults).
_PANEL = {"dataSource": (None, None), "targets": (_LISTED, _LIST), "title": ("", None),
          "description": (None, None), "thresholds": (_LISTED, None),
          "thresholdType": ("absolute", None), "transformations": (_LISTED, _LIST),
          "extraJson": (None, optional(_DICT))}
#: The fields a gauge and a bar gauge share.
_GAUGE = {"allValues": (False, _BOOL), "calc": ("mean", None), "dataLinks": (_LISTED, None),
          "decimals": (None, None), "format": ("none", None), "label": (None, None),
          "limit": (None, None), "max": (100, None), "min": (0, None),
          "rangeMaps": (_LISTED, None), "thresholdLabels": (False, _BOOL),
          "thresholdMarkers": (True, _BOOL), "thresholds": (Factory(_GREEN_RED), _LIST),
          "valueMaps": (_LISTED, None)}

_KINDS: dict[str, dict[str, tuple[Any, Any]]] = {
    "TimeSeries": {
        "axisPlacement": ("auto", _STR), "axisLabel": ("", _STR), "barAlignment": (0, _INT),
        "colorMode": ("palette-classic", _STR), "drawStyle": ("line", _STR),
        "fillOpacity": (0, _INT), "gradientMode": ("none", _STR),
        "legendDisplayMode": ("list", _STR), "legendPlacement": ("bottom", _STR),
        "legendCalcs": (_LISTED, deep_iterable(in_(_CALCS), _LIST)),
        "lineInterpolation": ("linear", _STR), "lineWidth": (1, _INT),
        "mappings": (_LISTED, None), "overrides": (_LISTED, None), "pointSize": (5, _INT),
        "scaleDistributionType": ("linear", _STR), "scaleDistributionLog": (2, _INT),
        "spanNulls": (False, _BOOL), "showPoints": ("auto", _STR),
        "stacking": (Factory(dict), _DICT), "tooltipMode": ("single", _STR),
        "tooltipSort": ("none", _STR), "unit": ("", _STR), "thresholdsStyleMode": ("off", _STR),
        "valueMin": (None, optional(_INT)), "valueMax": (None, optional(_INT)),
        "valueDecimals": (None, optional(_INT)), "axisSoftMin": (None, optional(_INT)),
        "axisSoftMax": (None, optional(_INT))},
    "Stat": {
        "alignment": ("auto", None), "color": (None, None), "colorMode": ("value", None),
        "decimals": (None, None), "format": ("none", None), "graphMode": ("area", None),
        "mappings": (_LISTED, None), "noValue": ("none", None), "orientation": ("auto", None),
        "overrides": (_LISTED, None), "reduceCalc": ("mean", None), "fields": ("", None),
        "textMode": ("auto", None), "thresholds": ("", None)},
    "GaugePanel": _GAUGE,
    "BarGauge": {**_GAUGE, "displayMode": ("lcd", in_(["lcd", "basic", "gradient"])),
                 "orientation": ("horizontal", in_(["horizontal", "vertical", "auto"]))},
    "Table": {
        "align": ("auto", _STR), "colorMode": ("thresholds", _STR), "columns": (_LISTED, None),
        "displayMode": ("auto", _STR), "fontSize": ("100%", None), "filterable": (False, _BOOL),
        "mappings": (_LISTED, None), "overrides": (_LISTED, None), "showHeader": (True, _BOOL),
        "unit": ("", _STR),
        "sortBy": (_LISTED, deep_iterable(InstanceOfGrafanalib("TableSortByField"), _LIST))},
    "Heatmap": {
        "legend": ({"show": False}, None),
        "tooltip": (Factory(Made(lambda gl: gl.Tooltip(), {
            "msResolution": True, "shared": True, "sort": 0, "value_type": "cumulative"})),
            InstanceOfGrafanalib("Tooltip")),
        "cards": ({"cardPadding": None, "cardRound": None}, None),
        "color": (Factory(Made(lambda gl: gl.HeatmapColor(), {
            "mode": "spectrum", "cardColor": "#b4ff00", "colorScale": "sqrt", "exponent": 0.5,
            "colorScheme": "interpolateOranges", "max": None, "min": None})),
            InstanceOfGrafanalib("HeatmapColor")),
        "dataFormat": ("timeseries", None), "hideZeroBuckets": (False, None),
        "highlightCards": (True, None), "options": (_LISTED, None),
        "xAxis": (Factory(Made(lambda gl: gl.XAxis(), {
            "mode": "time", "name": None, "values": [], "show": True})),
            InstanceOfGrafanalib("XAxis")),
        "xBucketNumber": (None, None), "xBucketSize": (None, None),
        "yAxis": (Factory(Made(lambda gl: gl.YAxis(), {
            "decimals": None, "format": None, "label": None, "logBase": 1, "max": None,
            "min": None, "show": True})), InstanceOfGrafanalib("YAxis")),
        "yBucketBound": (None, None), "yBucketNumber": (None, None), "yBucketSize": (None, None),
        "reverseYBuckets": (False, None)},
    "Logs": {
        "showLabels": (False, _BOOL), "showCommonLabels": (False, _BOOL),
        "showTime": (False, _BOOL), "wrapLogMessages": (False, _BOOL),
        "sortOrder": ("Descending", _STR), "dedupStrategy": ("none", _STR),
        "enableLogDetails": (False, _BOOL), "overrides": (_LISTED, None),
        "prettifyLogMessage": (False, _BOOL)},
    "Text": {"content": ("", _STR), "mode": ("markdown", in_(["markdown", "html", "text"]))},
}


def fields(kind: str) -> dict[str, Field]:
    """The fields of grafanalib's class ``kind`` a builder may set, by name."""
    return {name: Field(name, default, validator)
            for name, (default, validator) in {**_PANEL, **_KINDS[kind]}.items()}
