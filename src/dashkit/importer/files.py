"""Writing imported modules: names from titles, never a name Python has, never over a file
without --force or through a symlink, every file of a run or a clear error for it."""
from __future__ import annotations

import keyword
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from dashkit.errors import DashkitError
from dashkit.fileio import replace_file
from dashkit.grafana.facts import MAX_UID_LENGTH
from dashkit.grafana.normalise import Loaded, load_json
from dashkit.importer.generator import ImportResult, import_model
from dashkit.project.loading import shadows_python

#: The longest module name written: a long title must not make a file name the OS refuses.
MAX_MODULE_NAME = 60


def module_name(title: str) -> str:
    """A Python module name from a dashboard title: ASCII, never a keyword, never the name of
    a module Python already has (a dashboards folder on sys.path would shadow it)."""
    name = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:MAX_MODULE_NAME].strip("_")
    name = name or "dashboard"
    if name[0].isdigit():
        name = f"d_{name}"
    if not valid_module_name(name):
        name = f"{name}_dashboard"
    return name


def valid_module_name(name: str) -> bool:
    """A plain identifier that imports as itself: no dots or path separators, no keyword, no
    standard-library or installed module."""


    return (name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
            and not shadows_python(name))


def require_module_name(name: str) -> None:
    """``--name`` as a usable module name, or the one-line error that says what one is."""
    if not valid_module_name(name):
        raise DashkitError(f"--name {name!r} is not a usable module name: letters, digits and _, "
                           "not starting with a digit, not a keyword or a Python module")


@attrs.frozen
class Written:
    """What an import did with one dashboard: the module written, or the error."""
    file: str
    result: ImportResult | None
    path: str | None
    error: str | None = None
    #: The name the title gave, where another dashboard of the run had it first.
    renamed_from: str | None = None
    #: The dashboard's own uid and title where another dashboard of the run had them first
    #: (Grafana stops provisioning a folder with two of either: CONTRACT.md §3.2).
    retitled_from: tuple[str, str] | None = None


def _distinct(item: Loaded, result: ImportResult, uids: set[str], titles: set[str]) -> Loaded:
    """The dashboard with ``-2``/`` (2)`` added to whichever of its uid and title the run has
    already given to another dashboard."""
    model = dict(item.model)
    uid, title, n = result.uid, result.title, 2
    while result.uid in uids and uid in uids:
        uid = f"{result.uid[:MAX_UID_LENGTH - 1 - len(str(n))]}-{n}"
        n += 1
    n = 2
    while result.title in titles and title in titles:
        title, n = f"{result.title} ({n})", n + 1
    model["uid"], model["title"] = uid, title
    return attrs.evolve(item, model=model)


def import_files(sources: Iterable[tuple[str, str | bytes]], out_dir: Any, *, name: str | None = None,
                 force: bool = False) -> list[Written]:
    """Import every dashboard of every (label, JSON text) pair into ``out_dir``; a file that
    fails writes nothing and the others go on. Two dashboards of one run never share a module:
    the later one gets ``_2`` (said in ``renamed_from``)."""

    if name is not None:
        require_module_name(name)
    out = Path(out_dir)
    written: list[Written] = []
    taken: set[str] = set()
    titles: set[str] = set()
    uids: set[str] = set()
    for label, text in sources:
        try:
            found = load_json(label, text)
            if name and len(found) > 1:
                raise DashkitError(f"--name given, but the file holds {len(found)} dashboards",
                                   file=label)
            planned = []
            for item in found:
                wanted = name or module_name(str(item.model.get("title") or ""))
                chosen, n = wanted, 2
                while chosen in taken:
                    chosen, n = f"{wanted}_{n}", n + 1
                taken.add(chosen)
                planned.append((item, chosen, wanted if chosen != wanted else None))
            results = []
            for item, chosen, renamed in planned:
                target = out / f"{chosen}.py"
                if target.is_symlink():
                    raise DashkitError(f"{target} is a symbolic link: not followed, not replaced",
                                       file=label)
                if os.path.lexists(target) and not force:
                    raise DashkitError(f"{target} exists (use --force to overwrite)", file=label)
                result = import_model(item, chosen)
                retitled = None
                if result.uid in uids or result.title in titles:
                    retitled = (result.uid, result.title)
                    result = import_model(_distinct(item, result, uids, titles), chosen)
                uids.add(result.uid)
                titles.add(result.title)
                results.append((result, target, renamed, retitled))
        except DashkitError as error:  # load_json refuses what is too deep or not JSON
            written.append(Written(label, None, None, str(error)))
            continue
        try:
            out.mkdir(parents=True, exist_ok=True)
            for result, target, renamed, retitled in results:
                replace_file(target, result.source)
                written.append(Written(label, result, str(target), renamed_from=renamed,
                                       retitled_from=retitled))
        except OSError as error:
            written.append(Written(label, None, None, f"{label}: cannot write to {out}: "
                                                      f"{error.strerror or error}"))
    return written
