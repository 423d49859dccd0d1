"""Reading dashboards out of a Grafana for ``dashkit import``: named ones, a folder's, or every
one, each as the JSON its API returns. Searches are paged; every answer is checked for shape."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import expect_shape
from dashkit.errors import DashkitError

#: Hits per search page; Grafana refuses more than 5000 (CONTRACT.md §4.6).
PAGE_SIZE = 1000


def _search(client: GrafanaClient, **params: str | int) -> list[dict[str, object]]:
    """Every hit of a search, page after page, until a page comes back short."""
    hits: list[dict[str, object]] = []
    page = 1
    while True:
        response = client.search(**params, limit=PAGE_SIZE, page=page)
        if response.status != 200:
            raise DashkitError(f"searching Grafana: HTTP {response.status}: {response.message}")
        found = [expect_shape(hit, dict, "/api/search") for hit in
                 expect_shape(response.body, list, "/api/search")]
        hits += found
        if len(found) < PAGE_SIZE:
            return hits
        page += 1


def folder_uid(client: GrafanaClient, title: str) -> str:
    """The uid of the one folder called ``title``; none or several is an error that lists them."""
    matches = [hit for hit in _search(client, type="dash-folder", query=title)
               if hit.get("title") == title]
    if len(matches) != 1:
        found = ", ".join(f"{h.get('uid')}" for h in matches)
        raise DashkitError(f"no folder titled {title!r} in Grafana" if not matches else
                           f"{len(matches)} folders are titled {title!r} (uids {found})")
    return str(matches[0].get("uid"))


def dashboard_uids(client: GrafanaClient, *, folder: str | None = None) -> list[str]:
    """The uids of a folder's dashboards (by folder title), or of every dashboard."""
    params: dict[str, str | int] = {"type": "dash-db"}
    if folder is not None:
        params["folderUIDs"] = folder_uid(client, folder)
    return sorted({str(hit.get("uid")) for hit in _search(client, **params) if hit.get("uid")})


def export_dashboards(client: GrafanaClient, uids: Sequence[str],
                      progress: Callable[[int, int], None] | None = None) -> list[tuple[str, str]]:
    """(label, JSON text) for each uid, as ``dashkit import`` reads files."""
    exported = []
    for index, uid in enumerate(uids, 1):
        response = client.get_dashboard(uid)
        if response.status != 200:
            raise DashkitError(f"HTTP {response.status}: {response.message}", dashboard=uid)
        exported.append((f"{client.display_url}/d/{uid}", json.dumps(response.body)))
        if progress is not None:
            progress(index, len(uids))
    return exported
