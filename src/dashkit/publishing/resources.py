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
from dashkit.clients.http import Response, clean_text
from dashkit.errors import DashkitError
from dashkit.grafana.compare import content_hash
from dashkit.grafana.model import as_array, as_object
from dashkit.grafana.v2 import FOLDER_ANNOTATION, GROUP, to_v2_spec
from dashkit.grafana.v2_read import classic_of_resource
from dashkit.publishing.decisions import (Live, decide, first_read, prune_one,
                                          save_with_read_back)
from dashkit.publishing.history import VERSIONS_LISTED, Published
from dashkit.publishing.results import MESSAGE, Action, PublishResult, auth_error, dashboard_url

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
    if response.status != 200:
        raise DashkitError(f"cannot read Grafana's API list (/apis): HTTP {response.status} "
                           f"{response.message}")
    if not isinstance(response.body, dict):
        raise DashkitError("Grafana's answer to /apis is not an API list (is this Grafana?); "
                           "nothing was written")
    for group in map(as_object, as_array(response.body.get("groups"))):
        if group.get("name") == GROUP:
            return [str(as_object(v).get("version")) for v in as_array(group.get("versions"))]
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


def _live_view(client: GrafanaClient, item: Compiled, spec: dict[str, Any],
               response: Response) -> Live | None:
    """The dashboard API's answer as the decisions read it (None: not a dashboard resource)."""
    shaped = _shaped(response) if response.status == 200 else None
    if shaped is None:
        return None
    metadata, live_spec = shaped
    notes, current = _annotations(metadata), content_hash(live_spec)
    return Live(classic_of_resource(response.body), _generation(metadata),
                notes.get(FOLDER_ANNOTATION, ""), dashboard_url(client, None, item.uid),
                unchanged=current == content_hash(spec),
                marker=notes.get(MARKER_ANNOTATION), current=current,
                manager=notes.get(MANAGER_ANNOTATION) or None,
                updated_by=notes.get(UPDATED_BY_ANNOTATION, ""))


def _read_live(client: GrafanaClient, api: DashboardAPI, item: Compiled,
               spec: dict[str, Any]) -> Live | None:
    try:
        return _live_view(client, item, spec, client.get_resource(api.version, api.namespace,
                                                                  item.uid))
    except DashkitError:
        return None


def _saved(client: GrafanaClient, uid: str, response: Response) -> tuple[int | None, str] | None:
    if response.status not in (200, 201):
        return None
    shaped = _shaped(response)
    return (_generation(shaped[0]) if shaped is not None else None,
            dashboard_url(client, None, uid))


def _save(client: GrafanaClient, api: DashboardAPI, item: Compiled, spec: dict[str, Any],
          folder_uid: str, live: dict[str, Any] | None, action: Action,
          changes: tuple[str, ...]) -> PublishResult:
    """Create (``live`` None) or update with the resourceVersion ``live`` metadata holds."""
    body = _body(item, api, spec, folder_uid, live)
    return save_with_read_back(
        item, folder_uid, _generation(live) if live is not None else None, action, changes,
        send=lambda: (client.create_resource(api.version, api.namespace, body) if live is None
                      else client.update_resource(api.version, api.namespace, item.uid, body)),
        read_live=lambda: _read_live(client, api, item, spec),
        saved=lambda response: _saved(client, item.uid, response))


def publish_resource(client: GrafanaClient, api: DashboardAPI, item: Compiled, folder_uid: str,
                     *, force: bool = False, dry_run: bool = False) -> PublishResult:
    """Create, update or leave one dashboard through the dashboard API."""
    spec = built_spec(item, api)
    response = client.get_resource(api.version, api.namespace, item.uid)
    first = first_read(item, response, dry_run, lambda changes: _save(
        client, api, item, spec, folder_uid, None, Action.CREATE, changes))
    if first is not None:
        return first
    live = _live_view(client, item, spec, response)
    if live is None:
        return PublishResult(item.uid, item.title, Action.FAILED, detail=(
            "Grafana's answer to reading it is not a dashboard resource (is this Grafana?)"))
    metadata = response.body["metadata"]
    return decide(item, live, folder_uid, force=force, dry_run=dry_run,
                  published=lambda: last_published_resource(client, api, item.uid),
                  save=lambda changes: _save(client, api, item, spec, folder_uid, metadata,
                                             Action.UPDATE, changes))


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


#: What prune needs of a listed dashboard: its uid, dashkit's annotations, title, generation,
#: and whether it was edited since dashkit published it.
_Listed = tuple[str, dict[str, str], str, "int | None", bool]


def _listed(item: dict[str, Any]) -> _Listed:
    """The few facts prune needs of one listed dashboard; the rest is not kept."""
    metadata, spec = as_object(item.get("metadata")), as_object(item.get("spec"))
    notes = {key: value for key, value in _annotations(metadata).items()
             if key in (MARKER_ANNOTATION, MANAGER_ANNOTATION, FOLDER_ANNOTATION)}
    marker = notes.get(MARKER_ANNOTATION)
    return (str(metadata.get("name") or ""), notes, clean_text(str(spec.get("title", "")), 100),
            _generation(metadata), marker is not None and marker != content_hash(spec))


def _managed(client: GrafanaClient, api: DashboardAPI) -> list[_Listed]:
    """Every dashboard labelled as dashkit's, page by page: at most MAX_PAGES pages of at most
    LIST_PAGE items, and of each item only what prune needs."""
    found: list[_Listed] = []
    token = ""
    for _ in range(MAX_PAGES):
        response = client.list_resources(api.version, api.namespace, f"{MANAGED_LABEL}=true",
                                         LIST_PAGE, token)
        body = response.body if isinstance(response.body, dict) else None
        if response.status != 200 or body is None or not isinstance(body.get("items"), list):
            raise DashkitError(f"cannot list dashboards in namespace {api.namespace!r}: HTTP "
                               f"{response.status} {response.message}")
        if len(body["items"]) > LIST_PAGE:
            raise DashkitError(f"listing dashboards: {len(body['items'])} items on a page of "
                               f"{LIST_PAGE}; not a Grafana list answer")
        found += [_listed(item) for item in body["items"] if isinstance(item, dict)]
        token = str(as_object(body.get("metadata")).get("continue") or "")
        if not token:
            return found
    raise DashkitError(f"more than {MAX_PAGES * LIST_PAGE} dashboards listed; stopped")


def prune_resources(client: GrafanaClient, api: DashboardAPI, keep: set[str], folder_uid: str,
                    *, force: bool = False, dry_run: bool = False) -> list[PublishResult]:
    """Delete dashboards in the folder that dashkit published and the build no longer has."""
    results = []
    for uid, notes, title, generation, edited in _managed(client, api):
        if (not uid or uid in keep or notes.get(MARKER_ANNOTATION) is None
                or notes.get(MANAGER_ANNOTATION)
                or notes.get(FOLDER_ANNOTATION, "") != folder_uid):
            continue  # never touch what dashkit did not publish here
        results.append(prune_one(
            uid, title, generation, edited=edited, force=force, dry_run=dry_run,
            delete=lambda: client.delete_resource(api.version, api.namespace, uid),
            gone=lambda: client.get_resource(api.version, api.namespace, uid).status == 404))
    return results
