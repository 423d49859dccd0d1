"""``dashkit build``: compile every dashboard, check the set, write the provisioning tree atomically."""
from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from dashkit.errors import DashkitError, raise_all
from dashkit.grafana.jsonio import dumps
from dashkit.lint.checks import lint_dashboard
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
    SetEntry,
    Subject,
)
from dashkit.lint.sets import lint_set, set_entry
from dashkit.project.compiled import Built, Compiled
from dashkit.project.loading import Project, ProjectLoader, Source, load_project
from dashkit.project.output import OutputFolder, check_output_location, replace_folders, stage_file
from dashkit.project.provisioning import (
    GIT_SYNC_FOLDER,
    ProviderOptions,
    dashboard_file,
    datasources_yaml,
    file_provisioning_resource,
    git_sync_folder,
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
    accept."""
    if not checks:
        compiled, errors = compile_each(project, checks)
        return compiled, list(project.errors) + errors
    exclusions = project_exclusions(project)
    compiled, errors, entries = [], list(project.errors), []
    for each in check_each(project.sources, exclusions):
        compiled += [each.compiled] if each.compiled is not None else []
        errors += each.errors
        entries += [each.entry] if each.entry is not None else []
    return compiled, errors + set_errors(entries, {s.dashboard.uid for s in project.sources},
                                         panel_sites(project.sources), exclusions)


class Checked(NamedTuple):
    """One dashboard compiled and linted alone (``check_each``)."""
    compiled: Compiled | None  # None: it failed to compile with every check on
    errors: list[DashkitError]  # that failure, and its COMPILE_RULES errors
    findings: list[Finding]  # every lint finding of its JSON
    entry: SetEntry | None  # what the set-wide rules need of it (None: it never compiled)


def check_each(sources: Iterable[Source], exclusions: Sequence[Exclusion]) -> Iterator[Checked]:
    """Each dashboard in turn, so that a build holds one dashboard's JSON at a time. A dashboard
    whose queries the catalog refuses is compiled again without that check for the
    ``COMPILE_RULES``, so that one run reports its other errors too."""
    for source in sources:
        compiled, errors = None, []
        try:
            compiled = Compiled(source, _compile(source, checks=True))
        except DashkitError as error:
            errors.append(error)
        model = compiled.model if compiled is not None else _unchecked(source)
        if model is None:
            yield Checked(None, errors, [], None)
            continue
        subject = subject_of(source, model)
        findings = lint_dashboard(subject)
        errors += rule_errors([f for f in findings if f.rule in COMPILE_RULES], [source],
                              exclusions)
        yield Checked(compiled, errors, findings, set_entry(subject))


def _unchecked(source: Source) -> dict[str, Any] | None:
    try:
        return _compile(source, checks=False)
    except DashkitError:
        return None


def set_errors(entries: Sequence[SetEntry], uids: Iterable[str], sites: Sites,
               exclusions: Sequence[Exclusion]) -> list[DashkitError]:
    """The set-wide rules' errors (duplicate uids and titles, links to no dashboard), given
    every dashboard's uid (a link to a dashboard that failed is not also an unknown uid)."""
    return _located(lint_set(entries, uids), sites, exclusions)


def lint_subjects(compiled: Sequence[Compiled]) -> list[Subject]:
    """The compiled dashboards as lint sees them."""
    return [subject_of(c.source, c.model) for c in compiled]


def subject_of(source: Source, model: dict[str, Any]) -> Subject:
    """A compiled dashboard as lint sees it, with its own catalog."""
    return Subject(model, source.file, "dashkit", source.dashboard.catalog,
                   allow_overlaps=source.dashboard.allow_overlaps)


#: Rules no exclusion can waive: Grafana refuses the dashboard (a bad uid, a long tag) or stops
#: provisioning the whole folder (a duplicate uid or title, CONTRACT.md §3.2), whatever the
#: team decided.
_ALWAYS_ERRORS = frozenset({UID_INVALID.id, TAG_LENGTH.id, UID_DUPLICATE.id, TITLE_DUPLICATE.id})


#: Where each panel's builder was called, by (file, dashboard uid, panel title).
Sites = dict[tuple[str, str, str], "str | None"]


def panel_sites(sources: Iterable[Source], titles: Container[str] | None = None) -> Sites:
    """The builder call of each panel of ``sources`` (of those titled in ``titles`` only, if
    given): what an error about the panel names."""
    sites: Sites = {}
    for item in sources:
        for panel in item.dashboard.panels:
            for each in [panel, *(panel.panels if isinstance(panel, Row) else [])]:
                if titles is None or each.title in titles:
                    sites.setdefault((item.file, str(item.dashboard.uid), each.title), site_of(each))
    return sites


def rule_errors(findings: Iterable[Finding], sources: Sequence[Source],
                exclusions: Sequence[Exclusion]) -> list[DashkitError]:
    """The error findings the exclusions do not accept, as errors located at the builder call
    that made the panel (the dashboard's file for the others), each naming its rule."""
    findings = [f for f in findings if f.severity == ERROR]
    return _located(findings, panel_sites(sources) if findings else {}, exclusions)


def _located(findings: Iterable[Finding], sites: Sites, exclusions: Sequence[Exclusion]
             ) -> list[DashkitError]:
    return [DashkitError(f"{f.message} [{f.rule}]", file=sites.get((f.file, f.dashboard, f.panel))
                         or f.file, dashboard=f.dashboard, panel=f.panel or None)
            for f in findings
            if f.severity == ERROR and (f.rule in _ALWAYS_ERRORS
                                        or not any(e.matches(f) for e in exclusions))]


@attrs.frozen
class BuildResult:
    """What a build wrote, for the CLI's table and for callers from Python."""
    out_dir: Path
    dashboards: tuple[Built, ...]
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
    """The provisioning tree as a folder to write whole (``replace_folders``)."""
    def fill(staging: Path) -> None:
        tree = _Tree(staging, out_dir, options, schema)
        for item in compiled:
            tree.dashboard(item.model)
        tree.provisioning(project)

    return OutputFolder(out_dir, fill, _MARKER_TEXT)


class _Tree:
    """The provisioning tree in its staging folder, a dashboard at a time. With ``schema`` v2
    the dashboards are v2 resources, and a ``git-sync/`` tree for a Git Sync repository is
    written beside them (provisioning.py says what each reader of them requires)."""

    def __init__(self, staging: Path, out_dir: Path, options: ProviderOptions, schema: str):
        if schema not in SCHEMAS:
            raise DashkitError(f"unknown dashboard schema {schema!r}: choose {' or '.join(SCHEMAS)}")
        self.staging, self.out_dir, self.options, self.schema = staging, out_dir, options, schema
        (staging / "dashboards").mkdir()
        self.git_sync = (git_sync_folder(staging / GIT_SYNC_FOLDER, options) if schema == "v2"
                         else None)

    def dashboard(self, model: dict[str, Any]) -> None:
        document = (model if self.git_sync is None else
                    file_provisioning_resource(model, self.options.resolved_folder_uid))
        stage_file(self.staging, self.out_dir, f"dashboards/{dashboard_file(model['uid'])}",
                   dumps(document))
        if self.git_sync is not None:
            write_git_sync(self.git_sync, model)

    def provisioning(self, project: Project) -> None:
        provisioning = self.staging / "provisioning"
        (provisioning / "dashboards").mkdir(parents=True)
        (provisioning / "datasources").mkdir()
        stage_file(self.staging, self.out_dir, "provisioning/dashboards/dashkit.yaml",
                   provider_yaml(self.options))
        stage_file(self.staging, self.out_dir, "provisioning/datasources/datasources.yaml",
                   datasources_yaml(project.datasources))


def build(dashboards_dir: str | Path, out_dir: str | Path,
          options: ProviderOptions = ProviderOptions(), *, force: bool = False,
          rules_dir: str | Path | None = None, schema: str = "v1",
          alertmanager_dir: str | Path | None = None) -> BuildResult:
    """Compile the project in ``dashboards_dir`` and write the provisioning tree to ``out_dir``
    and its Prometheus rules (if it defines any) to ``rules_dir`` (each refused where replacing
    it would delete what dashkit did not write, unless ``force``). ``schema`` "v2" writes the
    dashboards as Grafana 13's v2 resources. Every check runs before anything is swapped in,
    and the dashboards, the rules and Alertmanager's configuration are one output: all are
    swapped in, or none. Each module is loaded, and each of its dashboards compiled, checked
    and written to staging, before the next module is loaded, keeping only what the set-wide
    checks need: a build holds one module's dashboards, not the project's."""
    from dashkit.project.alertmanager import alertmanager_folder, project_routing_errors
    from dashkit.project.rule_files import project_catalog, project_rule_errors, rules_folder

    out = Path(out_dir)
    check_output_location(out, Path(dashboards_dir), force=force)
    for extra in (rules_dir, alertmanager_dir):
        if extra is not None:
            check_output_location(Path(extra), Path(dashboards_dir), force=force)
    loader = ProjectLoader(dashboards_dir)
    exclusions = load_exclusions(loader.folder / EXCLUSIONS_FILE)
    built: list[Built] = []
    alerts: dict[str, tuple[str, int]] = {}  # read by the rule file, staged after the tree
    loaded: list[Project] = []  # the project once every module is loaded

    def fill(staging: Path) -> None:  # a staging folder is thrown away on any error
        from dashkit.project.rule_files import add_alert_panels

        tree, errors, entries = _Tree(staging, out, options, schema), [], []
        uids: set[str] = set()
        sites: Sites = {}
        for sources in loader.modules(release=True):  # each module's let go before the next
            uids |= {source.dashboard.uid for source in sources}
            for each in check_each(sources, exclusions):
                errors += each.errors
                entries += [each.entry] if each.entry is not None else []
                if each.entry is not None and each.entry.links:
                    sites |= panel_sites(sources, {title for title, _ in each.entry.links})
                if each.compiled is not None:  # the error-level lint rules but COMPILE_RULES
                    errors += rule_errors([f for f in each.findings if f.rule not in COMPILE_RULES],
                                          [each.compiled.source], exclusions)
                    tree.dashboard(each.compiled.model)
                    add_alert_panels(alerts, each.compiled.uid, each.compiled.model)
                    built.append(Built.of(each.compiled))
        project = loader.project(partial=True)  # every error of the run, together
        loaded.append(project)
        errors = [*project.errors, *errors, *set_errors(entries, uids, sites, exclusions),
                  *project_rule_errors(project.rule_groups, built),
                  *project_routing_errors(project.alertmanager, project.rule_groups,
                                          project_catalog(built))]
        raise_all(errors)
        tree.provisioning(project)

    def rules() -> OutputFolder | None:
        project = loaded[0]
        return (rules_folder(project.rule_groups, alerts, Path(rules_dir))
                if rules_dir is not None and project.rule_groups else None)

    def routing() -> OutputFolder | None:
        project = loaded[0]
        return (alertmanager_folder(project.alertmanager, Path(alertmanager_dir))
                if alertmanager_dir is not None and project.alertmanager is not None else None)

    written = replace_folders([OutputFolder(out, fill, _MARKER_TEXT), rules, routing])
    return BuildResult(out, tuple(built), *(f.out_dir if f is not None else None
                                            for f in written[1:]))


def project_subjects(dashboards_dir: Path) -> tuple[list[Subject], list[Finding]]:
    """The compiled dashkit dashboards; a compile failure is itself a finding."""
    project = load_project(dashboards_dir, partial=True)
    compiled, errors = compile_each(project, checks=False)
    return lint_subjects(compiled), [
        COMPILE.finding(error.message, error.file or str(dashboards_dir), error.dashboard or "",
                        error.panel or "")
        for error in list(project.errors) + errors]
