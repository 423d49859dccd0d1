"""The classic API (``/api/dashboards``, every Grafana) as a :class:`~store.Store`.

The marker is the ``dashkit`` key of the dashboard JSON; an update sends the version it read
and always ``folderUid`` (without it Grafana moves the dashboard to the root: CONTRACT.md §4.3).
"""
from __future__ import annotations

from typing import Any

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import Response, clean_text
from dashkit.errors import DashkitError
from dashkit.grafana.compare import MARKER_KEY, content_hash
from dashkit.project.compiled import Compiled
from dashkit.publishing.history import Published, last_published
from dashkit.publishing.results import MESSAGE, dashboard_url
from dashkit.publishing.store import Live, Marker, what_came_back

#: Search hits read at most (Grafana's own limit on one search).
SEARCH_LIMIT = 5000


def _shaped(response: Response) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(dashboard, meta)`` of a 200 answer, or None when Grafana's answer has another shape."""
    body = response.body
    if response.status != 200 or not isinstance(body, dict):
        return None
    live, meta = body.get("dashboard"), body.get("meta", {})
    if not isinstance(live, dict) or not isinstance(meta, dict):
        return None
    if not isinstance(live.get("version", 0), int) or not isinstance(meta.get("folderUid", ""), str):
        return None
    return live, meta


class ClassicStore:
    """Dashboards through ``/api/dashboards`` and ``/api/search``, in one folder."""

    def __init__(self, client: GrafanaClient, folder_uid: str) -> None:
        self.client, self.folder_uid = client, folder_uid

    def read(self, uid: str) -> Live | None:
        response = self.client.get_dashboard(uid)
        if response.status == 404:
            return None
        if response.status != 200:
            raise DashkitError(f"HTTP {response.status}: {response.message}")
        shaped = _shaped(response)
        if shaped is None or shaped[0].get("uid", uid) != uid:
            raise DashkitError(f"Grafana's answer to reading it has an unexpected shape (is "
                               f"this Grafana?): {what_came_back(response)}")
        live, meta = shaped
        marker, current = Marker.read(live.get(MARKER_KEY)), content_hash(live)
        return Live(uid, clean_text(str(live.get("title", "")), 100), live, live.get("version"),
                    meta.get("folderUid", ""), dashboard_url(self.client, meta.get("url"), uid),
                    content=current, marker=marker,
                    intact=marker is not None and marker.hash == current,
                    manager="" if meta.get("provisioned") else None,
                    updated_by=str(meta.get("updatedBy") or ""))

    def built(self, item: Compiled) -> str:
        return content_hash(item.model)

    def save(self, item: Compiled, live: Live | None, marker: Marker) -> Response:
        payload = {k: v for k, v in item.model.items() if k not in ("id", "version")}
        payload[MARKER_KEY] = marker.as_json()
        if live is not None and live.version is not None:
            payload["version"] = live.version
        return self.client.save_dashboard(payload, self.folder_uid, MESSAGE)

    def proven(self, item: Compiled, response: Response) -> tuple[int | None, str] | None:
        """Grafana's ``SaveDashboardResponse`` (pkg/api/dashboard.go ``postDashboard``):
        ``status: success``, the uid and the new version."""
        body = response.body
        if (response.status != 200 or not isinstance(body, dict) or body.get("status") != "success"
                or body.get("uid") != item.uid or not isinstance(body.get("version"), int)):
            return None
        return body["version"], dashboard_url(self.client, body.get("url"), item.uid)

    def delete(self, uid: str) -> Response:
        return self.client.delete_dashboard(uid)

    def managed(self, folder_uid: str) -> list[str]:
        response = self.client.search(type="dash-db", folderUIDs=folder_uid, limit=SEARCH_LIMIT)
        if response.status != 200 or not isinstance(response.body, list):
            raise DashkitError(f"cannot list folder {folder_uid!r}: HTTP {response.status} "
                               f"{response.message}")
        hits = [hit.get("uid") for hit in response.body if isinstance(hit, dict)]
        return [uid for uid in hits if isinstance(uid, str) and uid]

    def published(self, uid: str) -> Published | None:
        return last_published(self.client, uid, MESSAGE)
