"""Writing a file so that no reader ever sees half of it: the one way dashkit writes a file it
hands to a person (generated modules, catalogs, the lint exclusions file)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def replace_file(target: Path, text: str) -> None:
    """Write beside the target and rename over it: a symlink there is replaced, never followed,
    and a reader never sees half a file. The temporary file has a random name and is created
    exclusively (``O_EXCL``): whatever is planted at a name there is never written through nor
    removed."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    handle = open(temporary, "x", encoding="utf-8")  # raises before creating anything
    try:
        with handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
