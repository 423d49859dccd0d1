"""The model dashkit last published, read back from Grafana's own version history: what a
conflict is diffed against, so a reviewer sees what was edited in Grafana since the publish.

Grafana keeps every save (``versions_to_keep``, 20 by default), with the message it was saved
with; dashkit saves with ``Published by dashkit`` and a marker holding the hash of what it wrote.
So the published model needs no copy on the machine that published it (a CI runner's disk is
gone by the next run): the newest saved version with dashkit's message whose content still
matches its marker is the one.
"""
from __future__ import annotations

from typing import Any

import attrs

from dashkit.clients.grafana import GrafanaClient
from dashkit.errors import DashkitError
from dashkit.grafana.compare import MARKER_KEY, content_hash, describe_changes
from dashkit.project.compiled import Compiled
from dashkit.publishing.results import Action, PublishResult

#: How many saves back to look, and how many of dashkit's to read in full: bounded work even
#: for a dashboard saved a thousand times.
VERSIONS_LISTED = 20
VERSIONS_READ = 3


@attrs.frozen
class Published:
    """A version dashkit published, as Grafana stored it."""
    version: int
    model: dict[str, Any]


def last_published(client: GrafanaClient, uid: str, message: str) -> Published | None:
    """The newest version saved with ``message`` whose content matches its marker; None when
    Grafana's history no longer has one (or cannot be read)."""
    try:
        listed = client.dashboard_versions(uid, VERSIONS_LISTED)
    except DashkitError:
        return None
    body = listed.body
    entries = body.get("versions") if isinstance(body, dict) else body
    if listed.status != 200 or not isinstance(entries, list):
        return None
    candidates = sorted((e["version"] for e in entries if isinstance(e, dict)
                         and e.get("message") == message and isinstance(e.get("version"), int)),
                        reverse=True)
    for version in candidates[:VERSIONS_READ]:
        model = _read(client, uid, version)
        if model is not None and _published_by_dashkit(model):
            return Published(version, model)
    return None


def _read(client: GrafanaClient, uid: str, version: int) -> dict[str, Any] | None:
    try:
        response = client.dashboard_version(uid, version)
    except DashkitError:
        return None
    data = response.body.get("data") if isinstance(response.body, dict) else None
    return data if response.status == 200 and isinstance(data, dict) else None


def _published_by_dashkit(model: dict[str, Any]) -> bool:
    marker = model.get(MARKER_KEY)
    return isinstance(marker, dict) and marker.get("hash") == content_hash(model)


def edit_conflict(item: Compiled, live: dict[str, Any], version: Any, url: str, who: str,
                  published: Published | None) -> PublishResult:
    """A conflict that shows the edit: Grafana's version now against the one dashkit published,
    or against the build where Grafana's history no longer has it (both APIs say it so)."""
    detail = f"edited in Grafana since dashkit published it (version {version}{who}); " \
             "--force overwrites the edit"
    if published is None:
        return PublishResult(item.uid, item.title, Action.CONFLICT, version, url, detail=detail,
                             changes=tuple(describe_changes(live, item.model)),
                             changes_heading="as edited in Grafana -> as built (the published "
                             "version is no longer in Grafana's history; --force would write this)")
    return PublishResult(item.uid, item.title, Action.CONFLICT, version, url, detail=detail,
                         changes=tuple(describe_changes(published.model, live)),
                         changes_heading=f"edited in Grafana: version {published.version} (published "
                         f"by dashkit) -> version {version} (--force would undo this)")
