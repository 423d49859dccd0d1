"""Grafana's schema migrations, step by step: what Grafana does to an old dashboard's JSON on load
(the frontend's ``DashboardMigrator.ts`` and the backend's ``migration/schemaversion/v*.go``), so
an imported dashboard keeps what Grafana would show. ``STEPS`` is the table the README prints:
each step, the Grafana function it follows, and what dashkit does. A step runs only on a model
older than its version; every step tolerates fields of the wrong type (old JSON has them).

Steps that need a live Grafana (a datasource looked up by name, the instance's default
datasource) or only touch instance state dashkit does not import (variables' ``current``) are in
the table as such and do nothing here.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from dashkit.grafana.model import as_array, as_object

Json = dict[str, Any]
#: The schema version Grafana 12/13 writes; a migrated model says it.
LATEST = 42


class Step(NamedTuple):
    """One schema version: Grafana's function and dashkit's port (None: nothing to do here)."""

    version: int
    grafana: str
    does: str
    apply: Callable[[Json], None] | None


def variables(model: Json) -> Iterator[Json]:
    """The dashboard's variables that are objects."""
    for variable in as_array(as_object(model.get("templating")).get("list")):
        if isinstance(variable, dict):
            yield variable


def panels(model: Json) -> Iterator[Json]:
    """Every panel, nested in collapsed rows included (a ``panels`` that is no list: none)."""
    stack = [p for p in reversed(as_array(model.get("panels"))) if isinstance(p, dict)]
    while stack:
        panel = stack.pop()
        yield panel
        stack.extend(p for p in reversed(as_array(panel.get("panels"))) if isinstance(p, dict))


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness, for the frontend's ``if (x)`` (an empty list or object is true)."""
    if isinstance(value, (list, dict)):
        return True
    return bool(value)


# --- schema 2 to 15 --------------------------------------------------------------------------

def _v2(model: Json) -> None:
    filter_ = as_object(as_object(model.get("services")).get("filter"))
    if "time" in filter_:
        model["time"] = filter_["time"]
    if "list" in filter_:
        templating = model.setdefault("templating", {})
        if isinstance(templating, dict):
            templating["list"] = filter_["list"]
    model.pop("services", None)
    for panel in panels(model):
        if panel.get("type") == "graphite":
            panel["type"] = "graph"
            if isinstance(panel.get("legend"), bool):
                panel["legend"] = {"show": panel["legend"]}


def _v6(model: Json) -> None:
    for pulldown in as_array(model.get("pulldowns")):
        if isinstance(pulldown, dict) and pulldown.get("type") == "annotations":
            model["annotations"] = {"list": pulldown.get("annotations", [])}
            break
    model.pop("pulldowns", None)
    for variable in variables(model):
        if variable.get("type") in (None, "filter"):
            variable["type"] = "query"


def _v7(model: Json) -> None:
    nav = as_array(model.get("nav"))
    if nav and isinstance(nav[0], dict):
        model["timepicker"] = nav[0]
    model.pop("nav", None)


def _drop_first_threshold(values: list[Any]) -> list[Any]:
    return values[1:] if len(values) >= 3 else values


