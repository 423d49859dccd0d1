"""A small LogQL reader: enough to tell a broken query, a missing stream selector, a selector on a
high-cardinality label, and an error filter that misses pino's numeric levels."""
from __future__ import annotations

import re

import attrs

from dashkit.query.analyse import expand_for_parsing, outside_strings
from dashkit.query.logql import HIGH_CARDINALITY_LABELS

_MATCHER = re.compile(r'\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*')
_LEVEL_FILTER = re.compile(r'\blevel(?:_extracted)?\s*(?:=~|=|!=|!~)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)')


@attrs.frozen
class LogQLAnalysis:
    """What a LogQL query selects and filters on, or its parse error."""
    error: str | None = None
    selector_labels: tuple[str, ...] = ()
    has_selector: bool = False
    #: Level values an error filter matches, where the query filters on ``level``.
    level_values: tuple[str, ...] = ()


def analyse_logql(text: str) -> LogQLAnalysis:
    """Parse a LogQL query into the parts lint's rules look at."""
    expanded = expand_for_parsing(text)
    code = "".join(chunk if not is_string else '""' for is_string, chunk in outside_strings(expanded))
    depth = {"(": 0, "{": 0, "[": 0}
    closing = {")": "(", "}": "{", "]": "["}
    for ch in code:
        if ch in depth:
            depth[ch] += 1
        elif ch in closing:
            depth[closing[ch]] -= 1
            if depth[closing[ch]] < 0:
                return LogQLAnalysis(error=f"unexpected {ch!r}")
    unbalanced = [k for k, v in depth.items() if v]
    if unbalanced:
        return LogQLAnalysis(error=f"unclosed {unbalanced[0]!r}")
    selectors = []
    for match in re.finditer(r"\{([^{}]*)\}", expanded):
        body = match.group(1)
        labels = []
        for part in _split_matchers(body):
            matcher = _MATCHER.fullmatch(part)
            if matcher is None:
                return LogQLAnalysis(error=f"bad stream matcher {part.strip()!r}")
            labels.append(matcher.group(1))
        selectors.append(tuple(labels))
    if not selectors or not any(selectors):
        return LogQLAnalysis(has_selector=False)
    levels: list[str] = []
    for match in _LEVEL_FILTER.finditer(expanded):
        levels.extend(v.strip("^$()?i") for v in match.group(1)[1:-1].split("|"))
    return LogQLAnalysis(None, tuple(label for s in selectors for label in s), True, tuple(levels))


def _split_matchers(body: str) -> list[str]:
    """Matchers split on commas outside quoted values."""
    parts = [""]
    for is_string, chunk in outside_strings(body):
        pieces = [chunk] if is_string else chunk.split(",")
        parts[-1] += pieces[0]
        parts.extend(pieces[1:])
    return [p for p in parts if p.strip()]


def cardinality_labels(analysis: LogQLAnalysis) -> list[str]:
    """Stream-selector labels with unbounded values (trace ids), which Loki indexes badly."""
    return sorted(set(analysis.selector_labels) & HIGH_CARDINALITY_LABELS)


def misses_numeric_levels(analysis: LogQLAnalysis) -> bool:
    """An error filter by name (``error``) that would not match pino's default numeric 50/60."""
    values = {v.lower() for v in analysis.level_values}
    return bool(values & {"error", "fatal", "err", "crit", "critical"}) and not values & {"50", "60"}
