"""Plain-text tables for summaries a person reads in a terminal."""
from __future__ import annotations

from collections.abc import Sequence


def printable(text: object) -> str:
    """``text`` as one line a terminal shows as written: control characters (escape sequences,
    newlines that would fake another line) become spaces. Server answers and imported titles
    reach the output through here."""
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(flat.split())


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
