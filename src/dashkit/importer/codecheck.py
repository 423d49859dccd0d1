"""The only Python ``dashkit import`` may write, checked before any of it runs.

The importer verifies what it generates by running it. Text from the imported dashboard reaches
the module only as string literals (:func:`dashkit.pysource.python_string`), but a bug there must
not become code execution: every module and every expression is parsed first and its syntax tree
held against what the generator produces (dashkit imports, constant assignments, calls of dashkit
builders, literals, ``%`` templates). Anything else is an internal error and nothing is run.

What runs is the checked tree itself, evaluated node by node (:func:`_value`): no bytecode is
compiled from it, so nothing but the shapes checked can run, and the module is not compiled on
top of being parsed (compiling was a third of checking and running one).
"""
from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import orjson

from dashkit.errors import DashkitError
from dashkit.importer.pysource import Call, Code, Template
from dashkit.sdk.kinds import BUILDERS

#: ``from MODULE import NAME`` the generated modules may write.
IMPORTS: dict[str, frozenset[str]] = {
    "__future__": frozenset({"annotations"}),
    "dashkit": frozenset({"Annotation", "Dashboard", "DatasourceRef", "Link", "Row", "Target",
                          "Thresholds", "panels", "variables"}),
}
#: Callables by name, and ``module.function`` for the builder modules.
CALLS = frozenset({"Dashboard", "Link", "Row", "Annotation", "DatasourceRef", "Target",
                   "Thresholds"})
MODULE_CALLS: dict[str, frozenset[str]] = {
    "panels": BUILDERS | {"raw", "override", "fixed_color"},
    "variables": frozenset({"Variable", "datasource", "query", "custom", "interval"}),
}
#: Methods a named constant may have called on it (a datasource as variable JSON).
METHODS = frozenset({"to_json_data"})


class UnsafeSource(DashkitError):
    """Generated code outside the allowed shape: a bug in dashkit, never run."""


def _fail(node: ast.AST, what: str) -> UnsafeSource:
    line = getattr(node, "lineno", "?")
    return UnsafeSource(f"internal error: the generated module has {what} at line {line}; "
                        "nothing was run (please report this)")


def _check_expr(node: ast.AST, names: set[str], constants: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, (str, int, float, bool, type(None))):
            raise _fail(node, f"a {type(node.value).__name__} constant")
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(
            node.operand, ast.Constant) and isinstance(node.operand.value, (int, float)):
        return
    if isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            _check_expr(item, names, constants)
        return
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is None:
                raise _fail(node, "a ** in a dict")
            _check_expr(key, names, constants)
            _check_expr(value, names, constants)
        return
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        if node.id not in names:
            raise _fail(node, f"an unknown name {node.id!r}")
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        # a query as a % template over named label matchers
        if not (isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
            raise _fail(node, "a % whose template is not a string")
        parts = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        if not all(isinstance(p, ast.Name) and p.id in constants for p in parts):
            raise _fail(node, "a % over something other than named constants")
        return
    if isinstance(node, ast.Call):
        _check_callee(node.func, names, constants)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _fail(arg, "a *argument")
            _check_expr(arg, names, constants)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise _fail(node, "a **argument")
            _check_expr(keyword.value, names, constants)
        return
    raise _fail(node, f"a {type(node).__name__} expression")


def _check_callee(func: ast.AST, names: set[str], constants: set[str]) -> None:
    if isinstance(func, ast.Name) and func.id in CALLS and func.id in names:
        return
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner, attr = func.value.id, func.attr
        if owner in MODULE_CALLS and owner in names and attr in MODULE_CALLS[owner]:
            return
        if owner in constants and attr in METHODS:
            return
    raise _fail(func, f"a call of {ast.unparse(func)!r}")


def check_module(source: str) -> ast.Module:
    """Raise :class:`UnsafeSource` unless ``source`` has only the generator's shapes; the
    checked tree, which is what runs (the text is not parsed twice)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as error:
        raise UnsafeSource(f"internal error: the generated module does not parse ({error}); "
                           "nothing was run (please report this)") from None
    names: set[str] = set()
    constants: set[str] = set()
    for index, statement in enumerate(tree.body):
        if index == 0 and isinstance(statement, ast.Expr) and isinstance(
                statement.value, ast.Constant) and isinstance(statement.value.value, str):
            continue  # the docstring
        if isinstance(statement, ast.ImportFrom):
            allowed = IMPORTS.get(statement.module or "")
            if allowed is None or statement.level:
                raise _fail(statement, f"an import from {statement.module!r}")
            for alias in statement.names:
                if alias.name not in allowed or alias.asname is not None:
                    raise _fail(statement, f"an import of {alias.name!r}")
                names.add(alias.name)
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
                statement.targets[0], ast.Name):
            _check_expr(statement.value, names, constants)
            target = statement.targets[0].id
            if target in IMPORTS["dashkit"] | CALLS or target.startswith("__"):
                raise _fail(statement, f"an assignment to {target!r}")
            names.add(target)
            constants.add(target)
            continue
        raise _fail(statement, f"a {type(statement).__name__} statement")
    return tree


def check_expression(source: str, names: Iterable[str], constants: Iterable[str]
                     ) -> ast.Expression:
    """The same rules for one expression evaluated against known ``names``; the checked tree."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError) as error:
        raise UnsafeSource(f"internal error: a generated expression does not parse ({error})"
                           ) from None
    _check_expr(tree.body, set(names), set(constants))
    return tree


def _import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
            level: int = 0) -> Any:
    if name not in IMPORTS or level:
        raise ImportError(f"generated code may not import {name}")
    import importlib

    return importlib.import_module(name)


