"""``dashkit publish``: upload compiled dashboards through Grafana's HTTP API, safely.

It never loses an edit made in Grafana (every published dashboard carries a marker with the
hash of what dashkit wrote; a dashboard whose content no longer matches is refused unless
forced), never writes what has not changed, uses Grafana's version as an optimistic lock and
reports a conflict instead of retrying it, and always sends ``folderUid`` (an update without it
moves the dashboard to the root folder: CONTRACT.md §4.3).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import attrs

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import clean_text
from dashkit.errors import DashkitError
from dashkit.project.compiled import Compiled
from dashkit.project.provisioning import DEFAULT_FOLDER, folder_uid
from dashkit.publishing.classic import ClassicStore
from dashkit.publishing.decisions import Scope, prune, publish_item
from dashkit.publishing.folders import FolderError, ensure_folder, folder_path
from dashkit.publishing.results import Action, PublishReport, PublishResult
from dashkit.publishing.store import Store


@attrs.frozen
class FolderTarget:
    """Where dashboards go in Grafana: a folder title, or a path of them (``Platform/Payments``,
    Grafana 11+'s nested folders); ``folder_uid`` names the last one's uid instead of deriving
    it from the path."""

    folder: str = DEFAULT_FOLDER
    folder_uid: str | None = None

    @property
    def resolved_folder_uid(self) -> str:
        return self.folder_uid or folder_uid("/".join(folder_path(self.folder)))


def check_health(client: GrafanaClient) -> None:
    """Stop before any write when Grafana is unreachable or says its database is failing."""
    response = client.health()
    if response.status != 200:
        database = response.body.get("database") if isinstance(response.body, dict) else None
        state = f", database {clean_text(str(database), 40)}" if database else ""
        raise DashkitError(f"Grafana at {client.display_url} is not healthy (HTTP {response.status}{state});"
                           " nothing was written")


def publish(compiled: Sequence[Compiled], client: GrafanaClient, target: FolderTarget = FolderTarget(), *,
            dry_run: bool = False, prune_missing: bool = False, force: bool = False,
            progress: Callable[[PublishResult], None] | None = None, api: str = "legacy",
            schema: str = "v1", org: int = 1, project: str | None = None) -> PublishReport:
    """Publish ``compiled`` (from :func:`dashkit.compile_project`): one result per dashboard.

    ``api`` "legacy" uses ``/api/dashboards``; "dashboards" the dashboard API
    (``/apis/dashboard.grafana.app``, in org ``org``'s namespace, the spec in ``schema`` v1 or
    v2); "auto" the dashboard API where Grafana serves it. ``project`` is who owns what is
    published (None: the folder's uid, see identity.py). A failure on one dashboard does not
    stop the others; unreachable or unhealthy Grafana and refused credentials stop everything
    before the first write.
    """
    from dashkit.publishing import resources

    check_health(client)
    resource_api = resources.choose_api(client, schema, org, api)
    path = folder_path(target.folder)
    # checked first, created only before the first write: a run that only refuses writes nothing
    folder = ensure_folder(client, path, target.folder_uid, dry_run=True)
    store: Store = (ClassicStore(client, folder) if resource_api is None
                    else resources.ResourceStore(client, resource_api, folder))
    scope = Scope(project or folder, folder, force=force, dry_run=dry_run,
                  before_write=functools.cache(
                      lambda: ensure_folder(client, path, target.folder_uid, dry_run=False)))
    results = []
    for item in compiled:
        try:
            result = publish_item(store, item, scope)
        except FolderError:
            raise  # the folder cannot be had: no dashboard can be written
        except DashkitError as error:
            result = PublishResult(item.uid, item.title, Action.FAILED, detail=error.message)
        results.append(result)
        if progress is not None:
            progress(result)
    if prune_missing:
        results.extend(prune(store, {c.uid for c in compiled}, scope))
    return PublishReport(tuple(results), client.request_count, client.write_count, folder)
