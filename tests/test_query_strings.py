"""``outside_strings`` (one regular-expression scan) held to the character-by-character reading
it replaced: a string opens at ", ' or `, a backslash escapes the next character except in `…`,
and a string left open runs to the end of the text."""
from __future__ import annotations

from collections.abc import Iterator

from hypothesis import example, given
from hypothesis import strategies as st

from dashkit.query.analyse import outside_strings, over_limits


def reference(text: str) -> Iterator[tuple[bool, str]]:
    i, start = 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'`":
            if start < i:
                yield False, text[start:i]
            end = i + 1
            while end < len(text) and text[end] != ch:
                end += 2 if text[end] == "\\" and ch != "`" else 1
            yield True, text[i:end + 1]
            i = start = end + 1
            continue
        i += 1
    if start < len(text):
        yield False, text[start:]


@given(st.text(alphabet="ab\"'`\\\n{}()[]$ ", max_size=40))
@example('rate(x{job="a\\"b"}[5m])')
@example('x{a="open')
@example("x{a='\\")
@example("`raw\\`tail")
def test_outside_strings_reads_as_the_character_loop(text: str) -> None:
    assert list(outside_strings(text)) == list(reference(text))


def test_pieces_by_hand() -> None:
    assert list(outside_strings('sum(x{a="}\\"(")}) by (b)')) == [
        (False, "sum(x{a="), (True, '"}\\"("'), (False, ")}) by (b)")]


def test_brackets_inside_strings_do_not_nest() -> None:
    deep = "(" * 65 + ")" * 65
    assert over_limits(f'x{{a="{deep}"}}') is None
    assert over_limits(deep) == "query nests brackets 65 deep; dashkit parses at most 64"
