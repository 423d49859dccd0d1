"""Compiled dashboards modules kept between runs, each for its exact source.

dashkit runs a project's modules from their source, never from Python's ``__pycache__``, which
trusts a cache whose source has the same size and mtime (an edit within a second would run the
old code) and writes into the user's folder. Compiling them again on every run was most of what
a small project's build did beyond Python's own imports (7 ms of EasyMO's). So the code is kept
in a private cache (``DASHKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/dashkit``, else
``~/.cache/dashkit``; an empty ``DASHKIT_CACHE_DIR`` turns it off) together with the source it
was compiled from, and taken only for exactly that source, that file and this Python. A cache
folder anyone else may write to is not read; failing to read or write one is never an error.
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
#: An entry is the source, the code and little else: a larger file is not one of them.
_MAX_ENTRY_BYTES = 64 * 1024 * 1024


def compiled(source: bytes, path: str) -> CodeType:
    """``source`` (the file ``path``'s) compiled as Python would, from the cache where it holds
    exactly this source of this file for this Python."""
    entry = _entry(path)
    if entry is not None:
        code = _read(entry, source, path)
        if code is not None:
            return code
    code = compile(source, path, "exec", dont_inherit=True)
    if entry is not None:
        _write(entry, source, path, code)
    return code


def cache_folder() -> Path | None:
    """The cache's folder, or None where it is turned off or there is no home to keep it in."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return Path(chosen) / "bytecode" if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return None if base.startswith("~") else Path(base) / "dashkit" / "bytecode"


def _entry(path: str) -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    key = zlib.crc32(path.encode("utf-8", "surrogatepass"))
    return folder / f"{Path(path).stem[:40]}-{key:08x}.{sys.implementation.cache_tag}.bin"


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


def _read(entry: Path, source: bytes, path: str) -> CodeType | None:
    try:
        if not _private(entry.parent) or entry.stat().st_size > _MAX_ENTRY_BYTES:
            return None
        kept = marshal.loads(entry.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (isinstance(kept, tuple) and len(kept) == 4 and kept[0] == importlib.util.MAGIC_NUMBER
            and kept[1] == path and kept[2] == source and isinstance(kept[3], CodeType)):
        return kept[3]
    return None


def _write(entry: Path, source: bytes, path: str, code: CodeType) -> None:
    """Written whole (to a file of its own, then renamed) or not at all."""
    partial = entry.with_name(f".{entry.name}.{os.getpid()}")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(entry.parent):
            return
        partial.write_bytes(marshal.dumps((importlib.util.MAGIC_NUMBER, path, source, code)))
        os.replace(partial, entry)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            partial.unlink()
