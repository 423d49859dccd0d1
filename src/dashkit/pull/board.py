"""A dashboard's own fields (time range, refresh, description, tags) and its variables'
defaults, written back into the call that made the dashboard and the call that made each
variable; what did not come from such a call's literal is named, as for panels."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import libcst as cst

from dashkit.errors import DashkitError
from dashkit.project.compiled import Compiled
from dashkit.pull.fields import TEXT, TEXTS, CallPull, Kinds, Note, unwritable
from dashkit.pull.mapping import SourceFile, Sources, is_literal, keyword, literal, positional, takes
from dashkit.pull.rewrite import FileEdits
from dashkit.sdk.variables import Variable, shown

Edits = Callable[[SourceFile], FileEdits]


def pull_board(item: Compiled, built: dict[str, Any], live: dict[str, Any], sources: Sources,
               edits: Edits, shared: bool, origins: Counter[Any]) -> tuple[list[str], list[Note]]:
    """The dashboard's fields and its variables' defaults: lines pulled, notes."""
    pulled: list[str] = []
    notes: list[Note] = []
    fields = [k for k in ("time", "refresh", "description", "tags") if built.get(k) != live.get(k)]
    if fields:
        board = _dashboard(item, sources, edits, shared)
        if isinstance(board, str):
            notes += [Note(item.uid, k, built.get(k), live.get(k), board, "dashboard") for k in fields]
        else:
            for name in fields:
                _field(board, name, built.get(name), live.get(name))
            pulled += [f"dashboard {line}" for line in board.pulled]
            notes += board.notes
    mine = {v.name: v for v in item.source.dashboard.variables}
    now, wrong = _variables(live)
    if wrong:
        notes.append(Note(item.uid, "templating", None, None, f"{wrong}: variables not pulled",
                          "dashboard"))
    for was in (built.get("templating") or {}).get("list") or []:
        there = now.get(was.get("name"))
        before = (was.get("current") or {}).get("value")
        current = there.get("current") if there else None
        after = current.get("value") if isinstance(current, dict) else None
        if there is None or before == after or after is None:
            continue  # a variable added, removed or otherwise changed: the rebuild reports it
        variable = _variable(mine.get(str(was["name"])), sources, edits, shared, origins)
        if isinstance(variable, str):
            notes.append(Note(str(was["name"]), "default", before, after, variable, "variable"))
            continue
        if isinstance(after, list) and len(after) == 1 and not was.get("multi"):
            after = after[0]
        text = current.get("text") if isinstance(current, dict) else None
        if text != shown(after):  # a default= gives the text as the value (All as "All")
            hint = "a Datasource of the project as default= gives its name" \
                if was.get("type") == "datasource" else "default= shows the value itself"
            notes.append(Note(str(was["name"]), "default", before, after,
                              f"Grafana shows it as {text!r}: {hint}", "variable"))
            continue
        arg = keyword(variable.call, "default")
        variable.write("default", arg.value if arg else None, before, after,
                       TEXT + TEXTS if was.get("multi") else TEXT, add="default")
        pulled += [f"variable {variable.name!r} {line}" for line in variable.pulled]
        notes += variable.notes
    return pulled, notes


#: What each of the dashboard's own fields takes (time: a {from, to} of text, checked apart).
_KINDS: dict[str, Kinds] = {"refresh": TEXT, "description": TEXT, "tags": TEXTS}


def _variables(live: dict[str, Any]) -> tuple[dict[Any, dict[str, Any]], str]:
    """The live variables by name; what is amiss in Grafana's templating, if anything."""
    templating = live.get("templating")
    found = templating.get("list") or [] if isinstance(templating, dict) else templating
    if templating is not None and not (isinstance(templating, dict) and isinstance(found, list)):
        return {}, f"Grafana has templating {templating!r:.40}, not a list of variables"
    odd = [v for v in found or () if not isinstance(v, dict)]
    if odd:
        return {}, f"Grafana has {type(odd[0]).__name__} {odd[0]!r:.40} in templating, not a variable"
    return {v.get("name"): v for v in found or ()}, ""


def _field(board: CallPull, name: str, before: Any, after: Any) -> None:
    arg = keyword(board.call, name)
    node = arg.value if arg else None
    add = name if takes(board.sources, board.file, board.call, name) else None
    wrong = f"Grafana has {type(after).__name__} {after!r:.40}, not a time range" \
        if name == "time" and not isinstance(after, dict) else \
        unwritable(after, _KINDS[name]) if name != "time" else None
    if wrong:
        return board.note(name, before, after, wrong)
    if name == "time":
        before, after = _pair(before), _pair(after)
        if isinstance(node, cst.Tuple) and len(node.elements) == 2:  # each end, as written
            for end, was, now, element in zip(("from", "to"), before, after, node.elements):
                if was != now:
                    board.write(f"time.{end}", element.value, was, now, TEXT)
            return
    if name == "tags" and isinstance(node, cst.List) and is_literal(node):
        written: list[str] = literal(node)  # the call's own tags, after any the helper adds
        common = len(before) - len(written)
        if common < 0 or before[common:] != written:
            return board.note("tags", before, after, f"computed from {board.file.where(node)}")
        if after[:common] != before[:common]:
            return board.note("tags", before, after, f"{before[:common]} added by "
                              f"{board.file.where(board.call)}, not its tags=")
        return board.write("tags", node, written, after[common:], TEXTS)
    board.write(name, node, before, after, TEXTS if name == "time" else _KINDS[name], add=add)


def _pair(time: Any) -> tuple[Any, Any]:
    found = time if isinstance(time, dict) else {}
    return found.get("from"), found.get("to")


def _dashboard(item: Compiled, sources: Sources, edits: Edits, shared: bool) -> CallPull | str:
    """The call assigned to ``dashboard`` in the dashboard's module, or why there is none."""
    try:
        file = sources.file(item.source.file)
    except DashkitError as error:
        return error.message
    for statement in file.module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "dashboard"
                    for t in small.targets):
                return CallPull(file, small.value, item.uid, sources, edits, shared, "dashboard")
    return f"not made by a call assigned to dashboard in {file.path.name}"


def _variable(variable: Variable | None, sources: Sources, edits: Edits, shared: bool,
              origins: Counter[Any]) -> CallPull | str:
    """The builder call that made the variable (its first argument its name), or why not."""
    if variable is None or variable.origin is None:
        return "made by the build, not by a call in the sources"
    try:
        file = sources.file(variable.origin[0])
    except DashkitError as error:
        return error.message
    line = variable.origin[1]
    calls = [n for n in file.nodes() if isinstance(n, cst.Call) and file.position(n).start.line == line
             and positional(n) and is_literal(positional(n)[0].value)
             and literal(positional(n)[0].value) == variable.name]
    if not calls:
        return f"no builder call named {variable.name!r} at {file.path.name}:{line}"
    if origins[variable.origin] > 1:
        return f"built by the call at {file.where(calls[0])}, which builds {origins[variable.origin]} variables"
    return CallPull(file, calls[0], variable.name, sources, edits, shared, "variable")
