"""Generated modules are formatted by ruff's formatter (Black's style), so they read like code a
person formats, and a team's own formatter leaves them alone."""
from __future__ import annotations

import shutil
import subprocess

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


def format_module(source: str) -> str:
    """``source`` as ruff formats it, with no user configuration (``--isolated``): the same
    input gives the same bytes on every machine. Calls that fit on a line are joined
    (``skip-magic-trailing-comma``)."""
    try:
        done = subprocess.run(
            [_ruff(), "format", "--isolated", "--line-length", str(LINE_LENGTH),
             "--config", "format.skip-magic-trailing-comma = true", "--stdin-filename",
             "imported.py", "-"],
            input=source.encode("utf-8"), capture_output=True, timeout=TIMEOUT_SECONDS,
            check=False)
    except subprocess.TimeoutExpired:
        raise DashkitError(f"ruff format did not finish in {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DashkitError(f"ruff format failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8")
