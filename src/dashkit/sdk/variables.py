"""Template variables: datasource pickers and query variables, chained through each other."""
from __future__ import annotations

import re
from typing import Any

import attrs

from dashkit.query.promql import Expr, Matchers, sel
from dashkit.sdk.datasources import DatasourceRef

#: Grafana's ``refresh`` values for query variables.
REFRESH_ON_LOAD = 1
REFRESH_ON_TIME_CHANGE = 2

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Grafana's three ways (templateSrv's variableRegex): ``${x}`` or ``${x:fmt}``, ``$x``, and the
#: old ``[[x]]`` or ``[[x:fmt]]``, which has no dollar sign.
_REFERENCE = re.compile(
    r"\$(?:\{([A-Za-z_]\w*)(?::[^}]*)?\}|([A-Za-z_]\w*))|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]")


def references(text: str) -> set[str]:
    """Names of the variables a string uses (``$x``, ``${x}``, ``${x:fmt}``, ``[[x]]``), macros excluded."""
    if "$" not in text and "[[" not in text:  # most strings (titles, units): no regex needed
        return set()
    names = {a or b or c for a, b, c in _REFERENCE.findall(text)}
    return {n for n in names if not n.startswith("__")}


@attrs.frozen
class Variable:
    """Any Grafana template variable, field for field: what the helpers below build."""
    name: str = attrs.field()
    type: str
    label: str | None = None
    hide: int = 0
    fields: dict[str, Any] = attrs.field(factory=dict)
    #: Query expression, kept for the catalog check of ``label_values``.
    expr: Expr | None = None

    @name.validator
    def _check_name(self, _attribute: object, value: str) -> None:
        if not _VARIABLE_NAME.match(value):
            raise ValueError(f"invalid variable name {value!r}")

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "hide": self.hide, **self.fields}
        if self.label:
            data["label"] = self.label
        return data


def datasource(name: str, plugin: str, *, label: str | None = None, regex: str = "",
               hide: int = 0) -> Variable:
    """A datasource picker; it starts on the default datasource of that plugin type."""
    return Variable(name, "datasource", label, hide,
                    {"query": plugin, "regex": regex, "options": [], "refresh": 1})


def label_values(label: str, series: str | None = None, where: Matchers | None = None) -> Expr:
    """Grafana's ``label_values(series{…}, label)`` query, checked against the catalog."""
    if series is None:
        return Expr(f"label_values({label})")
    selector = sel(series, where)
    selector = selector.by_labels([label])
    return Expr(f"label_values({selector.text}, {label})", selector.refs)


def query(name: str, expr: Expr | str, datasource: DatasourceRef, *, label: str | None = None,
          multi: bool = False, include_all: bool = False, all_value: str | None = None,
          regex: str = "", sort: int = 1, refresh: int = REFRESH_ON_TIME_CHANGE,
          hide: int = 0) -> Variable:
    """A query variable; ``refresh`` defaults to on time change so new values appear."""
    text = str(expr)
    fields: dict[str, Any] = {
        "datasource": datasource.to_json_data(),
        "query": {"query": text, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "refresh": refresh, "regex": regex, "sort": sort,
        "multi": multi, "includeAll": include_all, "options": [],
    }
    if all_value is not None:
        fields["allValue"] = all_value
    return Variable(name, "query", label, hide, fields, expr if isinstance(expr, Expr) else None)


def multi(name: str, expr: Expr | str, datasource: DatasourceRef, *,
          label: str | None = None) -> Variable:
    """A multi-value query variable with All, where All means ``.*`` rather than a long list."""
    return query(name, expr, datasource, label=label, multi=True, include_all=True, all_value=".*")


def custom(name: str, values: list[str], *, label: str | None = None, multi: bool = False,
           include_all: bool = False, hide: int = 0) -> Variable:
    """A fixed list of values: environments, regions, anything Prometheus does not list."""
    return Variable(name, "custom", label, hide, {
        "query": ",".join(values), "multi": multi, "includeAll": include_all,
        "options": [],
    })


def interval(name: str, values: list[str], *, label: str | None = None, auto: bool = False) -> Variable:
    """A choice of window lengths, for panels that let the reader pick the resolution."""
    return Variable(name, "interval", label, 0, {
        "query": ",".join(values), "auto": auto, "auto_count": 30, "auto_min": "10s",
        "options": [], "refresh": 2,
    })
