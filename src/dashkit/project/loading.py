"""Finding the dashboards of a project: every module in the dashboards folder that defines
``dashboard`` (one) or ``dashboards`` (a list), ``datasources`` to provision and ``rule_groups``
(Prometheus alerting and recording rules) to write."""
from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
import pkgutil
import sys
from collections.abc import Container, Iterator, Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import TypeVar

import attrs

from dashkit.errors import DashkitError, raise_all, site_in, user_site
from dashkit.project.bytecode import compiled
from dashkit.project.bytecode import flush as flush_compiled
from dashkit.query.catalog import Catalog
from dashkit.sdk.alerts import RuleGroup, RuleTest
from dashkit.sdk.dashboard import Dashboard
from dashkit.sdk.datasources import Datasource
from dashkit.sdk.routing import Alertmanager

T = TypeVar("T")


@attrs.frozen
class Source:
    """A dashboard and the file that defines it, so errors can name the file."""

    dashboard: Dashboard
    file: str


@attrs.frozen
class Project:
    """A dashboards folder as loaded: its dashboards, datasources and helper modules."""
    sources: tuple[Source, ...]
    datasources: tuple[Datasource, ...]
    #: Modules that failed to load (``load_project(..., partial=True)`` only).
    errors: tuple[DashkitError, ...] = ()
    #: The folder it was loaded from (its lint exclusions file lives there).
    root: Path | None = None
    #: Prometheus rule groups the modules define, in module order.
    rule_groups: tuple[RuleGroup, ...] = ()
    #: promtool unit tests of those rules (``rule_tests``).
    rule_tests: tuple[RuleTest, ...] = ()
    #: Alertmanager's routing (``alertmanager``), written as alertmanager.yml.
    alertmanager: Alertmanager | None = None


