"""Parsing queries as Grafana would send them, and finding what lint needs in the tree.

PromQL is parsed by promql-parser (the Rust parser of GreptimeDB, Prometheus-compatible), after
Grafana's macros and variables are replaced by values that keep the query's shape: durations for
windows, names elsewhere, strings untouched. Recognisable durations stand for ``$__rate_interval``
and ``$__interval`` so rules can tell them apart after parsing.
"""
from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from typing import Any

import attrs
import promql_parser as pp

#: Durations that stand in for Grafana's window macros after expansion.
RATE_INTERVAL_SENTINEL = "4m3s"
INTERVAL_SENTINEL = "1m1s"
_SENTINEL_SECONDS = {243.0: "$__rate_interval", 61.0: "$__interval", 3601.0: "$__range"}
_MACROS = {"__rate_interval": RATE_INTERVAL_SENTINEL, "__interval": INTERVAL_SENTINEL,
           "__auto": INTERVAL_SENTINEL, "__range": "1h1s", "__range_s": "3601",
           "__range_ms": "3601000", "__interval_ms": "61000", "__rate_interval_ms": "243000"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
#: Functions under which a counter is fine without rate().
COUNTER_SAFE = RATE_FUNCTIONS | {"resets", "changes", "absent", "absent_over_time",
                                 "count_over_time", "last_over_time", "timestamp", "present_over_time",
                                 "delta", "idelta", "deriv"}
COUNTER_SAFE_AGGREGATIONS = frozenset({"count", "group", "count_values"})

#: What dashkit parses, checked before the parser sees a query: promql-parser's time grows with
#: the square of the operators (1,000 take 0.3 s; 5,000 crash the process) and deep nesting
#: overflows its stack and Python's. The corpus's largest: 1,872 characters, nesting 6.
MAX_QUERY_CHARACTERS = 65_536
MAX_QUERY_OPERATORS = 500
MAX_QUERY_NESTING = 64
_OPERATOR = re.compile(r"==|!=|<=|>=|[-+*/%^<>]|\b(?:and|or|unless|atan2)\b")
_BRACKETS = re.compile(r"[(\[{)\]}]")


#: Where a string opens, and where each kind of string may end or escape (a backtick string
#: has no escapes).
_OPENING = re.compile("[\"'`]")
_STOPS = {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]"), "`": re.compile("`")}


def outside_strings(text: str) -> Iterator[tuple[bool, str]]:
    """(is_string, chunk) pieces of a PromQL/LogQL text; a string left open runs to the end.
    It jumps from quote to quote and escape to escape (lint splits every query twice) in
    constant memory: a query is input, of any length, and a regular expression that matched a
    whole string would hold state for each character (600 MiB for 5 MB)."""
    start, length = 0, len(text)
    while (opening := _OPENING.search(text, start)) is not None:
        first = opening.start()
        if start < first:
            yield False, text[start:first]
        stops, end = _STOPS[text[first]], first + 1
        while (stop := stops.search(text, end)) is not None and text[stop.start()] == "\\":
            end = stop.start() + 2  # the escaped character, whatever it is
        end = length if stop is None else stop.start()
        yield True, text[first:end + 1]
        start = end + 1
    if start < length:
        yield False, text[start:]


#: What every operator ``_OPERATOR`` matches has at least one of; and its words.
_OPERATOR_CHARACTERS = "-+*/%^<>=!"
_OPERATOR_WORDS = ("and", "or", "unless", "atan2")


def over_limits(text: str) -> str | None:
    """Why a query is too big to parse safely, or None (strings count only toward length)."""
    if len(text) > MAX_QUERY_CHARACTERS:
        return (f"query is {len(text):,} characters long; dashkit parses at most "
                f"{MAX_QUERY_CHARACTERS:,}")
    # most queries are far within both limits: counted over the whole text (strings too), each
    # count is at least what the limit counts, so under both limits it needs no closer look
    if sum(map(text.count, _OPERATOR_CHARACTERS)) + sum(map(text.count, _OPERATOR_WORDS)) \
            <= MAX_QUERY_OPERATORS and sum(map(text.count, "([{")) <= MAX_QUERY_NESTING:
        return None
    return _counted_over_limits(text)


def _counted_over_limits(text: str) -> str | None:
    """:func:`over_limits`, counting outside strings only."""
    operators = depth = deepest = 0
    for is_string, chunk in outside_strings(text):
        if is_string:
            continue
        operators += len(_OPERATOR.findall(chunk))
        for ch in _BRACKETS.findall(chunk):  # the brackets only, not every character
            if ch in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in ")]}":
                depth -= 1
    if operators > MAX_QUERY_OPERATORS:
        return (f"query has {operators:,} operators; dashkit parses at most "
                f"{MAX_QUERY_OPERATORS:,} (split it, or use a recording rule)")
    if deepest > MAX_QUERY_NESTING:
        return f"query nests brackets {deepest:,} deep; dashkit parses at most {MAX_QUERY_NESTING}"
    return None


def expand_for_parsing(text: str) -> str:
    """Grafana's macros and variables replaced by placeholders that keep the syntax valid."""
    pieces = []
    for is_string, chunk in outside_strings(text):
        if is_string:
            pieces.append(chunk)
            continue

        def replace(match: re.Match[str], chunk: str = chunk) -> str:
            name = match.group(1) or match.group(2) or match.group(3)
            if name in _MACROS:
                return _MACROS[name]
            before = chunk[:match.start()].rstrip()
            after = chunk[match.end():].lstrip()
            if before.endswith(("[", ":")) or after.startswith(("]", ":")) \
                    or before.endswith("offset"):
                return "5m"
            if before.endswith("(") and after.startswith(","):
                return "5"  # topk($n, …), quantile($q, …)
            return f"var_{name}"
        pieces.append(_VARIABLE.sub(replace, chunk))
    return "".join(pieces)


@attrs.frozen
class SelectorUse:
    """A series selector, and the functions and aggregations around it."""

    name: str | None
    matched_labels: tuple[str, ...]
    #: Names of the enclosing function calls, innermost first.
    functions: tuple[str, ...]
    aggregations: tuple[str, ...]
    #: Labels that enclosing ``by``/``without``/``on``/``ignoring`` clauses name.
    grouping_labels: tuple[str, ...]
    #: The range window, where the selector is a range vector, in seconds.
    window: float | None
    relabelled: bool


@attrs.frozen
class PromQLAnalysis:
    """What a PromQL expression uses: its selectors and their context, or its parse error."""
    error: str | None = None
    selectors: tuple[SelectorUse, ...] = ()
    #: histogram_quantile calls whose aggregation drops ``le``: the inner text of each.
    quantiles_without_le: tuple[str, ...] = ()

    def window_macro(self, selector: SelectorUse) -> str | None:
        return _SENTINEL_SECONDS.get(selector.window) if selector.window is not None else None


def _seconds(delta: datetime.timedelta | None) -> float | None:
    return delta.total_seconds() if delta is not None else None


def _walk(node: object, functions: tuple[str, ...], aggregations: tuple[str, ...],
          grouping: tuple[str, ...], relabelled: bool, found: list[SelectorUse],
          quantiles: list[str]) -> None:
    if isinstance(node, pp.VectorSelector):
        labels = tuple(m.name for m in node.matchers.matchers if m.name != "__name__")
        found.append(SelectorUse(node.name, labels, functions, aggregations, grouping, None,
                                 relabelled))
    elif isinstance(node, pp.MatrixSelector):
        inner = node.vector_selector
        labels = tuple(m.name for m in inner.matchers.matchers if m.name != "__name__")
        found.append(SelectorUse(inner.name, labels, functions, aggregations, grouping,
                                 _seconds(node.range), relabelled))
    elif isinstance(node, pp.Call):
        name = node.func.name
        if name == "histogram_quantile" and len(node.args) == 2:
            argument: object = node.args[1]
            while isinstance(argument, pp.ParenExpr):
                argument = argument.expr
            if isinstance(argument, pp.AggregateExpr) and _drops_le(argument):
                quantiles.append(restore_macros(str(argument)))
        relabels = relabelled or name in ("label_replace", "label_join")
        for arg in node.args:
            _walk(arg, (name, *functions), aggregations, grouping, relabels, found, quantiles)
    elif isinstance(node, pp.AggregateExpr):
        labels = tuple(node.modifier.labels) if node.modifier is not None else ()
        _walk(node.expr, functions, (node.op.__str__().lower(), *aggregations), grouping + labels,
              relabelled, found, quantiles)
    elif isinstance(node, pp.BinaryExpr):
        matching = node.modifier.matching if node.modifier is not None else None
        labels = tuple(matching.labels) if matching is not None else ()
        for side in (node.lhs, node.rhs):
            _walk(side, functions, aggregations, grouping + labels, relabelled, found, quantiles)
    elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        _walk(node.expr, functions, aggregations, grouping, relabelled, found, quantiles)


def restore_macros(text: str) -> str:
    """An expanded, re-printed query as the author wrote it, for messages."""
    for macro, sentinel in (("$__rate_interval", RATE_INTERVAL_SENTINEL),
                            ("$__interval", INTERVAL_SENTINEL), ("$__range", "1h1s")):
        text = text.replace(f"[{sentinel}]", f"[{macro}]")
    return text.replace("{}", "").replace(")(", ") (")


def _drops_le(aggregation: pp.AggregateExpr) -> bool:
    modifier = aggregation.modifier
    if modifier is None:
        return True
    labels = set(modifier.labels)
    return bool(("le" in labels) == (modifier.type == pp.AggModifierType.Without))


def parse_promql(text: str) -> tuple[Any, str | None]:
    """The one way dashkit parses PromQL (Grafana's macros expanded): ``(tree, None)``, or
    ``(None, why)`` for a query over the limits (refused before the parser, which crashes the
    process on them) or one that does not parse."""
    expanded = expand_for_parsing(text)
    too_big = over_limits(expanded)
    if too_big:
        return None, too_big
    try:
        return pp.parse(expanded), None
    except (ValueError, TypeError) as error:
        return None, f"does not parse: {str(error).strip().splitlines()[0]}"


@functools.lru_cache(maxsize=4096)
def analyse_promql(text: str) -> PromQLAnalysis:
    """Parsed once per text: dashboards repeat their queries, and lint, check and the catalog
    checks all ask (the analysis is immutable)."""
    tree, error = parse_promql(text)
    if error is not None:
        return PromQLAnalysis(error=error)
    found: list[SelectorUse] = []
    quantiles: list[str] = []
    _walk(tree, (), (), (), False, found, quantiles)
    return PromQLAnalysis(None, tuple(found), tuple(quantiles))
