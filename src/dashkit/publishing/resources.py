"""Publishing through Grafana's dashboard API (``/apis/dashboard.grafana.app``, 12+), with every
guarantee of the classic path: a no-op writes nothing, an edit made in Grafana is refused unless
forced, prune deletes only what dashkit published, a lost answer is read back before a re-send.

Where the marker lives: in ``metadata``, not in the spec. Grafana's UI saves a dashboard by
sending back the metadata it loaded (``public/app/features/dashboard/api/v2.ts`` and ``v1.ts``:
``metadata: {...options.k8s}``, only the message and folder annotations touched), while the spec
is rebuilt from the scene, which drops fields it does not know. So the annotation
``dashkit.dev/content-hash`` (the hash of the spec dashkit wrote) survives a UI save and stops
matching the edited spec; the label ``dashkit.dev/managed`` finds dashkit's dashboards for prune.
A dashboard with Grafana's manager annotation (``grafana.app/managedBy``: file provisioning, Git
Sync, Terraform…) belongs to that manager and is never written.
"""
from __future__ import annotations

from typing import Any

import attrs

from dashkit.build.pipeline import Compiled
from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import OutcomeUnknown, Response, clean_text
from dashkit.errors import DashkitError
from dashkit.grafana.compare import content_hash, describe_changes
from dashkit.grafana.model import as_object
from dashkit.grafana.v2 import FOLDER_ANNOTATION, GROUP, to_v2_spec
from dashkit.grafana.v2_read import classic_of_resource
from dashkit.publishing.history import VERSIONS_LISTED, Published, edit_conflict
from dashkit.publishing.results import (MESSAGE, SAVE_ATTEMPTS, Action, PublishResult,
                                        auth_error, dashboard_url, first_read, provisioned)

MARKER_ANNOTATION = "dashkit.dev/content-hash"
MANAGED_LABEL = "dashkit.dev/managed"
MANAGER_ANNOTATION = "grafana.app/managedBy"
MESSAGE_ANNOTATION = "grafana.app/message"
UPDATED_BY_ANNOTATION = "grafana.app/updatedBy"
#: The API versions dashkit writes, by dashboard schema, in order of preference.
API_VERSIONS = {"v1": ("v1", "v1beta1"), "v2": ("v2",)}
LIST_PAGE, MAX_PAGES = 500, 200


@attrs.frozen
class DashboardAPI:
    """Where dashboards go: the API version (its spec is classic or v2) and the namespace."""
    version: str
    namespace: str = "default"

    @property
    def schema(self) -> str:
        return "v2" if self.version.startswith("v2") else "v1"


def namespace(org: int) -> str:
    """Grafana's namespace of an org: ``default`` for org 1, ``org-<id>`` for the others."""
    return "default" if org == 1 else f"org-{org}"


def served_versions(client: GrafanaClient) -> list[str] | None:
    """The dashboard API versions Grafana serves (None: no ``/apis``, a Grafana before 11)."""
    response = client.api_groups()
    if (error := auth_error(response)) is not None:
        raise error
    if response.status == 404:
        return None
    if response.status != 200 or not isinstance(response.body, dict):
        raise DashkitError(f"cannot read Grafana's API list (/apis): HTTP {response.status} "
                           f"{response.message}")
    for group in response.body.get("groups") or []:
        if isinstance(group, dict) and group.get("name") == GROUP:
            return [str(as_object(v).get("version")) for v in group.get("versions") or []]
    return []


def choose_api(client: GrafanaClient, schema: str, org: int, api: str) -> DashboardAPI | None:
    """The dashboard API to publish through, or None for the classic ``/api/dashboards``:
    ``api`` is "dashboards" (required), "legacy" or "auto" (the dashboard API when served)."""
    if api == "legacy":
        if schema == "v2":
            raise DashkitError("v2 dashboards go through the dashboard API: drop --api legacy")
        return None
    served = served_versions(client)
    found = next((v for v in API_VERSIONS[schema] if v in (served or [])), None)
    if found is None and (api == "dashboards" or schema == "v2"):
        raise DashkitError(f"Grafana does not serve dashboard.grafana.app/"
                           f"{' or '.join(API_VERSIONS[schema])} (it serves "
                           f"{', '.join(served or []) or 'no dashboard API'}); nothing was written")
    if found is None and org != 1:
        raise DashkitError(f"org {org} needs the dashboard API, which this Grafana does not "
                           "serve; nothing was written")
    return DashboardAPI(found, namespace(org)) if found is not None else None


def built_spec(item: Compiled, api: DashboardAPI) -> dict[str, Any]:
    """What dashkit writes as the spec: the classic model (name, not uid) or its v2 form."""
    if api.schema == "v2":
        return to_v2_spec(item.model)
    return {k: v for k, v in item.model.items() if k not in ("id", "uid", "version")}


