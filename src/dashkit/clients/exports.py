"""Reading dashboards out of a Grafana for ``dashkit import``: named ones, a folder's, or every
one, each as the JSON its API returns. Searches are paged; every answer is checked for shape."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import expect_shape
from dashkit.errors import DashkitError

#: Hits per search page; Grafana refuses more than 5000 (CONTRACT.md §4.6). Pages asked for at
#: most: a search that does not end by then is an error (no Grafana of 100 000 dashboards is
#: imported whole), so a server that never sends a short page costs bounded time and memory.
PAGE_SIZE, MAX_PAGES = 1000, 100


def _search(client: GrafanaClient, **params: str | int) -> list[tuple[str, str]]:
    """``(uid, title)`` of every hit of a search, page after page until a page comes back
    short; only these two strings of each hit are kept."""
    hits: list[tuple[str, str]] = []
    for page in range(1, MAX_PAGES + 1):
        response = client.search(**params, limit=PAGE_SIZE, page=page)
        if response.status != 200:
            raise DashkitError(f"searching Grafana: HTTP {response.status}: {response.message}")
        found = expect_shape(response.body, list, "/api/search")
        if len(found) > PAGE_SIZE:
            raise DashkitError(f"/api/search: {len(found)} hits on a page of {PAGE_SIZE}; "
                               "not a Grafana search answer")
        hits += [(str(hit.get("uid") or ""), str(hit.get("title") or "")) for hit in
                 (expect_shape(each, dict, "/api/search") for each in found)]
        if len(found) < PAGE_SIZE:
            return hits
    raise DashkitError(f"searching Grafana: more than {MAX_PAGES * PAGE_SIZE:,} hits; stopped")


def folder_uid(client: GrafanaClient, title: str) -> str:
    """The uid of the one folder called ``title``; none or several is an error that lists them."""
    matches = [uid for uid, found in _search(client, type="dash-folder", query=title)
               if found == title]
    if len(matches) != 1:
        raise DashkitError(f"no folder titled {title!r} in Grafana" if not matches else
                           f"{len(matches)} folders are titled {title!r} (uids "
                           f"{', '.join(matches)})")
    return matches[0]


def dashboard_uids(client: GrafanaClient, *, folder: str | None = None) -> list[str]:
    """The uids of a folder's dashboards (by folder title), or of every dashboard."""
    params: dict[str, str | int] = {"type": "dash-db"}
    if folder is not None:
        params["folderUIDs"] = folder_uid(client, folder)
    return sorted({uid for uid, _title in _search(client, **params) if uid})


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
