"""Which dashboards a preview draws: the project's (all, or those named by uid), or any Grafana
JSON files and folders given, in every shape import reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from dashkit.errors import DashkitError, DashkitErrors
from dashkit.grafana.normalise import load_json_paths
from dashkit.project.loading import load_project
from dashkit.project.pipeline import compile_project
from dashkit.query.catalog import Catalog


@attrs.frozen
class Selection:
    """Dashboard models to draw, and the catalogs synthetic data is shaped by (by uid)."""

    models: tuple[dict[str, Any], ...]
    catalogs: dict[str, Catalog]


def select(names: Sequence[str], dashboards_dir: Path) -> Selection:
    """The project's dashboards named by uid (all without names) and the JSON files and folders
    among ``names``; an unknown name is an error that lists the known uids."""
    paths = [Path(n) for n in names if n.endswith(".json") or Path(n).is_dir()]
    uids = [n for n in names if not (n.endswith(".json") or Path(n).is_dir())]
    models: list[dict[str, Any]] = []
    catalogs: dict[str, Catalog] = {}
    if uids or not paths:
        compiled = compile_project(load_project(dashboards_dir))
        known = {c.uid: c for c in compiled}
        unknown = [u for u in uids if u not in known]
        if unknown:
            raise DashkitError(
                f"no dashboard with uid {', '.join(unknown)} in {dashboards_dir} "
                f"(known: {', '.join(sorted(known))})"
            )
        for item in compiled if not uids else [known[u] for u in uids]:
            models.append(item.model)
            if item.source.dashboard.catalog is not None:
                catalogs[item.uid] = item.source.dashboard.catalog
    if paths:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise DashkitError(f"no such file: {', '.join(missing)}")
        loaded, errors = load_json_paths(paths)
        if errors:
            raise DashkitErrors(errors) if len(errors) > 1 else errors[0]
        models += [item.model for item in loaded]
    if not models:
        raise DashkitError(
            f"no dashboards to preview in {', '.join(names) or str(dashboards_dir)}"
        )
    return Selection(tuple(models), catalogs)
