"""What the commands share beyond their options: ``--watch`` (run again whenever a file of the
dashboards folder changes, until Ctrl-C) and shell completion of the project's dashboard uids."""
from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click
from click.shell_completion import CompletionItem

from dashkit.cli.output import fail
from dashkit.errors import DashkitError, install_hint

watch_option = click.option(
    "--watch", is_flag=True,
    help="Run again whenever a file of the dashboards folder changes (Ctrl-C stops).")
#: The files a change of which is worth a new run (modules, JSON, the lint exclusions).
WATCHED_SUFFIXES = (".py", ".json", ".yaml", ".yml")


def run_watching(dashboards_dir: Path, once: Callable[[], None]) -> NoReturn:
    """``once()`` now and after every change; a failed run is reported (its one-line errors,
    as without ``--watch``) and the watch goes on."""
    try:
        import watchfiles
    except ImportError:
        fail(DashkitError(f"--watch needs watchfiles: {install_hint('preview')}"))

    def attempt() -> None:
        with contextlib.suppress(SystemExit):  # the command's own exit status: the watch goes on
            once()

    attempt()
    click.echo(f"watching {dashboards_dir}/ for changes (Ctrl-C stops)", err=True)
    try:
        for changes in watchfiles.watch(dashboards_dir, debounce=300, watch_filter=lambda _, p:
                                        p.endswith(WATCHED_SUFFIXES)):
            names = ", ".join(sorted({Path(path).name for _, path in changes}))
            click.echo(f"changed: {names}", err=True)
            attempt()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


def complete_uids(ctx: click.Context, param: click.Parameter, incomplete: str
                  ) -> list[CompletionItem]:
    """The uids of the project's dashboards that start with what was typed (none where the
    project does not load: completion never prints an error into the user's prompt)."""
    from dashkit.project.loading import load_project

    folder = ctx.params.get("dashboards_dir") or Path("dashboards")
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            project = load_project(folder, partial=True)
    except (DashkitError, OSError):
        return []
    uids = sorted({s.dashboard.uid for s in project.sources})
    return [CompletionItem(uid) for uid in uids if uid.startswith(incomplete)]
