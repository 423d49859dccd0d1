"""``dashkit publish``: upload compiled dashboards through Grafana's HTTP API, safely.

It never loses an edit made in Grafana (every published dashboard carries a marker with the
hash of what dashkit wrote; a dashboard whose content no longer matches is refused unless
forced), never writes what has not changed, uses Grafana's version as an optimistic lock and
reports a conflict instead of retrying it, and always sends ``folderUid`` (an update without it
moves the dashboard to the root folder: CONTRACT.md §4.3).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from dashkit.build.pipeline import Compiled
from dashkit.publishing.decisions import (Live, decide, first_read, prune_one,
                                          save_with_read_back)
from dashkit.publishing.history import last_published
from dashkit.grafana.compare import MARKER_KEY, content_hash, same_content
from dashkit.errors import DashkitError
from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import OutcomeUnknown, Response, clean_text
from dashkit.build.provisioning import folder_uid
from dashkit.publishing.results import (MESSAGE, OK_ACTIONS, Action,  # noqa: F401
                                        PublishReport, PublishResult, auth_error, dashboard_url)

@attrs.frozen
class FolderTarget:
    """Where dashboards go in Grafana."""

    folder: str = "Dashkit"
    folder_uid: str | None = None

    @property
    def resolved_folder_uid(self) -> str:
        return self.folder_uid or folder_uid(self.folder)


def check_health(client: GrafanaClient) -> None:
    """Stop before any write when Grafana is unreachable or says its database is failing."""
    response = client.health()
    if response.status != 200:
        database = response.body.get("database") if isinstance(response.body, dict) else None
        state = f", database {clean_text(str(database), 40)}" if database else ""
        raise DashkitError(f"Grafana at {client.display_url} is not healthy (HTTP {response.status}{state});"
                           " nothing was written")


def ensure_folder(client: GrafanaClient, target: FolderTarget, dry_run: bool) -> str:
    """The folder's uid; the folder is created when missing (an existing uid is fine)."""
    response = client.get_folder(target.resolved_folder_uid)
    if (error := auth_error(response)) is not None:
        raise error
    if response.status == 200 or dry_run and response.status == 404:
        return target.resolved_folder_uid
    if response.status != 404:
        raise DashkitError(f"cannot read folder {target.resolved_folder_uid!r}: HTTP {response.status} "
                           f"{response.message}")
    try:
        created = client.create_folder(target.resolved_folder_uid, target.folder)
    except OutcomeUnknown:
        if client.get_folder(target.resolved_folder_uid).status == 200:
            return target.resolved_folder_uid
        raise
    if created.status == 200:
        return target.resolved_folder_uid
    # 409 (or 412 on the newest k8s path): created meanwhile by someone else; fine if it is there
    if created.status in (409, 412) and client.get_folder(target.resolved_folder_uid).status == 200:
        return target.resolved_folder_uid
    raise DashkitError(f"cannot create folder {target.folder!r} ({target.resolved_folder_uid}): "
                       f"HTTP {created.status} {created.message}")


def _published(model: dict[str, Any], version: int | None) -> dict[str, Any]:
    payload = {k: v for k, v in model.items() if k not in ("id", "version")}
    payload[MARKER_KEY] = {"hash": content_hash(model)}
    if version is not None:
        payload["version"] = version
    return payload


def _live(response: Response) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(dashboard, meta)`` of a 200 answer, or None when Grafana's answer has another shape."""
    body = response.body
    if not isinstance(body, dict):
        return None
    live, meta = body.get("dashboard"), body.get("meta", {})
    if not isinstance(live, dict) or not isinstance(meta, dict):
        return None
    if not isinstance(live.get("version", 0), int) or not isinstance(meta.get("folderUid", ""), str):
        return None
    return live, meta


def _live_view(client: GrafanaClient, item: Compiled, response: Response) -> Live | None:
    """Grafana's answer to reading the dashboard, as the decisions read it (None: another
    shape)."""
    shaped = _live(response) if response.status == 200 else None
    if shaped is None:
        return None
    live, meta = shaped
    marker = live.get(MARKER_KEY)
    return Live(live, live.get("version"), meta.get("folderUid", ""),
                dashboard_url(client, meta.get("url"), item.uid),
                unchanged=same_content(live, item.model),
                marker=marker.get("hash") if isinstance(marker, dict) else None,
                current=content_hash(live), manager="" if meta.get("provisioned") else None,
                updated_by=str(meta.get("updatedBy") or ""))


def _read_live(client: GrafanaClient, item: Compiled) -> Live | None:
    try:
        return _live_view(client, item, client.get_dashboard(item.uid))
    except DashkitError:
        return None


