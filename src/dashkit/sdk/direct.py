"""Panels a builder describes by grafanalib's arguments without building the grafanalib object.

The builders used to make grafanalib's panels (``TimeSeries``, ``Stat``, ``GaugePanel``,
``BarGauge``, ``Table``, ``Heatmap``, ``Logs``, ``Text``); compiling one ran grafanalib's
validators and ``to_json_data`` and copied the result through orjson: most of the time a panel
took from builder call to JSON. A :class:`DirectPanel` keeps the arguments the builder gave
grafanalib, checks them with grafanalib's own validators (the same errors; ``grafanalib_fields``
has them written out, so a build need not import grafanalib), and writes the plain JSON
grafanalib's ``to_json_data`` would (``plain_json``), fresh on each call; dashkit's fixes
(``modernise_panel``) then run on it as on any grafanalib panel. tests/test_direct_panels.py
holds ``plain_json`` to grafanalib's own output over generated builder calls. The spec reads and
sets as the grafanalib object does (``panel.spec.unit``).
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, ClassVar

from attrs import Factory

from dashkit.grafana.jsonio import plain
from dashkit.sdk.grafanalib_fields import Made, fields, grafanalib_core

Json = dict[str, Any]

#: Values whose check can be remembered: immutable, and grafanalib's validators (``instance_of``,
#: ``in_``, ``optional`` of those) judge them by type and value only. The type is part of the
#: key, as 1 == 1.0 == True and an int field takes only the first.
_IMMUTABLE = frozenset((str, int, float, bool, type(None)))
_PASSED: set[tuple[type, str, type, Any]] = set()
_PASSED_LIMIT = 4096

#: Panel fields no builder sets: ``plain_json`` writes grafanalib's defaults for them.
_UNSET = frozenset(("cacheTimeout", "editable", "error", "height", "gridPos", "hideTimeOverride",
                    "id", "interval", "links", "maxDataPoints", "minSpan", "repeat", "span",
                    "timeFrom", "timeShift", "transparent"))


def _json_factory(default: Any) -> Any:
    """What makes a default's JSON afresh for each panel."""
    if isinstance(default, Factory):  # type: ignore[arg-type]
        made = default.factory
        return made.json if isinstance(made, Made) else made
    return lambda: copy.deepcopy(default)  # a mutable default grafanalib shares: {"show": False}


def _deep_update(base: Json, extra: Json) -> None:
    """grafanalib's ``_deep_update``: ``extraJson`` merged into the panel's JSON, dictionary into
    dictionary, anything else set; a non-dictionary merged into a dictionary fails as there."""
    for key, value in extra.items():
        if key in base and hasattr(base[key], "to_json_data"):
            base[key] = base[key].to_json_data()
        if key in base and isinstance(base[key], dict):
            _deep_update(base[key], value)
        else:
            base[key] = value


