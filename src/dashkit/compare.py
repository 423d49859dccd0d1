"""Comparing dashboard models while ignoring what Grafana adds, and saying what changed.

Publish uses it to skip identical dashboards and to detect edits made in Grafana; the readable
diff is what ``--dry-run`` prints.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from dashkit.jsonio import compact

from dashkit.model import iter_panels

#: Top-level keys Grafana rewrites on every save or read (CONTRACT.md §4.4), and dashkit's marker.
IGNORED_KEYS = frozenset({"id", "version", "iteration", "dashkit"})
MARKER_KEY = "dashkit"


def normalise(model: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in model.items() if k not in IGNORED_KEYS}


def content_hash(model: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(compact(normalise(model)).encode()).hexdigest()


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return content_hash(a) == content_hash(b)


def covers(actual: Any, expected: Any) -> bool:
    """True when everything in ``expected`` is in ``actual`` (which may have more keys)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and covers(actual[key], value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            covers(a, e) for a, e in zip(actual, expected))
    return bool(actual == expected and type(actual) is type(expected)) or (
        isinstance(actual, (int, float)) and isinstance(expected, (int, float))
        and not isinstance(actual, bool) and not isinstance(expected, bool) and actual == expected)


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
    for key in sorted((normalise(old).keys() | normalise(new).keys()) - {"panels"}):
        if old.get(key) != new.get(key):
            lines.append(f"~ dashboard {key}: {_short(old.get(key))} -> {_short(new.get(key))}")
    return lines


def _panel_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    title = new.get("title")
    if old.get("title") != title:
        yield f"~ panel {old.get('title')!r} renamed to {title!r}"
    if old.get("gridPos") != new.get("gridPos"):
        yield f"~ panel {title!r} moved {_pos(old.get('gridPos'))} -> {_pos(new.get('gridPos'))}"
    if old.get("type") != new.get("type"):
        yield f"~ panel {title!r} type {old.get('type')} -> {new.get('type')}"
    old_targets = {t.get("refId"): t for t in old.get("targets", [])}
    new_targets = {t.get("refId"): t for t in new.get("targets", [])}
    for ref in sorted(old_targets.keys() | new_targets.keys(), key=str):
        before, after = old_targets.get(ref, {}).get("expr"), new_targets.get(ref, {}).get("expr")
        if before != after:
            yield f"~ panel {title!r} query {ref}: {before or '(none)'} -> {after or '(none)'}"
    skip = {"title", "gridPos", "type", "targets", "panels", "id"}
    changed = sorted(k for k in old.keys() | new.keys() if k not in skip and old.get(k) != new.get(k))
    if changed:
        yield f"~ panel {title!r} settings changed: {', '.join(changed)}"


def _pos(pos: Any) -> str:
    if not isinstance(pos, dict):
        return "?"
    return f"x={pos.get('x')} y={pos.get('y')} w={pos.get('w')} h={pos.get('h')}"


def _short(value: Any) -> str:
    text = compact(value) if value is not None else "(none)"
    return text if len(text) <= 60 else text[:57] + "..."


# --- semantic equality, for import's round trip ---------------------------------------------------

def _ds_uid(raw: Any) -> Any:
    return raw.get("uid") if isinstance(raw, dict) else raw


def _thresholds(steps: Any) -> Any:
    if isinstance(steps, list):  # a step without "value" has a null one
        steps = [{**s, "value": s.get("value")} if isinstance(s, dict) else s for s in steps]
    return None if not steps or steps == [{"color": "green", "value": None}] else steps


def _semantic_panel(panel: dict[str, Any]) -> dict[str, Any]:
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    view = {
        "type": panel.get("type"), "title": panel.get("title") or "",
        # a row is always full width and one unit high, whatever its gridPos says
        "gridPos": {k: (panel.get("gridPos") or {}).get(k)
                    for k in (("y",) if panel.get("type") == "row" else ("x", "y", "w", "h"))},
        "datasource": _ds_uid(panel.get("datasource")),
        "unit": defaults.get("unit"),
        # no thresholds and a lone base colour mean the same to Grafana
        "thresholds": _thresholds((defaults.get("thresholds") or {}).get("steps")),
        "overrides": (panel.get("fieldConfig") or {}).get("overrides") or [],
        "targets": [{"refId": t.get("refId"), "expr": t.get("expr"),
                     "legendFormat": t.get("legendFormat") or None,
                     "datasource": _ds_uid(t.get("datasource")) or _ds_uid(panel.get("datasource")),
                     "instant": bool(t.get("instant")) and not t.get("range"),
                     "format": t.get("format") if t.get("format") != "time_series" else None,
                     "hide": bool(t.get("hide")), "interval": t.get("interval") or None}
                    for t in panel.get("targets") or [] if isinstance(t, dict)],
    }
    if panel.get("type") == "row":
        view["collapsed"] = bool(panel.get("collapsed"))
        view["panels"] = [_semantic_panel(p) for p in panel.get("panels") or []]
    return view


def semantic_view(model: dict[str, Any]) -> dict[str, Any]:
    """The fields that make a dashboard what it is, normalised as Grafana would read them."""
    def query(variable: dict[str, Any]) -> Any:
        value = variable.get("query")
        return value.get("query") if isinstance(value, dict) else value

    return {
        "uid": model.get("uid"), "title": model.get("title"), "tags": model.get("tags") or [],
        "panels": [_semantic_panel(p) for p in model.get("panels") or []],
        "variables": [{"name": v.get("name"), "type": v.get("type"), "query": query(v),
                       "datasource": _ds_uid(v.get("datasource")), "multi": bool(v.get("multi")),
                       "includeAll": bool(v.get("includeAll")), "allValue": v.get("allValue") or None,
                       "regex": v.get("regex") or "", "hide": v.get("hide") or 0}
                      for v in (model.get("templating") or {}).get("list") or []],
        "links": [{k: link.get(k) or "" for k in ("title", "type", "url")}
                  | {"tags": link.get("tags") or []}
                  for link in model.get("links") or []],
        "annotations": [{"name": a.get("name"), "datasource": _ds_uid(a.get("datasource")),
                         "expr": a.get("expr"), "enable": a.get("enable", True)}
                        for a in (model.get("annotations") or {}).get("list") or []
                        if not a.get("builtIn")],
    }


def semantic_differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Every field where the two semantic views differ, as ``path: expected != actual``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(expected.keys() | actual.keys(), key=str):
            found += semantic_differences(expected.get(key), actual.get(key), f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        found = []
        for i, (a, b) in enumerate(zip(expected, actual)):
            found += semantic_differences(a, b, f"{path}[{i}]")
        return found
    return [] if expected == actual else [f"{path.lstrip('.')}: {expected!r} != {actual!r}"]
