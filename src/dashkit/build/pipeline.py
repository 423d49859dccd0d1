"""``dashkit build``: compile every dashboard, check the set, write the provisioning tree atomically."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from dashkit.grafana.jsonio import dumps
from dashkit.sdk.compiler import Accepted, compile_dashboard
from dashkit.grafana.model import iter_panels
from dashkit.errors import DashkitError, raise_all
from dashkit.build.project import Project, Source, load_project
from dashkit.build.provisioning import ProviderOptions, datasources_yaml, provider_yaml
from dashkit.lint.config import EXCLUSIONS_FILE, Exclusion, load_exclusions
from dashkit.lint.findings import COMPILE, ERROR, TITLE_DUPLICATE, UID_DUPLICATE, Finding, Subject
from dashkit.lint.rules import lint_dashboard, lint_set



@attrs.frozen
class Compiled:
    """A dashboard of the project and the JSON it compiled to: what lint, build and publish share."""
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


def project_exclusions(project: Project) -> list[Exclusion]:
    """The lint exclusions file of the project's folder (none for a project built in memory)."""
    return load_exclusions(project.root / EXCLUSIONS_FILE) if project.root is not None else []


def _accepted(exclusions: Sequence[Exclusion], uid: str) -> Accepted:
    def accepted(rule: str, panel: str) -> bool:
        finding = Finding(rule, ERROR, "", dashboard=uid, panel=panel)
        return any(e.matches(finding) for e in exclusions)
    return accepted


def compile_each(project: Project, checks: bool = True, exclusions: Sequence[Exclusion] = ()
                 ) -> tuple[list[Compiled], list[DashkitError]]:
    """Every dashboard compiled that can be, and the errors of those that cannot; ``exclusions``
    are the findings the project accepts (its compile checks that are lint rules honour them)."""
    compiled, errors = [], []
    for source in project.sources:
        try:
            model = compile_dashboard(source.dashboard, strict=checks,
                                      accepted=_accepted(exclusions, source.dashboard.uid))
            compiled.append(Compiled(source, model))
        except DashkitError as error:
            errors.append(error.located(file=source.file))
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            # a value of the wrong type that slipped past the builders
            errors.append(DashkitError(f"cannot compile: {type(error).__name__}: {error}",
                                       file=source.file, dashboard=str(source.dashboard.uid)))
    return compiled, errors


def compile_project(project: Project, checks: bool = True) -> list[Compiled]:
    """Compile every dashboard and check what only the whole set shows: uids, titles, links.
    Every error of every dashboard is raised together.

    ``checks=False`` leaves query and set checks to the caller (lint reports them all under
    their own rules, not the first as an error).
    """
    exclusions = project_exclusions(project) if checks else []  # read once for both uses
    compiled, errors = compile_each(project, checks, exclusions)
    errors = list(project.errors) + errors
    if checks:
        errors += _set_errors(compiled, exclusions)
    raise_all(errors)
    return compiled


def lint_subjects(compiled: Sequence[Compiled]) -> list[Subject]:
    """The compiled dashboards as lint sees them (with their own catalogs)."""
    return [Subject(c.model, c.source.file, "dashkit", c.source.dashboard.catalog,
                    allow_overlaps=c.source.dashboard.allow_overlaps) for c in compiled]


#: Set rules no exclusion can waive: a duplicate uid or title stops Grafana provisioning the
#: whole folder (CONTRACT.md §3.2), whatever the team decided.
_ALWAYS_ERRORS = frozenset({UID_DUPLICATE.id, TITLE_DUPLICATE.id})


def _set_errors(compiled: Sequence[Compiled], exclusions: Sequence[Exclusion] = ()
                ) -> list[DashkitError]:
    """Duplicate uids and titles and links to dashboards not in the build: lint's set rules, as
    errors (a link the exclusions accept, such as an imported dashboard's, is not one)."""
    return [DashkitError(f.message, file=f.file, dashboard=f.dashboard, panel=f.panel or None)
            for f in lint_set(lint_subjects(compiled)) if f.severity == ERROR
            and (f.rule in _ALWAYS_ERRORS or not any(e.matches(f) for e in exclusions))]


@attrs.frozen
class BuildResult:
    """What a build wrote, for the CLI's table and for callers from Python."""
    out_dir: Path
    dashboards: tuple[Compiled, ...]


#: The file that says dashkit wrote a folder, so a later build may replace it.
OUTPUT_MARKER = ".dashkit-build"
_MARKER_TEXT = ("Written by dashkit build. This folder is replaced whole on every build;\n"
                "edit the Python dashboards instead.\n")
_STAGING = ".dashkit-staging-"
_PREVIOUS = ".dashkit-previous"


