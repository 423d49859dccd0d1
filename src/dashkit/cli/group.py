"""The ``dashkit`` command group and the options its commands share."""
from __future__ import annotations

from pathlib import Path

import click

from dashkit.cli.output import usage
from dashkit.errors import DISTRIBUTION, DashkitError
from dashkit.project.compiled import Compiled

dashboards_option = click.option(
    "--dashboards", "dashboards_dir", default="dashboards", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="Folder of dashboard modules.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=DISTRIBUTION)
def main() -> None:
    """Grafana dashboards as reviewed, tested Python code."""


def checked_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A URL option checked before anything runs."""
    from dashkit.clients.http import validate_url

    if value is None:
        return None
    try:
        return validate_url(value, f"--{param.name.replace('_', '-')}" if param.name else "URL")
    except DashkitError as error:
        usage(error)


deadline_option = click.option(
    "--deadline", default=300.0, show_default=True, type=click.FloatRange(min=1),
    help="Seconds the whole run may take talking to servers; then it stops.")


def select_dashboards(compiled: list[Compiled], only: tuple[str, ...]) -> list[Compiled]:
    """The dashboards named on the command line (all without names); a wrong uid is a usage
    error that lists the known ones."""
    if not only:
        return compiled
    known = {c.uid for c in compiled}
    unknown = sorted(set(only) - known)
    if unknown:
        raise click.UsageError(f"no dashboard with uid {', '.join(unknown)} "
                               f"(known: {', '.join(sorted(known))})")
    return [c for c in compiled if c.uid in only]