class DirectPanel:
    """A panel as the arguments of grafanalib's class ``KIND``, read and set as that object's
    attributes are (``panel.spec.targets = [...]``), checked by its validators."""

    #: The name of grafanalib's class, and its type in Grafana's JSON.
    KIND: ClassVar[str]
    TYPE: ClassVar[str]
    #: ``KIND``'s fields a builder may set, as grafanalib declares them.
    FIELDS: ClassVar[dict[str, Any]]
    #: Their defaults: the immutable values, and what makes the JSON of the others.
    VALUES: ClassVar[Json]
    FACTORIES: ClassVar[tuple[tuple[str, Any], ...]]
    __slots__ = ("kwargs",)
    __hash__ = None  # type: ignore[assignment]  # mutable, as grafanalib's panels are

    def __init_subclass__(cls) -> None:
        cls.FIELDS = {n: f for n, f in fields(cls.KIND).items() if n not in _UNSET}
        cls.VALUES = {n: f.default for n, f in cls.FIELDS.items() if type(f.default) in _IMMUTABLE}
        cls.FACTORIES = tuple((n, _json_factory(f.default)) for n, f in cls.FIELDS.items()
                              if n not in cls.VALUES)

    def __init__(self, kwargs: Json, *, given: Iterable[str] | None = None) -> None:
        """``given``: the arguments whose values came from the builder's caller, checked as
        grafanalib would check them (all, if None); the builder's own values need no check, and
        its dictionary, made for this panel, is kept rather than copied."""
        if given is None:
            unknown = kwargs.keys() - self.FIELDS.keys()
            if unknown:
                raise AttributeError(f"{type(self).__name__} does not write grafanalib's {sorted(unknown)}")
            given, kwargs = kwargs, dict(kwargs)
        for name in given:
            self._check(name, kwargs[name])
        object.__setattr__(self, "kwargs", kwargs)

    def _check(self, name: str, value: Any) -> None:
        """What grafanalib's constructor would refuse, refused with its own error."""
        kind = type(value)
        key = (type(self), name, kind, value) if kind in _IMMUTABLE else None
        if key in _PASSED:  # unit="reqps" on the hundredth panel: its validator passed before
            return
        field = self.FIELDS.get(name)
        if field is None:
            raise AttributeError(f"{type(self).__name__} does not write grafanalib's {name!r}")
        if field.validator is not None:
            field.validator(None, field, value)
        if key is not None and len(_PASSED) < _PASSED_LIMIT:
            _PASSED.add(key)

    def __setattr__(self, name: str, value: Any) -> None:
        self._check(name, value)
        self.kwargs[name] = value

    def __getattr__(self, name: str) -> Any:  # a field not given: grafanalib's default, kept
        if name not in type(self).FIELDS:    # so that changing it in place changes the panel
            raise AttributeError(name)
        kwargs = self.kwargs
        return kwargs[name] if name in kwargs else kwargs.setdefault(name, self._default(name))

    def _default(self, name: str) -> Any:
        default = self.FIELDS[name].default
        if isinstance(default, Factory):  # type: ignore[arg-type]
            return default.factory()
        return default if type(default) in _IMMUTABLE else copy.deepcopy(default)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, DirectPanel)
        return all(self.kwargs.get(n, self._default(n)) == other.kwargs.get(n, self._default(n))
                   for n in self.FIELDS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kwargs!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # copy, deepcopy and pickle through the constructor
        return type(self), (self.kwargs,)

    def grafanalib(self) -> Any:
        """The grafanalib object these arguments make."""
        return getattr(grafanalib_core(), self.KIND)(**self.kwargs)

    def to_json_data(self) -> Json:
        """grafanalib's JSON, for anything that asks a panel the grafanalib way."""
        data: Json = self.grafanalib().to_json_data()
        return data

    def plain_values(self) -> Json:
        """Every field's value, the defaults included, as plain JSON sharing nothing with the
        arguments (what ``jsonio.plain`` makes of them)."""
        given = plain(self.kwargs)  # converted and copied in one pass, as plain() did the JSON
        values = {**self.VALUES, **given}
        for name, factory in self.FACTORIES:
            if name not in given:
                values[name] = factory()
        return values

    def plain_json(self) -> Json:
        """``to_json_data`` as plain JSON sharing nothing with the arguments (what
        ``jsonio.plain`` makes of it), without building the grafanalib object."""
        values = self.plain_values()
        top, field_config = self.kind_json(values)
        # grafanalib's panel_json, then its _deep_update with the kind's part: the kinds here
        # set no "thresholds" in their defaults and no key the base sets to a dict
        field_config["defaults"] = {"thresholds": {"mode": values["thresholdType"],
                                                   "steps": values["thresholds"]},
                                    **field_config.get("defaults", {})}
        panel: Json = {
            "cacheTimeout": None, "datasource": values["dataSource"],
            "description": values["description"], "editable": True, "error": False,
            "height": None, "gridPos": None, "hideTimeOverride": False, "id": None,
            "interval": None, "links": [], "maxDataPoints": 100, "minSpan": None,
            "repeat": None, "repeatDirection": None, "maxPerRow": None, "span": None,
            "targets": values["targets"], "timeFrom": None, "timeShift": None,
            "title": values["title"], "transparent": False,
            "transformations": values["transformations"],
            **top, "fieldConfig": field_config}
        if values["extraJson"]:
            _deep_update(panel, values["extraJson"])
        return panel

    def kind_json(self, values: Json) -> tuple[Json, Json]:
        """The kind's part of ``to_json_data``: its top-level keys and its ``fieldConfig``."""
        raise NotImplementedError


class TimeSeriesPanel(DirectPanel):
    """grafanalib's ``TimeSeries``."""
    KIND, TYPE = "TimeSeries", "timeseries"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"options": {"legend": {"displayMode": v["legendDisplayMode"],
                                        "placement": v["legendPlacement"],
                                        "calcs": v["legendCalcs"]},
                             "tooltip": {"mode": v["tooltipMode"], "sort": v["tooltipSort"]}},
                 "type": self.TYPE},
                {"defaults": {
                    "color": {"mode": v["colorMode"]},
                    "custom": {
                        "axisPlacement": v["axisPlacement"], "axisLabel": v["axisLabel"],
                        "drawStyle": v["drawStyle"], "lineInterpolation": v["lineInterpolation"],
                        "barAlignment": v["barAlignment"], "lineWidth": v["lineWidth"],
                        "fillOpacity": v["fillOpacity"], "gradientMode": v["gradientMode"],
                        "spanNulls": v["spanNulls"], "showPoints": v["showPoints"],
                        "pointSize": v["pointSize"], "stacking": v["stacking"],
                        "scaleDistribution": {"type": v["scaleDistributionType"],
                                              "log": v["scaleDistributionLog"]},
                        "hideFrom": {"tooltip": False, "viz": False, "legend": False},
                        "thresholdsStyle": {"mode": v["thresholdsStyleMode"]},
                        "axisSoftMin": v["axisSoftMin"], "axisSoftMax": v["axisSoftMax"]},
                    "mappings": v["mappings"], "min": v["valueMin"], "max": v["valueMax"],
                    "decimals": v["valueDecimals"], "unit": v["unit"]},
                 "overrides": v["overrides"]})


