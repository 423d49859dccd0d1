"""Template variables: datasource pickers and query variables, chained through each other."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from dashkit.errors import DashkitError, Site, call_site, user_site
from dashkit.query.promql import Expr, Matchers, sel
from dashkit.sdk.datasources import Datasource, DatasourceRef

#: Grafana's ``refresh`` values for query variables.
REFRESH_ON_LOAD = 1
REFRESH_ON_TIME_CHANGE = 2

#: The value of a variable's All option (Grafana's ALL_VARIABLE_VALUE); Grafana shows it as "All".
ALL = "$__all"
#: A default: one value, or several for a multi-value variable.
Default = str | Sequence[str] | None

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Grafana's three ways (templateSrv's variableRegex): ``${x}`` or ``${x:fmt}``, ``$x``, and the
#: old ``[[x]]`` or ``[[x:fmt]]``, which has no dollar sign.
_REFERENCE = re.compile(
    r"\$(?:\{([A-Za-z_]\w*)(?::[^}]*)?\}|([A-Za-z_]\w*))|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]")


#: ``_REFERENCE``'s dollar forms alone, tried where a ``$`` is.
_DOLLAR_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::[^}]*)?\}|([A-Za-z_]\w*))")


def references(text: str) -> set[str]:
    """Names of the variables a string uses (``$x``, ``${x}``, ``${x:fmt}``, ``[[x]]``), macros excluded."""
    if "[[" in text:
        names = {a or b or c for a, b, c in _REFERENCE.findall(text)}
    elif "$" not in text:  # most strings (titles, units): no regex needed
        return set()
    else:  # a whole model's text: match at each "$", as findall would, not at every character
        names, at, find, match = set(), text.find("$"), text.find, _DOLLAR_REFERENCE.match
        while at >= 0:
            found = match(text, at)
            if found is None:
                at = find("$", at + 1)
            else:
                names.add(found[1] or found[2])
                at = find("$", found.end())
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
    #: The value the dashboard opens with (a tuple for several); None: Grafana picks the first.
    default: str | tuple[str, ...] | None = None
    #: What Grafana shows for ``default`` when not the value itself (a datasource's name).
    default_text: str | None = None
    #: The builder call that made it: where pull writes an edited default back.
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    @name.validator
    def _check_name(self, _attribute: object, value: str) -> None:
        if not _VARIABLE_NAME.match(value):
            raise ValueError(f"invalid variable name {value!r}")

    def to_json_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "hide": self.hide, **self.fields}
        if self.label:
            data["label"] = self.label
        if self.default is not None:
            data.update(_current(self))
        return data


def shown(value: Any) -> Any:
    """The text Grafana shows for a value (a list: each one's): All's is "All"."""
    if isinstance(value, (list, tuple)):
        return [shown(v) for v in value]
    return "All" if value == ALL else value


def _current(variable: Variable) -> dict[str, Any]:
    """``current`` as Grafana saves a variable's value (sceneVariablesSetToVariables: text and
    value only, lists for several, All shown as "All"); a custom or interval variable also keeps
    its options, each ``selected`` when it is the value (variableValueOptionsToVariableOptions)."""
    chosen = variable.default
    if isinstance(chosen, tuple):
        current: dict[str, Any] = {"text": shown(chosen), "value": list(chosen)}
    else:
        current = {"text": variable.default_text or shown(chosen), "value": chosen}
    if variable.type not in ("custom", "interval"):
        return {"current": current}
    values = _values(variable)
    picked = set(chosen) if isinstance(chosen, tuple) else {chosen}
    return {"current": current,
            "options": [{"selected": v in picked, "text": v, "value": v} for v in values]}


def _values(variable: Variable) -> list[str]:
    return [v for v in str(variable.fields.get("query", "")).split(",") if v]


def _default(name: str, default: Default, *, multi: bool, include_all: bool = False,
             values: list[str] | None = None
             ) -> str | tuple[str, ...] | None:
    """The default as the Variable keeps it; a list for a single-value variable, or a value
    a fixed list does not have, is an error at the builder call."""
    if default is None:
        return None
    chosen = (default,) if isinstance(default, str) else tuple(default)
    wrong = next((v for v in chosen if not isinstance(v, str)), None)
    problem = (f"default must be text or a list of text, not {wrong!r:.40}" if wrong is not None
               else "default is a list but the variable is not multi-value"
               if not isinstance(default, str) and not multi else
               "default is an empty list" if not chosen else None)
    if problem is None and ALL in chosen and not include_all:
        problem = "default is All but the variable has no All option (include_all=True)"
    if problem is None and values is not None:
        missing = [v for v in chosen if v not in values and v != ALL]
        if missing:
            problem = f"default {missing[0]!r} is not one of its values {values}"
    if problem:
        raise DashkitError(f"variable ${name}: {problem}", file=user_site())
    return default if isinstance(default, str) else chosen


def datasource(name: str, plugin: str, *, label: str | None = None, regex: str = "",
               hide: int = 0, default: str | Datasource | None = None) -> Variable:
    """A datasource picker; it starts on the default datasource of that plugin type, or on
    ``default``: a Datasource of the project (Grafana saves its uid, showing its name) or a uid."""
    chosen = default.uid if isinstance(default, Datasource) else default
    return Variable(name, "datasource", label, hide,
                    {"query": plugin, "regex": regex, "options": [], "refresh": 1},
                    default=_default(name, chosen, multi=False),
                    default_text=default.name if isinstance(default, Datasource) else None)


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
          hide: int = 0, default: Default = None) -> Variable:
    """A query variable; ``refresh`` defaults to on time change so new values appear;
    ``default`` is the value it opens with (a list if multi, ``ALL`` for All)."""
    text = str(expr)
    fields: dict[str, Any] = {
        "datasource": datasource.to_json_data(),
        "query": {"query": text, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "refresh": refresh, "regex": regex, "sort": sort,
        "multi": multi, "includeAll": include_all, "options": [],
    }
    if all_value is not None:
        fields["allValue"] = all_value
    return Variable(name, "query", label, hide, fields, expr if isinstance(expr, Expr) else None,
                    _default(name, default, multi=multi, include_all=include_all))


def multi(name: str, expr: Expr | str, datasource: DatasourceRef, *,
          label: str | None = None, default: Default = None) -> Variable:
    """A multi-value query variable with All, where All means ``.*`` rather than a long list."""
    return query(name, expr, datasource, label=label, multi=True, include_all=True, all_value=".*",
                 default=default)


def custom(name: str, values: list[str], *, label: str | None = None, multi: bool = False,
           include_all: bool = False, hide: int = 0, default: Default = None) -> Variable:
    """A fixed list of values: environments, regions, anything Prometheus does not list."""
    return Variable(name, "custom", label, hide, {
        "query": ",".join(values), "multi": multi, "includeAll": include_all,
        "options": [],
    }, default=_default(name, default, multi=multi, include_all=include_all, values=list(values)))


def interval(name: str, values: list[str], *, label: str | None = None, auto: bool = False,
             default: str | None = None) -> Variable:
    """A choice of window lengths, for panels that let the reader pick the resolution."""
    return Variable(name, "interval", label, 0, {
        "query": ",".join(values), "auto": auto, "auto_count": 30, "auto_min": "10s",
        "options": [], "refresh": 2,
    }, default=_default(name, default, multi=False, values=list(values)))
