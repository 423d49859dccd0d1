"""``dashkit build``: compile every dashboard, check the set, write the provisioning tree atomically."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from dashkit.compile import compile_dashboard, dumps
from dashkit.model import iter_panels
from dashkit.errors import DashkitError
from dashkit.project import Project, Source, load_project
from dashkit.provisioning import ProviderOptions, datasources_yaml, provider_yaml



@attrs.frozen
class Compiled:
    source: Source
    model: dict[str, Any]

    @property
    def uid(self) -> str:
        return str(self.model["uid"])

    @property
    def title(self) -> str:
        return str(self.model["title"])

    @property
    def panel_count(self) -> int:
        return sum(1 for p in iter_panels(self.model["panels"]) if p.get("type") != "row")

    @property
    def filename(self) -> str:
        return f"{self.uid}.json"


def compile_project(project: Project, checks: bool = True) -> list[Compiled]:
    """Compile every dashboard and check what only the whole set shows: uids, titles, links.

    ``checks=False`` leaves query and set checks to the caller (lint reports them all under
    their own rules, not the first as an error).
    """
    compiled = []
    for source in project.sources:
        try:
            compiled.append(Compiled(source, compile_dashboard(source.dashboard, strict=checks)))
        except DashkitError as error:
            raise error.located(file=source.file) from None
    if checks:
        _check_set(compiled)
    return compiled


def lint_subjects(compiled: Sequence[Compiled]) -> list[Any]:
    """The compiled dashboards as lint sees them (with their own catalogs)."""
    from dashkit.lint import Subject

    return [Subject(c.model, c.source.file, "dashkit", c.source.dashboard.catalog) for c in compiled]


def _check_set(compiled: Sequence[Compiled]) -> None:
    """Duplicate uids and titles (Grafana then stops provisioning the folder: CONTRACT.md §3.2)
    and links to dashboards not in the build: lint's set rules, the first error raised."""
    from dashkit.lint import ERROR, lint_set

    for finding in lint_set(lint_subjects(compiled)):
        if finding.severity == ERROR:
            raise DashkitError(finding.message, file=finding.file, dashboard=finding.dashboard,
                               panel=finding.panel or None)


@attrs.frozen
class BuildResult:
    out_dir: Path
    dashboards: tuple[Compiled, ...]


def write_tree(compiled: Sequence[Compiled], project: Project, out_dir: Path,
               options: ProviderOptions) -> None:
    """Write into a temporary sibling folder, then swap it in: never a half-written tree."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        dashboards = staging / "dashboards"
        dashboards.mkdir()
        for item in compiled:
            (dashboards / item.filename).write_text(dumps(item.model), encoding="utf-8")
        provisioning = staging / "provisioning"
        (provisioning / "dashboards").mkdir(parents=True)
        (provisioning / "datasources").mkdir()
        (provisioning / "dashboards" / "dashkit.yaml").write_text(provider_yaml(options), "utf-8")
        (provisioning / "datasources" / "datasources.yaml").write_text(
            datasources_yaml(project.datasources), "utf-8")
        os.chmod(staging, 0o755)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
        os.replace(out_dir, old)
        os.replace(staging, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out_dir)


def check_lint_errors(compiled: Sequence[Compiled], dashboards_dir: Path) -> None:
    """The error-level lint rules, run before anything is written; the first error stops the build."""
    from dashkit.lint import ERROR, lint_dashboard
    from dashkit.lint_config import EXCLUSIONS_FILE, load_exclusions

    exclusions = load_exclusions(Path(dashboards_dir) / EXCLUSIONS_FILE)
    # the set rules already ran in compile_project
    errors = [f for s in lint_subjects(compiled) for f in lint_dashboard(s)
              if f.severity == ERROR and not any(e.matches(f) for e in exclusions)]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more: dashkit lint lists them)" if len(errors) > 1 else ""
        raise DashkitError(f"{first.message} [{first.rule}]{more}", file=first.file,
                           dashboard=first.dashboard, panel=first.panel or None)


def build(dashboards_dir: str | Path, out_dir: str | Path,
          options: ProviderOptions = ProviderOptions()) -> BuildResult:
    """Compile the project in ``dashboards_dir`` and write the provisioning tree to ``out_dir``."""
    project = load_project(dashboards_dir)
    compiled = compile_project(project)
    check_lint_errors(compiled, Path(dashboards_dir))
    write_tree(compiled, project, Path(out_dir), options)
    return BuildResult(Path(out_dir), tuple(compiled))
