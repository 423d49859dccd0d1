"""One pull: the build against the live dashboards, panel by panel, as source edits; then every
module rewritten, or none (an error anywhere writes nothing), each file replaced atomically."""
from __future__ import annotations

import builtins
import keyword
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import libcst as cst

from dashkit.errors import DashkitError, raise_all
from dashkit.fileio import replace_file
from dashkit.grafana.model import iter_panels
from dashkit.grafana.v2 import to_v2_spec
from dashkit.grafana.v2_read import from_v2_spec
from dashkit.importer.generator import panel_call
from dashkit.importer.pysource import render
from dashkit.project.compiled import Compiled
from dashkit.pull.board import pull_board
from dashkit.pull.fields import Note, PanelPull
from dashkit.pull.live import LiveModel
from dashkit.pull.mapping import PanelSource, SourceFile, Sources, descendants, is_literal, locate, panels_by_id
from dashkit.pull.mapping import keyword as keyword_arg
from dashkit.pull.rewrite import FileEdits, unified
from dashkit.pull.settle import misplaced, rebuild, remaining
from dashkit.sdk.layout import slug

#: What ``import`` may write in a panel call, and so what a module may need to import.
_DASHKIT_NAMES = ("Row", "Target", "Thresholds", "DatasourceRef")
#: Rebuilds at most, pinning the first misplaced panel of each dashboard in each.
PIN_ROUNDS = 6


@attrs.frozen
class DashboardPull:
    """What a pull did to one dashboard: the fields written, the ones only reported."""
    uid: str
    pulled: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    refused: str = ""
    #: What the rebuild of the pulled sources still has otherwise than Grafana.
    remaining: tuple[str, ...] = ()


@attrs.frozen
class PullResult:
    """Every dashboard's pull and the new text of each module, written only when asked."""
    dashboards: tuple[DashboardPull, ...]
    #: New text of each module that changes, by path (relative to the dashboards folder).
    texts: dict[str, tuple[str, str]]

    def diff(self) -> str:
        """The change to the sources as a unified diff (``--dry-run``)."""
        return "".join(unified(path, before, after) for path, (before, after) in
                       sorted(self.texts.items()))

    def write(self, root: Path) -> list[str]:
        """Each changed module replaced whole; the paths written. A file that cannot be written
        stops the rest, and the error says which were."""
        written: list[str] = []
        for path, (_, after) in sorted(self.texts.items()):
            try:
                replace_file(root / path, after)
            except OSError as error:
                raise DashkitError(f"cannot write it: {error.strerror or error}; rewritten before "
                                   f"it: {', '.join(written) or 'none'}", file=str(root / path)) from None
            written.append(path)
        return written


