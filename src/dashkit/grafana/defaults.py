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


#: A panel's own fields where an empty list means the same as leaving it out (PanelModel starts
#: from empty lists); any of its own fields that is null means the same as absent.
EMPTY_PANEL_LISTS = frozenset({"links", "transformations"})


def panel_meaning(panel: dict[str, Any]) -> dict[str, Any]:
    """The panel without what restates Grafana's defaults (its own null fields and empty link and
    transformation lists, its queries' default fields): two panels that differ only in those
    mean the same to Grafana."""
    meaning = {k: v for k, v in panel.items()
               if v is not None and not (k in EMPTY_PANEL_LISTS and v == [])}
    targets = meaning.get("targets")
    if isinstance(targets, list):
        meaning["targets"] = [query_without_defaults(t) for t in targets]
    return meaning
