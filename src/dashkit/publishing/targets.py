"""Many Grafanas in one run: the targets a project's ``dashkit.toml`` names (staging,
production, regions, orgs), each published on its own, a few at a time, each under its own
deadline; one target's failure never stops the others.

    [[targets]]
    name = "production"
    url = "https://grafana.example.com"
    folder = "Payments"          # optional: --folder
    org = 2                      # optional: 1 (the dashboard API's namespace org-2)
    api = "auto"                 # optional: auto, dashboards or legacy
    schema = "v1"                # optional: v1 or v2
    token_env = "GRAFANA_PROD_TOKEN"   # or token_file = "secrets/prod.token" (beside dashkit.toml)

Without ``token_env`` or ``token_file``, a target takes publish's credentials (``--token-file``,
``GRAFANA_TOKEN``, ``GRAFANA_USER``/``GRAFANA_PASSWORD``). A token is never in the file itself.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from dashkit.clients.grafana import Credentials
from dashkit.clients.http import clean_text, validate_url
from dashkit.errors import DashkitError
from dashkit.project.pipeline import SCHEMAS
from dashkit.publishing.choices import APIS
from dashkit.publishing.identity import NAME, read_settings
from dashkit.publishing.resources import check_org
from dashkit.publishing.results import PublishReport

#: Targets published at the same time at most: a few connections, not one per Grafana.
PARALLEL = 4
MAX_TARGETS = 100
_CHOICES = {"api": APIS, "schema": SCHEMAS}


@attrs.frozen
class GrafanaTarget:
    """One Grafana to publish to, as ``[[targets]]`` names it."""
    name: str
    url: str
    folder: str | None = None
    org: int = 1
    api: str = "auto"
    schema: str = "v1"
    token_env: str | None = None
    token_file: Path | None = None

    def credentials(self, fallback: Callable[[], Credentials],
                    environ: Mapping[str, str] = os.environ) -> Credentials:
        """Its token, from the environment variable or the file it names; else ``fallback``."""
        if self.token_env is not None:
            if not environ.get(self.token_env):
                raise DashkitError(f"target {self.name!r}: ${self.token_env} is not set")
            return Credentials.token(environ[self.token_env], self.token_env)
        if self.token_file is not None:
            return Credentials.from_environment(self.token_file)
        return fallback()


@attrs.frozen
class TargetReport:
    """What publishing to one target did: its report, or why it stopped."""
    target: str
    report: PublishReport | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.report is not None and self.report.ok


def _text(entry: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or not value.isprintable() or len(value) > 300:
        raise DashkitError(f"{where}: {key} must be a non-empty line of text")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise DashkitError(f"{where}: {key} {clean_text(value, 40)!r} is not one of "
                           f"{', '.join(_CHOICES[key])}")
    return value


def _target(entry: Any, index: int, path: Path) -> GrafanaTarget:
    where = f"{path}: [[targets]] #{index}"
    if not isinstance(entry, dict):
        raise DashkitError(f"{where}: not a table")
    unknown = sorted(set(entry) - {"name", "url", "folder", "org", "api", "schema", "token_env",
                                   "token_file"})
    if unknown:
        raise DashkitError(f"{where}: unknown key {clean_text(unknown[0], 40)!r}"
                           + (" (a token goes in token_env or token_file, never in the file)"
                              if "token" in unknown[0] else ""))
    name, url = _text(entry, "name", where, True) or "", _text(entry, "url", where, True) or ""
    if not NAME.fullmatch(name):
        raise DashkitError(f"{where}: name {clean_text(name, 40)!r}: letters, digits, '.', '_', '-'")
    url = validate_url(url, f"{where} ({name}): url")
    org, api = entry.get("org", 1), _text(entry, "api", where) or "auto"
    if not isinstance(org, int) or isinstance(org, bool) or org < 1:
        raise DashkitError(f"{where} ({name}): org must be a whole number from 1")
    try:
        check_org(org, api)
    except DashkitError as error:
        raise DashkitError(f"{where} ({name}): {error}") from None
    token_file = _text(entry, "token_file", where)
    return GrafanaTarget(name, url, _text(entry, "folder", where), org, api,
                  _text(entry, "schema", where) or "v1",
                  _text(entry, "token_env", where),
                  path.parent / token_file if token_file is not None else None)


def load_targets(dashboards_dir: Path) -> list[GrafanaTarget]:
    """The ``[[targets]]`` of the project's ``dashkit.toml``, in order; each a clear error line
    when it is not one."""
    path, settings = read_settings(dashboards_dir)
    entries = settings.get("targets", [])
    if path is None or not entries:
        raise DashkitError(f"no [[targets]] in a dashkit.toml beside {dashboards_dir}")
    if not isinstance(entries, list) or len(entries) > MAX_TARGETS:
        raise DashkitError(f"{path}: targets must be [[targets]] tables, at most {MAX_TARGETS}")
    targets = [_target(entry, index, path) for index, entry in enumerate(entries, start=1)]
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise DashkitError(f"{path}: target {twice!r} is named twice")
    return targets


def choose(targets: list[GrafanaTarget], names: Sequence[str]) -> list[GrafanaTarget]:
    """The targets named (every one when none is)."""
    known = {t.name: t for t in targets}
    missing = [n for n in names if n not in known]
    if missing:
        raise DashkitError(f"no target {clean_text(missing[0], 40)!r} (the targets: "
                           f"{', '.join(known)})")
    return [known[n] for n in dict.fromkeys(names)] if names else targets


def publish_everywhere(targets: Sequence[GrafanaTarget], publish_one: Callable[[GrafanaTarget], PublishReport],
                       parallel: int = PARALLEL) -> list[TargetReport]:
    """``publish_one`` for each target, at most ``parallel`` at a time; in the targets' order,
    each its report or the one line that stopped it."""
    def attempt(target: GrafanaTarget) -> TargetReport:
        try:
            return TargetReport(target.name, publish_one(target))
        except DashkitError as error:
            return TargetReport(target.name, None, error.message)

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(targets)))) as pool:
        return list(pool.map(attempt, targets))
