"""A live panel against the built one, field by field, each difference turned into a rewrite of
the argument that produced it, or into a note naming where it came from when that argument is
not the panel's own literal (a shared constant, a computation, a default)."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import libcst as cst

from dashkit.grafana.compare import changed_fields
from dashkit.pull.mapping import (
    PanelSource,
    SourceFile,
    Sources,
    constant,
    is_literal,
    keyword,
    literal,
    name_of,
    positional,
)
from dashkit.pull.rewrite import FileEdits

#: What an argument takes: each is a kind of value a live one must be of to be written.
Kinds = tuple[str, ...]
TEXT: Kinds = ("text",)
TEXTS: Kinds = ("a list of text",)
NUMBER: Kinds = ("a finite number",)

@attrs.frozen
class Note:
    """A difference pull did not write, and why (with the source location that produced it)."""
    panel: str
    field: str
    before: Any
    after: Any
    why: str
    #: What ``panel`` names: a panel's title, a variable's or a dashboard's name.
    kind: str = "panel"

    def __str__(self) -> str:
        change = "" if self.before is self.after is None else \
            f" {brief(self.before)} -> {brief(self.after)}:"
        return f"{self.kind} {self.panel!r} {self.field}:{change} {self.why}"


def brief(value: Any) -> str:
    """A value as a report line shows it: its repr, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@attrs.define
class CallPull:
    """The edits of one builder call (a panel's, a variable's, a dashboard's): written into
    ``edits`` (a FileEdits per module), notes for the rest."""
    file: SourceFile
    call: cst.Call
    name: str
    sources: Sources
    edits: Callable[[SourceFile], FileEdits]
    shared: bool
    kind: str = "panel"
    notes: list[Note] = attrs.field(factory=list)
    pulled: list[str] = attrs.field(factory=list)

    def note(self, field: str, before: Any, after: Any, why: str) -> None:
        """Report a difference pull does not write."""
        self.notes.append(Note(self.name, field, before, after, why, self.kind))

    def write(self, field: str, node: cst.BaseExpression | None, before: Any, after: Any,
              kinds: Kinds, add: str | None = None, file: SourceFile | None = None) -> None:
        """Rewrite ``node`` (a literal of the call, or of ``file``) to ``after``, when it is of
        one of the ``kinds`` the argument takes; a keyword the call lacks is added (``add``); a
        name is followed to its constant: reported, or rewritten with ``--shared``; anything
        else is a computation, reported."""
        file = file or self.file
        wrong = unwritable(after, kinds)
        if wrong:
            return self.note(field, before, after, wrong)
        if node is None and add is not None:
            self.edits(file).add_keyword(self.call, add, after)
        elif node is None:
            return self.note(field, before, after, f"set by a default of {file.where(self.call)}")
        elif is_literal(node):
            self.edits(file).set_value(node, after)
        else:
            found = constant(self.sources, file, node)
            if found is None:
                return self.note(field, before, after, f"computed at {file.where(node)}")
            where = found.file.where(found.value)
            if not self.shared:
                return self.note(field, before, after, f"from the shared constant {found.name} at "
                                 f"{where}; --shared rewrites it")
            self.edits(found.file).set_value(found.value, after)
            self.pulled.append(f"{field}: {brief(before)} -> {brief(after)} (shared constant {found.name} "
                               f"at {where})")
            return None
        self.pulled.append(f"{field}: {brief(before)} -> {brief(after)}")
        return None