def _v9(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "singlestat" and isinstance(panel.get("thresholds"), str) \
                and panel["thresholds"]:
            panel["thresholds"] = ",".join(_drop_first_threshold(panel["thresholds"].split(",")))


def _v10(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "table":
            for style in as_array(panel.get("styles")):
                if isinstance(style, dict) and isinstance(style.get("thresholds"), list):
                    style["thresholds"] = _drop_first_threshold(style["thresholds"])


def _v12(model: Json) -> None:
    for variable in variables(model):
        if "refresh" in variable:  # the frontend's truthiness: any refresh at all becomes 1
            variable["refresh"] = 1 if _truthy(variable["refresh"]) else 0
        if variable.get("hideVariable") is True:
            variable["hide"] = 2
        elif variable.get("hideLabel") is True:
            variable["hide"] = 1
        variable.pop("hideVariable", None)
        variable.pop("hideLabel", None)


def _v14(model: Json) -> None:
    model["graphTooltip"] = 1 if model.get("sharedCrosshair") is True else 0
    model.pop("sharedCrosshair", None)


# --- schema 17 to 29 -------------------------------------------------------------------------

_FACTORS_OF_24 = (1, 2, 3, 4, 6, 8, 12, 24)


def max_per_row(min_span: float) -> int:
    """``getFactors(24)`` and the factor before the first above 24 / minSpan."""
    limit = 24 / min_span
    above = [i for i, factor in enumerate(_FACTORS_OF_24) if factor > limit]
    if not above:
        return _FACTORS_OF_24[-1]
    return _FACTORS_OF_24[above[0] - 1] if above[0] > 0 else 1


def _v17(model: Json) -> None:
    for panel in panels(model):
        if "minSpan" not in panel:
            continue
        min_span = panel.pop("minSpan")
        if isinstance(min_span, (int, float)) and not isinstance(min_span, bool) and min_span > 0:
            panel["maxPerRow"] = max_per_row(min_span)


_GAUGE_VALUE_OPTIONS = ("unit", "stat", "decimals", "prefix", "suffix")


def _v18(model: Json) -> None:
    for panel in panels(model):
        gauge = panel.get("options-gauge")
        if not isinstance(gauge, dict):
            continue
        options: Json = {"valueOptions": {k: gauge[k] for k in _GAUGE_VALUE_OPTIONS if k in gauge}}
        if isinstance(gauge.get("thresholds"), list) and gauge["thresholds"]:
            options["thresholds"] = list(reversed(gauge["thresholds"]))
        options.update({k: v for k, v in gauge.items()
                        if k not in (*_GAUGE_VALUE_OPTIONS, "thresholds", "options")})
        panel["options"] = options
        del panel["options-gauge"]


def _text(link: Json, key: str) -> str:
    value = link.get(key)
    return value if isinstance(value, str) else ""


def panel_link_url(link: Json) -> str:
    """``upgradePanelLink``'s url: the url, or a dashboard's slug, or its uri, with the old
    keep-time and include-variables switches and params as query parameters."""
    if _text(link, "url"):
        url = _text(link, "url")
    elif _text(link, "dashboard"):
        slug = re.sub(r" +", "-", re.sub(r"[^a-z0-9_ ]+", "", _text(link, "dashboard").lower()))
        url = f"dashboard/db/{slug}"
    elif _text(link, "dashUri"):
        url = f"dashboard/{_text(link, 'dashUri')}"
    else:
        url = "/"
    params = [p for p in ("$__url_time_range" if link.get("keepTime") is True else "",
                          "$__all_variables" if link.get("includeVars") is True else "",
                          _text(link, "params")) if p]
    return url + ("?" + "&".join(params) if params else "")


def _v19(model: Json) -> None:
    for panel in panels(model):
        links = panel.get("links")
        if isinstance(links, list) and links:
            panel["links"] = [{"url": panel_link_url(link), "title": _text(link, "title"),
                               **({"targetBlank": True} if link.get("targetBlank") is True else {})}
                              for link in links if isinstance(link, dict)]


def _link_urls(panel: Json) -> Iterator[Json]:
    """The data links of ``options.dataLinks`` and ``options.fieldOptions.defaults.links``."""
    options = as_object(panel.get("options"))
    defaults = as_object(as_object(options.get("fieldOptions")).get("defaults"))
    for link in as_array(options.get("dataLinks")) + as_array(defaults.get("links")):
        if isinstance(link, dict) and isinstance(link.get("url"), str):
            yield link


_OLD_LINK_VARIABLES = {"$__series_name": "${__series.name}", "__series_name": "__series.name",
                       "__value_time": "__value.time", "$__field_name": "${__field.name}",
                       "__field_name": "__field.name"}
_OLD_LINK_VARIABLE = re.compile(r"\$?__series_name|__value_time|\$?__field_name")


def _new_variable_names(text: str) -> str:
    return _OLD_LINK_VARIABLE.sub(lambda m: _OLD_LINK_VARIABLES[m.group(0)], text)


def _v20(model: Json) -> None:
    for panel in panels(model):
        for link in _link_urls(panel):
            link["url"] = _new_variable_names(link["url"])
        defaults = as_object(as_object(as_object(panel.get("options")).get("fieldOptions"))
                             .get("defaults"))
        if isinstance(defaults.get("title"), str):
            defaults["title"] = _new_variable_names(defaults["title"])


def _v21(model: Json) -> None:
    for panel in panels(model):
        for link in _link_urls(panel):
            link["url"] = link["url"].replace("__series.labels", "__field.labels")


def _v22(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "table":
            for style in as_array(panel.get("styles")):
                if isinstance(style, dict):
                    style["align"] = "auto"


def _v26(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "text2":
            panel["type"] = "text"
            as_object(panel.get("options")).pop("angular", None)


def _without_repeats(items: list[Any]) -> list[Any]:
    return [p for p in items if not (isinstance(p, dict) and ("repeatPanelId" in p
                                                              or "repeatByRow" in p))]


def _v27(model: Json) -> None:
    if isinstance(model.get("panels"), list):
        model["panels"] = _without_repeats(model["panels"])
        for row in model["panels"]:
            if isinstance(row, dict) and row.get("type") == "row" \
                    and isinstance(row.get("panels"), list):
                row["panels"] = _without_repeats(row["panels"])
    for variable in variables(model):
        if variable.get("type") != "constant":
            continue
        query = variable["query"] if isinstance(variable.get("query"), str) else ""
        variable["query"] = query
        variable["current"] = {"selected": True, "text": query, "value": query}
        variable["options"] = [dict(variable["current"])]
        if variable.get("hide") in (0, 1) and not isinstance(variable.get("hide"), bool):
            variable["type"] = "textbox"


def _v28(model: Json) -> None:
    for variable in variables(model):
        for key in ("tags", "tagsQuery", "tagValuesQuery", "useTags"):
            variable.pop(key, None)


def _v29(model: Json) -> None:
    for variable in variables(model):
        if variable.get("type") != "query":
            continue
        if variable.get("refresh") not in (1, 2) or isinstance(variable.get("refresh"), bool):
            variable["refresh"] = 1
        if isinstance(variable.get("options"), list) and variable["options"]:
            variable["options"] = []


_STATE = "nothing: instance state (variables' current) an import leaves out"
#: Steps 2 to 29 (migrate_steps.STEPS has them all).
EARLY_STEPS: tuple[Step, ...] = (
    Step(2, "V2 (DashboardMigrator <2)", "services.filter's time and variables moved to the "
         "dashboard; a graphite panel becomes graph, its boolean legend an object", _v2),
    Step(3, "V3–V5", "nothing (no-ops)", None),
    Step(6, "V6", "the annotations of the pulldowns become annotations.list; a variable of type "
         "filter or without a type becomes query", _v6),
    Step(7, "V7", "nav[0] becomes the timepicker", _v7),
    Step(8, "V8", "not ported: InfluxDB fields/groupBy to select (no corpus dashboard has them)",
         None),
    Step(9, "V9", "a singlestat's thresholds string of 3 or more loses its first value", _v9),
    Step(10, "V10", "a table's style thresholds of 3 or more lose their first value", _v10),
    Step(11, "V11", "nothing (no-op)", None),
    Step(12, "V12", "variables' boolean refresh becomes 0/1 (any truthy value 1, as the frontend); "
         "hideVariable/hideLabel become hide 2/1", _v12),
    Step(13, "V13", "graph panels: done by the panel migration (graph → timeseries)", None),
    Step(14, "V14", "sharedCrosshair becomes graphTooltip 1 (else 0)", _v14),
    Step(15, "V15", "nothing (no-op)", None),
    Step(16, "V16 upgradeToGridLayout", "rows[] placed on the grid when the file is read "
         "(normalise.rows_to_panels): repeated rows skipped, row height kept, no y rewind after "
         "a collapsed row", None),
    Step(17, "V17", "minSpan becomes maxPerRow (the factor of 24 at or below 24 / minSpan)", _v17),
    Step(18, "V18", "options-gauge becomes options (valueOptions, thresholds reversed)", _v18),
    Step(19, "V19 upgradePanelLink", "panel links' dashboard/dashUri/keepTime/includeVars/params "
         "become a url", _v19),
    Step(20, "V20", "old data-link variables ($__series_name, __value_time, $__field_name) get "
         "their dotted names", _v20),
    Step(21, "V21", "__series.labels in data links becomes __field.labels", _v21),
    Step(22, "V22", "table styles get align auto", _v22),
    Step(23, "V23", _STATE, None),
    Step(24, "V24", "table panels: done by the panel migration (table-old → table)", None),
    Step(25, "V25", "nothing (no-op)", None),
    Step(26, "V26", "text2 becomes text without options.angular", _v26),
    Step(27, "V27", "repeated panel clones (repeatPanelId, repeatByRow) removed; a constant "
         "variable shown (hide 0/1) becomes a textbox", _v27),
    Step(28, "V28", "singlestat: done by the panel migration; variables lose tags, tagsQuery, "
         "tagValuesQuery, useTags", _v28),
    Step(29, "V29", "query variables: refresh not 1 or 2 becomes 1, options emptied", _v29),
)
