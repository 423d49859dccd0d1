"""Where each field of the output came from: a panel by its id to the builder call that made it
(the call site the SDK records as the panel's origin), and a field of that panel to the argument
of that call that set it: a literal pull may rewrite, or a name or a computation it only reports.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from dashkit.errors import DashkitError
from dashkit.sdk.compiler import stable_ids
from dashkit.sdk.dashboard import Dashboard
from dashkit.sdk.kinds import BUILDERS as KIND_BUILDERS
from dashkit.sdk.layout import Panel, layout, walk

#: Parsed modules kept by their text, most recent last: a process that pulls again (a test
#: suite, a script pulling after each change) parses an unchanged module once. Trees are
#: immutable and edits are kept apart from them (rewrite.FileEdits), so sharing one is safe.
_PARSED: dict[str, tuple[MetadataWrapper, Any]] = {}
PARSED_KEPT = 16


@attrs.define(eq=False)
class SourceFile:
    """A module of the project, parsed once: its tree and where each node is."""
    path: Path
    text: str
    wrapper: MetadataWrapper
    positions: Any

    @classmethod
    def parse(cls, path: Path) -> SourceFile:
        text = path.read_text(encoding="utf-8")
        parsed = _PARSED.pop(text, None)
        if parsed is None:
            try:
                # the tree is parsed here and held by nothing else: the wrapper need not copy it
                # (a deep copy costs as much as the parse), and positions are of this very tree
                wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
            except cst.ParserSyntaxError as error:
                raise DashkitError(f"cannot parse it: {str(error).splitlines()[0]}",
                                   file=str(path)) from None
            parsed = wrapper, wrapper.resolve(PositionProvider)
        _PARSED[text] = parsed  # the most recent last
        while len(_PARSED) > PARSED_KEPT:
            del _PARSED[next(iter(_PARSED))]
        return cls(path, text, *parsed)

    @property
    def module(self) -> cst.Module:
        """The parsed module (the tree the positions are of)."""
        return self.wrapper.module

    def where(self, node: cst.CSTNode) -> str:
        """``file:line:column`` of a node (column from 1, as editors count)."""
        start = self.position(node).start
        return f"{self.path.name}:{start.line}:{start.column + 1}"

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where the node is in the file."""
        found: CodeRange = self.positions[node]
        return found

    def nodes(self) -> Iterator[cst.CSTNode]:
        """Every node, outermost first."""
        return descendants(self.module)


