"""One public path per name: the public API is the ``dashkit`` package and its thin top-level
modules (every ``src/dashkit/*.py`` that is not a foundation module); the layer packages are
internal. Each public name is exported by exactly one public module, under one name."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from types import ModuleType

import pytest
from test_architecture import FOUNDATION, PACKAGE

THIN = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in FOUNDATION | {"__init__", "__main__"})
PUBLIC = ["dashkit", *(f"dashkit.{name}" for name in THIN)]


def exports(module: str) -> dict[str, object]:
    """The names a public module exports (its ``__all__``) and what each is, modules left out."""
    loaded = importlib.import_module(module)
    return {name: getattr(loaded, name) for name in loaded.__all__
            if not isinstance(getattr(loaded, name), ModuleType)}


def test_the_public_modules_are_the_thin_ones_the_docs_name():
    assert THIN == ["catalogs", "composites", "logql", "panels", "promql", "remote", "slo", "variables"]


@pytest.mark.parametrize("module", PUBLIC)
def test_every_name_in_all_resolves(module):
    loaded = importlib.import_module(module)
    missing = [name for name in loaded.__all__ if not hasattr(loaded, name)]
    assert missing == []


def test_no_two_public_modules_export_the_same_name():
    homes: dict[str, list[str]] = {}
    for module in PUBLIC:
        for name in exports(module):
            homes.setdefault(name, []).append(module)
    assert {name: found for name, found in homes.items() if len(found) > 1} == {}


def test_no_public_object_has_two_import_paths():
    """The same object exported twice, under one name or two (``dashkit.X`` and ``dashkit.panels.Y``)."""
    paths: dict[int, list[str]] = {}
    for module in PUBLIC:
        for name, value in exports(module).items():
            if isinstance(value, (str, int, float, tuple, frozenset)):
                continue  # equal constants may be one interned object
            paths.setdefault(id(value), []).append(f"{module}.{name}")
    assert [found for found in paths.values() if len(found) > 1] == []


def test_the_submodules_dashkit_lists_are_its_thin_modules():
    """``from dashkit import panels`` and ``import dashkit.panels`` are one path: the same module."""
    import dashkit

    listed = {name for name in dashkit.__all__ if isinstance(getattr(dashkit, name), ModuleType)}
    assert listed == set(THIN) - {"remote"}  # remote needs requests: imported on its own
    assert all(getattr(dashkit, name) is importlib.import_module(f"dashkit.{name}") for name in listed)


@pytest.mark.parametrize("name", THIN)
def test_a_thin_module_only_imports_and_lists(name):
    """No code of its own: a docstring, imports from the layers and ``__all__``."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    kinds = [type(node).__name__ for node in tree.body[1:]]
    assert set(kinds) <= {"ImportFrom", "Assign"} and kinds.count("Assign") == 1
    sources = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)} - {"__future__"}
    assert all(source.count(".") >= 2 for source in sources), sources  # from a layer's module


def test_the_alias_machinery_is_gone():
    assert list(PACKAGE.glob("*.pyi")) == []
    source = (PACKAGE / "__init__.py").read_text()
    assert "sys.modules" not in source and "__getattr__" not in source


def test_import_dashkit_and_its_builders_leaves_requests_out():
    """``dashkit build`` never needs requests: only ``dashkit.remote`` brings it in."""
    light = "; ".join(f"import {module}" for module in PUBLIC if module != "dashkit.remote")
    code = f"import sys; {light}; print('requests' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
    code = "import sys; import dashkit.remote; print('requests' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "True"


def test_no_two_modules_define_a_class_of_the_same_name():
    """Twins (``Live`` in publishing and in preview, ``Source`` in discovery and in loading, ``Target``
    a panel's query and a Grafana to publish to) read as one thing in tracebacks, docs and reviews."""
    homes: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                homes.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: found for name, found in homes.items() if len(found) > 1} == {}
