"""Compiled dashboards modules kept between runs (``dashkit.project.bytecode``): taken only for
exactly the source they were compiled from, from a folder no one else may write to, written once
a project is loaded, and never an error to read or write. Each test is a new run: the cache is
read again from its file."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from dashkit.project import bytecode
from dashkit.project.loading import import_file


@pytest.fixture
def compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A cache of the test's own; each compile of a module's source, by path."""
    monkeypatch.setenv(bytecode.CACHE_VARIABLE, str(tmp_path / "cache"))
    made: list[str] = []

    def counted(source: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        made.append(path)
        return compile(source, path, *args, **kwargs)

    monkeypatch.setattr(bytecode, "compile", counted, raising=False)
    return made


def _module(tmp_path: Path, text: str, name: str = "board") -> Any:
    """The module of a run of its own: imported, the cache written, the run's memory of it
    forgotten."""
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    sys.modules.pop(name, None)
    try:
        return import_file(path)
    finally:
        sys.modules.pop(name, None)
        bytecode.flush()
        bytecode._FOLDERS.clear()


def test_a_module_is_compiled_once_for_its_source(tmp_path: Path, compiles: list[str]):
    assert _module(tmp_path, "X = [1, 2]\n").X == [1, 2]
    assert _module(tmp_path, "X = [1, 2]\n").X == [1, 2]
    assert len(compiles) == 1
    assert len(list((tmp_path / "cache" / "bytecode").glob("*.bin"))) == 1


def test_an_edit_of_the_same_size_in_the_same_second_runs_the_new_code(tmp_path: Path,
                                                                      compiles: list[str]):
    assert _module(tmp_path, "X = 1\n").X == 1
    stamp = (tmp_path / "board.py").stat().st_mtime_ns
    path = tmp_path / "board.py"
    path.write_text("X = 2\n", encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # what Python's own cache would take for the old file
    sys.modules.pop("board", None)
    assert import_file(path).X == 2 and len(compiles) == 2
    sys.modules.pop("board", None)
    bytecode.flush()
    bytecode._FOLDERS.clear()  # the next run's, from the file
    assert _module(tmp_path, "X = 1\n").X == 1 and len(compiles) == 3


@pytest.mark.parametrize("damage", ["source", "path", "magic", "garbage", "empty"])
def test_an_entry_for_anything_else_is_not_taken(tmp_path: Path, compiles: list[str], damage: str):
    import importlib.util
    import marshal

    _module(tmp_path, "X = 1\n")
    entry = next((tmp_path / "cache" / "bytecode").glob("*.bin"))
    magic, modules = marshal.loads(entry.read_bytes())
    ((path, (source, _)),) = modules.items()
    other = compile("X = 666\n", path, "exec")
    entry.write_bytes({
        "source": marshal.dumps((magic, {path: (b"X = 666\n", other)})),
        "path": marshal.dumps((magic, {path + "x": (source, other)})),
        "magic": marshal.dumps((importlib.util.MAGIC_NUMBER[:-1] + b"?", {path: (source, other)})),
        "garbage": b"\x00not marshal",
        "empty": b"",
    }[damage])
    assert _module(tmp_path, "X = 1\n").X == 1 and len(compiles) == 2


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_others_may_write_to_is_neither_read_nor_written(tmp_path: Path,
                                                                compiles: list[str]):
    _module(tmp_path, "X = 1\n")
    folder = tmp_path / "cache" / "bytecode"
    folder.chmod(0o777)
    _module(tmp_path, "X = 1\n")  # not read
    next(folder.glob("*.bin")).unlink()
    _module(tmp_path, "X = 1\n")  # nor written
    assert len(compiles) == 3 and not list(folder.glob("*.bin"))


def test_an_empty_setting_turns_it_off(tmp_path: Path, compiles: list[str],
                                       monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(bytecode.CACHE_VARIABLE, "")
    _module(tmp_path, "X = 1\n")
    _module(tmp_path, "X = 1\n")
    assert len(compiles) == 2 and not (tmp_path / "cache").exists()


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path, compiles: list[str],
                                                    monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(bytecode.CACHE_VARIABLE, str(tmp_path / "file"))
    assert _module(tmp_path, "X = 1\n").X == 1
    assert _module(tmp_path, "X = 1\n").X == 1 and len(compiles) == 2


def test_a_project_is_written_in_one_file_once_it_is_loaded(tmp_path: Path, compiles: list[str]):
    from dashkit.project.loading import load_project

    folder = tmp_path / "boards"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.py").write_text(
            f"from dashkit import Dashboard\ndashboard = Dashboard(uid={name!r}, title={name!r})\n",
            encoding="utf-8")
    assert len(load_project(folder).sources) == 3
    assert len(list((tmp_path / "cache" / "bytecode").glob("*.bin"))) == 1
    bytecode._FOLDERS.clear()
    (folder / "c.py").write_text("from dashkit import Dashboard\n"
                                 "dashboard = Dashboard(uid='c', title='C')\n", encoding="utf-8")
    assert [s.dashboard.title for s in load_project(folder).sources][-1] == "C"
    assert sorted(Path(p).name for p in compiles) == ["a.py", "b.py", "c.py", "c.py"]
