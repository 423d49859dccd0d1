"""Panels a builder describes by grafanalib's arguments without building the grafanalib object.

The time series, stat and gauge builders used to make grafanalib's ``TimeSeries``, ``Stat`` and
``GaugePanel`` (the others still do); compiling one ran grafanalib's validators and
``to_json_data`` and copied the result through orjson: most of the time a panel took from
builder call to JSON. A :class:`DirectPanel` keeps the
arguments the builder gave grafanalib, checks them with grafanalib's own validators (the same
errors), and writes the plain JSON grafanalib's ``to_json_data`` would (``plain_json``), fresh on
each call; dashkit's fixes (``modernise_panel``) then run on it as on any grafanalib panel.
tests/test_direct_panels.py holds ``plain_json`` to grafanalib's own output over generated
builder calls. The spec reads and sets as the grafanalib object does (``panel.spec.unit``).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import grafanalib.core as gl

from dashkit.grafana.jsonio import plain

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
                    "timeFrom", "timeShift", "transparent", "transformations"))


class DirectPanel:
    """A panel as the arguments of grafanalib's class ``KIND``, read and set as that object's
    attributes are (``panel.spec.targets = [...]``), checked by its validators."""

    KIND: ClassVar[type]
    #: ``KIND``'s fields a builder may set, and grafanalib's class attribute for each.
    FIELDS: ClassVar[dict[str, Any]]
    #: Their defaults: the values, and the factories of those made fresh for each object.
    VALUES: ClassVar[Json]
    FACTORIES: ClassVar[tuple[tuple[str, Any], ...]]
    __slots__ = ("kwargs",)
    __hash__ = None  # type: ignore[assignment]  # mutable, as grafanalib's panels are

    def __init_subclass__(cls) -> None:
        cls.FIELDS = {f.name: f for f in attrs.fields(cls.KIND) if f.name not in _UNSET}
        cls.VALUES = {n: f.default for n, f in cls.FIELDS.items()
                      if not isinstance(f.default, attrs.Factory)}  # type: ignore[arg-type]
        cls.FACTORIES = tuple((n, f.default.factory) for n, f in cls.FIELDS.items()
                              if isinstance(f.default, attrs.Factory))  # type: ignore[arg-type]

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
        return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]

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
        return self.KIND(**self.kwargs)

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
            "title": values["title"], "transparent": False, "transformations": [],
            **top, "fieldConfig": field_config}
        if values["extraJson"]:
            gl._deep_update(panel, values["extraJson"])
        return panel

    def kind_json(self, values: Json) -> tuple[Json, Json]:
        """The kind's part of ``to_json_data``: its top-level keys and its ``fieldConfig``."""
        raise NotImplementedError


class TimeSeriesPanel(DirectPanel):
    """grafanalib's ``TimeSeries``."""
    KIND = gl.TimeSeries
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"options": {"legend": {"displayMode": v["legendDisplayMode"],
                                        "placement": v["legendPlacement"],
                                        "calcs": v["legendCalcs"]},
                             "tooltip": {"mode": v["tooltipMode"], "sort": v["tooltipSort"]}},
                 "type": gl.TIMESERIES_TYPE},
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
    KIND = gl.Stat
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"options": {"textMode": v["textMode"], "colorMode": v["colorMode"],
                             "graphMode": v["graphMode"], "justifyMode": v["alignment"],
                             "orientation": v["orientation"],
                             "reduceOptions": {"calcs": [v["reduceCalc"]], "fields": v["fields"],
                                               "values": False}},
                 "type": gl.STAT_TYPE},
                {"defaults": {"color": v["color"], "custom": {}, "decimals": v["decimals"],
                              "mappings": v["mappings"], "unit": v["format"],
                              "noValue": v["noValue"]},
                 "overrides": v["overrides"]})


class GaugePanelSpec(DirectPanel):
    """grafanalib's ``GaugePanel``."""
    KIND = gl.GaugePanel
    __slots__ = ()

    def kind_json(self, v: Json) -> tuple[Json, Json]:
        return ({"type": gl.GAUGE_TYPE},
                {"defaults": {"calcs": [v["calc"]], "decimals": v["decimals"], "max": v["max"],
                              "min": v["min"], "title": v["label"], "unit": v["format"],
                              "links": v["dataLinks"], "limit": v["limit"],
                              "mappings": v["valueMaps"], "override": {}, "values": v["allValues"]},
                 "showThresholdLabels": v["thresholdLabels"],
                 "showThresholdMarkers": v["thresholdMarkers"]})
