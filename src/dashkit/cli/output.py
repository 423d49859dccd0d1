"""What the commands print: errors as single lines, summaries as tables a person reads."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from dashkit.errors import DashkitError, DashkitErrors
from dashkit.sanitise import printable, scrub
from dashkit.text import counted, format_table

if TYPE_CHECKING:
    from dashkit.importer.files import Written
    from dashkit.lint.config import Exclusion
    from dashkit.publishing.results import PublishReport
    from dashkit.query.discovery import Discovery


#: Colours of the line prefixes a person scans for.
_COLOURS = {"error:": "red", "note:": "yellow"}


def tag(word: str, err: bool = False) -> str:
    """``error:``/``note:`` in colour on a terminal; plain in a pipe, a file, a CI log, or
    wherever NO_COLOR is set (no-color.org)."""
    stream = sys.stderr if err else sys.stdout
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return word
    return click.style(word, fg=_COLOURS.get(word), bold=word == "error:")


def show_progress(done: int, total: int, what: str) -> None:
    """``3/18 dashboards read`` on stderr: redrawn in place on a terminal; in a pipe or a file,
    where ``\r`` would glue the counts into one line, only the last count, on its own line."""
    if total <= 1:
        return
    if sys.stderr.isatty():
        click.echo(f"\r{done}/{total} {what}", err=True, nl=done == total)
    elif done == total:
        click.echo(f"{done}/{total} {what}", err=True)


def fail(error: DashkitError, after: str = "") -> NoReturn:
    """Every error on its own line, then (for several) how many, and what that means."""
    errors = error.errors if isinstance(error, DashkitErrors) else (error,)
    for each in errors:
        click.echo(f"{tag('error:', True)} {scrub(str(each))}", err=True)
    if len(errors) > 1:
        click.echo(f"{counted(len(errors), 'error')}{': ' + after if after else ''}", err=True)
    sys.exit(1)


def usage(error: DashkitError) -> NoReturn:
    """A bad option value: one line, exit 2 (click's usage block is three)."""
    click.echo(f"{tag('error:', True)} {scrub(str(error))}", err=True)
    sys.exit(2)


def print_import_summary(written: Sequence[Written], accepted: Sequence[Exclusion],
                         exclusions_file: Path) -> None:
    """The modules written (a table), every note and error of the run, and the defects of the
    sources now accepted in the exclusions file."""
    from dashkit.importer.carried_over import REASON

    rows = [(w.file, w.result.uid, w.path, w.result.source.count("panels.raw("), len(w.result.notes))
            for w in written if w.result is not None]
    if rows:
        click.echo(format_table(("source", "dashboard", "module", "passthrough panels", "notes"),
                                rows))
    for w in written:
        for note in w.result.notes if w.result is not None else ():
            click.echo(f"{tag('note:')} {w.result.uid if w.result is not None else w.file}: {note}")
        if w.result is not None and w.renamed_from:
            click.echo(f"{tag('note:')} {w.result.uid}: module {w.renamed_from!r} was taken by another "
                       f"dashboard of this import: written as {w.result.module!r}")
        if w.result is not None and w.retitled_from:
            changed = [f"{what} {before!r} is now {after!r}" for what, before, after in (
                ("uid", w.retitled_from[0], w.result.uid), ("title", w.retitled_from[1], w.result.title))
                if before != after]
            click.echo(f"{tag('note:')} {w.result.uid}: {' and '.join(changed)}: another dashboard of this "
                       "import had it, and Grafana refuses two in one folder")
        if w.error:
            click.echo(f"{tag('error:', True)} {w.error}", err=True)
    if accepted:
        click.echo(f"{counted(len(accepted), 'defect')} of the imported dashboards added to "
                   f"{exclusions_file} ({REASON}): build and lint pass; fix them there when you can:")
        click.echo(format_table(("rule", "dashboard", "panel"),
                                [(e.rule, e.dashboard, e.panel) for e in accepted]))


def print_publish_report(report: PublishReport, dry_run: bool) -> None:
    """The table of what publish did (or would do), the changes, and a one-line summary."""
    verb = "would " if dry_run else ""
    rows = [(r.uid, verb + r.action.value if r.ok and r.action.value != "unchanged" else r.action.value,
             r.version if r.version is not None else "", r.url or "", r.detail)
            for r in report.results]
    click.echo(format_table(("dashboard", "action", "version", "url", "detail"), rows))
    for result in report.results:
        if result.changes and (result.changes_heading or dry_run or result.action.value == "update"):
            heading = f" {result.changes_heading}" if result.changes_heading else ""
            click.echo(f"\n{result.uid}:{heading}")
            for line in result.changes:
                click.echo(f"  {printable(line)}")  # titles from Grafana: printable only
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.action.value] = counts.get(result.action.value, 0) + 1
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    failed = [printable(f"{r.uid} ({r.action.value}: {r.detail})") for r in report.results
              if not r.ok]
    click.echo(f"\n{'Dry run: ' if dry_run else ''}{counted(len(report.results), 'dashboard')}: "
               f"{summary}; {counted(report.requests, 'request')}, {counted(report.writes, 'write')}"
               + (f". Not published: {'; '.join(failed)}" if failed else ""))


def print_catalog_summary(found: Discovery, out_file: Path | None) -> None:
    """What ``dashkit catalog`` found, on stderr (stdout may be the module itself)."""
    rows: list[tuple[str, object]] = [
        (kind, sum(m.type.value == kind for m in found.metrics))
        for kind in sorted({m.type.value for m in found.metrics})]
    rows += [(f"built-in: {expression}", "") for expression in found.builtins]
    rows += [(f"left to the built-ins: job {job!r}", count)
             for job, count in found.left_to_builtins.items()]
    rows += [(f"{tag('note:', True)} invalid name left out", name) for name in found.skipped]
    click.echo(format_table(["metrics", "count"], rows), err=True)
    if out_file is not None:
        click.echo(f"Wrote {out_file} ({counted(len(found.metrics), 'metric')})", err=True)
