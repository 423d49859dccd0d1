"""Who publishes: a project's stable identity, recorded on every dashboard it publishes so that
another project's publish never updates, moves or prunes it.

It is ``name`` in the ``[project]`` table of ``dashkit.toml`` (beside the dashboards folder, or
in it); ``dashkit init`` writes one with a random suffix, since teams pick the same folder
names. A project without one is identified by the uid of the folder it publishes to: the scope
publish had before ownership, so nothing published earlier changes hands."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from dashkit.clients.http import clean_text
from dashkit.errors import DashkitError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the 3.10 fallback
    import tomli as tomllib

SETTINGS_FILE = "dashkit.toml"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def settings_file(dashboards_dir: Path) -> Path | None:
    """The project's ``dashkit.toml``: in the dashboards folder, else beside it."""
    for folder in (dashboards_dir, dashboards_dir.resolve().parent):
        if (folder / SETTINGS_FILE).is_file():
            return folder / SETTINGS_FILE
    return None


def read_settings(dashboards_dir: Path) -> tuple[Path | None, dict[str, Any]]:
    """The project's ``dashkit.toml`` and what it says (None and {} when there is none); a file
    that cannot be read is one error line naming it."""
    path = settings_file(dashboards_dir)
    if path is None:
        return None, {}
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DashkitError(f"{path}: cannot read it: {clean_text(str(error), 120)}") from None


def project_name(dashboards_dir: Path) -> str | None:
    """``[project] name`` of the project's ``dashkit.toml``; None when there is no file or no
    name in it. A name that is not one is one error line."""
    path, settings = read_settings(dashboards_dir)
    project = settings.get("project", {})
    name = project.get("name") if isinstance(project, dict) else None
    if name is None:
        return None
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise DashkitError(f"{path}: [project] name {clean_text(repr(name), 60)} must be 1-80 "
                           "letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name
