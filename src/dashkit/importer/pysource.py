"""Python literals and calls, formatted for people: one line where it fits, one item a line
where it does not. The importer writes its modules with it."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from dashkit.text import python_string

WIDTH = 100


@attrs.frozen
class Code:
    """Source text to insert as is (a name, a call)."""

    text: str


@attrs.frozen
class Template(Code):
    """``template % NAME`` or ``template % (A, B)`` over named constants, as ``text`` writes it:
    its value is found without parsing the text (``codecheck.build_value``)."""

    template: str = ""
    names: tuple[str, ...] = ()

    @classmethod
    def over(cls, template: str, names: Sequence[str]) -> Template:
        values = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
        return cls(f"{render(template)} % {values}", template, tuple(names))


@attrs.frozen
class Call:
    """``name(arg, …, key=value, …)``."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


def _literal(value: Any) -> str | None:
    if type(value) is str:  # the common case first; a subclass of str takes the last branch
        return python_string(value)
    if isinstance(value, Code):
        return value.text
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return python_string(value)
    return None


def one_line(value: Any, memo: dict[int, str] | None = None,
             string: Callable[[str], str] = python_string) -> str:
    """``value`` on one line; ``memo`` (by object id, for one render) keeps a nested value from
    being written again at every level of the layout; ``string`` writes a text."""
    if type(value) is str:  # the common case first (as _literal writes it)
        return string(value)
    literal = _literal(value)
    if literal is not None:
        return literal
    if memo is not None and id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Call):
        parts = [one_line(a, memo, string) for a in value.args] + \
            [f"{k}={one_line(v, memo, string)}" for k, v in value.kwargs]
        text = f"{value.name}({', '.join(parts)})"
    elif isinstance(value, dict):
        text = "{" + ", ".join([f"{one_line(k, memo, string)}: {one_line(v, memo, string)}"
                                for k, v in _sorted(value)]) + "}"
    elif isinstance(value, tuple):
        inner = ", ".join([one_line(v, memo, string) for v in value])
        text = f"({inner},)" if len(value) == 1 else f"({inner})"
    elif isinstance(value, list):
        text = "[" + ", ".join([one_line(v, memo, string) for v in value]) + "]"
    else:
        raise TypeError(f"cannot write {type(value).__name__} as Python")
    if memo is not None:
        memo[id(value)] = text
    return text


def _sorted(value: dict[Any, Any]) -> list[tuple[Any, Any]]:
    """Keys in a stable order (as the compiled JSON has them), so output does not depend on the
    order an editor happened to write."""
    return sorted(value.items(), key=lambda item: str(item[0]))


def _block(opening: str, items: Sequence[str], closing: str, indent: int) -> str:
    pad = " " * (indent + 4)
    return opening + "\n" + "".join(f"{pad}{item},\n" for item in items) + " " * indent + closing


def _lines(value: str) -> str:
    """Text of several lines as it was written: one literal per line, concatenated (still only
    plain literals, so nothing in the text can end one)."""
    pieces = value.splitlines(keepends=True)
    return "(\n" + "\n".join(python_string(piece) for piece in pieces) + "\n)"


def unformatted(value: Any, prefix: int = 0) -> str:
    """``value`` as Python source for ruff to lay out (``dashkit import`` formats every module
    it writes, and ruff's layout ignores the one it is given): on one line, unless it holds
    text of several lines, whose literals' layout ruff keeps, laid out by :func:`render`."""
    several: list[str] = []

    def text(value: str) -> str:
        if "\n" in value.rstrip("\n"):
            several.append(value)
        return python_string(value)

    memo: dict[int, str] = {}
    flat = one_line(value, memo, text)  # the same text one_line writes, so the memo serves render
    return render(value, prefix=prefix, memo=memo) if several else flat


def render(value: Any, indent: int = 0, prefix: int = 0, memo: dict[int, str] | None = None) -> str:
    """``value`` as Python source; ``prefix`` is how much of the line is already taken."""
    memo = {} if memo is None else memo
    flat = one_line(value, memo)
    if indent + prefix + len(flat) <= WIDTH:
        return flat
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        return _lines(value)  # a multi-line query stays multi-line
    if _literal(value) is not None:
        return flat
    inner = indent + 4
    if isinstance(value, Call):
        items = [render(a, inner, 0, memo) for a in value.args] + \
            [f"{k}={render(v, inner, len(k) + 1, memo)}" for k, v in value.kwargs]
        return _block(f"{value.name}(", items, ")", indent)
    if isinstance(value, dict):
        items = []
        for k, v in _sorted(value):
            key = one_line(k, memo)
            items.append(f"{key}: {render(v, inner, len(key) + 2, memo)}")
        return _block("{", items, "}", indent)
    if isinstance(value, (list, tuple)):
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        return _block(opening, [render(v, inner, 0, memo) for v in value], closing, indent)
    return flat


def override_call(rule: Any) -> Any:
    """A field override as ``panels.override(...)`` (one line, not seven) where it has the
    builder's shape; anything else as the dict it is."""
    if not isinstance(rule, dict) or set(rule) != {"matcher", "properties"}:
        return rule
    matcher, properties = rule["matcher"], rule["properties"]
    if not (isinstance(matcher, dict) and set(matcher) == {"id", "options"}
            and isinstance(matcher["options"], str) and isinstance(properties, list)
            and all(isinstance(p, dict) and set(p) == {"id", "value"} and isinstance(p["id"], str)
                    for p in properties)
            and [p["id"] for p in properties] == sorted({p["id"] for p in properties})):
        return rule  # (the module writes a dict's keys sorted: other orders stay as written)
    values = {p["id"]: _color_call(p["value"]) if p["id"] == "color" else p["value"]
              for p in properties}
    by = () if matcher["id"] == "byName" else (("by", matcher["id"]),)
    return Call("panels.override", (matcher["options"], values), by)


def _color_call(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"mode", "fixedColor"} \
            and value["mode"] == "fixed" and isinstance(value["fixedColor"], str):
        return Call("panels.fixed_color", (value["fixedColor"],))
    return value
