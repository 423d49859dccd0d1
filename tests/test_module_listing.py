"""A dashboards module named like an installed one is refused (``loading.shadows_python``): the
folder listing it reads must name exactly the modules ``pkgutil.iter_modules`` names, which is
how Python's path finder sees a folder."""
from __future__ import annotations

import importlib.machinery
import os
import pkgutil
import sysconfig
from pathlib import Path

from dashkit.project.loading import _listing

_EXTENSION = importlib.machinery.EXTENSION_SUFFIXES[0]


def _names_asked(folder: Path) -> set[str]:
    """Every name the folder could be asked about, and a few it holds nothing of."""
    return {entry.split(".")[0] for entry in os.listdir(folder)} | {
        "__init__", "missing", "", "a.b", "os"}


def _agrees(folder: Path) -> list[str]:
    listed = {info.name for info in pkgutil.iter_modules([str(folder)])}
    _, ours = _listing(str(folder))
    return sorted(name for name in _names_asked(folder) if (name in listed) != (name in ours))


def test_a_folder_of_every_kind_of_entry(tmp_path: Path) -> None:
    for name in ("plain.py", "compiled.pyc", f"native{_EXTENSION}", "stable.abi3.so",
                 "notes.txt", "__init__.py", "README"):
        (tmp_path / name).write_text("")
    for package, init in (("pkg", "__init__.py"), ("native_pkg", f"__init__{_EXTENSION}"),
                          ("dotted.pkg", "__init__.py"), ("__init__", "__init__.py"),
                          ("data", "readme.txt")):
        (tmp_path / package).mkdir()
        (tmp_path / package / init).write_text("")
    (tmp_path / "empty").mkdir()
    (tmp_path / "folder.py").mkdir()  # a folder with a module's name counts, as pkgutil counts it
    _, ours = _listing(str(tmp_path))
    assert {n for n in ("plain", "compiled", "native", "stable", "pkg", "native_pkg", "folder",
                        "__init__") if n in ours} == {"plain", "compiled", "native", "stable",
                                                      "pkg", "native_pkg", "folder", "__init__"}
    assert not any(n in ours for n in ("notes", "README", "data", "empty", "dotted", "missing"))
    assert _agrees(tmp_path) == []


def test_the_standard_library_folder() -> None:
    assert _agrees(Path(sysconfig.get_paths()["stdlib"])) == []


def test_a_folder_a_module_puts_on_the_path_is_listed_for_the_modules_after_it(tmp_path, monkeypatch):
    import sys

    from dashkit.project.loading import load_project

    monkeypatch.setattr(sys, "path", list(sys.path))  # a.py adds to it
    library, project = tmp_path / "lib", tmp_path / "proj"
    library.mkdir()
    project.mkdir()
    (library / "zz_listed_lib.py").write_text("x = 1\n")
    dashboard = "from dashkit import Dashboard\ndashboard = Dashboard(uid='{0}', title='{0}', panels=[])\n"
    (project / "a.py").write_text(f"import sys\nsys.path.insert(0, {str(library)!r})\n"
                                  + dashboard.format("a"))
    (project / "zz_listed_lib.py").write_text(dashboard.format("b"))
    loaded = load_project(project, partial=True)
    assert [s.dashboard.uid for s in loaded.sources] == ["a"]
    assert [(e.file, "is taken by Python or by a library" in e.message) for e in loaded.errors] == [
        (str(project / "zz_listed_lib.py"), True)]
