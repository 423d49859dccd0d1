"""Walking a Grafana JSON model: panels (nested rows included) and their targets, each with the
datasource it really runs against. Lint, check, publish and import all walk models this way."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

Json = dict[str, Any]

#: Panel types that run no query.
NO_QUERY_TYPES = frozenset({"row", "text", "news", "dashlist", "alertlist", "annolist",
                            "welcome", "gettingstarted", "nodeGraph-help"})
#: Datasource uids that are Grafana's own, not a datasource to template.
BUILT_IN_DATASOURCES = frozenset({"-- Grafana --", "grafana", "-- Mixed --", "-- Dashboard --",
                                  "__expr__"})


def as_object(value: Any) -> Json:
    """``value`` where a JSON object is expected, else ``{}``: saved models hold anything."""
    return value if isinstance(value, dict) else {}


def as_array(value: Any) -> list[Any]:
    """``value`` where a JSON array is expected, else ``[]``."""
    return value if isinstance(value, list) else []


def as_int(value: Any, default: int = 0) -> int:
    """``value`` where a whole number is expected, else ``default`` (never a bool or a string)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def variable_query(variable: Mapping[str, Any]) -> str:
    """A variable's query text, whether stored as a string or as the query editor's object
    (``{"query": …}``, or ``{"expr": …}`` for Loki)."""
    query = variable.get("query", "")
    if isinstance(query, dict):
        return str(query.get("query") or query.get("expr") or "")
    return str(query or "")


def iter_panels(panels: list[Any]) -> Iterator[Json]:
    """Every panel, rows and the panels nested in collapsed rows included."""
    for panel in panels:
        if not isinstance(panel, dict):
            continue
        yield panel
        yield from iter_panels(panel.get("panels") or [])


@attrs.frozen
class QueryDatasource:
    """A target's datasource as written, and its plugin type where it can be told."""

    type: str | None
    uid: str | None
    #: A variable (``$datasource``, ``${DS_PROMETHEUS}``) rather than a fixed datasource.
    templated: bool


def _variable_types(model: Mapping[str, Any]) -> dict[str, str]:
    """Plugin type behind each datasource variable and each ``__inputs`` datasource."""
    types = {}
    for variable in (model.get("templating") or {}).get("list") or []:
        if variable.get("type") == "datasource" and isinstance(variable.get("query"), str):
            types[variable.get("name", "")] = variable["query"]
    for item in model.get("__inputs") or []:
        if item.get("type") == "datasource":
            types[item.get("name", "")] = item.get("pluginId", "")
    return types


def _variable_name(text: str) -> str | None:
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].split(":")[0]
    if text.startswith("$"):
        return text[1:]
    return None


def resolve_datasource(raw: Any, variable_types: Mapping[str, str]) -> QueryDatasource | None:
    """Which datasource a panel or target really queries, templated or fixed."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        name = _variable_name(raw)
        if name is not None:
            return QueryDatasource(variable_types.get(name), raw, True)
        return QueryDatasource(None, raw, False)  # a datasource name, the pre-v33 form
    if isinstance(raw, dict):
        uid = raw.get("uid")
        kind = raw.get("type")
        name = _variable_name(uid) if isinstance(uid, str) else None
        if name is not None:
            return QueryDatasource(kind or variable_types.get(name), uid, True)
        return QueryDatasource(kind, uid, False)
    return None


@attrs.frozen
class TargetRef:
    """A target with its panel and the datasource it runs against: one walk for every reader."""
    panel: Json
    target: Json
    datasource: QueryDatasource | None

    @property
    def language(self) -> str | None:
        """"promql", "logql", or None for other datasources."""
        kind = self.datasource.type if self.datasource else None
        if kind == "prometheus":
            return "promql"
        if kind == "loki":
            return "logql"
        if kind is None and isinstance(self.target.get("expr"), str):
            expr = self.target["expr"].lstrip()
            looks_like_logs = expr.startswith("{") or "|=" in expr or "| json" in expr \
                or "| logfmt" in expr or self.panel.get("type") == "logs"
            return "logql" if looks_like_logs else "promql"
        return None


def iter_targets(model: Mapping[str, Any]) -> Iterator[TargetRef]:
    """Every query target with the datasource it runs against (target, else panel)."""
    types = _variable_types(model)
    for panel in iter_panels(model.get("panels") or []):
        if panel.get("type") in NO_QUERY_TYPES:
            continue
        panel_ds = resolve_datasource(panel.get("datasource"), types)
        for target in panel.get("targets") or []:
            if not isinstance(target, dict):
                continue
            own = resolve_datasource(target.get("datasource"), types)
            mixed = panel_ds is not None and panel_ds.uid == "-- Mixed --"
            yield TargetRef(panel, target, own if own is not None and (mixed or own.uid) else panel_ds)
