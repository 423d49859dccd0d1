"""Where publish and diff go: one Grafana (``--grafana-url``) or the targets of the project's
``dashkit.toml`` (``--target NAME``, ``--all-targets``), with the connection options both
share; and ``dashkit diff``, the dry run's report as a command of its own."""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from dashkit.cli.group import (
    Command,
    dashboards_option,
    deadline_option,
    folder_option,
    folder_uid_option,
    grafana_url_option,
    main,
    schema_option,
    select_dashboards,
    timeout_option,
    token_file_option,
)
from dashkit.cli.output import fail
from dashkit.cli.watching import complete_uids
from dashkit.errors import DashkitError
from dashkit.project.compiled import Compiled
from dashkit.project.loading import load_project
from dashkit.project.pipeline import compile_project
from dashkit.publishing.choices import APIS
from dashkit.sanitise import printable
from dashkit.text import format_table

if TYPE_CHECKING:  # the library is imported when a command runs
    from dashkit.clients.grafana import GrafanaClient
    from dashkit.publishing.publisher import FolderTarget
    from dashkit.publishing.results import PublishReport, PublishResult
    from dashkit.publishing.targets import GrafanaTarget, TargetReport

CONNECTION_OPTIONS = (
    grafana_url_option,
    click.option("--target", "targets", multiple=True, metavar="NAME",
                 help="A Grafana of dashkit.toml's [[targets]] instead (repeatable)."),
    click.option("--all-targets", is_flag=True, help="Every Grafana of dashkit.toml's [[targets]]."),
    folder_option,
    folder_uid_option,
    token_file_option,
    click.option("--ca-cert", type=click.Path(dir_okay=False, exists=True),
                 help="CA bundle to verify Grafana's TLS certificate."),
    click.option("--insecure", is_flag=True, help="Do not verify TLS certificates."),
    timeout_option(),
    deadline_option,
    click.option("--api", type=click.Choice(APIS), default="auto",
                 show_default=True, help="Grafana's dashboard API (/apis/dashboard.grafana.app, "
                 "12+), the classic /api/dashboards (legacy), or the first where Grafana serves it."),
    schema_option,
    click.option("--org", default=1, show_default=True, type=click.IntRange(min=1),
                 help="Grafana org id (the dashboard API's namespace: default, or org-<id>)."),
    click.option("-v", "--verbose", is_flag=True, help="Trace every request (never credentials)."),
)


def connection_options(command: Command) -> Command:
    """The options that say which Grafanas, and how to reach them."""
    for option in reversed(CONNECTION_OPTIONS):
        command = option(command)
    return command


@attrs.frozen
class Connection:
    """The connection options as given; each target's own settings win over them."""
    grafana_url: str | None
    targets: tuple[str, ...]
    all_targets: bool
    folder: str
    folder_uid: str | None
    token_file: Path | None
    ca_cert: str | None
    insecure: bool
    timeout: float
    deadline: float
    api: str
    schema: str
    org: int
    verbose: bool

    def destinations(self, dashboards_dir: Path) -> list[GrafanaTarget]:
        """The targets named, or the one ``--grafana-url`` gives; a usage error otherwise."""
        from dashkit.publishing.resources import check_org
        from dashkit.publishing.targets import GrafanaTarget, choose, load_targets

        if self.ca_cert and self.insecure:
            raise click.UsageError("--ca-cert and --insecure contradict each other")
        if self.targets or self.all_targets:
            if self.grafana_url or (self.targets and self.all_targets):
                raise click.UsageError("--grafana-url, --target or --all-targets: one of them")
            return choose(load_targets(dashboards_dir), self.targets)
        if not self.grafana_url:
            raise click.UsageError("give --grafana-url, or --target NAME / --all-targets "
                                   "(the [[targets]] of dashkit.toml)")
        try:
            check_org(self.org, self.api)
        except DashkitError as error:
            raise click.UsageError(f"--org {self.org} --api {self.api}: {error}") from None
        return [GrafanaTarget("grafana", self.grafana_url, None, self.org, self.api, self.schema)]

    def client(self, target: GrafanaTarget) -> tuple[GrafanaClient, FolderTarget]:
        """One target's own client (its credentials, connection and deadline) and folder."""
        from dashkit.clients.grafana import Credentials, GrafanaClient
        from dashkit.publishing.publisher import FolderTarget

        credentials = target.credentials(lambda: Credentials.from_environment(self.token_file))
        client = GrafanaClient(target.url, credentials, org=target.org, timeout=self.timeout,
                               deadline=self.deadline,
                               verify=False if self.insecure else (self.ca_cert or True),
                               warn=lambda line: click.echo(f"warning: {line}", err=True),
                               trace=(lambda line: click.echo(f"  {line}", err=True))
                               if self.verbose else None)
        return client, FolderTarget(target.folder or self.folder,
                                    None if target.folder else self.folder_uid)

    def publish_to(self, target: GrafanaTarget, compiled: Sequence[Compiled], project: str | None, *,
                   dry_run: bool, prune: bool, force: bool,
                   progress: Callable[[PublishResult], None] | None = None) -> PublishReport:
        """Publish to one target through its own client: its own credentials and deadline."""
        from dashkit.publishing.publisher import publish

        client, folder = self.client(target)
        return publish(compiled, client, folder, dry_run=dry_run, prune_missing=prune,
                       force=force, progress=progress, api=target.api, schema=target.schema,
                       org=target.org, project=project)


