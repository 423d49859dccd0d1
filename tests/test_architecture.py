"""The layers of ``src/dashkit`` and what each may import, checked over the import graph.

Every import counts, those inside functions included; only imports under ``if TYPE_CHECKING:``
(types for the checker, never run) are left out. The layers and what each may import are
``dashkit.layers``, the one place they are written.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

from conftest import PACKAGE

from dashkit import layers

FOUNDATION = set(layers.FOUNDATION)
#: Each layer and the layers it may import (the foundation modules are open to all).
MAY_IMPORT: dict[str, set[str]] = {**{name: set() for name in layers.FOUNDATION},
                                   **{name: set(layer.imports) for name, layer in layers.LAYERS.items()}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(path: Path, *, for_types: bool = False) -> set[str]:
    """The dashkit modules ``path`` imports when it runs (at any depth of the code); with
    ``for_types``, those it imports only for the type checker too."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child) and not for_types:
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("dashkit"))
            elif isinstance(child, ast.ImportFrom) and (child.module or "").startswith("dashkit"):
                for alias in child.names:  # "from dashkit.sdk import panels" imports a module
                    candidate = f"{child.module}.{alias.name}"
                    found.add(candidate if candidate in modules() else str(child.module))
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return found


@functools.cache
def modules() -> dict[str, Path]:
    """Every dashkit module and its file; read when a test asks (not while collecting, which
    every test worker does)."""
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


@functools.cache
def graph(for_types: bool = False) -> dict[str, set[str]]:
    """Each module and the dashkit modules it imports; ``for_types`` adds those under
    ``if TYPE_CHECKING:``: a cycle there is still two modules that need each other."""
    return {name: imports(path, for_types=for_types) for name, path in modules().items()}


def layer(module: str) -> str:
    """A module's layer; ``""`` for the public API (``dashkit`` and its thin top-level modules)."""
    parts = module.split(".")
    if len(parts) == 2 and parts[1] not in MAY_IMPORT:
        return ""
    return parts[1] if len(parts) > 1 else ""


def test_every_module_is_in_a_layer():
    assert {layer(m) for m in modules()} - {""} == set(MAY_IMPORT)


def test_each_layer_imports_only_the_layers_below_it():
    wrong = sorted(f"{module} imports {target}" for module, targets in graph().items()
                   if layer(module) for target in targets
                   if layer(target) not in MAY_IMPORT[layer(module)] | FOUNDATION | {layer(module)})
    assert wrong == []


def _layer_imports() -> dict[str, set[str]]:
    """The layers each layer imports, read off the graph (the foundation and itself aside)."""
    found: dict[str, set[str]] = {name: set() for name in MAY_IMPORT}
    for module, targets in graph().items():
        if layer(module):
            found[layer(module)] |= {layer(t) for t in targets} - FOUNDATION - {layer(module), ""}
    return found


def test_the_map_lets_a_layer_import_only_what_it_does_import():
    """The map is tight: a layer it lets import another that none of its modules imports is a
    stale line, and the docs drawn from it would promise a dependency that is not there."""
    used = _layer_imports()
    unused = sorted(f"{name} may import {other}" for name, allowed in MAY_IMPORT.items()
                    for other in allowed - used[name])
    assert unused == []


def test_foundation_modules_import_no_layer():
    assert {name: used for name, used in _layer_imports().items() if name in FOUNDATION and used} == {}


def test_each_layer_imports_only_layers_listed_before_it():
    """The map itself runs one way: no two layers may import each other, however indirectly."""
    order = list(layers.LAYERS)
    upward = sorted(f"{name} -> {other}" for name, layer_ in layers.LAYERS.items()
                    for other in layer_.imports if other not in order[:order.index(name)])
    assert upward == []


def test_nothing_imports_the_cli_or_the_facade():
    users = sorted(m for m, targets in graph().items() if layer(m) not in ("", "cli", "__main__")
                   and any(layer(t) in ("", "cli") for t in targets))
    assert users == []


def test_no_import_cycles_between_modules_not_even_for_types():
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph(for_types=True).get(node, ())):
            if target not in modules() or layer(target) == "":
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(modules()):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_graph_is_read_from_function_level_imports_too():
    """The check would be hollow if imports inside functions were missed."""
    assert "dashkit.project.rule_files" in graph()["dashkit.project.pipeline"]  # imported in build()
    assert "dashkit.sdk.dashboard" not in graph()["dashkit.sdk.compiler"]  # for the type checker only
    assert "dashkit.sdk.dashboard" in graph(for_types=True)["dashkit.sdk.compiler"]
    assert "dashkit.publishing.publisher" in graph()["dashkit.cli.fleet"]  # imported lazily


#: Modules still over the size a reader takes in at one sitting, to be split (issue 9).
OVERSIZED: set[str] = set()


def test_modules_are_small_enough_to_read_in_one_sitting():
    sizes = {m: len(p.read_text().splitlines()) for m, p in modules().items()}
    assert sorted(m for m, n in sizes.items() if n > 400) == sorted(OVERSIZED)


def test_every_public_function_and_class_says_why_it_exists():
    undocumented = []
    for name, path in modules().items():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_") \
                    and ast.get_docstring(node) is None:
                undocumented.append(f"{name}.{node.name}")
    assert undocumented == []
