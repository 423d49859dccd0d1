"""The commands that work on local files (build, lint, init, test-rules…); those that talk to
servers are in ``remote.py``, ``fleet.py`` and ``pull.py``, preview and serve in ``preview.py``."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from dashkit.cli.group import dashboards_option, folder_option, folder_uid_option, main, schema_option
from dashkit.cli.output import fail, tag
from dashkit.cli.watching import run_watching, watch_option
from dashkit.errors import DashkitError
from dashkit.project.loading import load_project
from dashkit.project.pipeline import build, compile_project
from dashkit.project.provisioning import DEFAULT_GRAFANA_PATH, ProviderOptions
from dashkit.text import counted, format_table


@main.command("build")
@dashboards_option
@click.option("--out", "out_dir", default="build/grafana", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output folder (replaced whole).")
@click.option("--grafana-path", default=DEFAULT_GRAFANA_PATH, show_default=True,
              help="Where Grafana sees the dashboards/ folder (the provider's options.path).")
@folder_option
@folder_uid_option
@click.option("--rules-out", "rules_dir", default="build/prometheus/rules", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the Prometheus rule file (replaced whole), if rules are defined.")
@click.option("--alertmanager-out", "alertmanager_dir", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for alertmanager.yml (replaced whole), if the project routes alerts "
                   "[default: alertmanager/ beside --out].")
@schema_option
@click.option("--force", is_flag=True,
              help="Replace --out even if it holds files dashkit did not write.")
@watch_option
def build_command(dashboards_dir: Path, out_dir: Path, grafana_path: str, folder: str,
                  folder_uid: str | None, rules_dir: Path, alertmanager_dir: Path | None,
                  schema: str, force: bool, watch: bool) -> None:
    """Compile the dashboards into a Grafana provisioning tree."""
    alertmanager_dir = alertmanager_dir or out_dir.parent / "alertmanager"
    options = ProviderOptions(grafana_path=grafana_path, folder=folder, folder_uid=folder_uid)

    def once() -> None:
        _build_once(dashboards_dir, out_dir, options, rules_dir, alertmanager_dir, schema, force)

    if watch:
        run_watching(dashboards_dir, once)
    once()


def _build_once(dashboards_dir: Path, out_dir: Path, options: ProviderOptions, rules_dir: Path,
                alertmanager_dir: Path, schema: str, force: bool) -> None:
    try:
        result = build(dashboards_dir, out_dir, options, force=force, rules_dir=rules_dir,
                       schema=schema, alertmanager_dir=alertmanager_dir)
    except DashkitError as error:
        fail(error, after="nothing was written")
    rows = [(c.uid, c.title, c.panel_count, out_dir / "dashboards" / c.filename)
            for c in result.dashboards]
    click.echo(format_table(("uid", "title", "panels", "file"), rows))
    click.echo(f"\n{counted(len(rows), 'dashboard')} and provisioning files written to {out_dir}/")
    if result.rules_dir is not None:
        click.echo(f"Prometheus rules written to {result.rules_dir}/alerts.yml")
    if result.alertmanager_dir is not None:
        click.echo(f"Alertmanager routing written to {result.alertmanager_dir}/alertmanager.yml")


@main.command("list")
@dashboards_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def list_command(dashboards_dir: Path, paths: tuple[Path, ...]) -> None:
    """List the project's dashboards (or those of the JSON files and folders given), writing
    nothing."""
    from dashkit.grafana.model import iter_panels
    from dashkit.grafana.normalise import load_json_paths

    if paths:
        loaded, errors = load_json_paths(paths)
        rows = [(d.model.get("uid") or "", d.model.get("title") or "",
                 sum(p.get("type") != "row" for p in iter_panels(d.model.get("panels") or [])),
                 d.source) for d in loaded]
    else:
        try:
            compiled = compile_project(load_project(dashboards_dir, partial=True))
        except DashkitError as error:
            fail(error)
        rows, errors = [(c.uid, c.title, c.panel_count, c.source.file) for c in compiled], []
    if rows:
        click.echo(format_table(("uid", "title", "panels", "source"), rows))
    if not rows and not errors:
        where = ", ".join(map(str, paths)) if paths else f"{dashboards_dir} (Python modules; "
        errors = [DashkitError(f"no dashboards in {where}" + ("" if paths else "dashkit list "
                                                              "FILE.json… reads Grafana JSON)"))]
    for problem in errors:
        click.echo(f"{tag('error:', True)} {problem}", err=True)
    sys.exit(1 if errors else 0)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The team or system the dashboards are for "
              "[default: from the folder's name].")
def init_command(folder: Path, title: str | None) -> None:
    """Create a new dashboards project in FOLDER: it builds and its tests pass straight away."""
    from dashkit.project.scaffold import init_project

    try:
        written = init_project(folder, title)
    except DashkitError as error:
        fail(error)
    click.echo(format_table(("file",), [(str(path),) for path in written]))
    click.echo(f"\nnext: cd {folder} && make test")


@main.command("test-rules")
@dashboards_option
@click.option("--promtool", default="promtool", show_default=True, help="The promtool to run.")
@click.option("--alert", "only", multiple=True, metavar="NAME",
              help="Run only this alert's tests (repeatable) [default: every alert's].")
def test_rules_command(dashboards_dir: Path, promtool: str, only: tuple[str, ...]) -> None:
    """Run the project's alert rule tests (rule_tests) with promtool test rules."""
    from dashkit.project.rule_tests import run_rule_tests

    try:
        project = load_project(dashboards_dir)
        if not project.rule_groups:
            raise DashkitError(f"no rule_groups in {dashboards_dir}: nothing to test")
        passed, output = run_rule_tests(project.rule_groups, project.rule_tests,
                                        compile_project(project), promtool, only)
    except DashkitError as error:
        fail(error)
    ran = [t for t in project.rule_tests if not only or t.alert in only]
    alerts = sorted({t.alert for t in ran})
    rows = [(name, sum(t.alert == name and bool(t.fires) for t in ran),
             sum(t.alert == name and not t.fires for t in ran)) for name in alerts]
    click.echo(format_table(("alert", "tests that fire it", "tests that do not"), rows))
    if not passed:
        click.echo(output, err=True)
        fail(DashkitError("promtool test rules failed (above)"))
    click.echo(f"\n{counted(len(ran), 'rule test')} of "
               f"{counted(len(alerts), 'alert')} passed (promtool test rules)")


