"""What a publish did, one result per dashboard, whichever Grafana API it went through: the
results and report both stores share (classic.py, resources.py), written by the one decision
loop (decisions.py)."""
from __future__ import annotations

import enum
from typing import Any

import attrs

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import Response, clean_text
from dashkit.errors import DashkitError
from dashkit.project.compiled import Compiled

MESSAGE = "Published by dashkit"


class Action(str, enum.Enum):
    """What publish did, or would do, with one dashboard."""
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"
    CONFLICT = "conflict"
    PROVISIONED = "provisioned"
    FAILED = "failed"


OK_ACTIONS = frozenset({Action.CREATE, Action.UPDATE, Action.UNCHANGED, Action.DELETE})


@attrs.frozen
class PublishResult:
    """One dashboard's outcome, with its URL, version and the changes it made."""
    uid: str
    title: str
    action: Action
    version: int | None = None
    url: str | None = None
    detail: str = ""
    #: What changed, one readable line each (``--dry-run`` shows them).
    changes: tuple[str, ...] = ()
    dry_run: bool = False
    #: What ``changes`` compares, where it is not the live dashboard against the build.
    changes_heading: str = ""

    @property
    def ok(self) -> bool:
        return self.action in OK_ACTIONS


@attrs.frozen
class PublishReport:
    """Every dashboard's outcome, and whether the run succeeded."""
    results: tuple[PublishResult, ...]
    requests: int
    writes: int
    folder_uid: str

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def auth_error(response: Response) -> DashkitError | None:
    """Refused credentials or access stop a publish before any write: one error, not five."""
    if response.status == 401:
        return DashkitError(f"Grafana refused the credentials (HTTP 401: {response.message});"
                            " nothing was written")
    if response.status == 403:
        return DashkitError(f"Grafana denied access (HTTP 403: {response.message})")
    return None


#: Sends of one save at most; each after the first only once a read-back showed that the
#: previous one did not land (Grafana's version lock refuses a late duplicate).
SAVE_ATTEMPTS = 3


def dashboard_url(client: GrafanaClient, path: Any, uid: str) -> str:
    """The dashboard's address; a path from the server is used only if it is a plain one."""
    if isinstance(path, str) and path.startswith("/") and path.isprintable() and len(path) < 300:
        return client.display_url + path
    return f"{client.display_url}/d/{uid}"


def provisioned(item: Compiled, manager: str = "") -> PublishResult:
    """Grafana keeps this dashboard from files (or ``manager`` does): change it there."""
    by = f"managed by {clean_text(manager, 40)} in Grafana: " if manager else ""
    return PublishResult(item.uid, item.title, Action.PROVISIONED, detail=(
        f"{by}Grafana provisions this dashboard from files (Cannot save provisioned dashboard): "
        "change the provisioning files (dashkit build) instead"))
