"""Panels as module-level names, as a person writes a dashboard: ``cpu_busy = panels.timeseries(…)``
once, and ``panels=[Row("CPU", [cpu_busy, …])]`` in the Dashboard. Each panel then sits four
spaces in, not twenty, and the dashboard's structure reads in a few lines."""
from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from dashkit.importer.pysource import Call, Code, one_line

#: The longest panel variable name written.
MAX_NAME = 40


def panel_title(call: Any) -> str:
    """The title a generated panel call carries (a builder's first argument, a raw panel's key)."""
    if isinstance(call, Call) and call.args:
        first = call.args[0]
        if isinstance(first, str):
            return first
        if isinstance(first, dict):
            return str(first.get("title") or "")
    return ""


def distinct(base: str, taken: Callable[[str], bool], counters: dict[str, int],
             joiner: str = "_") -> str:
    """``base``, else ``base_2``, ``base_3``… the first not ``taken``. Counting resumes where
    the last call for this base stopped (``counters``), so a thousand panels of one title cost
    a thousand checks, not half a million."""
    n = counters.get(base, 1)
    name = base if n == 1 else f"{base}{joiner}{n}"
    while taken(name):
        n += 1
        name = f"{base}{joiner}{n}"
    counters[base] = n
    return name


def variable_name(title: str, taken: set[str], counters: dict[str, int]) -> str:
    """A lower-case Python name from a title, distinct from ``taken`` (then added to it): never
    a keyword, a builtin, or a name the module already uses."""
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:MAX_NAME].strip("_") or "panel"
    if base[0].isdigit() or keyword.iskeyword(base) or hasattr(builtins, base):
        base = f"panel_{base}"
    name = distinct(base, taken.__contains__, counters)
    taken.add(name)
    return name


def hoist_panels(calls: Iterable[Any], taken: set[str]) -> tuple[list[Any], list[tuple[str, Any]]]:
    """The dashboard's panel list with every panel replaced by a name, and the (name, call)
    assignments to write before the dashboard, in layout order; rows stay inline."""
    assignments: list[tuple[str, Any]] = []
    counters: dict[str, int] = {}

    def hoist(call: Any) -> Any:
        if isinstance(call, Call) and call.name == "Row":
            title, children = call.args
            return attrs.evolve(call, args=(title, [hoist(child) for child in children]))
        name = variable_name(panel_title(call), taken, counters)
        assignments.append((name, call))
        return Code(name)

    return [hoist(call) for call in calls], assignments


#: Shared only when written at least this often and this long: a short value reads better inline.
MIN_SHARES = 2
MIN_LENGTH = 80


def share_repeated(assignments: list[tuple[str, Any]], keywords: Iterable[str],
                   name_for: Callable[[str], str]) -> list[tuple[str, Any]]:
    """Each fact once: a keyword value (an overrides list, an ``extra``) that several panels
    repeat word for word becomes one constant; returns the (name, value) constants, in first-use
    order, and rewrites the panel calls in ``assignments`` to use them."""
    texts = {(index, key): one_line(value) for index, (_, call) in enumerate(assignments)
             if isinstance(call, Call) for key, value in call.kwargs if key in keywords}
    counts: dict[str, int] = {}
    for text in texts.values():
        counts[text] = counts.get(text, 0) + 1
    names: dict[str, str] = {}
    constants: list[tuple[str, Any]] = []
    for index, (panel, call) in enumerate(assignments):
        if not isinstance(call, Call):
            continue
        kwargs = []
        for key, value in call.kwargs:
            text = texts[(index, key)] if key in keywords else ""  # written out once, above
            if text and counts[text] >= MIN_SHARES and len(text) >= MIN_LENGTH:
                if text not in names:
                    names[text] = name_for(key)
                    constants.append((names[text], value))
                value = Code(names[text])
            kwargs.append((key, value))
        assignments[index] = (panel, attrs.evolve(call, kwargs=tuple(kwargs)))
    return constants
