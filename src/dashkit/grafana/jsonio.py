"""JSON in and out, through orjson: compiling spends most of its time here.

orjson is the well-kept fast JSON library for Python (Rust, no runtime dependencies); with it,
dashkit compiles faster than grafanalib writes JSON, though it does more. Output is stable: sorted
keys, two-space indent, UTF-8 as is, trailing newline.
"""
from __future__ import annotations

from typing import Any

import orjson

_PRETTY = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def _to_json_data(value: Any) -> Any:
    if hasattr(value, "to_json_data"):
        return value.to_json_data()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def plain(value: Any) -> Any:
    """grafanalib objects (anything with ``to_json_data``) as plain JSON values, copied, so
    fixing the result never touches the user's objects."""
    try:
        return orjson.loads(orjson.dumps(value, default=_to_json_data))
    except orjson.JSONEncodeError:
        # non-string keys (a mapping keyed by numbers): the standard library converts them
        import json

        return json.loads(json.dumps(value, default=_to_json_data))


def compact(value: Any) -> str:
    """One line, keys sorted: for hashing and for searching a model's text."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def dumps(model: Any) -> str:
    """Sorted keys, two-space indent, trailing newline: byte-identical from run to run."""
    return orjson.dumps(model, option=_PRETTY).decode("utf-8") + "\n"


def copied(value: Any) -> Any:
    """A deep copy of a JSON tree (dicts, lists, immutable leaves): ``copy.deepcopy``'s result
    at a fraction of its cost (no memo: a parsed document shares no containers). Anything
    else is handed to ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}
    if kind is list:
        return [copied(item) for item in value]
    if kind in _LEAVES:
        return value
    import copy

    return copy.deepcopy(value)


_LEAVES = frozenset({str, int, float, bool, type(None)})