@attrs.define
class PanelPull(CallPull):
    """The edits of one panel's builder call."""
    source: PanelSource = attrs.field(kw_only=True)

    @classmethod
    def of(cls, source: PanelSource, sources: Sources, edits: Callable[[SourceFile], FileEdits],
           shared: bool) -> PanelPull:
        """The pull of the panel ``source`` locates."""
        return cls(source.file, source.call, source.panel.title, sources, edits, shared, source=source)

    @property
    def title(self) -> str:
        """The panel's title as built (how reports name it)."""
        return self.source.panel.title

    # --- the fields -------------------------------------------------------------------------
    def compare(self, built: dict[str, Any], live: dict[str, Any]) -> None:
        """Every difference of the live panel: written back, or noted."""
        call = self.source.call
        if built.get("title") != live.get("title"):
            args, written = positional(call), len(self.pulled)
            node = args[0].value if args else getattr(keyword(call, "title"), "value", None)
            self.write("title", node, built.get("title"), live.get("title"), TEXT)
            if len(self.pulled) > written and keyword(call, "key") is None:
                self.edits(self.source.file).add_keyword(call, "key", self.source.key)  # same id
        if built.get("description") != live.get("description"):
            arg = keyword(call, "description")
            self.write("description", arg.value if arg else None, built.get("description"),
                       live.get("description"), TEXT, add="description")
        self.size(built.get("gridPos") or {}, live.get("gridPos") or {})
        self.defaults(built, live)
        self.targets(built.get("targets") or [], live.get("targets") or [])
        for field, before, after in changed_fields(_unwritten(built), _unwritten(live)):
            self.note(field, before, after, "pull does not write this field")

    def size(self, built: dict[str, Any], live: dict[str, Any]) -> None:
        """``w=``/``h=``; a position is pinned later, where the rebuild needs it (settle.py)."""
        for name in ("w", "h"):
            if built.get(name) != live.get(name):
                arg = keyword(self.source.call, name)
                self.write(f"gridPos.{name}", arg.value if arg else None, built.get(name),
                           live.get(name), NUMBER, add=name)

    def defaults(self, built: dict[str, Any], live: dict[str, Any]) -> None:
        """The unit and the thresholds of ``fieldConfig.defaults``."""
        was = (built.get("fieldConfig") or {}).get("defaults") or {}
        now = (live.get("fieldConfig") or {}).get("defaults") or {}
        if was.get("unit") != now.get("unit"):
            arg = keyword(self.source.call, "unit")
            self.write("unit", arg.value if arg else None, was.get("unit"), now.get("unit"), TEXT,
                       add="unit")
        old = (was.get("thresholds") or {}).get("steps") or []
        new = (now.get("thresholds") or {}).get("steps") or []
        if old != new:
            self.thresholds(old, new)
        old = (built.get("fieldConfig") or {}).get("overrides") or []
        new = (live.get("fieldConfig") or {}).get("overrides") or []
        if old != new:
            self.overrides(old, new)

    def overrides(self, old: list[Any], new: list[Any]) -> None:
        """A property's value edited in an override: the value ``override(match, {id: value})``
        gives it; overrides added, removed or matching otherwise are only reported."""
        arg = keyword(self.call, "overrides")
        items = arg.value.elements if arg is not None and isinstance(arg.value, cst.List) else ()
        if not len(items) == len(old) == len(new) or not all(
                _shape(a) == _shape(b) for a, b in zip(old, new)):
            return self.note("overrides", old, new, "not an edit of a property's value in override()")
        for index, (item, was, now) in enumerate(zip(items, old, new)):
            call = item.value
            given = positional(call)[1:2] if isinstance(call, cst.Call) and \
                name_of(call.func) == "override" else []
            table = given[0].value if given and isinstance(given[0].value, cst.Dict) else None
            for before, after in zip(_properties(was), _properties(now)):
                if before.get("value") == after.get("value"):
                    continue
                field = f"override {index} {before.get('id')}"
                node = next((e.value for e in table.elements if isinstance(e, cst.DictElement)
                             and is_literal(e.key) and literal(e.key) == before.get("id")),
                            None) if table is not None else None
                if node is None or isinstance(node, cst.Call):  # fixed_color(...), say
                    self.note(field, before.get("value"), after.get("value"),
                              f"computed at {self.file.where(call)}")
                else:
                    self.write(field, node, before.get("value"), after.get("value"),
                               _kind_of(before.get("value")))
        return None

    def thresholds(self, old: list[Any], new: list[Any]) -> None:
        """A step's value edited: the limit or ``warn=`` of ``above()``/``below()``."""
        arg = keyword(self.source.call, "thresholds")
        same_steps = len(old) == len(new) and \
            [s.get("color") for s in old] == [s.get("color") for s in new]
        if arg is None and same_steps and keyword(self.source.call, "alert") is not None:
            return self.alert_limit(old, new)
        if arg is None or not isinstance(arg.value, cst.Call) or not same_steps:
            return self.note("thresholds", old, new, "not an above()/below() edit of a step's value")
        call = arg.value
        kind, args = name_of(call.func), positional(call)
        for index, (before, after) in enumerate(zip(old, new)):
            if before.get("value") == after.get("value"):
                continue
            field = f"thresholds step {index}"
            limit_index = len(old) - 1 if kind == "above" else 1
            warn = keyword(call, "warn")
            if kind in ("above", "below") and index == limit_index and args:
                self.write(field, args[0].value, before.get("value"), after.get("value"), NUMBER)
            elif kind in ("above", "below") and warn is not None and index != 0:
                self.write(field, warn.value, before.get("value"), after.get("value"), NUMBER)
            else:
                self.note(field, before.get("value"), after.get("value"),
                          f"computed at {self.source.file.where(call)}")
        return None

    def alert_limit(self, old: list[Any], new: list[Any]) -> None:
        """The thresholds ``alert=`` draws: the alert's ``limit=``, which its rule shares, so
        rewritten (through its constant, if it has one) only with ``--shared``."""
        arg = keyword(self.source.call, "alert")
        rule = constant(self.sources, self.source.file, arg.value, literal_only=False) if arg else None
        call = rule.value if rule is not None and isinstance(rule.value, cst.Call) else None
        limit, op = (keyword(call, "limit"), keyword(call, "op")) if call else (None, None)
        changed = [i for i, (b, a) in enumerate(zip(old, new)) if b.get("value") != a.get("value")]
        if rule is None or limit is None or op is None or changed != [1] or not (
                is_literal(op.value) and literal(op.value) in (">", ">=", "<", "<=")):
            return self.note("thresholds", old, new, "drawn from alert= and not its limit alone")
        field, before, after = f"thresholds step 1 (alert {rule.name}'s limit)", old[1]["value"], new[1]["value"]
        if not self.shared:
            return self.note(field, before, after, f"the limit of alert {rule.name} at "
                             f"{rule.file.where(limit.value)}, which its rule shares; --shared "
                             "rewrites it")
        return self.write(field, limit.value, before, after, NUMBER, file=rule.file)

    def targets(self, built: list[Any], live: list[Any]) -> None:
        """Each query's expression and legend, by position."""
        if len(built) != len(live):
            return self.note("targets", len(built), len(live), "queries added or removed: not pulled")
        args = positional(self.source.call)[1:]
        star = next((i for i, a in enumerate(args) if a.star), len(args))
        for index, (was, now) in enumerate(zip(built, live)):
            arg = args[index].value if index < star else None
            ref = was.get("refId", index)
            if arg is None and star < len(args):  # a query of a ``*[…]``: computed
                for field in ("expr", "legendFormat"):
                    if was.get(field) != now.get(field):
                        self.note(f"query {ref} {field}", was.get(field), now.get(field),
                                  f"computed at {self.source.file.where(args[star].value)}")
                continue
            if was.get("expr") != now.get("expr"):
                self.query(f"query {ref} expr", arg, was.get("expr"), now.get("expr"))
            if was.get("legendFormat") != now.get("legendFormat"):
                self.legend(f"query {ref} legendFormat", arg, len(built),
                            was.get("legendFormat"), now.get("legendFormat"))
            rest = sorted((was.keys() | now.keys()) - {"expr", "legendFormat"})
            for field, before, after in changed_fields({k: was.get(k) for k in rest},
                                                       {k: now.get(k) for k in rest}):
                self.note(f"query {ref} {field}", before, after, "pull does not write this field")
        return None

    def query(self, field: str, arg: cst.BaseExpression | None, before: Any, after: Any) -> None:
        """A query's text: a literal, or this query's own builder expression, is replaced."""
        if isinstance(arg, cst.Call) and name_of(arg.func) == "Target" and positional(arg):
            arg = positional(arg)[0].value
        if arg is None:
            return self.note(field, before, after, f"computed at {self.source.file.where(self.source.call)}")
        if _promql_call(arg) and isinstance(after, str):
            # the builder expression made this panel's query only: the edited PromQL replaces it
            self.edits(self.source.file).set_value(arg, after)
            self.pulled.append(f"{field}: {brief(before)} -> {brief(after)}")
            return None
        return self.write(field, arg, before, after, TEXT)

    def legend(self, field: str, arg: cst.BaseExpression | None, count: int, before: Any,
               after: Any) -> None:
        """A legend: the Target's own, else the panel's ``legend=`` (one query only)."""
        if isinstance(arg, cst.Call) and name_of(arg.func) == "Target":
            given = positional(arg)[1:2]
            node = given[0].value if given else getattr(keyword(arg, "legend"), "value", None)
            if node is None and not unwritable(after, TEXT):
                self.edits(self.source.file).add_keyword(arg, "legend", after)
                self.pulled.append(f"{field}: {brief(before)} -> {brief(after)}")
                return None
            return self.write(field, node, before, after, TEXT)
        if count != 1:
            return self.note(field, before, after, "legend= is shared by the panel's queries")
        found = keyword(self.source.call, "legend")
        return self.write(field, found.value if found else None, before, after, TEXT,
                          add="legend")