def import_file(path: Path) -> ModuleType:
    """A Python file as a module named after it, its siblings importable by name; a module a
    sibling already imported is reused, not run twice. Failures become one located line."""
    name, resolved = path.stem, path.resolve()
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__file__", None) == str(resolved):
        return loaded
    spec = importlib.util.spec_from_file_location(
        name, resolved, loader=FreshSourceLoader(name, str(resolved)))
    if spec is None or spec.loader is None:
        raise DashkitError("cannot load: not a Python file", file=str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    folder = str(resolved.parent)
    sys.path.insert(0, folder)
    siblings = FreshSiblings(folder)
    sys.meta_path.insert(0, siblings)
    try:
        spec.loader.exec_module(module)
    except DashkitError as error:  # at the user's line that raised it, in whichever module
        sys.modules.pop(name, None)
        raise error.located(file=site_in(error.__traceback__, folder)) from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # any failure of user code (sys.exit too) becomes one line
        sys.modules.pop(name, None)
        site = site_in(exc.__traceback__, folder)  # a helper module's line, not the importer's
        text = " ".join(str(exc).split()) or "(no message)"
        if isinstance(exc, SyntaxError) and exc.lineno:  # file:line, as editors jump to
            site = user_site((exc.filename or str(path), exc.lineno))
            text = " ".join(str(exc.msg).split()) or "invalid syntax"
        if isinstance(exc, SystemExit):
            raise DashkitError(f"called sys.exit({exc.code!r}) while being imported",
                               file=site) from None
        raise DashkitError(f"failed to import: {type(exc).__name__}: {text}", file=site) from None
    finally:
        sys.path.remove(folder)
        sys.meta_path.remove(siblings)
    return module


class FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Runs a dashboards module from its source, never from a cached ``.pyc``: Python trusts a
    cache whose source has the same size and the same mtime in whole seconds, so an edit of the
    same size within a second (``build --watch``, ``serve``) would run the old code. Nothing is
    written into the user's folder either (``bytecode`` keeps the code for its exact source)."""

    def get_code(self, fullname: str) -> CodeType:
        return compiled(self.get_data(self.path), self.path)


class FreshSiblings:
    """Finds the sibling modules a dashboards module imports by name (``import easymo``) in its
    folder, loaded as fresh as the module itself."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        source = self.folder / f"{fullname}.py"
        if path is not None or "." in fullname or not source.is_file():
            return None
        return importlib.util.spec_from_file_location(
            fullname, source, loader=FreshSourceLoader(fullname, str(source)))


def shadows_python(name: str, folder: Path | None = None) -> bool:
    """True where ``name`` is a standard-library, built-in or installed module: a dashboards
    module of that name would be imported in its place, or replace it in ``sys.modules``.
    A module found in ``folder`` itself (the dashboards folder) does not count."""
    return PythonNames(folder).shadowed(name)


class PythonNames:
    """``shadows_python`` for one run over a dashboards folder (a project's load asks once a
    module): the folder is resolved once and each folder of ``sys.path`` listed once."""

    def __init__(self, folder: Path | None = None) -> None:
        self.outside = None if folder is None else str(folder.resolve())
        self.listings: dict[str, tuple[str, Container[str]]] = {}

    def shadowed(self, name: str) -> bool:
        if name in sys.stdlib_module_names or name in sys.builtin_module_names:
            return True
        for entry in dict.fromkeys(sys.path):  # a folder a module put on the path counts once
            listed = self.listings.get(entry)
            if listed is None:
                listed = self.listings[entry] = _listing(entry)
            if listed[0] != self.outside and name in listed[1]:
                return True
        # finders other than the path's (an editable install's, say) answer from a table
        for finder in sys.meta_path:
            if finder in _STANDARD_FINDERS or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, None)
            if spec is not None and spec.origin is not None:
                return (self.outside is None
                        or str(Path(spec.origin).resolve().parent) != self.outside)
        return False


_STANDARD_FINDERS = (importlib.machinery.PathFinder, importlib.machinery.BuiltinImporter,
                     importlib.machinery.FrozenImporter)


def _listing(entry: str) -> tuple[str, Container[str]]:
    try:
        changed = os.stat(entry or ".").st_mtime_ns
    except OSError:
        return "", frozenset()
    return _modules_in(entry, changed)


@functools.lru_cache(maxsize=1024)
def _modules_in(entry: str, changed: int) -> tuple[str, Container[str]]:
    """A ``sys.path`` entry, resolved, and the top-level modules and packages it holds: listed
    once per entry and change of it (a ``find_spec`` per module would scan the whole path each
    time)."""
    try:
        resolved = str(Path(entry or ".").resolve())
    except OSError:
        return "", frozenset()
    folder = entry or "."
    if not os.path.isdir(folder):  # a zip file: its importer lists it
        return resolved, frozenset(info.name for info in pkgutil.iter_modules([folder]))
    try:
        return resolved, _FolderModules(folder, frozenset(os.listdir(folder)))
    except OSError:
        return resolved, frozenset()


_SUFFIXES = tuple(importlib.machinery.all_suffixes())


class _FolderModules:
    """The names ``pkgutil.iter_modules`` lists for a folder, asked one name at a time: it
    reads every subfolder of site-packages (and strips suffixes file by file), which was most
    of a small project's load time; this reads the one subfolder of the name asked."""

    def __init__(self, folder: str, files: frozenset[str]) -> None:
        self.folder, self.files = folder, files
        #: The names of its module files: each file less a module suffix it ends in, found once
        #: (a load asks about every module of the project, each against every folder).
        self.module_files = frozenset(file[:-len(suffix)] for file in files for suffix in _SUFFIXES
                                      if file.endswith(suffix))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or not name or "." in name:
            return False
        if name != "__init__" and name in self.module_files:
            return True  # a module file
        if name not in self.files or not os.path.isdir(path := os.path.join(self.folder, name)):
            return False
        try:  # a package: a folder with an __init__ of any module suffix
            inside = set(os.listdir(path))
        except OSError:
            return False
        return any(f"__init__{suffix}" in inside for suffix in _SUFFIXES)


def _sibling_imports(path: Path, stems: set[str]) -> set[str]:
    """The sibling modules ``path`` imports, read from its source (not run)."""
    import ast

    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except (SyntaxError, ValueError, OSError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found & stems


def load_project(folder: str | Path, *, partial: bool = False) -> Project:
    """Import every module of ``folder`` (helpers such as a shared catalog module included).

    Every module is tried: a broken one does not hide the others. Their errors are raised
    together (:class:`DashkitErrors`), or, with ``partial``, kept in ``Project.errors`` beside
    what did load (``dashkit lint`` reports them all).
    """
    loader = ProjectLoader(folder)
    sources = [source for module in loader.modules() for source in module]
    return loader.project(sources, partial=partial)


class ProjectLoader:
    """A dashboards folder's modules imported one at a time (``modules``), what they define
    besides dashboards gathered as they go (``project``). ``build`` uses it to compile, check
    and write each module's dashboards before the next module is imported, so that it never
    holds the whole project."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise DashkitError(f"no dashboards folder at {self.folder}")
        self.paths = sorted(p for p in self.folder.glob("*.py") if not p.name.startswith("_"))
        self.stems = {p.stem for p in self.paths}
        for path in self.folder.glob("*.py"):  # siblings, helpers (_*.py) too, fresh on every load
            if path.stem not in sys.stdlib_module_names and path.stem not in sys.builtin_module_names:
                sys.modules.pop(path.stem, None)
        self.helpers: set[str] | None = None  # read from the sources only if a module defines nothing
        self.python_names = PythonNames(self.folder)
        self.datasources: dict[str, Datasource] = {}
        self.rule_groups: list[RuleGroup] = []
        self.rule_tests: list[RuleTest] = []
        self.routing: list[Alertmanager] = []
        self.errors: list[DashkitError] = []

    def modules(self, *, release: bool = False) -> Iterator[tuple[Source, ...]]:
        """The dashboards of each module in turn (a module that fails is in ``errors``). With
        ``release``, a module whose name no other file of the folder mentions (in an import or
        a string) is taken out of ``sys.modules`` once the caller asks for the next, so that its
        dashboards are let go when the caller lets them go; only an import by a name computed
        at run time would run it again."""
        named = _names_in(self.folder, self.stems) if release else self.stems
        for path in self.paths:
            found = self._load(path)
            if found is None:
                continue
            yield tuple(Source(d, str(path)) for d in found)
            if path.stem not in named:
                sys.modules.pop(path.stem, None)
        flush_compiled()  # the modules' code, for the next run (bytecode)

    def _load(self, path: Path) -> list[Dashboard] | None:
        try:
            if self.python_names.shadowed(path.stem):
                raise DashkitError(f"the module name {path.stem!r} is taken by Python or by a "
                                   "library dashkit uses: rename the file")
            module = import_file(path)
            found = _dashboards_of(module)
            provided = _objects(module, "datasources", Datasource, "dashkit.Datasource")
            groups = _objects(module, "rule_groups", RuleGroup, "dashkit RuleGroup")
            self.rule_groups += groups
            self.rule_tests += _objects(module, "rule_tests", RuleTest, "dashkit RuleTest")
            routes = _alertmanager(module)
            self.routing += routes
            defines = bool(found or provided or groups or routes)
            if not defines and self.helpers is None:
                self.helpers = set().union(*(_sibling_imports(p, self.stems - {p.stem})
                                             for p in self.paths))
            if not defines and path.stem not in (self.helpers or set()):
                raise DashkitError("defines no dashboard: set `dashboard` (one) or `dashboards` "
                                   "(a list), or name the file _*.py if it is not one")
            for ds in provided:
                if ds.uid in self.datasources and self.datasources[ds.uid] != ds:
                    raise DashkitError(f"datasource uid {ds.uid!r} is defined twice")
                self.datasources[ds.uid] = ds
        except DashkitError as error:
            self.errors.append(error.located(file=str(path)))
            return None
        return found

    def project(self, sources: Sequence[Source] = (), *, partial: bool = False) -> Project:
        """The project as loaded so far, holding ``sources``; its errors are raised together
        unless ``partial``."""
        errors = list(self.errors)
        if len(self.routing) > 1:
            errors.append(DashkitError("`alertmanager` is defined by more than one module: "
                                       "Alertmanager has one configuration", file=str(self.folder)))
        if not partial:
            raise_all(errors)
        return Project(tuple(sources), tuple(sorted(self.datasources.values(), key=lambda d: d.name)),
                       tuple(errors), self.folder, tuple(self.rule_groups), tuple(self.rule_tests),
                       self.routing[0] if self.routing else None)


def _names_in(folder: Path, stems: set[str]) -> set[str]:
    """The module names among ``stems`` that some other Python file of ``folder`` mentions as a
    word (an import, or a string a dynamic import could use): those modules stay importable."""
    import re

    word = re.compile(r"\w+")
    named: set[str] = set()
    for path in folder.glob("*.py"):
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            return set(stems)  # cannot tell: keep every module
        named |= (stems & set(word.findall(text))) - {path.stem}
    return named


def _alertmanager(module: ModuleType) -> list[Alertmanager]:
    value = module.__dict__.get("alertmanager")
    if value is None:
        return []
    if not isinstance(value, Alertmanager):
        raise DashkitError(f"`alertmanager` must be a dashkit Alertmanager, not "
                           f"{type(value).__name__}")
    return [value]


def _objects(module: ModuleType, name: str, kind: type[T], what: str) -> list[T]:
    """A module's list ``name`` of ``kind`` objects (none where it defines no such name)."""
    provided = getattr(module, name, [])
    if not isinstance(provided, (list, tuple)) or not all(isinstance(x, kind) for x in provided):
        raise DashkitError(f"`{name}` must be a list of {what} objects")
    return list(provided)


def _dashboards_of(module: ModuleType) -> list[Dashboard]:
    found = []
    single = getattr(module, "dashboard", None)
    if single is not None:
        found.append(single)
    several = getattr(module, "dashboards", [])
    if not isinstance(several, (list, tuple)):
        raise DashkitError(f"`dashboards` must be a list of dashkit.Dashboard objects, not "
                           f"{type(several).__name__}")
    found.extend(several)
    for item in found:
        if not isinstance(item, Dashboard):
            raise DashkitError(f"`dashboard`/`dashboards` must hold dashkit.Dashboard objects, "
                               f"not {type(item).__name__}")
    return found


def load_catalog(spec: str) -> Catalog:
    """``path/to/module.py:NAME`` → the Catalog object it defines."""
    path, _, name = spec.rpartition(":")
    if not path or not name:
        raise DashkitError(f"--catalog takes FILE.py:NAME, not {spec!r}")
    try:
        module = import_file(Path(path))
    except DashkitError as error:
        raise error.located(file=path) from None
    catalog = getattr(module, name, None)
    if not isinstance(catalog, Catalog):
        raise DashkitError(f"{spec} is not a dashkit Catalog")
    return catalog