def check_output_location(out_dir: Path, dashboards_dir: Path, *, force: bool = False,
                          cwd: Path | None = None) -> None:
    """Refuse an output folder whose replacement would delete what dashkit did not write: the
    sources, the folder the user stands in, or any non-empty folder without dashkit's marker."""
    out = Path(out_dir).resolve()
    sources = Path(dashboards_dir).resolve()
    here = (cwd or Path.cwd()).resolve()
    if out == sources or out in sources.parents or sources in out.parents:
        raise DashkitError(f"--out {out_dir} is, holds or lies inside the dashboards folder "
                           f"{dashboards_dir}: the build replaces --out whole, so it must be a "
                           "folder of its own (default build/grafana)")
    if out == here or out in here.parents:
        raise DashkitError(f"--out {out_dir} is or holds the current directory: the build "
                           "replaces --out whole; choose a folder of its own (default build/grafana)")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise DashkitError(f"--out {out_dir} exists and is not a folder (or is a link)")
        if not force and any(out.iterdir()) and not (out / OUTPUT_MARKER).is_file():
            raise DashkitError(f"--out {out_dir} is not empty and was not written by dashkit "
                               f"(no {OUTPUT_MARKER} in it): refusing to replace it; choose "
                               "another folder, or --force to replace it all the same")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise DashkitError(f"--out {out_dir}: {parent} is a file, not a folder")


def write_tree(compiled: Sequence[Compiled], project: Project, out_dir: Path,
               options: ProviderOptions) -> None:
    """The provisioning tree, written whole or not at all (``replace_folder``)."""
    def fill(staging: Path) -> None:
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

    replace_folder(out_dir, fill, _MARKER_TEXT)


def replace_folder(out_dir: Path, fill: Callable[[Path], None], marker_text: str) -> None:
    """Fill a staging folder beside ``out_dir``, then swap it in: a reader (Grafana's
    provisioner, a browser) never finds the output absent or half-written."""
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{_STAGING}{os.getpid()}-",
                                        dir=out_dir.parent))
    except OSError as error:
        raise DashkitError(f"cannot write to {out_dir}: {error.strerror or error}") from None
    try:
        fill(staging)
        (staging / OUTPUT_MARKER).write_text(marker_text, "utf-8")
        os.chmod(staging, 0o755)
        swap_in(staging, out_dir)
        # A reader that looked the old folder up just before the swap may still be reading
        # it: the previous output stays beside the new one until the next build.
        previous = out_dir.with_name(f".{out_dir.name}{_PREVIOUS}")
        if staging.exists():
            shutil.rmtree(previous, ignore_errors=True)
            os.rename(staging, previous)
    except OSError as error:
        raise DashkitError(f"cannot write to {out_dir}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def clean_stale_staging(out_dir: Path) -> None:
    """Remove staging folders that builds killed midway left beside ``out_dir`` (their process
    is gone); a running build's folder is left alone."""
    for candidate in out_dir.parent.glob(f".{out_dir.name}{_STAGING}*"):
        pid_text = candidate.name[len(f".{out_dir.name}{_STAGING}"):].split("-", 1)[0]
        if not pid_text.isdigit() or not candidate.is_dir() or candidate.is_symlink():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(candidate, ignore_errors=True)
        except PermissionError:
            pass  # another user's live process


def _exchange(a: Path, b: Path) -> bool:
    """Linux ``renameat2(RENAME_EXCHANGE)``: both paths swap in one step. False where the OS or
    file system cannot do it."""
    if sys.platform != "linux":
        return False
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # libc: glibc 2.28+, musl
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # not on this file system
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` at ``out_dir``; the previous output, if any, ends up at ``staging``."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    # elsewhere: two renames, with a moment in which out_dir is absent
    old = staging.with_name(staging.name + "-old")
    os.replace(out_dir, old)
    os.replace(staging, out_dir)
    os.replace(old, staging)


def check_lint_errors(compiled: Sequence[Compiled], dashboards_dir: Path) -> None:
    """The error-level lint rules, run before anything is written; every error is raised."""
    exclusions = load_exclusions(Path(dashboards_dir) / EXCLUSIONS_FILE)
    # the set rules already ran in compile_project
    errors = [f for s in lint_subjects(compiled) for f in lint_dashboard(s)
              if f.severity == ERROR and not any(e.matches(f) for e in exclusions)]
    raise_all([DashkitError(f"{f.message} [{f.rule}]", file=f.file, dashboard=f.dashboard,
                            panel=f.panel or None) for f in errors])


def build(dashboards_dir: str | Path, out_dir: str | Path,
          options: ProviderOptions = ProviderOptions(), *, force: bool = False) -> BuildResult:
    """Compile the project in ``dashboards_dir`` and write the provisioning tree to ``out_dir``
    (refused where replacing it would delete what dashkit did not write, unless ``force``)."""
    check_output_location(Path(out_dir), Path(dashboards_dir), force=force)
    project = load_project(dashboards_dir)
    compiled = compile_project(project)
    check_lint_errors(compiled, Path(dashboards_dir))
    write_tree(compiled, project, Path(out_dir), options)
    return BuildResult(Path(out_dir), tuple(compiled))


def project_subjects(dashboards_dir: Path) -> tuple[list[Subject], list[Finding]]:
    """The compiled dashkit dashboards; a compile failure is itself a finding."""
    project = load_project(dashboards_dir, partial=True)
    compiled, errors = compile_each(project, checks=False)
    return lint_subjects(compiled), [
        Finding(COMPILE.id, ERROR, error.message, error.file or str(dashboards_dir),
                error.dashboard or "", error.panel or "")
        for error in list(project.errors) + errors]
