"""The first pass's compiled panel calls, taken by the second pass where it builds the same call.

Each pass checks every builder call it writes by building the panel and compiling it. Most calls of
the second pass are the first pass's again (its input is what the first pass's calls compile to);
the panel such a call compiles to is the first pass's, provided every Code fragment in it (a
datasource constant, a ``%`` template) has the same value in both passes. Then the second pass
takes that JSON instead of building and compiling the panel again: builders and the compiler
are functions of their arguments. ``tests/test_import_shortcuts.py`` holds the modules to those
of compiling every call.

The first pass also keeps what it found for each panel it kept as a call (:class:`Outcome`):
the JSON the call compiles to with its ``extra``, that JSON's meaning and the ``extra``. The
second pass's input panel is that JSON again, mostly: where it is, exactly, its meaning is the
one found, and where its ``extra`` comes out the same, exactly, so does everything compared
from it, so the builder is known to cover it without comparing again.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import orjson

from dashkit.importer.pysource import Call, Code

Json = dict[str, Any]


def call_key(call: Call) -> tuple[bytes, list[Code]]:
    """The call as JSON bytes (which tell ``1``, ``1.0`` and ``True`` apart, and keep the order
    of an object's keys) and its Code fragments, in order."""
    codes: list[Code] = []

    def part(value: Any) -> Any:
        if isinstance(value, Call):
            return ["\0call", value.name, value.args, [list(kw) for kw in value.kwargs]]
        if isinstance(value, Code):
            codes.append(value)
            return ["\0code", value.text]
        raise TypeError(type(value).__name__)

    return orjson.dumps(call, default=part, option=orjson.OPT_NON_STR_KEYS), codes


class CompiledCalls:
    """Panel calls a pass compiled: by :func:`call_key`, the call, its Code fragments' values,
    and the panel's JSON (without its id) and that JSON's meaning."""

    def __init__(self) -> None:
        self.compiled: dict[bytes, tuple[Call, list[Any], Json, Json]] = {}
        self.outcomes: dict[int, list[Outcome]] = {}

    def add_outcome(self, compiled: Json, written: Json, meaning: Json, residue: Json) -> None:
        """A panel kept as the call that compiled to ``compiled``, with ``residue`` as its
        ``extra``: the JSON that writes (``written``) and its meaning."""
        exact = _exact(written), _exact(residue)
        if exact[0] is not None and exact[1] is not None:
            self.outcomes.setdefault(id(compiled), []).append(
                Outcome(compiled, written, exact[0], meaning, residue, exact[1]))

    def outcome(self, compiled: Json, panel: Json) -> Outcome | None:
        """What the first pass found for a panel that is exactly ``panel``, kept as a call that
        compiled to this ``compiled``; None where it found nothing for it."""
        found = self.outcomes.get(id(compiled))
        if not found:
            return None
        exact = _exact(panel)
        return next((o for o in found if o.compiled is compiled and o.exact == exact
                     and o.written == panel), None)

    def add(self, key: bytes, call: Call, values: list[Any], compiled: Json, built: Json) -> None:
        self.compiled[key] = (call, values, compiled, built)

    def find(self, key: bytes, call: Call, values: list[Any]) -> tuple[Json, Json] | None:
        """The JSON and meaning ``call`` compiled to, with these values for its Code fragments;
        None where it was not compiled so. The JSON is shared: it is never changed."""
        found = self.compiled.get(key)
        if found is None or found[0] != call or not _same(found[1], values):
            return None
        return found[2], found[3]


class Outcome(NamedTuple):
    """What the first pass found for one panel (:meth:`CompiledCalls.add_outcome`)."""
    compiled: Json  # held, so that no other object takes its id while this is kept
    written: Json
    exact: bytes
    meaning: Json
    residue: Json
    residue_exact: bytes

    def same_residue(self, residue: Json) -> bool:
        """``residue`` is this one exactly: the same values of the same types (``_exact``) and
        equal in Python too (which tells apart a NaN, which JSON writes as null)."""
        return _exact(residue) == self.residue_exact and residue == self.residue


def _exact(value: Json) -> bytes | None:
    """The value as JSON with sorted keys, telling ``1``, ``1.0`` and ``true`` apart; None for a
    value JSON cannot hold exactly (an integer beyond 64 bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None


def _same(earlier: list[Any], values: list[Any]) -> bool:
    """The same values, of the same types."""
    return len(earlier) == len(values) and all(
        type(a) is type(b) and a == b for a, b in zip(earlier, values))


def compiled_panel(call: Call, evaluate: Callable[[Code], Any], compile_call: Callable[[Call], Json],
                   meaning: Callable[[Json], Json], earlier: CompiledCalls | None,
                   record: CompiledCalls | None) -> tuple[Json, Json]:
    """``call``'s panel compiled (``compile_call``) and its ``meaning``: ``earlier``'s where it
    compiled the same call with the same Code values (evaluated first, as building the panel
    would); recorded in ``record``."""
    if earlier is None and record is None:
        compiled = compile_call(call)
        return compiled, meaning(compiled)
    key, codes = call_key(call)
    values = [evaluate(code) for code in codes]
    found = earlier.find(key, call, values) if earlier is not None else None
    if found is not None:
        return found
    compiled = compile_call(call)
    built = meaning(compiled)
    if record is not None:
        record.add(key, call, values, compiled, built)
    return compiled, built