class _Pull:
    def __init__(self, root: Path, shared: bool) -> None:
        self.sources = Sources(root)
        self.shared = shared
        self.edits: dict[Path, FileEdits] = {}
        self.panels: dict[str, dict[int, Any]] = {}
        self.pinned: dict[str, list[str]] = {}
        self.names: dict[Path, set[str]] = {}
        #: How many panels of the project each builder call makes (more than one: not theirs).
        self.origins: Counter[Any] = Counter()
        self.variables: Counter[Any] = Counter()  # the same, of the variables' builder calls
        self.taken: dict[str, set[str]] = {}
        self.keys: dict[tuple[str, Any], list[tuple[str, Any]]] = {}
        #: Added panels by (dashboard, id): where their statement is, to pin it in place.
        self.added: dict[tuple[str, Any],
                         tuple[list[str], int, dict[str, Any], PanelSource, str]] = {}

    def edits_of(self, file: SourceFile) -> FileEdits:
        return self.edits.setdefault(file.path, FileEdits(file))

    def dashboard(self, item: Compiled, live: dict[str, Any], v2: bool) -> DashboardPull:
        mine = self.panels[item.uid] = panels_by_id(item.source.dashboard)
        model = as_read(item.model, v2)  # a v2 build's two conversions: once per dashboard
        built = {p["id"]: p for p in iter_panels(model["panels"])
                 if p.get("type") != "row"}
        order = [p for p in iter_panels(live.get("panels") or []) if p.get("type") != "row"]
        now = {p.get("id"): p for p in order}
        pulled: list[str] = []
        notes: list[Note] = []
        for panel_id, panel in built.items():
            if now.get(panel_id) != panel:
                try:
                    pulled += self.changed(mine[panel_id], panel, now.get(panel_id), notes)
                except DashkitError as error:  # outside the folder, in no list: named, not pulled
                    notes.append(Note(str(panel.get("title")), "panel", None, None, error.message))
        for index, panel in enumerate(order):
            if panel.get("id") in built:
                continue
            before = next((p for p in reversed(order[:index]) if p.get("id") in built), None)
            try:
                note = Note(str(panel.get("title")), "panel", None, "added",
                            "added before every built panel: not pulled") if before is None else \
                    self.add(item, live, panel, locate(self.sources, *mine[before["id"]]), [])
            except DashkitError as error:
                note = Note(str(panel.get("title")), "panel", None, "added", error.message)
            if note is None:
                pulled.append(f"+ panel {panel.get('title')!r}")
            else:
                notes.append(note)
        lines, more = pull_board(item, model, live, self.sources, self.edits_of,
                                 self.shared, self.variables)
        return DashboardPull(item.uid, tuple(pulled + lines), tuple(notes + more))

    def changed(self, mine: tuple[Any, str], panel: dict[str, Any], live: dict[str, Any] | None,
                notes: list[Note]) -> list[str]:
        """A built panel Grafana has otherwise (``live``) or no more (None): its edits."""
        source = locate(self.sources, *mine)
        if self.origins[source.panel.origin] > 1:  # a helper's call, or a loop's: shared
            notes.append(Note(source.panel.title, "panel", None, None, "built by the call at "
                              f"{source.file.where(source.call)}, which builds "
                              f"{self.origins[source.panel.origin]} panels"))
            return []
        if not source.exact:
            notes.append(Note(source.panel.title, "panel", None, None, "built by the call at "
                              f"{source.file.where(source.call)}, not its own builder call"))
            return []
        if live is None:
            self.edits_of(source.file).remove.add(id(self.element(source.file, source.call)))
            return [f"- panel {panel['title']!r}"]
        each = PanelPull.of(source, self.sources, self.edits_of, self.shared)
        each.compare(panel, live)
        notes += each.notes
        return [f"panel {each.title!r} {field}" for field in each.pulled]

    def pin(self, item: Compiled, panel_id: Any, grid: dict[str, Any]) -> str | None:
        """Fix a panel where Grafana shows it (``x=``, ``y=``); why not, when it cannot be."""
        added = self.added.get((item.uid, panel_id))
        known = self.panels[item.uid].get(panel_id)
        live = added[2] if added is not None else {}
        title = known[0].title if known else next(
            (p.get("title") for p in iter_panels(live.get("panels") or []) if p.get("id") == panel_id), "")
        where = [("x", grid.get("x")), ("y", grid.get("y"))]
        if added is not None:
            panel = next(p for p in iter_panels(live["panels"]) if p.get("id") == panel_id)
            self.add(item, live, panel, added[3], where)
        else:
            source = locate(self.sources, *self.panels[item.uid][panel_id])
            if not source.exact:
                return f"built by the call at {source.file.where(source.call)}"
            for name, _ in where:
                arg = keyword_arg(source.call, name)
                if arg is not None and not is_literal(arg.value):
                    return f"its {name}= is computed at {source.file.where(arg.value)}"
            for name, value in where:
                arg = keyword_arg(source.call, name)
                if arg is None:
                    self.edits_of(source.file).add_keyword(source.call, name, value)
                else:
                    self.edits_of(source.file).set_value(arg.value, value)
        self.pinned.setdefault(item.uid, []).append(
            f"panel {title!r} pinned at x={grid.get('x')} y={grid.get('y')}, where Grafana shows it")
        return None

    def texts(self) -> dict[str, tuple[str, str]]:
        """Each module pull changes: its text before and after."""
        texts = {}
        for path, edits in sorted(self.edits.items()):
            after = edits.rewritten()
            if after != edits.file.text:
                texts[str(path.relative_to(self.sources.root))] = (edits.file.text, after)
        return texts

    def key(self, uid: str, panel_id: Any, title: str, after: PanelSource) -> list[tuple[str, Any]]:
        """``key=`` for an added panel whose title's key another panel of the dashboard has
        (as ``import`` gives one), decided once."""
        if (uid, panel_id) not in self.keys:
            taken = self.taken.setdefault(uid, {key for _, key in self.panels[uid].values()})
            prefix = after.key.rpartition("/")[0] + "/" if "/" in after.key else ""
            key, n = prefix + slug(title), 2
            while f"{key}-{n}" in taken:
                n += 1
            chosen = f"{key}-{n}" if key in taken else key
            taken.add(chosen)
            self.keys[(uid, panel_id)] = [("key", chosen)] if chosen != key else []
        return self.keys[(uid, panel_id)]

    def element(self, file: SourceFile, call: cst.Call) -> cst.Element:
        """The list element that puts the panel on its dashboard: the call itself, or the name
        it is assigned to."""
        name = _assigned(file, call)
        for node in file.nodes():
            if isinstance(node, cst.List):
                for element in node.elements:
                    if isinstance(element, cst.Element) and (element.value is call or (
                            isinstance(element.value, cst.Name) and element.value.value == name)):
                        return element
        raise DashkitError(f"no panel list names the panel built at {file.where(call)}")

    def add(self, item: Compiled, live: dict[str, Any], panel: dict[str, Any],
            after: PanelSource, position: list[tuple[str, Any]]) -> Note | None:
        """An added panel, as ``import`` writes it, assigned before the statement holding the
        panel list and named in the list after the panel it follows in Grafana."""
        title = str(panel.get("title") or "")
        grid = panel.get("gridPos") or {}
        bare = _without_datasource(panel, item.model)
        call, declares = panel_call(live, bare, [("w", grid.get("w", 12)), ("h", grid.get("h", 8)),
                                                 *position, ("id", panel.get("id")),
                                                 *self.key(item.uid, panel.get("id"), title, after)])
        if declares:
            return Note(title, "panel", None, "added", "names a datasource of its own: not pulled")
        file = after.file
        placed = self.added.get((item.uid, panel.get("id")))
        name = placed[4] if placed else _free_name(file, title, self.names.setdefault(file.path, set()))
        code = render(call, prefix=len(name) + 3)
        if placed is not None:  # pinned where Grafana shows it: the same name, now with x= y=
            placed[0][placed[1]] = f"{name} = {code}"
            return None
        element = self.element(file, after.call)
        statement = next(s for s in file.module.body if any(n is element for n in descendants(s)))
        edits = self.edits_of(file)
        statements = edits.statements.setdefault(id(statement), [])
        statements.append(f"{name} = {code}")
        self.added[(item.uid, panel.get("id"))] = (statements, len(statements) - 1, live, after, name)
        edits.after.setdefault(id(element), []).append(name)
        missing = [n for n in _DASHKIT_NAMES if re.search(rf"\b{n}\(", code) and not _bound(file, n)]
        line = f"from dashkit import {', '.join(missing)}"
        body = file.module.body
        last = max((i for i, s in enumerate(body) if _is_import(s)), default=-1)
        first = body[min(last + 1, len(body) - 1)]  # the statement after the last import
        if missing and line not in edits.statements.get(id(first), []):
            edits.statements.setdefault(id(first), []).insert(0, line)
        return None