class StatPanel(DirectPanel):
    """grafanalib's ``Stat``."""
    KIND, TYPE = "Stat", "stat"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"options": {"textMode": v["textMode"], "colorMode": v["colorMode"],
                             "graphMode": v["graphMode"], "justifyMode": v["alignment"],
                             "orientation": v["orientation"],
                             "reduceOptions": {"calcs": [v["reduceCalc"]], "fields": v["fields"],
                                               "values": False}},
                 "type": self.TYPE},
                {"defaults": {"color": v["color"], "custom": {}, "decimals": v["decimals"],
                              "mappings": v["mappings"], "unit": v["format"],
                              "noValue": v["noValue"]},
                 "overrides": v["overrides"]})


class GaugePanelSpec(DirectPanel):
    """grafanalib's ``GaugePanel``."""
    KIND, TYPE = "GaugePanel", "gauge"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"type": self.TYPE},
                {"defaults": {"calcs": [v["calc"]], "decimals": v["decimals"], "max": v["max"],
                              "min": v["min"], "title": v["label"], "unit": v["format"],
                              "links": v["dataLinks"], "limit": v["limit"],
                              "mappings": v["valueMaps"], "override": {}, "values": v["allValues"]},
                 "showThresholdLabels": v["thresholdLabels"],
                 "showThresholdMarkers": v["thresholdMarkers"]})


class BarGaugePanel(DirectPanel):
    """grafanalib's ``BarGauge``."""
    KIND, TYPE = "BarGauge", "bargauge"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"options": {
                    "displayMode": v["displayMode"],
                    "fieldOptions": {
                        "calcs": [v["calc"]],
                        "defaults": {"decimals": v["decimals"], "max": v["max"], "min": v["min"],
                                     "title": v["label"], "unit": v["format"],
                                     "links": v["dataLinks"]},
                        "limit": v["limit"], "mappings": v["valueMaps"], "override": {},
                        "thresholds": v["thresholds"], "values": v["allValues"]},
                    "orientation": v["orientation"], "showThresholdLabels": v["thresholdLabels"],
                    "showThresholdMarkers": v["thresholdMarkers"]},
                 "type": self.TYPE}, {})


class TablePanel(DirectPanel):
    """grafanalib's ``Table``."""
    KIND, TYPE = "Table", "table"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"color": {"mode": v["colorMode"]}, "columns": v["columns"],
                 "fontSize": v["fontSize"], "mappings": v["mappings"],
                 "options": {"showHeader": v["showHeader"], "sortBy": v["sortBy"]},
                 "type": self.TYPE},
                {"defaults": {"custom": {"align": v["align"], "displayMode": v["displayMode"],
                                         "filterable": v["filterable"]},
                              "unit": v["unit"]},
                 "overrides": v["overrides"]})


class HeatmapPanel(DirectPanel):
    """grafanalib's ``Heatmap``."""
    KIND, TYPE = "Heatmap", "heatmap"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({name: v[name] for name in (
                    "cards", "color", "dataFormat", "hideZeroBuckets", "highlightCards", "legend",
                    "options", "reverseYBuckets", "tooltip", "xAxis", "xBucketNumber",
                    "xBucketSize", "yAxis", "yBucketBound", "yBucketNumber", "yBucketSize")}
                | {"heatmap": {}, "type": self.TYPE}, {})


class LogsPanel(DirectPanel):
    """grafanalib's ``Logs``."""
    KIND, TYPE = "Logs", "logs"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"options": {"showLabels": v["showLabels"], "showCommonLabels": v["showCommonLabels"],
                             "showTime": v["showTime"], "wrapLogMessage": v["wrapLogMessages"],
                             "sortOrder": v["sortOrder"], "dedupStrategy": v["dedupStrategy"],
                             "enableLogDetails": v["enableLogDetails"],
                             "prettifyLogMessage": v["prettifyLogMessage"]},
                 "type": self.TYPE},
                {"defaults": {"custom": {}}, "overrides": v["overrides"]})


class TextPanel(DirectPanel):
    """grafanalib's ``Text``."""
    KIND, TYPE = "Text", "text"
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return {"options": {"content": v["content"], "mode": v["mode"]}, "type": self.TYPE}, {}
