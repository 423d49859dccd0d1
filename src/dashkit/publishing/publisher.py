"""``dashkit publish``: upload compiled dashboards through Grafana's HTTP API, safely.

It never loses an edit made in Grafana (every published dashboard carries a marker with the
hash of what dashkit wrote; a dashboard whose content no longer matches is refused unless
forced), never writes what has not changed, uses Grafana's version as an optimistic lock and
reports a conflict instead of retrying it, and always sends ``folderUid`` (an update without it
moves the dashboard to the root folder: CONTRACT.md §4.3).
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from dashkit.build.pipeline import Compiled
from dashkit.publishing.history import edit_conflict, last_published
from dashkit.grafana.compare import MARKER_KEY, content_hash, describe_changes, same_content
from dashkit.errors import DashkitError
from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import OutcomeUnknown, Response, clean_text
from dashkit.build.provisioning import folder_uid
from dashkit.publishing.results import (MESSAGE, OK_ACTIONS, SAVE_ATTEMPTS, Action,  # noqa: F401
                                        PublishReport, PublishResult, auth_error, dashboard_url,
                                        first_read, provisioned)

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


def _landed(client: GrafanaClient, item: Compiled, folder_uid: str) -> dict[str, Any] | None:
    """The live dashboard if it is exactly what dashkit sent, else None."""
    try:
        response = client.get_dashboard(item.uid)
    except DashkitError:
        return None
    shaped = _live(response) if response.status == 200 else None
    if shaped is None:
        return None
    live, meta = shaped
    marker = live.get(MARKER_KEY)
    if (isinstance(marker, dict) and marker.get("hash") == content_hash(item.model)
            and same_content(live, item.model) and meta.get("folderUid", "") == folder_uid):
        return live
    return None


def _save(client: GrafanaClient, item: Compiled, folder_uid: str, version: int | None,
          action: Action, changes: tuple[str, ...]) -> PublishResult:
    uid, title = item.uid, item.title
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            response = client.save_dashboard(_published(item.model, version), folder_uid, MESSAGE)
            break
        except OutcomeUnknown as unknown:
            live = _landed(client, item, folder_uid)
            if live is not None:
                return PublishResult(uid, title, action, live.get("version"), dashboard_url(client, None, uid),
                                     detail="the save's answer was lost; read back, it had landed",
                                     changes=changes)
            if unknown.timed_out or attempt == SAVE_ATTEMPTS:
                return PublishResult(uid, title, Action.FAILED, version, detail=(
                    f"{unknown.message}; read back, it had not landed: not re-sent, publish "
                    "again"))
    body = response.body if isinstance(response.body, dict) else {}
    if response.status == 200:
        saved = body.get("version")
        return PublishResult(uid, title, action, saved if isinstance(saved, int) else None,
                             dashboard_url(client, body.get("url"), uid), changes=changes)
    if response.status == 409 or body.get("status") == "version-mismatch":
        return PublishResult(uid, title, Action.CONFLICT, version, detail=(
            f"changed in Grafana between read and write (HTTP {response.status}: "
            f"{response.message}); not retried, publish again to see the change"))
    if response.status == 400 and "provisioned" in response.message.lower():
        return provisioned(item)
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"HTTP {response.status}: {response.message}")


def publish_one(client: GrafanaClient, item: Compiled, folder_uid: str, *, force: bool = False,
                dry_run: bool = False) -> PublishResult:
    """Create, update or leave one dashboard, never overwriting an edit made in Grafana."""
    uid, title = item.uid, item.title
    response = client.get_dashboard(uid)
    first = first_read(item, response, dry_run, lambda changes: _save(
        client, item, folder_uid, None, Action.CREATE, changes))
    if first is not None:
        return first
    shaped = _live(response)
    if shaped is None:
        return PublishResult(uid, title, Action.FAILED, detail=(
            "Grafana's answer to reading it has an unexpected shape (is this Grafana?)"))
    live, meta = shaped
    version, live_folder = live.get("version"), meta.get("folderUid", "")
    url = dashboard_url(client, meta.get("url"), uid)
    if same_content(live, item.model) and live_folder == folder_uid:
        return PublishResult(uid, title, Action.UNCHANGED, version, url, dry_run=dry_run)
    if meta.get("provisioned"):
        return provisioned(item)
    marker = live.get(MARKER_KEY, {}).get("hash") if isinstance(live.get(MARKER_KEY), dict) else None
    if not force and marker is None:
        return PublishResult(uid, title, Action.CONFLICT, version, url, detail=(
            "exists in Grafana but was not published by dashkit (no dashkit marker); "
            "--force takes it over"))
    if not force and marker != content_hash(live):
        return _edited(client, item, live, meta, url)
    changes = tuple(describe_changes(live, item.model))
    if live_folder != folder_uid:
        changes += (f"~ folder {clean_text(live_folder) or '(root)'} -> {folder_uid}",)
    if dry_run:
        return PublishResult(uid, title, Action.UPDATE, version, url, changes=changes, dry_run=True)
    return _save(client, item, folder_uid, version, Action.UPDATE, changes)


def _edited(client: GrafanaClient, item: Compiled, live: dict[str, Any], meta: dict[str, Any],
            url: str) -> PublishResult:
    """A conflict that shows the edit, against the version dashkit published (from Grafana's
    history) where Grafana still has it."""
    who = f" by {clean_text(str(meta['updatedBy']), 60)}" if meta.get("updatedBy") else ""
    return edit_conflict(item, live, live.get("version"), url, who,
                         last_published(client, item.uid, MESSAGE))


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
        title = clean_text(str(live.get("title", "")), 100)
        if not force and marker.get("hash") != content_hash(live):
            results.append(PublishResult(uid, title, Action.CONFLICT, live.get("version"), detail=(
                "no longer in the build, but edited in Grafana since publish: not deleted "
                "(--force deletes it)")))
            continue
        if dry_run:
            results.append(PublishResult(uid, title, Action.DELETE, live.get("version"),
                                         changes=("- dashboard no longer in the build",),
                                         dry_run=True))
            continue
        try:
            deleted = client.delete_dashboard(uid)
        except OutcomeUnknown as unknown:
            gone = client.get_dashboard(uid).status == 404
            results.append(PublishResult(uid, title, Action.DELETE if gone else Action.FAILED,
                                         live.get("version"), detail=(
                "the delete's answer was lost; read back, it is gone" if gone else
                f"{unknown.message}; read back, it is still there: not re-sent")))
            continue
        if deleted.status == 200:
            results.append(PublishResult(uid, title, Action.DELETE, live.get("version")))
        else:
            results.append(PublishResult(uid, title, Action.FAILED, live.get("version"),
                                         detail=f"delete failed: HTTP {deleted.status}: "
                                                f"{deleted.message}"))
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