def run_everywhere(dashboards_dir: Path, only: tuple[str, ...], connection: Connection, *,
                   dry_run: bool, prune: bool = False, force: bool = False
                   ) -> list[TargetReport]:
    """Publish (or dry-run) the build to every destination; one destination is reported as
    before (its errors stop the run), several each on their own rows."""
    from dashkit.clients.grafana import Credentials
    from dashkit.publishing.identity import project_name
    from dashkit.publishing.targets import TargetReport, publish_everywhere

    try:
        targets = connection.destinations(dashboards_dir)
        if not connection.targets and not connection.all_targets:
            Credentials.from_environment(connection.token_file)  # none: a usage error, first
    except DashkitError as error:
        raise click.UsageError(str(error)) from None
    try:
        project = project_name(dashboards_dir)
        compiled = select_dashboards(compile_project(load_project(dashboards_dir)), only)
        if len(targets) > 1 or connection.targets or connection.all_targets:
            return publish_everywhere(targets, lambda target: connection.publish_to(
                target, compiled, project, dry_run=dry_run, prune=prune, force=force))
        with click.progressbar(length=len(compiled), label="Publishing", file=sys.stderr,
                               show_pos=True) as bar:
            report = connection.publish_to(targets[0], compiled, project, dry_run=dry_run,
                                           prune=prune, force=force,
                                           progress=lambda _result: bar.update(1))
        return [TargetReport(targets[0].name, report)]
    except DashkitError as error:
        fail(error)


def print_targets_report(reports: Sequence[TargetReport], dry_run: bool) -> None:
    """One table, a row per target and dashboard (a target that stopped: one row), the changes,
    and a line per target."""
    verb = "would " if dry_run else ""
    rows: list[tuple[object, ...]] = []
    for each in reports:
        if each.report is None:
            rows.append((each.target, "", "failed", "", each.error))
            continue
        rows += [(each.target, r.uid, verb + r.action.value if r.ok and r.action.value !=
                  "unchanged" else r.action.value, r.version if r.version is not None else "",
                  r.detail) for r in each.report.results]
    click.echo(format_table(("target", "dashboard", "action", "version", "detail"), rows))
    for each in reports:
        for result in each.report.results if each.report is not None else ():
            if result.changes and (dry_run or result.action.value in ("update", "conflict")):
                heading = f" {result.changes_heading}" if result.changes_heading else ""
                click.echo(f"\n{each.target} {result.uid}:{heading}")
                for line in result.changes:
                    click.echo(f"  {printable(line)}")
    click.echo("")
    for each in reports:
        outcome = ("failed: " + each.error if each.report is None else
                   f"{len(each.report.results)} dashboards, {each.report.writes} writes"
                   + ("" if each.report.ok else ", not all published"))
        click.echo(f"{each.target}: {outcome}")


@main.command("diff")
@dashboards_option
@click.argument("only", nargs=-1, metavar="[DASHBOARD_UID]...", shell_complete=complete_uids)
@connection_options
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when anything differs, 0 when nothing does (as git diff --exit-code).")
def diff_command(dashboards_dir: Path, only: tuple[str, ...], exit_code: bool,
                 **options: Any) -> None:
    """What differs between the build and each live dashboard, field by field; writes nothing."""
    reports = run_everywhere(dashboards_dir, only, Connection(**options), dry_run=True, force=True)
    differs = failed = 0
    for each in reports:
        if each.report is None:
            failed += 1
            click.echo(f"{each.target}: failed: {each.error}")
            continue
        for result in each.report.results:
            where = f"{each.target} {result.uid}" if len(reports) > 1 else result.uid
            if result.action.value == "unchanged":
                continue
            failed += not result.ok
            differs += result.ok
            said = {"create": "only in the build", "update": "differs"}.get(
                result.action.value, f"{result.action.value}: {result.detail}")
            click.echo(f"{where}: {printable(said)}")
            for line in result.changes:
                click.echo(f"  {printable(line)}")
    total = sum(len(r.report.results) for r in reports if r.report is not None)
    click.echo(f"{total} dashboards compared: {differs} differ" + (f"; {failed} failed" if failed
                                                                   else ""))
    sys.exit(1 if failed or (exit_code and differs) else 0)