def _saved(client: GrafanaClient, uid: str, response: Response) -> tuple[int | None, str] | None:
    body = response.body if isinstance(response.body, dict) else {}
    if response.status != 200:
        return None
    version = body.get("version")
    return version if isinstance(version, int) else None, dashboard_url(client, body.get("url"), uid)


def _save(client: GrafanaClient, item: Compiled, folder_uid: str, version: int | None,
          action: Action, changes: tuple[str, ...]) -> PublishResult:
    return save_with_read_back(
        item, folder_uid, version, action, changes,
        send=lambda: client.save_dashboard(_published(item.model, version), folder_uid, MESSAGE),
        read_live=lambda: _read_live(client, item),
        saved=lambda response: _saved(client, item.uid, response))


def publish_one(client: GrafanaClient, item: Compiled, folder_uid: str, *, force: bool = False,
                dry_run: bool = False) -> PublishResult:
    """Create, update or leave one dashboard, never overwriting an edit made in Grafana."""
    response = client.get_dashboard(item.uid)
    first = first_read(item, response, dry_run, lambda changes: _save(
        client, item, folder_uid, None, Action.CREATE, changes))
    if first is not None:
        return first
    live = _live_view(client, item, response)
    if live is None:
        return PublishResult(item.uid, item.title, Action.FAILED, detail=(
            "Grafana's answer to reading it has an unexpected shape (is this Grafana?)"))
    return decide(item, live, folder_uid, force=force, dry_run=dry_run,
                  published=lambda: last_published(client, item.uid, MESSAGE),
                  save=lambda changes: _save(client, item, folder_uid, live.version,
                                             Action.UPDATE, changes))


def prune(client: GrafanaClient, keep: set[str], folder_uid: str, *, force: bool = False,
          dry_run: bool = False) -> list[PublishResult]:
    """Delete dashboards in the folder that dashkit published and the build no longer has."""
    response = client.search(type="dash-db", folderUIDs=folder_uid, limit=5000)
    if response.status != 200 or not isinstance(response.body, list):
        raise DashkitError(f"cannot list folder {folder_uid!r}: HTTP {response.status} "
                           f"{response.message}")
    results = []
    for hit in response.body:
        uid = hit.get("uid") if isinstance(hit, dict) else None
        if not isinstance(uid, str) or uid in keep or hit.get("folderUid", folder_uid) != folder_uid:
            continue
        live_response = client.get_dashboard(uid)
        shaped = _live(live_response) if live_response.status == 200 else None
        if shaped is None or shaped[0].get("uid") != uid:
            continue
        live = shaped[0]
        marker = live.get(MARKER_KEY)
        if not isinstance(marker, dict):
            continue  # never touch what dashkit did not publish
        results.append(prune_one(
            uid, clean_text(str(live.get("title", "")), 100), live.get("version"),
            edited=marker.get("hash") != content_hash(live), force=force, dry_run=dry_run,
            delete=lambda: client.delete_dashboard(uid),
            gone=lambda: client.get_dashboard(uid).status == 404))
    return results


def publish(compiled: Sequence[Compiled], client: GrafanaClient, target: FolderTarget = FolderTarget(), *,
            dry_run: bool = False, prune_missing: bool = False, force: bool = False,
            progress: Callable[[PublishResult], None] | None = None, api: str = "legacy",
            schema: str = "v1", org: int = 1) -> PublishReport:
    """Publish ``compiled`` (from :func:`dashkit.compile_project`): one result per dashboard.

    ``api`` "legacy" uses ``/api/dashboards``; "dashboards" the dashboard API
    (``/apis/dashboard.grafana.app``, in org ``org``'s namespace, the spec in ``schema`` v1 or
    v2); "auto" the dashboard API where Grafana serves it. A failure on one dashboard does not
    stop the others; unreachable or unhealthy Grafana and refused credentials stop everything
    before the first write.
    """
    from dashkit.publishing import resources

    check_health(client)
    resource_api = resources.choose_api(client, schema, org, api)
    folder_uid = ensure_folder(client, target, dry_run)
    results = []
    for item in compiled:
        try:
            result = (publish_one(client, item, folder_uid, force=force, dry_run=dry_run)
                      if resource_api is None else resources.publish_resource(
                          client, resource_api, item, folder_uid, force=force, dry_run=dry_run))
        except DashkitError as error:
            result = PublishResult(item.uid, item.title, Action.FAILED, detail=error.message)
        results.append(result)
        if progress is not None:
            progress(result)
    if prune_missing:
        keep = {c.uid for c in compiled}
        results.extend(prune(client, keep, folder_uid, force=force, dry_run=dry_run)
                       if resource_api is None else resources.prune_resources(
                           client, resource_api, keep, folder_uid, force=force, dry_run=dry_run))
    return PublishReport(tuple(results), client.request_count, client.write_count, folder_uid)