def _shaped(response: Response) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(metadata, spec)`` of a resource answer, or None when it has another shape."""
    body = response.body
    if not isinstance(body, dict):
        return None
    metadata, spec = body.get("metadata"), body.get("spec")
    if not isinstance(metadata, dict) or not isinstance(spec, dict):
        return None
    return metadata, spec


def _annotations(metadata: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_object(metadata.get("annotations")).items()}


def _own(values: dict[str, Any]) -> dict[str, str]:
    """Metadata a client may send back: not Grafana's own ``grafana.app/`` keys."""
    return {str(k): str(v) for k, v in values.items() if not str(k).startswith("grafana.app/")}


def _body(item: Compiled, api: DashboardAPI, spec: dict[str, Any], folder_uid: str,
          live: dict[str, Any] | None) -> dict[str, Any]:
    annotations = {**_own(as_object((live or {}).get("annotations"))), FOLDER_ANNOTATION: folder_uid,
                   MARKER_ANNOTATION: content_hash(spec), MESSAGE_ANNOTATION: MESSAGE}
    labels = {**_own(as_object((live or {}).get("labels"))), MANAGED_LABEL: "true"}
    metadata: dict[str, Any] = {"name": item.uid, "annotations": annotations, "labels": labels}
    if live is not None and live.get("resourceVersion"):
        metadata["resourceVersion"] = str(live["resourceVersion"])
    return {"apiVersion": f"{GROUP}/{api.version}", "kind": "Dashboard", "metadata": metadata,
            "spec": spec}


def _generation(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("generation")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _landed(client: GrafanaClient, api: DashboardAPI, item: Compiled, spec: dict[str, Any],
            folder_uid: str) -> dict[str, Any] | None:
    """The live metadata if the dashboard is exactly what dashkit sent, else None."""
    try:
        shaped = _shaped(client.get_resource(api.version, api.namespace, item.uid))
    except DashkitError:
        return None
    if shaped is None:
        return None
    metadata, live_spec = shaped
    notes = _annotations(metadata)
    if (notes.get(MARKER_ANNOTATION) == content_hash(spec) == content_hash(live_spec)
            and notes.get(FOLDER_ANNOTATION, "") == folder_uid):
        return metadata
    return None


def _save(client: GrafanaClient, api: DashboardAPI, item: Compiled, spec: dict[str, Any],
          folder_uid: str, live: dict[str, Any] | None, action: Action,
          changes: tuple[str, ...]) -> PublishResult:
    uid, title = item.uid, item.title
    body = _body(item, api, spec, folder_uid, live)
    version = _generation(live) if live is not None else None
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            response = (client.create_resource(api.version, api.namespace, body) if live is None
                        else client.update_resource(api.version, api.namespace, uid, body))
            break
        except OutcomeUnknown as unknown:
            landed = _landed(client, api, item, spec, folder_uid)
            if landed is not None:
                return PublishResult(uid, title, action, _generation(landed), dashboard_url(client, None, uid),
                                     detail="the save's answer was lost; read back, it had landed",
                                     changes=changes)
            if unknown.timed_out or attempt == SAVE_ATTEMPTS:
                return PublishResult(uid, title, Action.FAILED, version, detail=(
                    f"{unknown.message}; read back, it had not landed: not re-sent, publish again"))
    if response.status in (200, 201):
        shaped = _shaped(response)
        saved = _generation(shaped[0]) if shaped is not None else None
        return PublishResult(uid, title, action, saved, dashboard_url(client, None, uid), changes=changes)
    if response.status == 409:
        return PublishResult(uid, title, Action.CONFLICT, version, detail=(
            f"changed in Grafana between read and write (HTTP 409: {response.message}); "
            "not retried, publish again to see the change"))
    if response.status == 400 and "provisioned" in response.message.lower():
        return provisioned(item)
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"HTTP {response.status}: {response.message}")


def publish_resource(client: GrafanaClient, api: DashboardAPI, item: Compiled, folder_uid: str,
                     *, force: bool = False, dry_run: bool = False) -> PublishResult:
    """Create, update or leave one dashboard through the dashboard API."""
    uid, title = item.uid, item.title
    spec = built_spec(item, api)
    response = client.get_resource(api.version, api.namespace, uid)
    first = first_read(item, response, dry_run, lambda changes: _save(
        client, api, item, spec, folder_uid, None, Action.CREATE, changes))
    if first is not None:
        return first
    shaped = _shaped(response)
    if shaped is None:
        return PublishResult(uid, title, Action.FAILED, detail=(
            "Grafana's answer to reading it is not a dashboard resource (is this Grafana?)"))
    metadata, live_spec = shaped
    notes = _annotations(metadata)
    version, live_folder = _generation(metadata), notes.get(FOLDER_ANNOTATION, "")
    url = dashboard_url(client, None, uid)
    if content_hash(live_spec) == content_hash(spec) and live_folder == folder_uid:
        return PublishResult(uid, title, Action.UNCHANGED, version, url, dry_run=dry_run)
    if notes.get(MANAGER_ANNOTATION):
        result = provisioned(item)
        return attrs.evolve(result, detail=f"managed by {clean_text(notes[MANAGER_ANNOTATION], 40)} "
                                           f"in Grafana: {result.detail}")
    marker = notes.get(MARKER_ANNOTATION)
    live_model = classic_of_resource(response.body)
    changes = tuple(describe_changes(live_model, item.model))
    if not force and marker is None:
        return PublishResult(uid, title, Action.CONFLICT, version, url, detail=(
            "exists in Grafana but was not published by dashkit (no dashkit marker); "
            "--force takes it over"))
    if not force and marker != content_hash(live_spec):
        by = notes.get(UPDATED_BY_ANNOTATION)
        return edit_conflict(item, live_model, version, url, f" by {clean_text(by, 60)}" if by else "",
                             last_published_resource(client, api, uid))
    if live_folder != folder_uid:
        changes += (f"~ folder {clean_text(live_folder) or '(root)'} -> {folder_uid}",)
    if dry_run:
        return PublishResult(uid, title, Action.UPDATE, version, url, changes=changes, dry_run=True)
    return _save(client, api, item, spec, folder_uid, metadata, Action.UPDATE, changes)


