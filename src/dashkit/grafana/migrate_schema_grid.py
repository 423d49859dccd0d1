"""Grafana's schema migrations 17 to 29 (the dashboard is on the grid by then): the steps and
their rows of the table migrate_steps.STEPS prints."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dashkit.grafana.migrate_common import Json
from dashkit.grafana.migrate_schema import Step, panels, variables
from dashkit.grafana.model import as_array, as_object

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


def _v24(model: Json) -> None:
    for panel in panels(model):
        if panel.get("type") == "table" and panel.get("styles") is not None \
                and panel.get("table") != "table2":
            panel["type"] = "table-old"  # migrate.table_old_to_table follows Grafana's handler


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
#: Steps 17 to 29.
GRID_STEPS: tuple[Step, ...] = (
    Step(17, "V17", "minSpan becomes maxPerRow (the factor of 24 at or below 24 / minSpan)", _v17),
    Step(18, "V18", "options-gauge becomes options (valueOptions, thresholds reversed)", _v18),
    Step(19, "V19 upgradePanelLink", "panel links' dashboard/dashUri/keepTime/includeVars/params "
         "become a url", _v19),
    Step(20, "V20", "old data-link variables ($__series_name, __value_time, $__field_name) get "
         "their dotted names", _v20),
    Step(21, "V21", "__series.labels in data links becomes __field.labels", _v21),
    Step(22, "V22", "table styles get align auto", _v22),
    Step(23, "V23", _STATE, None),
    Step(24, "V24", "a table with styles (the Angular table) becomes table-old, which the panel "
         "migration turns into a table (tablePanelChangedHandler)", _v24),
    Step(25, "V25", "nothing (no-op)", None),
    Step(26, "V26", "text2 becomes text without options.angular", _v26),
    Step(27, "V27", "repeated panel clones (repeatPanelId, repeatByRow) removed; a constant "
         "variable shown (hide 0/1) becomes a textbox", _v27),
    Step(28, "V28", "singlestat: done by the panel migration; variables lose tags, tagsQuery, "
         "tagValuesQuery, useTags", _v28),
    Step(29, "V29", "query variables: refresh not 1 or 2 becomes 1, options emptied", _v29),
)
