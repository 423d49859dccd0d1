"""What a LogQL query keeps, so synthetic log lines are the ones Loki would return: its line
filters (``|=``, ``!=``, ``|~``, ``!~``) and what it asks of the level, in the stream selector or
in label filters after a parser (``| level=~"error|fatal" or level_extracted=~…``). As in Loki,
a label regex matches the whole value and a line regex any part of the line."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import attrs

#: Labels that carry a line's level (Loki's own ``detected_level`` and what parsers extract).
LEVEL_LABELS = frozenset({"level", "level_extracted", "detected_level", "severity", "lvl"})
LINE_OPERATORS = ("|=", "!=", "|~", "!~")
_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)'
    r"|(?P<op>\|=|\|~|!=|!~|=~|==|>=|<=|=|>|<|\||,|\(|\)|\{|\})"
    r"|(?P<word>[\w.:-]+)|(?P<other>\S))"
)
#: A Grafana variable left in a value (``$filter``, ``${level}``): synthetic lines match it.
_VARIABLE = re.compile(r"\$(?:\w|\{)")
#: (label, operator, value): one alternative of a label condition.
Matcher = tuple[str, str, str]


@attrs.frozen
class LogFilter:
    """A query's line filters, and its label conditions (each a choice of matchers, all kept)."""

    lines: tuple[tuple[str, str], ...] = ()
    conditions: tuple[tuple[Matcher, ...], ...] = ()

    def keeps(self, level: str, text: str) -> bool:
        """Whether Loki would return a line of this level and text."""
        return all(_line_matches(op, value, text) for op, value in self.lines) and all(
            any(_label_matches(m, level) for m in choice) for choice in self.conditions
        )


def parse(query: str) -> LogFilter:
    """The filters of a LogQL log query (a metric query's inner one too); what it cannot read
    keeps every line."""
    tokens = [(m.lastgroup or "", m.group(m.lastgroup or "other")) for m in _TOKEN.finditer(query)]
    lines: list[tuple[str, str]] = []
    conditions: list[tuple[Matcher, ...]] = []
    depth, choice, at = 0, [], 0
    while at < len(tokens):
        kind, value = tokens[at]
        ahead = tokens[at + 1 : at + 4]
        if value == "{":
            depth += 1
        elif value == "}":
            depth -= 1
        elif value in LINE_OPERATORS and depth == 0 and ahead and ahead[0][0] == "string":
            if not _VARIABLE.search(ahead[0][1]):  # "$filter", a text box: as if empty
                lines.append((value, _unquote(ahead[0][1])))
            at += 2
            continue
        elif kind == "word" and len(ahead) >= 2 and ahead[0][0] == "op" and ahead[0][1] not in (
            "|", ",", "(", ")", "{", "}", *LINE_OPERATORS[::2]
        ):
            choice.append((value, ahead[0][1], _unquote(ahead[1][1])))
            at += 3
            if at < len(tokens) and tokens[at][1] == "or":
                at += 1
                continue
            conditions.append(tuple(choice))
            choice = []
            continue
        at += 1
    return LogFilter(tuple(lines), tuple(conditions))


def kept(query: str, entries: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (level, text) entries the query keeps. A text it must contain that no entry has is
    added to every entry, so a query for ``|= "timeout"`` shows lines about timeouts."""
    found = parse(query)
    for op, value in found.lines:
        wanted = op == "|=" or (op == "|~" and re.fullmatch(r"[\w :-]+", value))
        if wanted and not any(_line_matches(op, value, text) for _, text in entries):
            entries = [(level, f"{text}: {value}") for level, text in entries]
    return [(level, text) for level, text in entries if found.keeps(level, text)]


def _unquote(token: str) -> str:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        try:
            return str(json.loads(token))
        except ValueError:
            return token[1:-1]
    return token


def _search(pattern: str, text: str, whole: bool) -> bool | None:
    try:
        return bool((re.fullmatch if whole else re.search)(pattern, text))
    except re.error:
        return None  # a Go regex Python cannot read: keep the line


def _line_matches(op: str, value: str, text: str) -> bool:
    if op in ("|=", "!="):
        return (value in text) == (op == "|=")
    found = _search(value, text, whole=False)
    return True if found is None else found == (op == "|~")


def _label_matches(matcher: Matcher, level: str) -> bool:
    label, op, value = matcher
    if label not in LEVEL_LABELS or _VARIABLE.search(value):
        return True  # a label synthetic lines are taken to have as asked; a variable's All
    if op in ("=", "=="):
        return level == value
    if op == "!=":
        return level != value
    if op in ("=~", "!~"):
        found = _search(value, level, whole=True)
        return True if found is None else found == (op == "=~")
    return True
