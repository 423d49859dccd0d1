"""``dashkit build``: compile every dashboard, check the set, write the provisioning tree atomically."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from dashkit.errors import DashkitError, raise_all
from dashkit.grafana.jsonio import dumps
from dashkit.lint.checks import lint_dashboard, lint_set
from dashkit.lint.config import EXCLUSIONS_FILE, Exclusion, load_exclusions
from dashkit.lint.findings import (
    COMPILE,
    ERROR,
    LINK_UID,
    TAG_LENGTH,
    TITLE_DUPLICATE,
    UID_DUPLICATE,
    UID_INVALID,
    VARIABLE_UNDEFINED,
    Finding,
    Subject,
)
from dashkit.project.compiled import Compiled
from dashkit.project.loading import Project, Source, load_project
from dashkit.project.output import OutputFolder, check_output_location, replace_folders, stage_file
from dashkit.project.provisioning import (
    GIT_SYNC_FOLDER,
    ProviderOptions,
    datasources_yaml,
    file_provisioning_resource,
    provider_yaml,
    write_git_sync,
)
from dashkit.sdk.compiler import compile_dashboard
from dashkit.sdk.layout import Row, site_of


def project_exclusions(project: Project) -> list[Exclusion]:
    """The lint exclusions file of the project's folder (none for a project built in memory)."""
    return load_exclusions(project.root / EXCLUSIONS_FILE) if project.root is not None else []


def _compile(source: Source, checks: bool) -> dict[str, Any]:
    """The dashboard's JSON; a value of the wrong type that slipped past the builders is an error."""
    try:
        return compile_dashboard(source.dashboard, strict=checks)
    except DashkitError as error:
        raise error.located(file=source.file) from None
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        raise DashkitError(f"cannot compile: {type(error).__name__}: {error}", file=source.file,
                           dashboard=str(source.dashboard.uid)) from None


def compile_each(project: Project, checks: bool = True) -> tuple[list[Compiled], list[DashkitError]]:
    """Every dashboard compiled that can be, and the errors of those that cannot."""
    compiled, errors = [], []
    for source in project.sources:
        try:
            compiled.append(Compiled(source, _compile(source, checks)))
        except DashkitError as error:
            errors.append(error)
    return compiled, errors


def compile_project(project: Project, checks: bool = True) -> list[Compiled]:
    """Compile every dashboard and check what Grafana would refuse or show wrong (the lint rules
    of ``COMPILE_RULES``). Every error of every dashboard is raised together.

    ``checks=False`` leaves query and rule checks to the caller (lint reports them all under
    their own rules, not the first as an error).
    """
    compiled, errors = compile_reporting(project, checks)
    raise_all(errors)
    return compiled


#: The lint rules every checked compile enforces, publish and preview as much as build: what
#: Grafana refuses to save (a bad uid, a long tag), sends verbatim (an undefined variable) or
#: stops provisioning over (a duplicate uid or title), and links to nowhere.
COMPILE_RULES = frozenset({UID_INVALID.id, TAG_LENGTH.id, VARIABLE_UNDEFINED.id, UID_DUPLICATE.id,
                           TITLE_DUPLICATE.id, LINK_UID.id})


def compile_reporting(project: Project, checks: bool = True
                      ) -> tuple[list[Compiled], list[DashkitError]]:
    """What compiled, and every error: the modules that failed to load, each dashboard's
    compile errors and (with ``checks``) the ``COMPILE_RULES`` findings the exclusions do not
    accept. A dashboard whose queries the catalog refuses is compiled again without that
    check for these rules, so that one run reports its other errors too."""
    compiled, errors = compile_each(project, checks)
    errors = list(project.errors) + errors
    if checks:
        failed = [s for s in project.sources if all(c.source is not s for c in compiled)]
        unchecked = compile_each(attrs.evolve(project, sources=tuple(failed)), checks=False)[0]
        subjects = lint_subjects([*compiled, *unchecked])
        findings = [f for s in subjects for f in lint_dashboard(s) if f.rule in COMPILE_RULES]
        # a link to a dashboard that failed is not also an unknown uid
        findings += lint_set(subjects, {s.dashboard.uid for s in project.sources})
        errors += rule_errors(findings, [*compiled, *unchecked], project_exclusions(project))
    return compiled, errors


def lint_subjects(compiled: Sequence[Compiled]) -> list[Subject]:
    """The compiled dashboards as lint sees them (with their own catalogs)."""
    return [Subject(c.model, c.source.file, "dashkit", c.source.dashboard.catalog,
                    allow_overlaps=c.source.dashboard.allow_overlaps) for c in compiled]


#: Rules no exclusion can waive: Grafana refuses the dashboard (a bad uid, a long tag) or stops
#: provisioning the whole folder (a duplicate uid or title, CONTRACT.md §3.2), whatever the
#: team decided.
_ALWAYS_ERRORS = frozenset({UID_INVALID.id, TAG_LENGTH.id, UID_DUPLICATE.id, TITLE_DUPLICATE.id})


def rule_errors(findings: Iterable[Finding], compiled: Sequence[Compiled],
                exclusions: Sequence[Exclusion]) -> list[DashkitError]:
    """The error findings the exclusions do not accept, as errors located at the builder call
    that made the panel (the dashboard's file for the others), each naming its rule."""
    sites: dict[tuple[str, str, str], str | None] = {}  # a panel's builder call, by title
    for item in compiled:
        for panel in item.source.dashboard.panels:
            for each in [panel, *(panel.panels if isinstance(panel, Row) else [])]:
                sites.setdefault((item.source.file, item.uid, each.title), site_of(each))
    return [DashkitError(f"{f.message} [{f.rule}]", file=sites.get((f.file, f.dashboard, f.panel))
                         or f.file, dashboard=f.dashboard, panel=f.panel or None)
            for f in findings if f.severity == ERROR
            and (f.rule in _ALWAYS_ERRORS or not any(e.matches(f) for e in exclusions))]


