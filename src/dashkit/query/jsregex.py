"""A variable's regex applied the way Grafana's browser code applies it, with its work bounded.

Grafana reads the regex with ``stringToJsRegex`` (packages/grafana-data/src/text/string.ts):
``/pattern/flags`` (flags g, i, m, y, s), or, without the slashes, ``^pattern$``.
``metricNamesToVariableValues`` keeps an option the regex matches and takes from the match the
named group ``value`` (else ``text``), else the first group; with ``g`` every match is an option.
The ``regex`` package reads JavaScript's ``(?<name>…)`` groups as they are (Python's ``re`` does
not), finds the literal in ``/.*instance="(.*)".*/`` instead of backtracking quadratically over a
long value, and takes a timeout: a pattern that backtracks exponentially is stopped, not waited on.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import attrs
import regex

#: The time one variable's regex may take over all its options (Grafana's browser would hang).
REGEX_SECONDS = 2.0
#: Compiling has no timeout, and the regex engine unrolls counted repeats: ``a{10000000}`` took
#: 8 s, three nested ``{100}`` 1.2 s, four ran out of memory; 100,000 steps compile in 0.2 s.
#: The corpus's longest variable regex has 30 characters.
MAX_REGEX_CHARACTERS = 4_096
MAX_REGEX_EXPANSION = 100_000
_GRAFANA_FORM = regex.compile(r"/(.*?)/(g?i?m?y?s?)")
_COUNTED = regex.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_FLAGS = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL}
_T = TypeVar("_T")


class RegexError(ValueError):
    """A variable's regex that is not valid, or took longer than :data:`REGEX_SECONDS`."""


@attrs.frozen
class JsRegex:
    """A compiled Grafana variable regex: the pattern and the two flags that change matching."""
    pattern: regex.Pattern[str]
    every_match: bool = False  # g
    sticky: bool = False  # y: only at the start


def _shown(source: str) -> str:
    return repr(source if len(source) <= 80 else source[:79] + "…")


def expansion(body: str) -> int:
    """About how many steps the engine unrolls ``body`` into: each atom counts one, a counted
    repeat multiplies what it repeats (a group, a class, an escape or a character)."""
    sums, last, i = [0], 0, 0
    while i < len(body):
        char, atom = body[i], 1
        counted = _COUNTED.match(body, i) if char == "{" else None
        if counted is not None:
            low, comma, high = counted.groups()
            times = int(high) if high else int(low) + (1 if comma else 0)
            sums[-1] += last * (max(times, 1) - 1)
            last, i = last * max(times, 1), counted.end()
            continue
        if char == "\\":
            i += 1
        elif char == "[":
            i += 2 if body.startswith(("[]", "[^]"), i) else 1
            while i < len(body) and body[i] != "]":
                i += 2 if body[i] == "\\" else 1
        elif char == "(":
            sums.append(0)
            i += 1
            continue
        elif char == ")" and len(sums) > 1:
            atom = max(sums.pop(), 1)
        sums[-1] += atom
        last, i = atom, i + 1
    return sum(sums)


def compile_js(source: str, *, grafana_form: bool = True) -> JsRegex:
    """``source`` read as stringToJsRegex does (``grafana_form``), or as a bare pattern."""
    if len(source) > MAX_REGEX_CHARACTERS:
        raise RegexError(f"{_shown(source)} is {len(source):,} characters long; dashkit reads "
                         f"regexes of at most {MAX_REGEX_CHARACTERS:,}")
    body, flags = source, ""
    if grafana_form and not source.startswith("/"):
        body = f"^{source}$"
    elif grafana_form:
        form = _GRAFANA_FORM.fullmatch(source)
        if form is None:
            raise RegexError(f"{_shown(source)} is not a valid regular expression (Grafana reads "
                             "/pattern/flags with flags among g, i, m, y, s)")
        body, flags = form[1], form[2]
    if expansion(body) > MAX_REGEX_EXPANSION:
        raise RegexError(f"{_shown(source)} repeats too much: it unrolls to over "
                         f"{MAX_REGEX_EXPANSION:,} steps")
    compiled = 0
    for flag in flags:
        compiled |= _FLAGS.get(flag, 0)
    try:
        pattern = regex.compile(body, compiled | regex.VERSION0)
    except (regex.error, OverflowError, RecursionError) as error:
        raise RegexError(f"{_shown(source)} is not a valid regular expression: {error}") from None
    return JsRegex(pattern, "g" in flags, "y" in flags)


def _values(js: JsRegex, option: str, seconds: float) -> list[str] | None:
    """What one option gives (None: no match), as metricNamesToVariableValues takes it."""
    matches: list[regex.Match[str]] = []
    if js.every_match and not js.sticky:
        for match in js.pattern.finditer(option, timeout=seconds):
            matches.append(match)
            if not match[0]:  # getAllMatches stops at an empty match
                break
    else:
        first = (js.pattern.match if js.sticky else js.pattern.search)(option, timeout=seconds)
        matches = [first] if first is not None else []
    if not matches:
        return None
    for group in ("value", "text"):
        named = next((m[group] for m in matches if m.re.groupindex.get(group) and m[group]), None)
        if named:
            return [named]
    grouped = [m for m in matches if m.re.groups]
    if len(matches) > 1 and grouped:
        return [m[1] or "" for m in matches]
    return [grouped[0][1] or ""] if grouped else [option]


def _within_budget(source: str, items: list[str], noun: str,
                   work: Callable[[str, float], _T]) -> list[_T]:
    """``work(item, seconds left)`` for each item, all within :data:`REGEX_SECONDS`."""
    deadline = time.monotonic() + REGEX_SECONDS
    results: list[_T] = []
    try:
        for item in items:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            results.append(work(item, remaining))
    except TimeoutError:
        raise RegexError(f"{_shown(source)} took over {REGEX_SECONDS:g} s over {len(items):,} {noun} "
                         "(it backtracks too much; Grafana would hang too)") from None
    return results


def apply_variable_regex(source: str, options: list[str]) -> list[str]:
    """The options a variable offers after its regex, in order, without repeats."""
    if not source:
        return options
    js = compile_js(source)
    found = _within_budget(source, options, "values", lambda o, left: _values(js, o, left))
    return list(dict.fromkeys(value for values in found for value in values or ()))


def search_names(pattern: str, names: list[str]) -> list[str]:
    """The names a bare pattern (``metrics(pattern)``) finds, bounded like a variable regex."""
    js = compile_js(pattern or ".*", grafana_form=False)
    found = _within_budget(pattern, names, "names",
                           lambda n, left: js.pattern.search(n, timeout=left) is not None)
    return [name for name, hit in zip(names, found) if hit]
