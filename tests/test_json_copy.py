"""``jsonio.copied``, the JSON-tree copy migration and normalisation use instead of
``copy.deepcopy``: the same tree, sharing nothing with the original."""
from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dashkit.grafana.jsonio import copied

_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
_JSON = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=25)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN included (NaN != NaN, yet a copied NaN is still a NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return (isinstance(b, dict) and list(a) == list(b)
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def _containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in _containers(v))]
    if isinstance(value, list):
        return [id(value), *(i for v in value for i in _containers(v))]
    return []


@given(_JSON)
def test_the_copy_is_deepcopys_tree_and_shares_no_container(tree: Any) -> None:
    result = copied(tree)
    assert _same(result, copy.deepcopy(tree))
    assert not set(_containers(result)) & set(_containers(tree))


def test_a_change_to_the_copy_leaves_the_original_alone() -> None:
    original = {"panels": [{"gridPos": {"h": 8}, "targets": [{"expr": "up"}]}]}
    result = copied(original)
    result["panels"][0]["gridPos"]["h"] = 9
    result["panels"][0]["targets"].append({"expr": "down"})
    assert original == {"panels": [{"gridPos": {"h": 8}, "targets": [{"expr": "up"}]}]}


def test_other_containers_are_deep_copied_too() -> None:
    inner = [1]
    original = {"set": {1, 2}, "tuple": (inner,)}
    result = copied(original)
    assert result == original
    assert result["tuple"][0] is not inner
