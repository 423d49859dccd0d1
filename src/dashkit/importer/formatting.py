"""Generated modules are formatted by ruff's formatter (Black's style), so they read like code a
person formats, and a team's own formatter leaves them alone."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dashkit.errors import DashkitError, install_hint

#: The line length of dashkit's own code and of the modules it writes.
LINE_LENGTH = 100
#: A formatter that does not answer is a stuck process, not a slow one.
TIMEOUT_SECONDS = 60


def _ruff() -> str:
    try:
        from ruff.__main__ import find_ruff_bin
        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
        if found is None:
            raise DashkitError("dashkit import formats the modules it writes with ruff: "
                               + install_hint("import")) from None
        return found


#: ruff's options: no user configuration (``--isolated``), so the same input gives the same
#: bytes on every machine; calls that fit on a line are joined (``skip-magic-trailing-comma``).
_OPTIONS = ("--isolated", "--line-length", str(LINE_LENGTH),
            "--config", "format.skip-magic-trailing-comma = true")


def _ruff_format(arguments: list[str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run([_ruff(), "format", *_OPTIONS, *arguments], input=stdin,
                              capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise DashkitError(f"ruff format did not finish in {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DashkitError(f"ruff format failed: {message[-1] if message else done.returncode}")
    return done.stdout


def format_module(source: str) -> str:
    """``source`` as ruff formats it."""
    return _ruff_format(["--stdin-filename", "imported.py", "-"], source.encode("utf-8")
                        ).decode("utf-8")


def format_modules(sources: Sequence[str]) -> list[str]:
    """Each of ``sources`` as :func:`format_module` gives it, in one ruff run (ruff takes about
    as long to start as to format a module): written to files of a private folder, formatted
    there, read back."""
    if len(sources) < 2:
        return [format_module(source) for source in sources]
    with tempfile.TemporaryDirectory(prefix="dashkit-format-") as folder:
        files = [Path(folder) / f"m{n}.py" for n in range(len(sources))]
        for file, source in zip(files, sources):
            file.write_bytes(source.encode("utf-8"))
        _ruff_format([str(file) for file in files])
        return [file.read_bytes().decode("utf-8") for file in files]
