"""The pulled sources built once more, in a scratch copy of the dashboards folder: where the flow
layout now puts a panel elsewhere than Grafana shows it (a panel deleted beside it, say), the
position is pinned; whatever still differs is reported. So a pull never claims more than the
rebuild shows, and sources that no longer build are an error before anything is written."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dashkit.errors import DashkitError
from dashkit.grafana.compare import comparable, describe_changes
from dashkit.grafana.model import iter_panels
from dashkit.project.loading import load_project
from dashkit.project.pipeline import compile_project


def rebuild(root: Path, texts: dict[str, tuple[str, str]], uids: Iterable[str]
            ) -> dict[str, dict[str, Any]]:
    """The models the pulled sources build, by uid (the folder itself is never touched)."""
    wanted = set(uids)
    with tempfile.TemporaryDirectory(prefix="dashkit-pull-") as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        for path, (_, after) in texts.items():
            (copy / path).write_text(after, encoding="utf-8")
        try:
            compiled = compile_project(load_project(copy))
        except DashkitError as error:
            raise DashkitError(f"the pulled sources would not build ({error}); nothing written"
                               ) from None
    return {item.uid: item.model for item in compiled if item.uid in wanted}


def misplaced(built: dict[str, Any], live: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """Panels the rebuild places elsewhere than Grafana, at their size: id -> live position."""
    now = {p.get("id"): p for p in iter_panels(live.get("panels") or []) if p.get("type") != "row"}
    found = {}
    for panel in iter_panels(built.get("panels") or []):
        there = now.get(panel.get("id"))
        if there is None or panel.get("type") == "row":
            continue
        was, grid = panel.get("gridPos") or {}, there.get("gridPos") or {}
        if (was.get("w"), was.get("h")) == (grid.get("w"), grid.get("h")) and was != grid:
            found[panel["id"]] = grid
    return found


def remaining(built: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """What the rebuild still has otherwise than Grafana, as ``dashkit diff`` says it."""
    return describe_changes(comparable(live), comparable(built))
