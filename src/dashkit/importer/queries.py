"""Queries as the importer writes them: ``Target(...)`` calls, and label matchers repeated across
a dashboard's queries written once, as named constants in ``%`` templates."""
from __future__ import annotations

import re
from typing import Any

from dashkit.grafana.defaults import QUERY_DEFAULTS, is_default
from dashkit.grafana.facts import ref_id
from dashkit.importer.declarations import Declarations
from dashkit.importer.pysource import Call, Template

Json = dict[str, Any]
#: A series selector's label matchers, ``{…}``, with no nested braces.
_BRACES = re.compile(r"\{([^{}]*)\}")


class QueryCalls(Declarations):
    """A generator's queries (its panels: generator._Generator)."""

    def target(self, raw: Json, index: int, panel_ds: Any) -> Call:
        kwargs: list[tuple[str, Any]] = []
        rest = {k: v for k, v in raw.items()
                if k not in ("expr", "legendFormat", "refId", "datasource", "hide", "format")}
        if raw.get("legendFormat"):
            kwargs.append(("legend", raw["legendFormat"]))
        if raw.get("refId") != ref_id(index):
            kwargs.append(("ref_id", raw.get("refId", "")))
        if raw.get("format") not in (None, "time_series"):
            kwargs.append(("format", raw["format"]))
        if raw.get("datasource") is not None and raw.get("datasource") != panel_ds:
            ds = self.datasource(raw["datasource"])
            if ds is not None:
                kwargs.append(("datasource", ds))
            else:
                rest["datasource"] = raw["datasource"]
        if raw.get("hide"):
            kwargs.append(("hide", True))
        is_range = rest.pop("range", None)
        instant = rest.pop("instant", None)
        if instant and not is_range:
            kwargs.append(("instant", True))
            if is_range is not None:
                rest["range"] = is_range
        elif (is_range, instant) not in ((True, False), (None, None), (True, None), (None, False)):
            rest.update({k: v for k, v in (("range", is_range), ("instant", instant)) if v is not None})
        rest.pop("editorMode", None) if rest.get("editorMode") == "code" else None
        rest = {k: v for k, v in rest.items() if not is_default(k, v, QUERY_DEFAULTS)}
        if rest:
            kwargs.append(("extra", rest))
        return Call("Target", (self.expression(str(raw.get("expr", ""))),), tuple(kwargs))

    # --- repeated selectors -------------------------------------------------------------------------
    def find_selectors(self, exprs: list[str]) -> None:
        """Label matchers repeated across the dashboard's queries (three times or more) get a
        name, written once: ``NODE = 'instance="$node", job="$job"'``."""
        counts: dict[str, int] = {}
        for expr in exprs:
            if "%" in expr:
                continue  # kept verbatim: the template uses % formatting
            for match in _BRACES.finditer(expr):
                if len(match.group(1)) >= 12:
                    counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        repeated = sorted((c for c, n in counts.items() if n >= 3), key=lambda c: (-counts[c], c))
        for content in repeated:
            labels = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", content)
            name = self.constant_name("_".join(dict.fromkeys(labels)) or "SELECTOR")
            self.selectors[content] = name
            self.namespace[name] = content

    def expression(self, expr: str) -> Any:
        """The query as a literal, or as a ``%`` template over the named selectors."""
        if "%" in expr or not self.selectors:
            return expr
        names: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if match.group(1) in self.selectors:
                names.append(self.selectors[match.group(1)])
                return "{%s}"
            return match.group(0)

        template = _BRACES.sub(replace, expr)
        if not names:
            return expr
        return Template.over(template, names)
