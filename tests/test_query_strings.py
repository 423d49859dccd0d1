"""``outside_strings`` (one regular-expression scan) held to the character-by-character reading
it replaced: a string opens at ", ' or `, a backslash escapes the next character except in `…`,
and a string left open runs to the end of the text. ``over_limits``'s quick bound held to the
count outside strings."""
from __future__ import annotations

from collections.abc import Iterator

from hypothesis import example, given
from hypothesis import strategies as st

from dashkit.query.analyse import (
    MAX_QUERY_NESTING,
    MAX_QUERY_OPERATORS,
    _counted_over_limits,
    outside_strings,
    over_limits,
)


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


def test_a_long_hostile_string_is_split_in_constant_memory() -> None:
    """A query is input of any length; lint splits it before any limit applies. Splitting holds
    only the pieces (a regular expression over the whole string held about a hundred bytes a
    character)."""
    import tracemalloc

    text = 'x{a="' + "\\a" * 500_000 + '"} or y{b=`' + "c" * 200_000
    tracemalloc.start()
    try:
        pieces = list(outside_strings(text))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [is_string for is_string, _ in pieces] == [False, True, False, True]
    assert "".join(chunk for _, chunk in pieces) == text
    assert peak < 3 * len(text)  # the pieces themselves, and little more


_PIECES = st.sampled_from(["x", "(", ")", "[", "]", "{", "}", '"', "'", "`", "\\", "==", "!=",
                           "<=", "=", "-", "+", "*", " and ", " or ", "unless", "atan2", "band"])


@given(st.lists(_PIECES, max_size=80).map("".join), st.integers(0, 3))
@example("(" * MAX_QUERY_NESTING + ")" * MAX_QUERY_NESTING, 0)
@example("(" * (MAX_QUERY_NESTING + 1), 0)
@example("1" + "+1" * MAX_QUERY_OPERATORS, 0)
@example("1" + "+1" * (MAX_QUERY_OPERATORS + 1), 0)
@example('x{a="' + "+" * (MAX_QUERY_OPERATORS + 1) + '"}', 0)
def test_the_quick_bound_answers_as_counting_outside_strings(text: str, times: int) -> None:
    text = text * (1 + times * 3)  # long enough, sometimes, to pass a limit
    assert over_limits(text) == _counted_over_limits(text)