def _unwritten(panel: dict[str, Any]) -> dict[str, Any]:
    """The panel without the fields pull writes: what is left is only ever reported."""
    rest = {k: v for k, v in panel.items() if k not in ("title", "description", "gridPos", "targets", "id")}
    config = dict(rest.get("fieldConfig") or {})
    config["defaults"] = {k: v for k, v in (config.get("defaults") or {}).items()
                          if k not in ("unit", "thresholds")}
    config.pop("overrides", None)
    return {**rest, "fieldConfig": config}


def _properties(override: Any) -> list[dict[str, Any]]:
    found = override.get("properties") if isinstance(override, dict) else None
    return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []


def _shape(override: Any) -> Any:
    """An override without its properties' values: its matcher and property ids."""
    return override.get("matcher") if isinstance(override, dict) else None, \
        [p.get("id") for p in _properties(override)]


def unwritable(after: Any, kinds: Kinds) -> str | None:
    """Why a live value cannot enter the code as an argument taking ``kinds`` (None: it can).
    The caller says what the argument takes: the built value's kind is no guide, as a missing
    one (None) or a text All in place of a list shows."""
    if TEXT[0] in kinds and isinstance(after, str):
        return None
    if TEXTS[0] in kinds and isinstance(after, (list, tuple)) and all(isinstance(v, str) for v in after):
        return None
    if NUMBER[0] in kinds and isinstance(after, (int, float)) and not isinstance(after, bool) \
            and math.isfinite(after):
        return None
    shown = f" {after!r:.40}" if NUMBER[0] in kinds else ""  # '3' is not 3
    return f"Grafana has {type(after).__name__}{shown}, not {' or '.join(kinds) or 'a kind pull writes'}"


def _kind_of(value: Any) -> Kinds:
    """An override property's kind, from its built value: which property takes what is
    Grafana's, not pull's, to know."""
    if isinstance(value, str):
        return TEXT
    return NUMBER if isinstance(value, (int, float)) and not isinstance(value, bool) else ()


def _promql_call(node: cst.BaseExpression) -> bool:
    """``promql.…(…)`` written at the panel: an expression of this query alone."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
        isinstance(node.func.value, cst.Name) and node.func.value.value in ("promql", "logql")
