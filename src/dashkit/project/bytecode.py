"""Compiled dashboards modules kept between runs, each for its exact source.

dashkit runs a project's modules from their source, never from Python's ``__pycache__``, which
trusts a cache whose source has the same size and mtime (an edit within a second would run the
old code) and writes into the user's folder. Compiling them again on every run was most of what
a small project's build did beyond Python's own imports (7 ms of EasyMO's). So the code is kept
in a private cache (``DASHKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/dashkit``, else
``~/.cache/dashkit``; an empty ``DASHKIT_CACHE_DIR`` turns it off) together with the source it
was compiled from, and taken only for exactly that source of that file on this Python. One file
holds a folder's modules, read once and written once (:func:`flush`, after a project is loaded):
creating a file costs more than compiling a small module on some file systems. A cache folder
anyone else may write to is not used; failing to read or write one is never an error.
"""
from __future__ import annotations

import contextlib
import importlib.util
import marshal
import os
import sys
import zlib
from pathlib import Path
from types import CodeType

#: Where to keep them instead of the user's cache folder; empty: nowhere.
CACHE_VARIABLE = "DASHKIT_CACHE_DIR"
#: A folder's file holds its modules' sources and code: a larger one is not one of them.
_MAX_FILE_BYTES = 256 * 1024 * 1024


class _FolderCache:
    """One folder's modules: those the cache file held, and those compiled or taken since."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.kept = _read(file)
        self.used: dict[str, tuple[bytes, CodeType]] = {}
        self.changed = False

    def code(self, source: bytes, path: str) -> CodeType:
        kept = self.kept.get(path)
        if kept is not None and kept[0] == source:
            code = kept[1]
        else:
            code = compile(source, path, "exec", dont_inherit=True)
            self.changed = True
        self.used[path] = (source, code)
        return code


_FOLDERS: dict[Path, _FolderCache] = {}


def compiled(source: bytes, path: str) -> CodeType:
    """``source`` (the file ``path``'s) compiled as Python would, from the cache where it holds
    exactly this source of this file for this Python."""
    file = _file_for(os.path.dirname(path))
    if file is None:
        return compile(source, path, "exec", dont_inherit=True)
    folder = _FOLDERS.get(file)
    if folder is None:
        folder = _FOLDERS[file] = _FolderCache(file)
    return folder.code(source, path)


def flush() -> None:
    """Write the modules compiled since the cache was read, each folder's in one file (written
    whole, then renamed into place, or not at all): the modules this run used."""
    for folder in _FOLDERS.values():
        if folder.changed:
            _write(folder.file, folder.used)
            folder.kept, folder.changed = dict(folder.used), False


def cache_folder() -> Path | None:
    """The cache's folder, or None where it is turned off or there is no home to keep it in."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return Path(chosen) / "bytecode" if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return None if base.startswith("~") else Path(base) / "dashkit" / "bytecode"


def _file_for(folder: str) -> Path | None:
    cache = cache_folder()
    if cache is None:
        return None
    key = zlib.crc32(folder.encode("utf-8", "surrogatepass"))
    return cache / f"{Path(folder).name[:40]}-{key:08x}.{sys.implementation.cache_tag}.bin"


def _private(folder: Path) -> bool:
    """The folder is the user's own and no one else may write to it (POSIX; elsewhere, as
    Python's own ``__pycache__``, it is trusted as the user's)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        status = folder.stat()
    except OSError:
        return False
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _read(file: Path) -> dict[str, tuple[bytes, CodeType]]:
    """The modules a cache file holds: none where it is missing, foreign, damaged or another
    Python's."""
    try:
        if not _private(file.parent) or file.stat().st_size > _MAX_FILE_BYTES:
            return {}
        kept = marshal.loads(file.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == importlib.util.MAGIC_NUMBER
            and isinstance(kept[1], dict)):
        return {}
    return {path: entry for path, entry in kept[1].items()
            if isinstance(path, str) and isinstance(entry, tuple) and len(entry) == 2
            and isinstance(entry[0], bytes) and isinstance(entry[1], CodeType)}


def _write(file: Path, modules: dict[str, tuple[bytes, CodeType]]) -> None:
    partial = file.with_name(f".{file.name}.{os.getpid()}")
    try:
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(file.parent):
            return
        partial.write_bytes(marshal.dumps((importlib.util.MAGIC_NUMBER, modules)))
        os.replace(partial, file)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            partial.unlink()
