"""After Grafana's schema steps: what an old dashboard still holds that Grafana's published types
(@grafana/schema's ``Dashboard``) refuse, although Grafana reads it. An imported dashboard is a
current one, so each is written the way Grafana reads it; a field Grafana uses that the types
lack is kept and named in the import's notes, never left silently invalid.
"""
from __future__ import annotations

import math
import re
from typing import Any

from dashkit.grafana.facts import PANEL_LINK_DEFAULTS
from dashkit.grafana.migrate_common import Json
from dashkit.grafana.migrate_schema import panels, variables
from dashkit.grafana.model import as_array, as_object

#: What the old timepicker (schema 7's ``nav[0]``) held that no current Grafana reads.
LEGACY_TIMEPICKER_KEYS = ("now", "enable", "status", "type", "collapse", "notice")
#: What a legacy row (schema < 16) held that a row panel does not: Grafana's grid reads none.
LEGACY_ROW_KEYS = ("collapse", "showTitle", "titleSize", "height", "span", "repeatIteration",
                   "repeatRowId")
#: Panel fields the types say are numbers, which old JSON writes as strings.
_NUMBER_FIELDS = ("maxDataPoints",)
#: Fields Grafana reads that @grafana/schema 13's types do not declare: (where, field, why).
UNTYPED_FIELDS = (
    ("variable", "definition", "the query editor's display text of a query variable"),
    ("variable", "defaultKeys", "an ad hoc filter's suggested keys"),
    ("variable", "auto", "an interval variable's auto option (with auto_count, auto_min)"),
    ("annotation", "expr", "a Loki annotation's query, which Loki's annotation editor reads there"),
    ("annotation target", "limit", "Grafana's built-in annotation query: how many events"),
    ("annotation target", "matchAny", "Grafana's built-in annotation query: any tag matches"),
    ("annotation target", "tags", "Grafana's built-in annotation query: the tags"),
    ("annotation target", "type", "Grafana's built-in annotation query: dashboard or tags"),
    ("field override", "__systemRef", "the override Grafana's series-visibility toggle owns"),
)


def _without_nulls(item: Json) -> None:
    for key in [k for k, v in item.items() if v is None]:
        del item[key]


#: A number as JavaScript's ``Number()`` reads a string (no NaN, Infinity or underscores).
_NUMERIC = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _numbers(panel: Json) -> None:
    for key in _NUMBER_FIELDS:
        value = panel.get(key)
        if not isinstance(value, str):
            continue
        number = float(value) if _NUMERIC.fullmatch(value) else math.nan
        if not math.isfinite(number):
            del panel[key]  # "" or words: Grafana reads it as unset
        else:
            panel[key] = int(number) if number.is_integer() else number


def _prometheus_annotation(annotation: Json) -> None:
    """The Prometheus datasource's ``prepareAnnotation``: ``expr`` and ``step`` move into the
    annotation's target (as its expr and interval)."""
    kind = as_object(annotation.get("datasource")).get("type")
    if "expr" not in annotation or kind not in (None, "prometheus"):
        return
    target = dict(as_object(annotation.get("target")))
    target["refId"] = target.get("refId") or annotation.get("refId") or "Anno"
    target["expr"] = target.get("expr") or annotation.pop("expr") or ""
    target["interval"] = target.get("interval") or annotation.pop("step", None) or ""
    annotation.pop("expr", None)
    annotation.pop("step", None)
    annotation["target"] = target


def as_current_types(model: Json, notes: list[str]) -> None:
    """In place: nulls Grafana reads as unset left out, numbers as numbers, panel links with the
    fields the types require at the values that mean the same, transformations with their
    (empty) options, legacy annotation and timepicker fields moved or dropped."""
    for variable in variables(model):
        _without_nulls(variable)
    legacy_rows = 0
    for panel in panels(model):
        _without_nulls(panel)
        _numbers(panel)
        if panel.get("type") == "row" and any(k in panel for k in LEGACY_ROW_KEYS):
            legacy_rows += 1
            for key in LEGACY_ROW_KEYS:
                panel.pop(key, None)
        if isinstance(panel.get("links"), list):  # V19 writes {url, title}: the types want more
            panel["links"] = [{**PANEL_LINK_DEFAULTS, **link} if isinstance(link, dict) else link
                              for link in panel["links"]]
        for transformation in as_array(panel.get("transformations")):
            if isinstance(transformation, dict) and "options" not in transformation:
                transformation["options"] = {}  # a transformer's options default to {}
    for annotation in as_array(as_object(model.get("annotations")).get("list")):
        if isinstance(annotation, dict):
            _prometheus_annotation(annotation)
    if legacy_rows:
        notes.append(f"{legacy_rows} row panels had the old rows' settings ("
                     f"{', '.join(LEGACY_ROW_KEYS)}), which a row panel does not read: dropped")
    timepicker = as_object(model.get("timepicker"))
    legacy = [k for k in LEGACY_TIMEPICKER_KEYS if k in timepicker]
    for key in legacy:
        del timepicker[key]
    if legacy:
        notes.append(f"timepicker {', '.join(legacy)}: the old time picker's settings, which no "
                     "current Grafana reads, were dropped")
    untyped = sorted(untyped_fields(model))
    if untyped:
        notes.append("kept although @grafana/schema's types lack them (Grafana reads them): "
                     + ", ".join(untyped))


def untyped_fields(model: Json) -> set[str]:
    """``where field`` of each field of ``UNTYPED_FIELDS`` the model has."""
    found: set[str] = set()
    places: dict[str, list[Any]] = {
        "variable": list(variables(model)),
        "annotation": as_array(as_object(model.get("annotations")).get("list")),
        "annotation target": [as_object(a).get("target") for a in
                              as_array(as_object(model.get("annotations")).get("list"))],
        "field override": [o for p in panels(model) for o in
                           as_array(as_object(p.get("fieldConfig")).get("overrides"))]}
    for where, field, _ in UNTYPED_FIELDS:
        if any(isinstance(item, dict) and field in item for item in places[where]):
            found.add(f"{where} {field}")
    return found