def last_published_resource(client: GrafanaClient, api: DashboardAPI, uid: str
                            ) -> Published | None:
    """The newest kept save whose spec still matches its dashkit marker: the version dashkit
    published (None when Grafana's history no longer has one, or cannot be read)."""
    try:
        response = client.resource_history(api.version, api.namespace, uid, VERSIONS_LISTED)
    except DashkitError:
        return None
    body = response.body if isinstance(response.body, dict) else {}
    if response.status != 200 or not isinstance(body.get("items"), list):
        return None
    saves = []
    for item in body["items"]:
        shaped = _shaped(Response(200, item))
        if shaped is not None and _generation(shaped[0]) is not None:
            saves.append((_generation(shaped[0]) or 0, shaped, item))
    for generation, (metadata, spec), item in sorted(saves, key=lambda s: -s[0]):
        if _annotations(metadata).get(MARKER_ANNOTATION) == content_hash(spec):
            return Published(generation, classic_of_resource(item))
    return None


def _managed(client: GrafanaClient, api: DashboardAPI) -> list[dict[str, Any]]:
    """Every dashboard labelled as dashkit's, page by page (bounded)."""
    found, token = [], ""
    for _ in range(MAX_PAGES):
        response = client.list_resources(api.version, api.namespace, f"{MANAGED_LABEL}=true",
                                         LIST_PAGE, token)
        body = response.body if isinstance(response.body, dict) else None
        if response.status != 200 or body is None or not isinstance(body.get("items"), list):
            raise DashkitError(f"cannot list dashboards in namespace {api.namespace!r}: HTTP "
                               f"{response.status} {response.message}")
        found += [item for item in body["items"] if isinstance(item, dict)]
        token = str(as_object(body.get("metadata")).get("continue") or "")
        if not token:
            return found
    raise DashkitError(f"more than {MAX_PAGES * LIST_PAGE} dashboards listed; stopped")


def prune_resources(client: GrafanaClient, api: DashboardAPI, keep: set[str], folder_uid: str,
                    *, force: bool = False, dry_run: bool = False) -> list[PublishResult]:
    """Delete dashboards in the folder that dashkit published and the build no longer has."""
    results = []
    for listed in _managed(client, api):
        metadata, spec = as_object(listed.get("metadata")), as_object(listed.get("spec"))
        uid, notes = str(metadata.get("name") or ""), _annotations(metadata)
        marker = notes.get(MARKER_ANNOTATION)
        if (not uid or uid in keep or marker is None or notes.get(MANAGER_ANNOTATION)
                or notes.get(FOLDER_ANNOTATION, "") != folder_uid):
            continue  # never touch what dashkit did not publish here
        title = clean_text(str(spec.get("title", "")), 100)
        version = _generation(metadata)
        if not force and marker != content_hash(spec):
            results.append(PublishResult(uid, title, Action.CONFLICT, version, detail=(
                "no longer in the build, but edited in Grafana since publish: not deleted "
                "(--force deletes it)")))
        elif dry_run:
            results.append(PublishResult(uid, title, Action.DELETE, version, dry_run=True,
                                         changes=("- dashboard no longer in the build",)))
        else:
            results.append(_delete(client, api, uid, title, version))
    return results


def _delete(client: GrafanaClient, api: DashboardAPI, uid: str, title: str,
            version: int | None) -> PublishResult:
    try:
        deleted = client.delete_resource(api.version, api.namespace, uid)
    except OutcomeUnknown as unknown:
        gone = client.get_resource(api.version, api.namespace, uid).status == 404
        return PublishResult(uid, title, Action.DELETE if gone else Action.FAILED, version, detail=(
            "the delete's answer was lost; read back, it is gone" if gone else
            f"{unknown.message}; read back, it is still there: not re-sent"))
    if deleted.status in (200, 202):
        return PublishResult(uid, title, Action.DELETE, version)
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"delete failed: HTTP {deleted.status}: {deleted.message}")
