"""Writing a file so that no reader ever sees half of it: the one way dashkit writes a file it
hands to a person (generated modules, catalogs)."""
from __future__ import annotations

import os
from pathlib import Path


def replace_file(target: Path, text: str) -> None:
    """Write beside the target and rename over it: a symlink there is replaced, never followed,
    and a reader never sees half a file."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
