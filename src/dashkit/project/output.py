"""Writing an output folder whole: filled beside its place and swapped in, never half-written,
and never replacing a folder dashkit did not write (build, rules and previews share this)."""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from dashkit.errors import DashkitError

OUTPUT_MARKER = ".dashkit-build"
_STAGING = ".dashkit-staging-"
_PREVIOUS = ".dashkit-previous"


def check_output_location(out_dir: Path, dashboards_dir: Path, *, force: bool = False,
                          cwd: Path | None = None) -> None:
    """Refuse an output folder whose replacement would delete what dashkit did not write: the
    sources, the folder the user stands in, or any non-empty folder without dashkit's marker."""
    given = Path(out_dir)
    out = given.resolve()  # a link resolves to its target: whether it is one is asked of ``given``
    sources = Path(dashboards_dir).resolve()
    here = (cwd or Path.cwd()).resolve()
    if out == sources or out in sources.parents or sources in out.parents:
        raise DashkitError(f"--out {out_dir} is, holds or lies inside the dashboards folder "
                           f"{dashboards_dir}: the build replaces --out whole, so it must be a "
                           "folder of its own (default build/grafana)")
    if out == here or out in here.parents:
        raise DashkitError(f"--out {out_dir} is or holds the current directory: the build "
                           "replaces --out whole; choose a folder of its own (default build/grafana)")
    if out.exists() or given.is_symlink():
        if not out.is_dir() or given.is_symlink():
            raise DashkitError(f"--out {out_dir} exists and is not a folder (or is a link)")
        if not force and any(out.iterdir()) and not (out / OUTPUT_MARKER).is_file():
            raise DashkitError(f"--out {out_dir} is not empty and was not written by dashkit "
                               f"(no {OUTPUT_MARKER} in it): refusing to replace it; choose "
                               "another folder, or --force to replace it all the same")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise DashkitError(f"--out {out_dir}: {parent} is a file, not a folder")


@attrs.frozen
class OutputFolder:
    """One folder a command writes whole: where it goes, what fills it, its marker's text."""
    out_dir: Path
    fill: Callable[[Path], None]
    marker_text: str


def replace_folder(out_dir: Path, fill: Callable[[Path], None], marker_text: str) -> None:
    """Fill a staging folder beside ``out_dir``, then swap it in: a reader (Grafana's
    provisioner, a browser) never finds the output absent or half-written."""
    replace_folders([OutputFolder(Path(out_dir), fill, marker_text)])


#: A folder decided only once the folders before it are filled (the rules, once the build has
#: loaded the modules that define them): None writes no folder there.
LaterFolder = Callable[[], "OutputFolder | None"]


def replace_folders(items: Sequence[OutputFolder | LaterFolder]) -> list[OutputFolder | None]:
    """Several folders as one output (the dashboards and their rules): every one is staged
    before any is swapped in, and if a swap fails the ones already swapped are swapped back,
    so a reader sees all the new folders or all the old ones. Returns each item's folder."""
    resolved: list[OutputFolder | None] = []
    folders: list[OutputFolder] = []
    stagings: list[Path] = []
    created: list[Path] = []  # folders made to hold the output, taken away if nothing is swapped in
    swapped = False
    current = Path()
    try:
        for item in items:
            folder = item if isinstance(item, OutputFolder) else item()
            resolved.append(folder)
            if folder is None:
                continue
            folders.append(folder)
            current = folder.out_dir
            created += [p for p in current.parents if not p.exists()]
            current.parent.mkdir(parents=True, exist_ok=True)
            clean_stale_staging(current)
            stagings.append(Path(tempfile.mkdtemp(prefix=f".{current.name}{_STAGING}{os.getpid()}-",
                                                  dir=current.parent)))
            folder.fill(stagings[-1])
            stage_file(stagings[-1], current, OUTPUT_MARKER, folder.marker_text)
            os.chmod(stagings[-1], 0o755)
        done: list[tuple[Path, Path, bool]] = []
        try:
            for folder, staging in zip(folders, stagings):
                current = folder.out_dir
                done.append((current, staging, current.exists()))
                swap_in(staging, current)
        except OSError:
            _swap_back(done[:-1])
            raise
        swapped = True
        for folder, staging in zip(folders, stagings):
            # A reader that looked the old folder up just before the swap may still be reading
            # it: the previous output stays beside the new one until the next build.
            previous = folder.out_dir.with_name(f".{folder.out_dir.name}{_PREVIOUS}")
            if staging.exists():
                shutil.rmtree(previous, ignore_errors=True)
                os.rename(staging, previous)
    except OSError as error:
        raise DashkitError(f"cannot write to {current}: {error.strerror or error}") from None
    finally:
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)
        for made in created if not swapped else ():  # nearest first; one holding more stays
            with contextlib.suppress(OSError):
                os.rmdir(made)
    return resolved


def _swap_back(done: Sequence[tuple[Path, Path, bool]]) -> None:
    """Undo the swaps ``done`` (output folder, staging folder, whether the output existed)."""
    for out_dir, staging, existed in reversed(done):
        if existed:
            swap_in(staging, out_dir)  # the previous output back; the new one to staging
        else:
            os.rename(out_dir, staging)  # the folder this build created, taken away again


def stage_file(staging: Path, out_dir: Path, relative: str, text: str) -> None:
    """Put ``relative`` into ``staging``: a hard link to the current output's file when its bytes
    are the same, so an unchanged rebuild writes (and later frees) no file, or else a new file.
    A linked file is shared with the live output: nothing may write into it afterwards, so a
    path staged again (a build stages each dashboard before the check for duplicate uids) is
    unlinked first, not written through."""
    data = text.encode("utf-8")
    target, current = staging / relative, Path(out_dir) / relative
    with contextlib.suppress(FileNotFoundError):
        os.unlink(target)
    try:
        info = os.lstat(current)
        if (stat.S_ISREG(info.st_mode) and info.st_size == len(data)
                and current.read_bytes() == data):
            os.link(current, target, follow_symlinks=False)
            return
    except OSError:
        pass  # no current file, or no hard links here: write it
    target.write_bytes(data)


def clean_stale_staging(out_dir: Path) -> None:
    """Remove staging folders that builds killed midway left beside ``out_dir`` (their process
    is gone); a running build's folder is left alone."""
    for candidate in out_dir.parent.glob(f".{out_dir.name}{_STAGING}*"):
        pid_text = candidate.name[len(f".{out_dir.name}{_STAGING}"):].split("-", 1)[0]
        if not pid_text.isdigit() or not candidate.is_dir() or candidate.is_symlink():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(candidate, ignore_errors=True)
        except PermissionError:
            pass  # another user's live process


def _exchange(a: Path, b: Path) -> bool:
    """Linux ``renameat2(RENAME_EXCHANGE)``: both paths swap in one step. False where the OS or
    file system cannot do it."""
    if sys.platform != "linux":
        return False
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # libc: glibc 2.28+, musl
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # not on this file system
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` at ``out_dir``; the previous output, if any, ends up at ``staging``."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    # elsewhere: two renames, with a moment in which out_dir is absent
    old = staging.with_name(staging.name + "-old")
    os.replace(out_dir, old)
    os.replace(staging, out_dir)
    os.replace(old, staging)
