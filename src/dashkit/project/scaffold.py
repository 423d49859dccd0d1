"""``dashkit init DIR``: a new dashboards-as-code project for any team, that builds and whose
tests pass straight away: a catalog module, datasources, an alert with its promtool tests, one
dashboard, snapshot tests of the files the build writes, the same two commands as dashkit's own
(``make build``, ``make test``) and ``.ci/run``, installing exactly the dashkit that created it."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from dashkit.errors import DISTRIBUTION, DashkitError
from dashkit.project.pipeline import build
from dashkit.project.scaffold_files import FILES

#: What a new project's Makefile needs beyond building: preview and serve, import.
EXTRAS = ("import", "preview")

def project_name(folder: Path) -> str:
    """A package name from the folder's name: lower case, digits, ``-``."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return name or "dashboards"


def dashkit_requirement(dist: metadata.Distribution | None = None) -> str:
    """The pip requirement of exactly the dashkit that is running: the version it has on the
    package index, or the path, archive or VCS commit its install recorded (PEP 610's
    ``direct_url.json``), so a new project never picks up another package of a similar name."""
    if dist is None:
        try:
            dist = metadata.distribution(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            raise DashkitError(f"dashkit init needs dashkit installed as {DISTRIBUTION!r} "
                               f"(pip install {DISTRIBUTION}) to pin the new project to it") from None
    name = f"{DISTRIBUTION}[{','.join(EXTRAS)}]"
    direct = dist.read_text("direct_url.json")
    if not direct:
        return f"{name}=={dist.version}"
    try:
        info = json.loads(direct)
        url = str(info["url"])
        vcs = info.get("vcs_info")
        if isinstance(vcs, dict):
            url = f"{vcs['vcs']}+{url}@{vcs['commit_id']}"
    except (ValueError, KeyError, TypeError):
        raise DashkitError(f"{DISTRIBUTION}'s install record (direct_url.json) is unreadable: "
                           "reinstall dashkit") from None
    if not re.fullmatch(r"[\w+.:/@%~=,-]+", url):
        raise DashkitError(f"{DISTRIBUTION} was installed from {url!r}, which cannot be written "
                           "into requirements.txt: install it from a plain path or URL")
    return f"{name} @ {url}"


def init_project(folder: str | Path, title: str | None = None) -> list[Path]:
    """Write a new project into ``folder`` (new, or empty) and its first snapshots; returns the
    files written. An existing file is never overwritten: a folder with anything in it is refused."""
    root = Path(folder)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise DashkitError(f"{root} exists and is not an empty folder: dashkit init writes a new "
                           "project and never overwrites")
    name = project_name(root)
    title = title or name.replace("-", " ").title()
    if not re.fullmatch(r"[\w .,()&+-]{1,80}", title):
        raise DashkitError(f"title {title!r}: letters, digits, spaces and . , ( ) & + - only "
                           "(it is written into Python, YAML and a Makefile)")
    requirement = dashkit_requirement()
    identity = secrets.token_hex(4)
    written = []
    for relative, template in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(name=name, title=title, requirement=requirement,
                                        identity=identity), encoding="utf-8")
        written.append(path)
    os.chmod(root / ".ci/run", 0o755)
    return written + _first_snapshots(root)


def _first_snapshots(root: Path) -> list[Path]:
    """The files a first build writes, as the project's snapshots (dashboards and rules)."""
    snapshots = root / "snapshots"
    snapshots.mkdir()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        result = build(root / "dashboards", out / "grafana", rules_dir=out / "rules")
        pairs = [(out / "grafana" / "dashboards" / c.filename, snapshots / c.filename)
                 for c in result.dashboards]
        if result.rules_dir is not None:
            pairs.append((result.rules_dir / "alerts.yml", snapshots / "prometheus-rules.yaml"))
        for source, target in pairs:
            shutil.copyfile(source, target)
    return [target for _, target in pairs]
