"""The commands that talk to servers: check and catalog (Prometheus, Loki), import from and
publish to Grafana. Each parses its arguments and calls the library."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from dashkit.cli.fleet import Connection, connection_options, print_targets_report, run_everywhere
from dashkit.cli.group import (
    dashboards_option,
    deadline_option,
    grafana_url_option,
    loki_url_option,
    main,
    prometheus_url_option,
    select_dashboards,
    timeout_option,
    token_file_option,
)
from dashkit.cli.output import (
    fail,
    print_catalog_summary,
    print_import_summary,
    print_publish_report,
    show_progress,
    tag,
    usage,
)
from dashkit.cli.watching import complete_uids
from dashkit.errors import DashkitError
from dashkit.project.loading import load_project
from dashkit.project.pipeline import compile_project


@main.command("check")
@dashboards_option
@click.argument("only", nargs=-1, metavar="[DASHBOARD_UID]...", shell_complete=complete_uids)
@prometheus_url_option()
@loki_url_option
@timeout_option()
@deadline_option
@click.option("--scrape-interval", default="15s", show_default=True,
              help="The Prometheus datasource's scrape interval (Grafana's timeInterval).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a variable instead of its first-load default (repeatable).")
@click.option("--allow-empty", is_flag=True, help="Empty panels are not failures.")
@click.option("--series-limit", default=500, show_default=True, help="Warn above this many series.")
@click.option("--query-budget", default="500ms", show_default=True, help="Time a query may take.")
@click.option("--dashboard-budget", default="5s", show_default=True,
              help="Time a dashboard's queries may take together.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def check_command(dashboards_dir: Path, only: tuple[str, ...], prometheus_url: str,
                  loki_url: str | None, scrape_interval: str, variables: tuple[str, ...],
                  timeout: float, deadline: float, allow_empty: bool, series_limit: int,
                  query_budget: str, dashboard_budget: str, output: str) -> None:
    """Run every query of every dashboard against live datasources, as Grafana would."""
    from dashkit.check.live_alerts import RULES_UID, rules_model
    from dashkit.check.report import render
    from dashkit.check.runner import Budget, check_dashboards
    from dashkit.clients.loki import LokiClient
    from dashkit.clients.prometheus import PrometheusClient
    from dashkit.query.expand import seconds

    try:
        overrides = dict(v.split("=", 1) for v in variables)
        budget = Budget(seconds(query_budget), seconds(dashboard_budget), series_limit)
        interval = seconds(scrape_interval)
    except ValueError as error:
        raise click.UsageError(f"bad option value: {error}") from None
    try:
        # catalog checks off: every query runs and reports its own status
        project = load_project(dashboards_dir)
        named = tuple(u for u in only if u != RULES_UID)
        compiled = select_dashboards(compile_project(project, checks=False), named)
        models = [c.model for c in compiled] if named or not only else []
        if project.rule_groups and (not only or RULES_UID in only):
            models.append(rules_model(project.rule_groups))  # alerts are checked like panels
        with click.progressbar(length=len(models), label="Checking", file=sys.stderr) as bar:
            prometheus = PrometheusClient(prometheus_url, timeout, deadline=deadline)
            loki = LokiClient(loki_url, timeout, deadline=deadline) if loki_url else None
            report = check_dashboards(models, prometheus, loki,
                                      scrape_interval=interval, budget=budget,
                                      overrides=overrides, progress=lambda: bar.update(1))
    except DashkitError as error:
        fail(error)
    click.echo(render(report, output, allow_empty))
    sys.exit(1 if report.failures(allow_empty) else 0)


@main.command("catalog")
@prometheus_url_option()
@click.option("--match", default='{__name__=~".+"}', show_default=True,
              help="Series selector: only the metrics it selects.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Module to write [default: print it].")
@click.option("--name", default="own", show_default=True, help="The catalog's name.")
@click.option("--force", is_flag=True, help="Replace --out even if dashkit did not write it.")
@timeout_option(30.0)
@deadline_option
def catalog_command(prometheus_url: str, match: str, out_file: Path | None, name: str,
                    force: bool, timeout: float, deadline: float) -> None:
    """Write a catalog module of the metrics a live Prometheus holds."""
    from dashkit.clients.http import redact
    from dashkit.clients.prometheus import PrometheusClient
    from dashkit.query import discovery

    try:
        click.echo(f"Reading metadata and series from {redact(prometheus_url)}…", err=True)
        found = discovery.discover(PrometheusClient(prometheus_url, timeout, deadline=deadline),
                                   match)
        source = discovery.module_source(found, name=name,
                                         origin=f"{redact(prometheus_url)} {match}")
        if out_file is None:
            click.echo(source, nl=False)
        else:
            discovery.write_module(out_file, source, force=force)
    except DashkitError as error:
        fail(error)
    print_catalog_summary(found, out_file)


@main.command("import")
@click.argument("files", nargs=-1)
@click.option("--out", "out_dir", default="dashboards", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the modules.")
@click.option("--name", help="Module name (one dashboard only) [default: from the title].")
@click.option("--force", is_flag=True, help="Overwrite existing modules.")
@grafana_url_option
@click.option("--uid", "uids", multiple=True, help="Dashboard uid to fetch (repeatable).")
@click.option("--folder", "folder", default=None, help="Fetch every dashboard of this folder (title).")
@click.option("--all", "everything", is_flag=True, help="Fetch every dashboard of the Grafana.")
@token_file_option
def import_command(files: tuple[str, ...], out_dir: Path, name: str | None, force: bool,
                   grafana_url: str | None, uids: tuple[str, ...], folder: str | None,
                   everything: bool, token_file: Path | None) -> None:
    """Turn Grafana JSON (files, - for stdin, or --grafana-url with --uid, --folder or --all)
    into dashkit modules."""
    from dashkit.importer.carried_over import carry_over
    from dashkit.importer.files import collecting_less, import_files, require_module_name
    from dashkit.lint.config import EXCLUSIONS_FILE

    sources: list[tuple[str, str | bytes]] = []
    for file in files:
        if file == "-":
            sources.append(("<stdin>", sys.stdin.buffer.read()))
            continue
        try:
            sources.append((file, Path(file).read_bytes()))  # decoded (strictly) by the importer
        except OSError as error:
            click.echo(f"{tag('error:', True)} {file}: cannot read: {error.strerror}", err=True)
            sys.exit(1)
    if folder is not None and everything:
        raise click.UsageError("--folder or --all, not both")
    if grafana_url:
        if not (uids or folder is not None or everything):
            raise click.UsageError("--grafana-url needs --uid, --folder or --all")
        sources += _fetch(grafana_url, uids, folder, everything, token_file)
    elif uids or folder is not None or everything:
        raise click.UsageError("--uid, --folder and --all need --grafana-url")
    if not sources:
        raise click.UsageError("give JSON files, - for stdin, or --grafana-url with --uid, "
                               "--folder or --all")
    if name and len(sources) > 1:
        raise click.UsageError("--name names one module: give one dashboard with it")
    if name is not None:
        try:
            require_module_name(name)
        except DashkitError as error:
            usage(error)
    with collecting_less():
        written = import_files(sources, out_dir, name=name, force=force)
    imported = [(w.result, w.path) for w in written if w.result is not None and w.path]
    try:  # the modules are written; a broken exclusions file beside them is one line
        with collecting_less():
            accepted = carry_over(out_dir, imported) if imported else []
    except DashkitError as error:
        print_import_summary(written, [], out_dir / EXCLUSIONS_FILE)
        fail(error, after="the modules were written; the exclusions file was left as it was")
    print_import_summary(written, accepted, out_dir / EXCLUSIONS_FILE)
    sys.exit(1 if any(w.error for w in written) else 0)


#: How long reading dashboards out of Grafana may take: this, plus a few seconds a dashboard.
IMPORT_DEADLINE = 120
SECONDS_PER_DASHBOARD = 5


def _fetch(url: str, uids: tuple[str, ...], folder: str | None, everything: bool,
           token_file: Path | None) -> list[tuple[str, str]]:
    """Dashboards read from a live Grafana (named, a folder's, or all), with publish's
    credentials and client; progress on stderr."""
    from dashkit.clients.exports import dashboard_uids, export_dashboards
    from dashkit.clients.grafana import Credentials, GrafanaClient

    try:
        credentials = Credentials.from_environment(token_file)
    except DashkitError as error:
        raise click.UsageError(str(error)) from None

    def progress(done: int, total: int) -> None:
        show_progress(done, total, "dashboards read")

    try:
        client = GrafanaClient(url, credentials, deadline=IMPORT_DEADLINE)
        wanted = list(uids)
        if folder is not None or everything:
            wanted += [u for u in dashboard_uids(client, folder=folder) if u not in wanted]
            if not wanted:
                raise DashkitError(f"no dashboards in folder {folder!r}" if folder else
                                   "no dashboards in this Grafana")
        # the whole run is bounded: a fixed allowance, and a few seconds more a dashboard
        client.deadline = time.monotonic() + IMPORT_DEADLINE + SECONDS_PER_DASHBOARD * len(wanted)
        return export_dashboards(client, wanted, progress)
    except DashkitError as error:
        fail(error)


@main.command("publish")
@dashboards_option
@click.argument("only", nargs=-1, metavar="[DASHBOARD_UID]...", shell_complete=complete_uids)
@connection_options
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would change.")
@click.option("--prune", is_flag=True,
              help="Delete dashboards this project published in the folder that are no longer built.")
@click.option("--force", is_flag=True, help="Overwrite dashboards edited in Grafana since publish, "
              "and take over or move another project's.")
def publish_command(dashboards_dir: Path, only: tuple[str, ...], dry_run: bool, prune: bool,
                    force: bool, **options: Any) -> None:
    """Publish the dashboards through Grafana's HTTP API (to one Grafana, or to the targets of
    dashkit.toml)."""
    if only and prune:
        raise click.UsageError("--prune needs the whole build: do not name dashboards with it")
    connection = Connection(**options)
    reports = run_everywhere(dashboards_dir, only, connection, dry_run=dry_run, prune=prune,
                             force=force)
    if len(reports) == 1 and not (connection.targets or connection.all_targets):
        assert reports[0].report is not None  # one Grafana: its errors stopped the run
        print_publish_report(reports[0].report, dry_run)
    else:
        print_targets_report(reports, dry_run)
    sys.exit(0 if all(r.ok for r in reports) else 1)