@main.command("lint")
@dashboards_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output", type=click.Choice(["table", "json", "github"]), default="table",
              show_default=True, help="table for people, json for tools, github for annotations.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--provisioning", is_flag=True,
              help="The JSON files are for file provisioning: wrapped files and ${DS_*} inputs "
                   "are errors.")
@click.option("--catalog", "catalog_spec", metavar="FILE.py:NAME",
              help="Check JSON files' metrics and labels against this catalog.")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path),
              help="Exclusions file [default: .dashkit-lint.yaml in the dashboards folder].")
@watch_option
def lint_command(dashboards_dir: Path, paths: tuple[Path, ...], output: str, strict: bool,
                 provisioning: bool, catalog_spec: str | None, config: Path | None,
                 watch: bool) -> None:
    """Lint the dashkit dashboards, or the Grafana JSON files and folders given."""
    def once() -> None:
        _lint_once(dashboards_dir, paths, output, strict, provisioning, catalog_spec, config)

    if watch:
        run_watching(dashboards_dir, once)
    once()


def _lint_once(dashboards_dir: Path, paths: tuple[Path, ...], output: str, strict: bool,
               provisioning: bool, catalog_spec: str | None, config: Path | None) -> None:
    from dashkit.lint import run as lint_run
    from dashkit.lint.config import EXCLUSIONS_FILE, load_exclusions
    from dashkit.lint.report import render
    from dashkit.project.loading import load_catalog
    from dashkit.project.pipeline import project_subjects

    config_file = config or dashboards_dir / EXCLUSIONS_FILE
    try:
        exclusions = load_exclusions(config_file)
        if paths:
            catalog = load_catalog(catalog_spec) if catalog_spec else None
            subjects, early = lint_run.json_subjects(paths, catalog, provisioning)
        else:
            subjects, early = project_subjects(dashboards_dir)
    except DashkitError as error:
        fail(error)
    report = lint_run.run_lint(subjects, early, exclusions,
                               None if paths or not config_file.exists() else config_file)
    click.echo(render(report, output))
    sys.exit(1 if report.failed(strict) else 0)

