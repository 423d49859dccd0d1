"""Finding the dashboards of a project: every module in the dashboards folder that defines
``dashboard`` (one) or ``dashboards`` (a list), and ``datasources`` to provision."""
from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

import attrs

from dashkit.dashboard import Dashboard
from dashkit.datasources import Datasource
from dashkit.errors import DashkitError


@attrs.frozen
class Source:
    """A dashboard and the file that defines it, so errors can name the file."""

    dashboard: Dashboard
    file: str


@attrs.frozen
class Project:
    sources: tuple[Source, ...]
    datasources: tuple[Datasource, ...]


def import_file(path: Path) -> ModuleType:
    """A Python file as a module named after it, its siblings importable by name; a module a
    sibling already imported is reused, not run twice. Failures become one located line."""
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__file__", None) == str(path.resolve()):
        return loaded
    spec = importlib.util.spec_from_file_location(name, path.resolve())
    if spec is None or spec.loader is None:
        raise DashkitError("cannot load: not a Python file", file=str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except DashkitError:
        raise
    except Exception as exc:  # any failure of user code becomes one located line
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        line = f" (line {frames[-1].lineno})" if frames else ""
        raise DashkitError(f"failed to import{line}: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path.remove(folder)
    return module


def load_project(folder: str | Path) -> Project:
    """Import every module of ``folder`` (helpers such as a shared catalog module included)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DashkitError(f"no dashboards folder at {folder}")
    modules = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    for path in modules:  # sibling modules are importable by name, fresh on every load
        sys.modules.pop(path.stem, None)
    sources: list[Source] = []
    datasources: dict[str, Datasource] = {}
    for path in modules:
        try:
            module = import_file(path)
            found = _dashboards_of(module)
        except DashkitError as error:
            raise error.located(file=str(path)) from None
        sources.extend(Source(d, str(path)) for d in found)
        for ds in getattr(module, "datasources", []):
            if ds.uid in datasources and datasources[ds.uid] != ds:
                raise DashkitError(f"datasource uid {ds.uid!r} is defined twice", file=str(path))
            datasources[ds.uid] = ds
    return Project(tuple(sources), tuple(sorted(datasources.values(), key=lambda d: d.name)))


def _dashboards_of(module: ModuleType) -> list[Dashboard]:
    found = []
    single = getattr(module, "dashboard", None)
    if single is not None:
        found.append(single)
    found.extend(getattr(module, "dashboards", []))
    for item in found:
        if not isinstance(item, Dashboard):
            raise DashkitError(f"`dashboard`/`dashboards` must hold dashkit.Dashboard objects, "
                               f"not {type(item).__name__}")
    return found
