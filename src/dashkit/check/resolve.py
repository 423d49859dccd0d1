"""Resolving a dashboard's variables and queries the way Grafana does on load."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dashkit.clients.http import expect_shape
from dashkit.clients.loki import LokiClient
from dashkit.clients.prometheus import PrometheusClient
from dashkit.errors import DashkitError
from dashkit.grafana.model import variable_query
from dashkit.query.expand import TimeContext, expand, relative_seconds
from dashkit.query.jsregex import RegexError, apply_variable_regex, search_names
from dashkit.sanitise import printable

_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<match>.+),\s*)?(?P<label>\w+)\)$")


_QUERY_RESULT = re.compile(r"^query_result\((?P<expr>.+)\)$")
_METRICS = re.compile(r"^metrics\((?P<regex>.*)\)$")


def _options(variable: Mapping[str, Any], query: str, client: PrometheusClient,
             loki: LokiClient | None = None) -> list[str]:
    """A query variable's options, the way the Prometheus (or Loki) datasource lists them."""
    datasource = variable.get("datasource")
    if isinstance(datasource, dict) and datasource.get("type") == "loki":
        match = _LABEL_VALUES.match(query)
        return loki.label_values(match["label"]) if loki is not None and match else []
    if match := _LABEL_VALUES.match(query):
        return client.label_values(match["label"], match["match"])
    if match := _METRICS.match(query):
        return search_names(match["regex"], client.label_values("__name__"))
    if match := _QUERY_RESULT.match(query):
        return [_query_result_line(sample, variable) for sample in client.query(match["expr"])]
    raise ValueError(f"variable ${variable.get('name')}: query {query!r} is not one dashkit resolves "
                     "(label_values, metrics, query_result)")


def _query_result_line(sample: Mapping[str, Any], variable: Mapping[str, Any]) -> str:
    """One sample as Grafana's PrometheusMetricFindQuery.queryResultQuery writes it: ``name{k="v"}
    value timestamp-ms``. A sample without its ``metric`` object or ``[time, value]`` pair (a
    hostile or broken server) is one error naming the variable, not a traceback."""
    metric, value = sample.get("metric"), sample.get("value")
    try:
        labels = dict(expect_shape(metric, dict, "/api/v1/query"))
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("no [time, value] pair")
        milliseconds = int(float(value[0]) * 1000)
    except (DashkitError, ValueError, OverflowError) as error:
        raise DashkitError(f"variable ${variable.get('name')}: query_result: a sample of the "
                           f"answer is not a series ({printable(error)})") from None
    name = labels.pop("__name__", "")
    text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{text}}} {value[1]} {milliseconds}"


def resolve_variables(model: Mapping[str, Any], client: PrometheusClient,
                      context: TimeContext, overrides: Mapping[str, str | Sequence[str]] = {},
                      loki: LokiClient | None = None) -> dict[str, str | list[str]]:
    """Variable values as Grafana picks them on first load: All where offered, else the first."""
    values: dict[str, str | list[str]] = {}
    macros = context.macros()
    for variable in model.get("templating", {}).get("list", []):
        name, kind = variable["name"], variable.get("type")
        if name in overrides:
            override = overrides[name]
            values[name] = [override] if isinstance(override, str) else list(override)
            continue
        if kind == "datasource":
            values[name] = variable.get("query", "")
            continue
        if kind in ("textbox", "constant"):
            values[name] = str(variable.get("query") or "")
            continue
        if kind == "query":
            query = expand(variable_query(variable), values, macros).strip()
            try:
                options = apply_variable_regex(str(variable.get("regex") or ""),
                                               _options(variable, query, client, loki))
            except RegexError as error:
                raise RegexError(f"variable ${name}: regex {error}") from None
        elif kind in ("custom", "interval"):
            options = [v.strip() for v in str(variable.get("query", "")).split(",") if v.strip()]
        else:
            continue
        if variable.get("includeAll") and variable.get("allValue"):
            values[name] = str(variable["allValue"])
        elif variable.get("includeAll"):
            values[name] = options
        else:
            values[name] = options[:1]
    return values


#: Pixels of a full-width panel: a panel's resolution (maxDataPoints) is its share of this.
SCREEN_WIDTH = 1920


def time_context(model: Mapping[str, Any], panel: Mapping[str, Any],
                 scrape_interval: float) -> TimeContext:
    """The dashboard's default time range as ``panel`` sees it ({} for the dashboard itself)."""
    time_range = model.get("time") or {"from": "now-6h", "to": "now"}
    span = relative_seconds(time_range["from"]) - relative_seconds(time_range["to"])
    width = int((panel.get("gridPos") or {}).get("w", 12))
    points = int(panel.get("maxDataPoints") or width * SCREEN_WIDTH / 24)
    return TimeContext(span, points, scrape_interval)
