"""The ``dashkit`` command: parses arguments, calls the library, prints a table."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from dashkit.build import build, compile_project
from dashkit.errors import DashkitError
from dashkit.project import load_project
from dashkit.provisioning import DEFAULT_GRAFANA_PATH, ProviderOptions
from dashkit.tables import format_table

dashboards_option = click.option(
    "--dashboards", "dashboards_dir", default="dashboards", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="Folder of dashboard modules.")


@click.group()
@click.version_option(package_name="dashkit")
def main() -> None:
    """Grafana dashboards as reviewed, tested Python code."""


def _fail(error: DashkitError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(1)


@main.command("build")
@dashboards_option
@click.option("--out", "out_dir", default="build/grafana", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output folder (replaced whole).")
@click.option("--grafana-path", default=DEFAULT_GRAFANA_PATH, show_default=True,
              help="Where Grafana sees the dashboards/ folder (the provider's options.path).")
@click.option("--folder", default="Dashkit", show_default=True, help="Grafana folder title.")
@click.option("--folder-uid", default=None, help="Grafana folder uid [default: from the title].")
def build_command(dashboards_dir: Path, out_dir: Path, grafana_path: str, folder: str,
                  folder_uid: str | None) -> None:
    """Compile the dashboards into a Grafana provisioning tree."""
    options = ProviderOptions(grafana_path=grafana_path, folder=folder, folder_uid=folder_uid)
    try:
        result = build(dashboards_dir, out_dir, options)
    except DashkitError as error:
        _fail(error)
        return
    rows = [(c.uid, c.title, c.panel_count, out_dir / "dashboards" / c.filename)
            for c in result.dashboards]
    click.echo(format_table(("uid", "title", "panels", "file"), rows))
    click.echo(f"\n{len(rows)} dashboards and provisioning files written to {out_dir}/")


@main.command("list")
@dashboards_option
def list_command(dashboards_dir: Path) -> None:
    """List the dashboards the project defines, without writing anything."""
    try:
        compiled = compile_project(load_project(dashboards_dir))
    except DashkitError as error:
        _fail(error)
        return
    rows = [(c.uid, c.title, c.panel_count, c.source.file) for c in compiled]
    click.echo(format_table(("uid", "title", "panels", "source"), rows))


if __name__ == "__main__":
    main()
