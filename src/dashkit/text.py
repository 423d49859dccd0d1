"""Plain-text tables for summaries a person reads in a terminal, and text from input written
as a Python string literal (the importer's modules, the catalog modules). What makes text from
input safe to print is in ``sanitise.py``."""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from dashkit.sanitise import printable


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as aligned columns a person can read in a terminal or a CI log."""
    cells = [[printable(c) for c in headers]] + [[printable(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 dashboard``, ``2 dashboards``, ``0 queries``: summaries a person reads."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


#: Printable ASCII without a backslash: such text needs no escape but its quote.
_PLAIN = re.compile(r"[ -\[\]-~]*")


@functools.lru_cache(maxsize=65536)
def python_string(value: str) -> str:
    """The one way text taken from input becomes Python source: a plain string literal that
    evaluates to exactly ``value``, whatever it holds (quotes, backslashes, ``\\N{…}``, NUL,
    U+2028, lone surrogates). No f-string, no raw or triple-quoted form, so nothing in ``value``
    can end the literal. PromQL is full of double quotes: those strings take single quotes."""
    quote = "'" if '"' in value and "'" not in value else '"'
    if _PLAIN.fullmatch(value):
        return quote + value.replace(quote, "\\" + quote) + quote
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == quote:
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return quote + "".join(out) + quote