def descendants(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``root`` and every node under it, outermost first, in source order."""
    stack: list[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


@attrs.frozen
class PanelSource:
    """A built panel and the builder call that made it."""
    panel: Panel
    key: str
    file: SourceFile
    call: cst.Call
    #: The call is the panel's own builder call (not a composite making several panels).
    exact: bool = True


#: The builders that make one panel each: a call of one of them is that panel's own.
BUILDERS = KIND_BUILDERS | {"raw", "Panel"}


class Sources:
    """The project's modules, each parsed once, and only those inside the dashboards folder."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.files: dict[Path, SourceFile] = {}

    def inside(self, path: str | Path) -> bool:
        """Whether pull may write the file: only the project's own modules are rewritten."""
        return Path(path).resolve().is_relative_to(self.root)

    def file(self, path: str | Path) -> SourceFile:
        """The module at ``path``, parsed once; outside the dashboards folder, an error."""
        resolved = Path(path).resolve()
        if not self.inside(resolved):
            raise DashkitError(f"{path} is outside the dashboards folder {self.root}: "
                               "pull never writes there")
        if resolved not in self.files:
            self.files[resolved] = SourceFile.parse(resolved)
        return self.files[resolved]


def panels_by_id(dashboard: Dashboard) -> dict[int, tuple[Panel, str]]:
    """Each built panel by the id the compiler gives it, with its layout key."""
    placed = list(walk(layout(dashboard.panels, dashboard.allow_overlaps)))
    fixed = {p.key: p.item.id for p in placed if isinstance(p.item, Panel) and p.item.id is not None}
    ids = stable_ids([p.key for p in placed], fixed)
    return {ids[p.key]: (p.item, p.key) for p in placed if isinstance(p.item, Panel)}


def literal(node: cst.BaseExpression) -> Any:
    """The value of a plain literal node, or raise ValueError (a name, a call: computed)."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if isinstance(value, str):
            return value
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
            and isinstance(node.expression, (cst.Integer, cst.Float)):
        return -node.expression.evaluated_value
    if isinstance(node, (cst.List, cst.Tuple)) and all(  # of text: a variable's default, tags
            isinstance(e, cst.Element) and isinstance(literal(e.value), str) for e in node.elements):
        return [literal(e.value) for e in node.elements]
    raise ValueError("not a literal")


def is_literal(node: cst.BaseExpression) -> bool:
    """Whether pull may rewrite the node in place (it is the value itself, not a name for it)."""
    try:
        literal(node)
    except ValueError:
        return False
    return True


def locate(sources: Sources, panel: Panel, key: str) -> PanelSource:
    """The builder call at the panel's origin: the call starting on that line whose first
    argument is the panel's title, else the one panel builder called there; else the outermost
    call there, marked as not the panel's own (a composite: its fields are only reported)."""
    if panel.origin is None:
        raise DashkitError("its builder call is unknown (no call site recorded)", panel=panel.title)
    source = sources.file(panel.origin[0])
    line = panel.origin[1]
    calls = [n for n in source.nodes() if isinstance(n, cst.Call)
             and source.position(n).start.line == line]
    for call in calls:
        if call.args and not call.args[0].keyword and not call.args[0].star \
                and is_literal(call.args[0].value) and literal(call.args[0].value) == panel.title:
            return PanelSource(panel, key, source, call)
    if not calls:
        raise DashkitError(f"no builder call at {source.path.name}:{line}", panel=panel.title)
    builders = [call for call in calls if name_of(call.func) in BUILDERS]
    if len(builders) == 1:
        return PanelSource(panel, key, source, builders[0])
    return PanelSource(panel, key, source, calls[0], exact=False)


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """The ``name=`` argument of a call (None: the builder's default is used)."""
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def positional(call: cst.Call) -> list[cst.Arg]:
    """The positional arguments, up to the first ``*`` one (after it, positions are computed)."""
    found = []
    for arg in call.args:
        if arg.keyword is not None:
            break
        found.append(arg)
    return found


def name_of(func: cst.BaseExpression) -> str:
    """The last part of a called name: ``panels.timeseries`` → ``timeseries``."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


@attrs.frozen
class Constant:
    """A module-level ``NAME = value`` a field's value was read from: shared by whoever uses it."""
    file: SourceFile
    name: str
    value: cst.BaseExpression


def constant(sources: Sources, file: SourceFile, node: cst.BaseExpression,
             literal_only: bool = True) -> Constant | None:
    """The assignment behind ``NAME`` or ``module.NAME`` (a sibling module imported ``as``): of
    a literal, or (``literal_only`` False) of anything, an ``Alert(...)`` say."""
    if isinstance(node, cst.Name):
        where, name = file, node.value
    elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        target = _imported(file, node.value.value)
        path = file.path.parent / f"{target}.py"
        if target is None or not path.is_file():
            return None
        where, name = sources.file(path), node.attr.value
    else:
        return None
    for statement in where.module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            for bound, value in _bindings(small):
                if bound.value == name and (is_literal(value) or not literal_only):
                    return Constant(where, name, value)
    return None


def _bindings(small: cst.BaseSmallStatement) -> Iterator[tuple[cst.Name, cst.BaseExpression]]:
    """``NAME = value``, ``A, B = 1, 2`` and ``NAME: type = value``, name by name."""
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value:
        yield small.target, small.value
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return
    target, value = small.targets[0].target, small.value
    if isinstance(target, cst.Name):
        yield target, value
    elif isinstance(target, cst.Tuple) and isinstance(value, cst.Tuple) \
            and len(target.elements) == len(value.elements):
        for left, right in zip(target.elements, value.elements):
            if isinstance(left.value, cst.Name):
                yield left.value, right.value


def _imported(file: SourceFile, alias: str) -> str | None:
    """The sibling module ``import X as alias`` (or ``import alias``) names."""
    for statement in file.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for each in small.names:
                        bound = each.asname.name if each.asname else each.name
                        if isinstance(bound, cst.Name) and bound.value == alias \
                                and isinstance(each.name, cst.Name):
                            return each.name.value
    return None


def takes(sources: Sources, file: SourceFile, call: cst.Call, name: str) -> bool:
    """Whether the call accepts ``name=``: a ``Dashboard(...)``, or a helper of the project whose
    ``def`` has that parameter or ``**`` (pull adds a keyword only where it will build)."""
    func = call.func
    if name_of(func) == "Dashboard":
        return True
    where: SourceFile | None = file
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        target = _imported(file, func.value.value)
        path = file.path.parent / f"{target}.py"
        where = sources.file(path) if target is not None and path.is_file() else None
    for statement in where.module.body if where is not None else ():
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name_of(func):
            params = statement.params
            named = [p.name.value for p in (*params.params, *params.kwonly_params)]
            return name in named or isinstance(params.star_kwarg, cst.Param)
    return False
