"""The user's Python rewritten node by node with libcst, so every byte pull does not change
(formatting, comments, the order of arguments) stays as the user wrote it."""
from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import attrs
import libcst as cst

from dashkit.importer.pysource import WIDTH  # the importer's line length
from dashkit.pull.mapping import SourceFile
from dashkit.text import python_string


def expression(value: Any) -> cst.BaseExpression:
    """A value read from a live dashboard as a Python literal: text only ever through the
    importer's escaping (nothing in it can end the literal), numbers by ``repr``."""
    if isinstance(value, bool) or value is None:
        return cst.Name(repr(value))
    if isinstance(value, (int, float)):
        return cst.parse_expression(repr(value))
    if isinstance(value, str):
        return cst.parse_expression(python_string(value))
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        inner = ", ".join(python_string(v) for v in value)
        return cst.parse_expression(f"[{inner}]" if isinstance(value, list) else
                                    f"({inner}{',' if len(value) == 1 else ''})")
    raise TypeError(f"not a literal: {type(value).__name__}")


@attrs.define
class FileEdits:
    """What pull changes in one module, keyed by the original nodes."""
    file: SourceFile
    replace: dict[int, cst.BaseExpression] = attrs.field(factory=dict)
    add_keywords: dict[int, list[tuple[str, cst.BaseExpression]]] = attrs.field(factory=dict)
    remove: set[int] = attrs.field(factory=set)
    #: New statements ``name = code`` before a statement, and the name after a list element.
    statements: dict[int, list[str]] = attrs.field(factory=dict)
    after: dict[int, list[str]] = attrs.field(factory=dict)

    def set_value(self, node: cst.BaseExpression, value: Any) -> None:
        """``node`` becomes the literal of ``value``."""
        self.replace[id(node)] = expression(value)

    def add_keyword(self, call: cst.Call, name: str, value: Any) -> None:
        """``name=value`` appended to a call that left it at the builder's default."""
        self.add_keywords.setdefault(id(call), []).append((name, expression(value)))

    def rewritten(self) -> str:
        """The module's new text: every byte not edited as it was."""
        return self.file.module.visit(_Rewriter(self)).code


class _Rewriter(cst.CSTTransformer):
    def __init__(self, edits: FileEdits) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original: Any, updated: Any) -> Any:
        updated = super().on_leave(original, updated)
        replaced = self.edits.replace.get(id(original))
        if replaced is not None and isinstance(updated, cst.BaseExpression):
            return replaced.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        added = self.edits.add_keywords.get(id(original), [])
        if not added:
            return updated
        args = list(updated.args)
        code = cst.Module([]).code_for_node(updated)
        start = self.edits.file.position(original).start
        width = len(code.split("\n")[-1]) + (0 if "\n" in code else start.column)
        for name, value in added:
            arg = cst.Arg(value, keyword=cst.Name(name),
                          equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
            piece = f"{name}={cst.Module([]).code_for_node(value)}"
            if args and width + len(piece) + 2 > WIDTH and not isinstance(args[-1].comma, cst.Comma):
                indent = self._indent(original)  # the line would be too long: a line of its own
                args[-1] = args[-1].with_changes(comma=cst.Comma(
                    whitespace_after=cst.ParenthesizedWhitespace(last_line=cst.SimpleWhitespace(indent))))
                args.append(arg)
                width = len(indent) + len(piece) + 1
            else:
                args = _append(args, arg)
                width += len(piece) + 2
        return updated.with_changes(args=args)

    def _indent(self, call: cst.Call) -> str:
        """The indentation of the line the call's last argument starts on (one level deeper
        than the call's own line when they are the same line)."""
        lines = self.edits.file.text.splitlines()
        line = self.edits.file.position(call.args[-1]).start.line
        text = lines[line - 1]
        indent = text[:len(text) - len(text.lstrip())]
        return indent + "    " if line == self.edits.file.position(call).start.line else indent

    def leave_List(self, original: cst.List, updated: cst.List) -> cst.List:
        elements: list[cst.BaseElement] = []
        for before, after in zip(original.elements, updated.elements):
            if id(before) in self.edits.remove:
                if elements and before is original.elements[-1]:
                    elements[-1] = elements[-1].with_changes(comma=after.comma)
                continue
            elements.append(after)
            for name in self.edits.after.get(id(before), []):
                elements = _append(elements, cst.Element(cst.Name(name)))
        return updated.with_changes(elements=elements)

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body: list[Any] = []
        for before, after in zip(original.body, updated.body):
            blank = [line for line in before.leading_lines if line.comment is None]
            for code in self.edits.statements.get(id(before), []):  # spaced as the next one
                body.append(cst.parse_statement(code + "\n").with_changes(leading_lines=blank))
            body.append(after)
        return updated.with_changes(body=body)


def _append(items: Sequence[Any], new: Any) -> list[Any]:
    """``new`` after the last item, laid out as the items before it: it takes the last one's
    comma (a trailing one with its line break stays last), the last one gets ``, ``."""
    if not items:
        return [new]
    last = items[-1]
    comma = last.comma
    if not isinstance(comma, cst.Comma):
        return [*items[:-1], last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), new]
    if _breaks(comma) and len(items) > 1 and isinstance(items[-2].comma, cst.Comma) \
            and _breaks(items[-2].comma):  # one per line: the new one on a line of its own
        return [*items[:-1], last.with_changes(comma=items[-2].comma), new.with_changes(comma=comma)]
    return [*items, new.with_changes(comma=comma)] if _breaks(comma) else [
        *items[:-1], last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        new.with_changes(comma=comma)]


def _breaks(comma: cst.Comma) -> bool:
    return isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def unified(path: str, before: str, after: str) -> str:
    """The change to one module as ``git diff`` shows it."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True), f"a/{path}", f"b/{path}"))
