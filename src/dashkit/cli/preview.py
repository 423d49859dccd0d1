"""The commands that show dashboards as pictures: ``preview`` writes them, ``serve`` shows them
live. Both need the ``preview`` extra."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dashkit.cli.group import dashboards_option, loki_url_option, main, prometheus_url_option
from dashkit.cli.output import fail, usage
from dashkit.cli.watching import complete_uids
from dashkit.errors import DashkitError, install_hint
from dashkit.text import counted, format_table

if TYPE_CHECKING:
    from dashkit.preview.data import DataSource
    from dashkit.query.catalog import Catalog


def _time_range(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = value.split(",")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        usage(DashkitError(f"--time {value!r}: give FROM,TO, e.g. now-6h,now"))
    return parts[0].strip(), parts[1].strip()


def picture_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options preview and serve share: where the pictures go and where the data comes from."""
    for option in reversed(
        [
            click.option(
                "--out",
                "out_dir",
                default="build/preview",
                show_default=True,
                type=click.Path(file_okay=False, path_type=Path),
                help="Output folder (replaced whole).",
            ),
            prometheus_url_option(required=False, absent="synthetic data"),
            loki_url_option,
            click.option(
                "--time",
                "time_range",
                metavar="FROM,TO",
                help="Time range [default: the dashboard's].",
            ),
            click.option(
                "--seed", default=0, show_default=True, help="Seed of the synthetic data."
            ),
            click.option(
                "--crossing",
                is_flag=True,
                help="Synthetic data crosses the limit of the alert a panel names "
                "[default: every value healthy].",
            ),
        ]
    ):
        command = option(command)
    return command


def _needs_extra(*modules: str) -> None:
    """The preview extra's libraries, or one line saying how to install them."""
    import importlib.util

    missing = [m for m in ("matplotlib", *modules) if importlib.util.find_spec(m) is None]
    if missing:
        fail(DashkitError(f"{' and '.join(missing)} missing: {install_hint('preview')}"))


@main.command("preview")
@dashboards_option
@click.argument("names", nargs=-1, metavar="[UID|FILE.json|FOLDER]...", shell_complete=complete_uids)
@picture_options
@click.option("--force", is_flag=True, help="Replace --out even if dashkit did not write it.")
def preview_command(
    dashboards_dir: Path,
    names: tuple[str, ...],
    out_dir: Path,
    prometheus_url: str | None,
    loki_url: str | None,
    time_range: str | None,
    seed: int,
    crossing: bool,
    force: bool,
) -> None:
    """Draw each dashboard as a PNG, with index.html, offline: real data with --prometheus-url
    (and --loki-url for log panels), synthetic data without."""
    _needs_extra()
    from dashkit.preview.collect import select
    from dashkit.preview.render import render_all, write_previews
    from dashkit.project.output import check_output_location

    span = _time_range(time_range)
    try:
        check_output_location(out_dir, dashboards_dir, force=force)
        selection = select(names, dashboards_dir)
        source = data_source(selection.catalogs, prometheus_url, loki_url, span, seed, crossing)
        with click.progressbar(
            length=len(selection.models), label="Drawing", file=sys.stderr
        ) as bar:
            pictures = render_all(selection.models, source, lambda _: bar.update(1))
        write_previews(pictures, out_dir)
    except DashkitError as error:
        fail(error, after="nothing was written")
    rows = [
        (
            p.uid,
            p.title,
            len(p.panels),
            sum(x.status == "No data" for x in p.panels),
            out_dir / p.file_name,
        )
        for p in pictures
    ]
    click.echo(format_table(("uid", "title", "panels", "no data", "picture"), rows))
    click.echo(
        f"\n{counted(len(rows), 'dashboard')} drawn from {source.label}: {out_dir / 'index.html'}"
    )


def data_source(
    catalogs: dict[str, Catalog],
    prometheus_url: str | None,
    loki_url: str | None,
    span: tuple[str, str] | None,
    seed: int,
    crossing: bool = False,
) -> DataSource:
    """Live data where a Prometheus is given, else synthetic data."""
    import time

    from dashkit.clients.http import redact
    from dashkit.preview.data import LiveData, SyntheticData

    if prometheus_url is None:
        shown = f"seed {seed}, alerts crossing" if crossing else f"seed {seed}"
        return SyntheticData(catalogs, seed, span, f"synthetic data ({shown})", crossing=crossing)
    from dashkit.clients.loki import LokiClient
    from dashkit.clients.prometheus import PrometheusClient

    now = time.time()
    label = f"{redact(prometheus_url)} at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(now))}"
    return LiveData(
        PrometheusClient(prometheus_url, deadline=120),
        LokiClient(loki_url, deadline=120) if loki_url else None,
        span,
        end=now,
        label=label,
    )


@main.command("serve")
@dashboards_option
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
@picture_options
def serve_command(
    dashboards_dir: Path,
    port: int,
    out_dir: Path,
    prometheus_url: str | None,
    loki_url: str | None,
    time_range: str | None,
    seed: int,
    crossing: bool,
) -> None:
    """Show every dashboard's picture on a local page that redraws when a file changes: real data
    with --prometheus-url (and --loki-url for log panels), synthetic data without."""
    _needs_extra("watchfiles")
    from dashkit.preview.serve import serve
    from dashkit.project.output import check_output_location

    _time_range(time_range)
    options = [f"--seed={seed}"] + (["--crossing"] if crossing else [])
    options += [f"--prometheus-url={prometheus_url}"] if prometheus_url else []
    options += [f"--loki-url={loki_url}"] if loki_url else []
    options += [f"--time={time_range}"] if time_range else []
    try:
        check_output_location(out_dir, dashboards_dir)
        serve(dashboards_dir, out_dir, options, port, lambda line: click.echo(line, err=True))
    except DashkitError as error:
        fail(error)
    except OSError as error:
        fail(DashkitError(f"cannot serve on 127.0.0.1:{port}: {error.strerror or error}"))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