def _assigned(file: SourceFile, call: cst.Call) -> str | None:
    for statement in file.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and small.value is call and \
                        isinstance(small.targets[0].target, cst.Name):
                    return small.targets[0].target.value
    return None


def _is_import(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)) or (
        isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString))  # the docstring


def _bound(file: SourceFile, name: str) -> bool:
    return re.search(rf"^(from .* import .*\b{name}\b|{name}\s*=)", file.text, re.M) is not None


def _free_name(file: SourceFile, title: str, taken: set[str]) -> str:
    """A module-level name for an added panel, from its title, used nowhere in the module."""
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40].strip("_") or "panel"
    if not base[0].isalpha() or keyword.iskeyword(base) or hasattr(builtins, base):
        base = f"panel_{base}"
    name, n = base, 2
    while name in taken or re.search(rf"\b{name}\b", file.text):
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _without_datasource(panel: dict[str, Any], built: dict[str, Any]) -> dict[str, Any]:
    """The panel without the dashboard's own datasource (the build sets it on every panel)."""
    common = next((p.get("datasource") for p in iter_panels(built["panels"])
                   if p.get("type") != "row" and p.get("datasource")), None)
    bare = {k: v for k, v in panel.items() if not (k == "datasource" and v == common)}
    bare["targets"] = [{k: v for k, v in t.items() if not (k == "datasource" and v == common)}
                       for t in panel.get("targets") or [] if isinstance(t, dict)]
    return bare


