"""Comparing dashboard models while ignoring what Grafana adds, and saying what changed.

Publish uses it to skip identical dashboards and to detect edits made in Grafana; the readable
diff is what ``--dry-run`` prints.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from dashkit.grafana.jsonio import compact
from dashkit.grafana.model import iter_panels

#: Top-level keys Grafana rewrites on every save or read (CONTRACT.md §4.4), and dashkit's marker.
IGNORED_KEYS = frozenset({"id", "version", "iteration", "dashkit"})
MARKER_KEY = "dashkit"


def comparable(model: dict[str, Any]) -> dict[str, Any]:
    """The model without what Grafana rewrites on every save, so two saves compare equal."""
    return {k: v for k, v in model.items() if k not in IGNORED_KEYS}


def content_hash(model: dict[str, Any]) -> str:
    """A digest of what a dashboard says: the marker that tells a dashkit publish from an edit."""
    return "sha256:" + hashlib.sha256(compact(comparable(model)).encode()).hexdigest()


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two models differ only in what Grafana rewrites itself."""
    return content_hash(a) == content_hash(b)


#: JSON's leaf types: two values of the same one are covered exactly when they are equal.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def covers(actual: Any, expected: Any) -> bool:
    """True when everything in ``expected`` is in ``actual`` (which may have more keys)."""
    kind = type(expected)
    if kind is type(actual):  # the common cases, without the checks below
        if kind in _LEAVES:
            return bool(actual == expected)
        if kind is dict or kind is list:  # a loop, not all() over a generator: most of a panel
            if kind is dict:                # is objects and lists of objects
                if not expected.keys() <= actual.keys():
                    return False
                pairs = zip(map(actual.__getitem__, expected), expected.values())
            elif len(actual) != len(expected):
                return False
            else:
                pairs = zip(actual, expected)
            for other, value in pairs:
                if type(value) is type(other) and type(value) in _LEAVES:
                    if other != value:
                        return False
                elif not covers(other, value):
                    return False
            return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and covers(actual[key], value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            covers(a, e) for a, e in zip(actual, expected))
    return bool(actual == expected and type(actual) is type(expected)) or (
        isinstance(actual, (int, float)) and isinstance(expected, (int, float))
        and not isinstance(actual, bool) and not isinstance(expected, bool) and actual == expected)


def residue_of(original: Any, built: Any) -> Any:
    """What ``original`` has that ``built`` lacks or has otherwise: the ``extra`` to add."""
    return residue_and_cover(original, built)[0]


def residue_and_cover(original: Any, built: Any) -> tuple[Any, bool]:
    """:func:`residue_of` and whether ``built`` covers ``original`` (:func:`covers`), in one
    walk: an object is walked once, not once more at each level above it. The residue is empty
    where ``built`` covers ``original``, and where it does not only for an empty object that
    ``built`` has as something else (which adds nothing)."""
    if not (isinstance(original, dict) and isinstance(built, dict)):
        return original, covers(built, original)
    result = {}
    covered = True
    for key, value in original.items():
        if key not in built:
            result[key], covered = value, False
            continue
        other = built[key]
        if type(value) is type(other) and type(value) in _LEAVES:  # covers' rule for two leaves
            if other != value:
                result[key], covered = value, False
            continue
        if isinstance(value, dict) and isinstance(other, dict):
            inner, inner_covered = residue_and_cover(value, other)
            if inner:
                result[key] = inner
            covered = covered and inner_covered
        elif not covers(other, value):
            covered = False
            if value != {}:  # an empty object adds nothing
                result[key] = value
    return result, covered


def _panels(model: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {p.get("id", p.get("title")): p for p in iter_panels(model.get("panels", []))}


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from ``old`` to ``new``, one line each, for a person reviewing a publish."""
    lines: list[str] = []
    old_panels, new_panels = _panels(old), _panels(new)
    added = {k: p for k, p in new_panels.items() if k not in old_panels}
    removed = {k: p for k, p in old_panels.items() if k not in new_panels}
    pairs = [(old_panels[k], new_panels[k]) for k in old_panels.keys() & new_panels.keys()]
    # a panel whose id changed (its title is its key) but kept its place and type: a rename
    for new_key, panel in list(added.items()):
        for old_key, before in list(removed.items()):
            if (before.get("gridPos"), before.get("type")) == (panel.get("gridPos"), panel.get("type")):
                pairs.append((before, panel))
                del added[new_key], removed[old_key]
                break
    lines.extend(f"+ panel {p.get('title')!r} ({p.get('type')})" for p in added.values())
    lines.extend(f"- panel {p.get('title')!r} ({p.get('type')})" for p in removed.values())
    for before, after in sorted(pairs, key=lambda pair: str(pair[1].get("title"))):
        lines.extend(_panel_changes(before, after))
    for key in sorted((comparable(old).keys() | comparable(new).keys()) - {"panels"}):
        if old.get(key) != new.get(key):
            lines.append(f"~ dashboard {key}: {_short(old.get(key))} -> {_short(new.get(key))}")
    return lines


#: Field-level lines shown for one panel before the rest are counted.
MAX_FIELD_LINES = 8


def changed_fields(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, before, after) for every leaf that differs; objects are walked key by key,
    anything else (lists included) is compared whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            yield from changed_fields(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
    elif old != new:
        yield path, old, new


def _panel_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    title = new.get("title")
    if old.get("title") != title:
        yield f"~ panel {old.get('title')!r} renamed to {title!r}"
    if old.get("gridPos") != new.get("gridPos"):
        yield f"~ panel {title!r} moved {_pos(old.get('gridPos'))} -> {_pos(new.get('gridPos'))}"
    if old.get("type") != new.get("type"):
        yield f"~ panel {title!r} type {old.get('type')} -> {new.get('type')}"
    old_targets = {t.get("refId"): t for t in old.get("targets", []) if isinstance(t, dict)}
    new_targets = {t.get("refId"): t for t in new.get("targets", []) if isinstance(t, dict)}
    lines = []
    for ref in sorted(old_targets.keys() | new_targets.keys(), key=str):
        for field, before, after in changed_fields(old_targets.get(ref, {}), new_targets.get(ref, {})):
            lines.append(f"~ panel {title!r} query {ref} {field}: {_short(before)} -> {_short(after)}")
    skip = {"title", "gridPos", "type", "targets", "panels", "id"}
    settings_old = {k: v for k, v in old.items() if k not in skip}
    settings_new = {k: v for k, v in new.items() if k not in skip}
    for field, before, after in changed_fields(settings_old, settings_new):
        lines.append(f"~ panel {title!r} {field}: {_short(before)} -> {_short(after)}")
    yield from lines[:MAX_FIELD_LINES]
    if len(lines) > MAX_FIELD_LINES:
        yield f"~ panel {title!r}: and {len(lines) - MAX_FIELD_LINES} more changes"


def _pos(pos: Any) -> str:
    if not isinstance(pos, dict):
        return "?"
    return f"x={pos.get('x')} y={pos.get('y')} w={pos.get('w')} h={pos.get('h')}"


def _short(value: Any) -> str:
    text = compact(value) if value is not None else "(none)"
    return text if len(text) <= 60 else text[:57] + "..."
