"""The ``dashkit`` command group and the options its commands share, each defined once here so
that it reads the same in every command that takes it (tests/test_cli_options.py)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dashkit.cli.output import usage
from dashkit.errors import DISTRIBUTION, DashkitError
from dashkit.project.compiled import Compiled
from dashkit.project.pipeline import SCHEMAS
from dashkit.project.provisioning import DEFAULT_FOLDER

Command = TypeVar("Command", bound=Callable[..., Any])
dashboards_option = click.option(
    "--dashboards", "dashboards_dir", default="dashboards", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="Folder of dashboard modules.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=DISTRIBUTION)
def main() -> None:
    """Grafana dashboards as reviewed, tested Python code."""


def checked_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A URL option checked before anything runs."""
    if value is None:
        return None  # without importing the HTTP client (requests): 70 ms of a run without it
    from dashkit.clients.http import validate_url

    try:
        return validate_url(value, f"--{param.name.replace('_', '-')}" if param.name else "URL")
    except DashkitError as error:
        usage(error)


deadline_option = click.option(
    "--deadline", default=300.0, show_default=True, type=click.FloatRange(min=1),
    help="Seconds the whole run may take talking to servers; then it stops.")
folder_option = click.option(
    "--folder", default=DEFAULT_FOLDER, show_default=True,
    help="Grafana folder title; publish, diff and pull also take a path of them "
         "(Platform/Payments: nested).")
folder_uid_option = click.option(
    "--folder-uid", default=None, help="Grafana folder uid [default: from the title].")
token_file_option = click.option(
    "--token-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="File holding a service-account token [default: $GRAFANA_TOKEN, or "
         "$GRAFANA_USER/$GRAFANA_PASSWORD].")
grafana_url_option = click.option(
    "--grafana-url", callback=checked_url, help="Grafana's base URL, e.g. https://grafana.example.com")
schema_option = click.option(
    "--schema", type=click.Choice(SCHEMAS), default="v1", show_default=True,
    help="Classic dashboards (v1) or Grafana 13's v2 dashboards: build writes v2 resources (with a "
         "git-sync/ tree for a Git Sync repository beside them), publish sends them through the "
         "dashboard API.")
loki_url_option = click.option(
    "--loki-url", callback=checked_url, help="Loki base URL; without it, log panels are not queried.")


def timeout_option(default: float = 10.0) -> Callable[[Command], Command]:
    """``--timeout``: catalog reads every series of a Prometheus, so it waits longer."""
    return click.option("--timeout", default=default, show_default=True,
                        type=click.FloatRange(min=0.1), help="Seconds one HTTP request may take, whole.")


def prometheus_url_option(*, required: bool = True, absent: str | None = None
                          ) -> Callable[[Command], Command]:
    """``--prometheus-url``: required where the command queries it, else ``absent`` says what
    stands in for it."""
    return click.option("--prometheus-url", required=required, callback=checked_url,
                        show_default=absent or False, help="Prometheus base URL.")


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