def run_module(source: str) -> dict[str, Any]:
    """The checked module's namespace, as running it with no builtins but a dashkit-only import
    makes it."""
    tree = check_module(source)
    namespace: dict[str, Any] = {"__builtins__": {"__import__": _import}}
    for index, statement in enumerate(tree.body):  # the shapes check_module lets through
        if isinstance(statement, ast.ImportFrom):
            module = _import(statement.module or "", fromlist=[a.name for a in statement.names])
            for alias in statement.names:
                namespace[alias.name] = getattr(module, alias.name)
        elif isinstance(statement, ast.Assign):
            target = statement.targets[0]
            assert isinstance(target, ast.Name)
            namespace[target.id] = _value(statement.value, namespace)
        elif index == 0 and isinstance(statement, ast.Expr):
            namespace["__doc__"] = _value(statement.value, namespace)  # the docstring
    return namespace


def evaluate(source: str, namespace: dict[str, Any], constants: Iterable[str]) -> Any:
    """One checked expression in ``namespace``."""
    tree = check_expression(source, [n for n in namespace if not n.startswith("__")], constants)
    return _value(tree.body, namespace)


def _value(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """What Python evaluates a checked expression to (``_check_expr``'s shapes), in its order:
    a call's function, then its arguments, then its keywords; a dict's keys before values."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call):
        func = node.func
        function = namespace[func.id] if isinstance(func, ast.Name) else \
            getattr(_value(func.value, namespace), func.attr)  # type: ignore[attr-defined]
        return function(*[_value(a, namespace) for a in node.args],
                        **{str(k.arg): _value(k.value, namespace) for k in node.keywords})
    if isinstance(node, ast.List):
        return [_value(item, namespace) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {_value(k, namespace): _value(v, namespace)  # type: ignore[arg-type]
                for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Name):
        return namespace[node.id]
    if isinstance(node, ast.Tuple):
        return tuple([_value(item, namespace) for item in node.elts])
    if isinstance(node, ast.UnaryOp):  # minus a number
        return -_value(node.operand, namespace)
    if isinstance(node, ast.BinOp):  # a % template over named constants
        return _value(node.left, namespace) % _value(node.right, namespace)
    raise _fail(node, f"a {type(node).__name__} expression")  # check_module let through no other


def code_value(code: Code, namespace: dict[str, Any], constants: Collection[str]) -> Any:
    """What a Code fragment's text evaluates to: a :class:`Template` over named constants found
    without parsing its text (a ``%`` over the constants' values, as its text writes it), any
    other fragment through :func:`evaluate`."""
    if type(code) is Template and code.names and all(
            name in constants and name in namespace for name in code.names):
        names = code.names
        return code.template % (namespace[names[0]] if len(names) == 1 else
                                tuple([namespace[name] for name in names]))
    return evaluate(code.text, namespace, constants)


#: The literal types :func:`build_value` returns as they are.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def build_value(value: Any, namespace: dict[str, Any], constants: Iterable[str],
                evaluated: dict[str, Any] | None = None,
                built: Mapping[int, tuple[Any, ...]] | None = None) -> Any:
    """What the generated source for ``value`` (a pysource Call, Code or literal) evaluates to,
    built directly from the data: calls resolve only through the same allow-list, and a Code
    fragment (a constant's name, a ``%`` template) goes through :func:`evaluate`. No source text
    is compiled for the structure itself, which makes checking each panel cheap.

    ``evaluated`` keeps each Code fragment's value by its text, for a namespace whose names are
    only ever added, never rebound, as the generator's are: a fragment that evaluated once
    evaluates to the same value again, so it is checked and compiled once.

    ``built`` holds, by the id of a Call object, that object and what it built already (the
    import's first pass builds each panel to compare it, then the dashboard of them all): the
    same Call object is not built again."""
    constants = frozenset(constants)

    def build(value: Any) -> Any:
        if type(value) in _LEAVES:  # most of a call tree, and what the last case returns
            return value
        if isinstance(value, Call):
            done = built.get(id(value)) if built is not None else None
            if done is not None and done[0] is value:
                return done[1]
            owner, _, attr = value.name.rpartition(".")
            allowed = (attr in CALLS and not owner) or (
                owner in MODULE_CALLS and attr in MODULE_CALLS[owner]) or (
                owner in constants and attr in METHODS)  # as _check_callee allows
            if not allowed or (owner or attr) not in namespace:
                raise UnsafeSource(f"internal error: a call of {value.name!r} (please report this)")
            function = getattr(namespace[owner], attr) if owner else namespace[attr]
            return function(*[build(a) for a in value.args],
                            **{k: build(v) for k, v in value.kwargs})
        if isinstance(value, Code):
            if evaluated is None:
                return code_value(value, namespace, constants)
            if value.text not in evaluated:
                evaluated[value.text] = code_value(value, namespace, constants)
            return evaluated[value.text]
        if type(value) in (dict, list):
            try:  # plain JSON (a raw panel, an ``extra``): copied in one C call, not walked
                return orjson.loads(orjson.dumps(value))
            except TypeError:  # it holds a Call or a Code: built piece by piece below
                pass
        if isinstance(value, dict):
            return {build(k): build(v) for k, v in value.items()}
        if isinstance(value, list):
            return [build(v) for v in value]
        if isinstance(value, tuple):
            return tuple(build(v) for v in value)
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise UnsafeSource(f"internal error: a {type(value).__name__} value (please report this)")

    return build(value)
