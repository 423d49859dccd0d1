"""Writing imported modules: names from titles, never a name Python has, never over a file
without --force or through a symlink, every file of a run or a clear error for it."""
from __future__ import annotations

import contextlib
import gc
import keyword
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from dashkit.errors import DashkitError
from dashkit.fileio import replace_file
from dashkit.grafana.facts import MAX_UID_LENGTH
from dashkit.grafana.normalise import Loaded, load_json
from dashkit.importer.formatting import format_modules
from dashkit.importer.generator import ImportResult
from dashkit.importer.pipeline import finish_model, generate_model
from dashkit.project.loading import shadows_python

#: The longest module name written: a long title must not make a file name the OS refuses.
MAX_MODULE_NAME = 60
#: New container objects between two runs of the cyclic garbage collector while an import runs
#: (CPython's default is 700). An import makes millions of short-lived dicts, lists and syntax
#: tree nodes and few cycles: at the default, collecting was a tenth of the corpus's CPU time.
COLLECT_EVERY = 10_000


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """The cyclic garbage collector run every COLLECT_EVERY new objects (never more often than
    it was; not at all if it was off), and as it was after."""
    before = gc.get_threshold()
    if 0 < before[0] < COLLECT_EVERY:
        gc.set_threshold(COLLECT_EVERY, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


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
    the later one gets ``_2`` (said in ``renamed_from``). The run's modules are generated, then
    formatted together (one ruff run), then each is checked by running it and written."""

    if name is not None:
        require_module_name(name)
    out = Path(out_dir)
    taken: set[str] = set()
    titles: set[str] = set()
    uids: set[str] = set()
    planned: list[tuple[str, list[_Planned] | str]] = []  # per file: its modules, or its error
    for label, text in sources:
        try:
            planned.append((label, _generated(label, text, out, name, force, taken, uids, titles)))
        except DashkitError as error:  # load_json refuses what is too deep or not JSON
            planned.append((label, str(error)))
    everything = [p for _, file in planned if not isinstance(file, str) for p in file]
    try:
        formatted = iter(format_modules([p.result.source for p in everything]))
    except DashkitError as error:  # no module of the run could be formatted
        return [Written(label, None, None, str(error)) for label, _ in planned]
    written: list[Written] = []
    for label, file in planned:
        if isinstance(file, str):
            written.append(Written(label, None, None, file))
            continue
        texts = [next(formatted) for _ in file]  # this file's, whatever becomes of them
        try:  # every module of the file is checked before any is written
            finished = [attrs.evolve(p, result=finish_model(p.loaded, p.result, text))
                        for p, text in zip(file, texts)]
        except DashkitError as error:
            written.append(Written(label, None, None, str(error)))
            continue
        try:
            out.mkdir(parents=True, exist_ok=True)
            for each in finished:
                replace_file(each.target, each.result.source)
                written.append(Written(label, each.result, str(each.target),
                                       renamed_from=each.renamed, retitled_from=each.retitled))
        except OSError as error:
            written.append(Written(label, None, None, f"{label}: cannot write to {out}: "
                                                      f"{error.strerror or error}"))
    return written


@attrs.frozen
class _Planned:
    """A dashboard of a file, generated and not yet formatted, and where it will be written."""
    loaded: Loaded
    result: ImportResult
    target: Path
    renamed: str | None
    retitled: tuple[str, str] | None


def _generated(label: str, text: str | bytes, out: Path, name: str | None, force: bool,
               taken: set[str], uids: set[str], titles: set[str]) -> list[_Planned]:
    """Every dashboard of one file generated under its own module name, uid and title (taking
    them in ``taken``, ``uids`` and ``titles``)."""
    found = load_json(label, text)
    if name and len(found) > 1:
        raise DashkitError(f"--name given, but the file holds {len(found)} dashboards", file=label)
    named = []
    for item in found:
        wanted = name or module_name(str(item.model.get("title") or ""))
        chosen, n = wanted, 2
        while chosen in taken:
            chosen, n = f"{wanted}_{n}", n + 1
        taken.add(chosen)
        named.append((item, chosen, wanted if chosen != wanted else None))
    results = []
    for item, chosen, renamed in named:
        target = out / f"{chosen}.py"
        if target.is_symlink():
            raise DashkitError(f"{target} is a symbolic link: not followed, not replaced", file=label)
        if os.path.lexists(target) and not force:
            raise DashkitError(f"{target} exists (use --force to overwrite)", file=label)
        result = generate_model(item, chosen)
        retitled = None
        if result.uid in uids or result.title in titles:
            retitled = (result.uid, result.title)
            item = _distinct(item, result, uids, titles)
            result = generate_model(item, chosen)
        uids.add(result.uid)
        titles.add(result.title)
        results.append(_Planned(item, result, target, renamed, retitled))
    return results