def as_read(model: dict[str, Any], v2: bool) -> dict[str, Any]:
    """The build as Grafana gives it back: a v2 dashboard is read through its classic form, so
    the build goes through the same two conversions before the two are compared."""
    return from_v2_spec(to_v2_spec(model), str(model.get("uid"))) if v2 else model


def _read(built: dict[str, dict[str, Any]], live: dict[str, LiveModel]) -> dict[str, dict[str, Any]]:
    return {uid: as_read(model, live[uid].v2) for uid, model in built.items()}


def pull(root: Path, compiled: Sequence[Compiled], live: Sequence[LiveModel], *,
         shared: bool = False) -> PullResult:
    """The source edits that make the build reproduce each live dashboard (nothing written)."""
    work = _Pull(root, shared)
    for item in compiled:
        work.origins.update(panel.origin for panel, _ in panels_by_id(item.source.dashboard).values())
        work.variables.update(v.origin for v in item.source.dashboard.variables)
    models = {each.uid: each for each in live}
    results, errors = [], []
    for item in compiled:
        found = models.get(item.uid)
        if found is None or found.model is None:
            results.append(DashboardPull(item.uid, refused=found.refused if found else "not read"))
            continue
        try:
            results.append(work.dashboard(item, found.model, found.v2))
        except DashkitError as error:
            errors.append(error.located(file=item.source.file, dashboard=item.uid))
    raise_all(errors)
    pulled = {r.uid: r for r in results if not r.refused}
    texts = work.texts()
    for _ in range(PIN_ROUNDS):  # a pin moves the panels after it: one per dashboard a round
        built = _read(rebuild(root, texts, pulled) if pulled else {}, models)
        pins = [(item, *next(iter(wrong.items()))) for item in compiled if item.uid in built
                if (wrong := misplaced(built[item.uid], models[item.uid].model or {}))]
        unpinned = [why for item, panel_id, grid in pins if (why := work.pin(item, panel_id, grid))]
        if not pins or unpinned:
            break
        texts = work.texts()
    else:  # the last pins are built too: nothing is written that was not built
        built = _read(rebuild(root, texts, pulled), models)
    results = [attrs.evolve(r, pulled=(*r.pulled, *work.pinned.get(r.uid, ())),
                            remaining=tuple(remaining(built[r.uid], models[r.uid].model or {})))
               if r.uid in built else r for r in results]
    return PullResult(tuple(results), texts)