@attrs.frozen
class BuildResult:
    """What a build wrote, for the CLI's table and for callers from Python."""
    out_dir: Path
    dashboards: tuple[Compiled, ...]
    #: Where the Prometheus rule file went (None: the project defines no rules).
    rules_dir: Path | None = None
    #: Where alertmanager.yml went (None: the project defines no routing).
    alertmanager_dir: Path | None = None


#: The file that says dashkit wrote a folder, so a later build may replace it.
_MARKER_TEXT = ("Written by dashkit build. This folder is replaced whole on every build;\n"
                "edit the Python dashboards instead.\n")

#: The dashboard schemas ``build`` writes: classic JSON, or Grafana 13's v2 resources.
SCHEMAS = ("v1", "v2")


def write_tree(compiled: Sequence[Compiled], project: Project, out_dir: Path,
               options: ProviderOptions, schema: str = "v1") -> None:
    """The provisioning tree, written whole or not at all."""
    replace_folders([tree_folder(compiled, project, out_dir, options, schema)])


def tree_folder(compiled: Sequence[Compiled], project: Project, out_dir: Path,
                options: ProviderOptions, schema: str = "v1") -> OutputFolder:
    """The provisioning tree as a folder to write whole (``replace_folders``). With ``schema``
    v2 the dashboards are v2 resources, and a ``git-sync/`` tree for a Git Sync repository is
    written beside them (provisioning.py says what each reader of them requires)."""
    if schema not in SCHEMAS:
        raise DashkitError(f"unknown dashboard schema {schema!r}: choose {' or '.join(SCHEMAS)}")

    def fill(staging: Path) -> None:
        (staging / "dashboards").mkdir()
        for item in compiled:
            document = (item.model if schema == "v1" else
                        file_provisioning_resource(item.model, options.resolved_folder_uid))
            stage_file(staging, out_dir, f"dashboards/{item.filename}", dumps(document))
        if schema == "v2":
            write_git_sync(staging / GIT_SYNC_FOLDER, [c.model for c in compiled], options)
        provisioning = staging / "provisioning"
        (provisioning / "dashboards").mkdir(parents=True)
        (provisioning / "datasources").mkdir()
        stage_file(staging, out_dir, "provisioning/dashboards/dashkit.yaml", provider_yaml(options))
        stage_file(staging, out_dir, "provisioning/datasources/datasources.yaml",
                   datasources_yaml(project.datasources))

    return OutputFolder(out_dir, fill, _MARKER_TEXT)


def lint_errors(compiled: Sequence[Compiled], dashboards_dir: Path) -> list[DashkitError]:
    """The error-level lint rules but ``COMPILE_RULES`` (compile_reporting ran those), run
    before anything is written."""
    findings = [f for s in lint_subjects(compiled) for f in lint_dashboard(s) if f.rule not in COMPILE_RULES]
    return rule_errors(findings, compiled, load_exclusions(Path(dashboards_dir) / EXCLUSIONS_FILE))


def build(dashboards_dir: str | Path, out_dir: str | Path,
          options: ProviderOptions = ProviderOptions(), *, force: bool = False,
          rules_dir: str | Path | None = None, schema: str = "v1",
          alertmanager_dir: str | Path | None = None) -> BuildResult:
    """Compile the project in ``dashboards_dir`` and write the provisioning tree to ``out_dir``
    and its Prometheus rules (if it defines any) to ``rules_dir`` (each refused where replacing
    it would delete what dashkit did not write, unless ``force``). ``schema`` "v2" writes the
    dashboards as Grafana 13's v2 resources. Everything is checked before anything is written,
    and the dashboards, the rules and Alertmanager's configuration are one output: all are
    swapped in, or none."""
    from dashkit.project.alertmanager import alertmanager_folder, project_routing_errors
    from dashkit.project.rule_files import project_catalog, project_rule_errors, rules_folder

    check_output_location(Path(out_dir), Path(dashboards_dir), force=force)
    for extra in (rules_dir, alertmanager_dir):
        if extra is not None:
            check_output_location(Path(extra), Path(dashboards_dir), force=force)
    project = load_project(dashboards_dir, partial=True)  # every error of the run, together
    compiled, errors = compile_reporting(project)
    errors += lint_errors(compiled, Path(dashboards_dir))
    errors += project_rule_errors(project.rule_groups, compiled)
    errors += project_routing_errors(project.alertmanager, project.rule_groups,
                                     project_catalog(compiled))
    raise_all(errors)
    folders = [tree_folder(compiled, project, Path(out_dir), options, schema)]
    rules_out = Path(rules_dir) if rules_dir is not None and project.rule_groups else None
    if rules_out is not None:
        folders.append(rules_folder(project.rule_groups, compiled, rules_out))
    routing_out = (Path(alertmanager_dir) if alertmanager_dir is not None
                   and project.alertmanager is not None else None)
    if routing_out is not None and project.alertmanager is not None:
        folders.append(alertmanager_folder(project.alertmanager, routing_out))
    replace_folders(folders)
    return BuildResult(Path(out_dir), tuple(compiled), rules_out, routing_out)


def project_subjects(dashboards_dir: Path) -> tuple[list[Subject], list[Finding]]:
    """The compiled dashkit dashboards; a compile failure is itself a finding."""
    project = load_project(dashboards_dir, partial=True)
    compiled, errors = compile_each(project, checks=False)
    return lint_subjects(compiled), [
        COMPILE.finding(error.message, error.file or str(dashboards_dir), error.dashboard or "",
                        error.panel or "")
        for error in list(project.errors) + errors]
