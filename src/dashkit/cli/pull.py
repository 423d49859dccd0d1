"""``dashkit pull``: edits made in Grafana written back into the Python that built them."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dashkit.cli.fleet import Connection, connection_options
from dashkit.cli.group import dashboards_option, main, select_dashboards
from dashkit.cli.output import fail
from dashkit.cli.watching import complete_uids
from dashkit.errors import DashkitError, install_hint
from dashkit.project.loading import load_project
from dashkit.project.pipeline import compile_project
from dashkit.sanitise import printable
from dashkit.text import counted


@main.command("pull")
@dashboards_option
@click.argument("only", nargs=-1, metavar="[DASHBOARD_UID]...", shell_complete=complete_uids)
@connection_options
@click.option("--dry-run", is_flag=True, help="Print the change to the sources as a diff; write nothing.")
@click.option("--shared", is_flag=True,
              help="Also rewrite a shared constant a changed field came from (all its users change).")
def pull_command(dashboards_dir: Path, only: tuple[str, ...], dry_run: bool, shared: bool,
                 **options: Any) -> None:
    """Rewrite the dashboards' Python so the build reproduces what is live in Grafana."""
    from dashkit.publishing.identity import project_name
    try:
        from dashkit.pull.live import NOT_IN_GRAFANA, read_live
        from dashkit.pull.puller import pull
    except ModuleNotFoundError as error:  # libcst: the pull extra
        raise click.UsageError(f"dashkit pull needs {error.name}: {install_hint('pull')}") from None

    connection = Connection(**options)
    try:
        targets = connection.destinations(dashboards_dir)
        if len(targets) != 1:
            raise click.UsageError("pull reads one Grafana: give one --target")
        client, folder = connection.client(targets[0])
    except DashkitError as error:
        raise click.UsageError(str(error)) from None
    try:
        compiled = select_dashboards(compile_project(load_project(dashboards_dir)), only)
        live = read_live(compiled, client, folder, api=targets[0].api, schema=targets[0].schema,
                         org=targets[0].org, project=project_name(dashboards_dir))
        result = pull(dashboards_dir, compiled, live, shared=shared)
    except DashkitError as error:
        fail(error)
    incomplete = 0
    for each in result.dashboards:
        incomplete += bool(each.refused not in ("", NOT_IN_GRAFANA) or each.notes or each.remaining)
        if each.refused:
            click.echo(f"{each.uid}: not pulled: {printable(each.refused)}")
        elif each.pulled or each.notes or each.remaining:
            click.echo(f"{each.uid}:")
        for line in each.pulled:
            click.echo(f"  {printable(line)}")
        for note in each.notes:
            click.echo(f"  not pulled: {printable(str(note))}")
        for line in each.remaining:
            click.echo(f"  still differs after the pull: {printable(line)}")
    if dry_run:
        click.echo(result.diff(), nl=False)
    else:
        try:
            for path in result.write(dashboards_dir):
                click.echo(f"rewrote {path}")
        except DashkitError as error:
            fail(error)
    click.echo(f"{counted(len(result.texts), 'file')} {'would change' if dry_run else 'rewritten'}")
    sys.exit(1 if incomplete else 0)  # 1: the build does not reproduce everything live
