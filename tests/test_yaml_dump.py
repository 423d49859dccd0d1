"""``fileio.dump_yaml`` writes the rule file and alertmanager.yml through libyaml where it can:
its bytes must be PyYAML's own emitter's, whatever the document (libyaml writes some keys and
characters differently, so those documents take PyYAML's emitter)."""
from __future__ import annotations

from typing import Any

import pytest
import yaml
from conftest import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dashkit.fileio import dump_yaml

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_ASCII = st.text(st.characters(max_codepoint=0x7F), max_size=20)
_KEY = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,6}\Z") | _TEXT
_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | _ASCII | _TEXT
_VALUE = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(_KEY, inner, max_size=4), max_leaves=20)


def _pyyaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True,
                     width=10**6)


@settings(max_examples=examples(400), deadline=None)
@given(st.dictionaries(_KEY, _VALUE, max_size=5))
# where libyaml writes other bytes than PyYAML's emitter (found by this test against libyaml)
@example({"": None})
@example({"\U00010000": None})
@example({"\r": None})
@example({"summary": "disk full \U0001F525", "labels": {"severity": "page"}})
def test_the_same_bytes_as_pyyamls_emitter(document: dict[str, Any]) -> None:
    assert dump_yaml(document) == _pyyaml(document)


def test_a_rule_group_as_written() -> None:
    document = {"groups": [{"name": "api", "interval": "1m", "rules": [
        {"alert": "ApiDown", "expr": 'up{job="api"} == 0', "for": "5m",
         "labels": {"severity": "page"}, "annotations": {"summary": "API is down: it's 'gone'"}}]}]}
    assert dump_yaml(document) == (
        "groups:\n"
        "- name: api\n"
        "  interval: 1m\n"
        "  rules:\n"
        "  - alert: ApiDown\n"
        "    expr: up{job=\"api\"} == 0\n"
        "    for: 5m\n"
        "    labels:\n"
        "      severity: page\n"
        "    annotations:\n"
        "      summary: 'API is down: it''s ''gone'''\n")


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML built without libyaml")
def test_libyaml_does_differ_on_the_examples() -> None:
    """Why the fallback exists: without it, these would change the files' bytes."""
    fast = {"sort_keys": False, "allow_unicode": True, "width": 10**6}
    for document in ({"": None}, {"\U00010000": None}, {"\r": None}):
        assert yaml.dump(document, Dumper=yaml.CSafeDumper, **fast) != _pyyaml(document)
