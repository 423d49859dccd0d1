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

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import Response, clean_text
from dashkit.errors import DashkitError
from dashkit.grafana.compare import MARKER_KEY, content_hash
from dashkit.grafana.model import as_array, as_object
from dashkit.grafana.v2 import FOLDER_ANNOTATION, GROUP, to_v2_spec
from dashkit.grafana.v2_read import classic_of_resource
from dashkit.project.compiled import Compiled
from dashkit.publishing.history import VERSIONS_LISTED, Published
from dashkit.publishing.results import MESSAGE, auth_error, dashboard_url
from dashkit.publishing.store import Live, Marker, what_came_back

MARKER_ANNOTATION = "dashkit.dev/content-hash"
PROJECT_ANNOTATION = "dashkit.dev/project"
PUBLISHED_FOLDER_ANNOTATION = "dashkit.dev/folder"
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


def check_org(org: int, api: str) -> None:
    """An org other than 1 is a namespace of the dashboard API: the classic API cannot reach it.
    Checked before anything is sent (the CLI, ``dashkit.toml``) and again when publishing."""
    if org != 1 and api == "legacy":
        raise DashkitError(f"org {org} needs the dashboard API (its namespace), not api legacy")


def choose_api(client: GrafanaClient, schema: str, org: int, api: str) -> DashboardAPI | None:
    """The dashboard API to publish through, or None for the classic ``/api/dashboards``:
    ``api`` is "dashboards" (required), "legacy" or "auto" (the dashboard API when served)."""
    check_org(org, api)
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


def _shaped(body: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(metadata, spec)`` of a resource, or None when it has another shape."""
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


def _generation(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("generation")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _marker(notes: dict[str, str], spec: dict[str, Any], classic: dict[str, Any],
            schema: str) -> tuple[Marker | None, bool]:
    """The marker, and whether the content is still what it records. Two may be there: the
    annotations dashkit writes here, and (a v1 spec) the classic marker, which a publish through
    the classic API leaves; the one that still matches its content speaks."""
    noted = (Marker(notes[MARKER_ANNOTATION], clean_text(notes.get(PROJECT_ANNOTATION, ""), 80),
                    clean_text(notes.get(PUBLISHED_FOLDER_ANNOTATION, ""), 80))
             if MARKER_ANNOTATION in notes else None)
    embedded = Marker.read(spec.get(MARKER_KEY)) if schema == "v1" else None
    if noted is not None and noted.hash == content_hash(spec):
        return noted, True
    if embedded is not None and embedded.hash == content_hash(classic):
        return embedded, True
    return noted or embedded, False


class ResourceStore:
    """Dashboards through ``/apis/dashboard.grafana.app/<version>/namespaces/<ns>/dashboards``."""

    def __init__(self, client: GrafanaClient, api: DashboardAPI, folder_uid: str) -> None:
        self.client, self.api, self.folder_uid = client, api, folder_uid

    def read(self, uid: str) -> Live | None:
        response = self.client.get_resource(self.api.version, self.api.namespace, uid)
        if response.status == 404:
            return None
        if response.status != 200:
            raise DashkitError(f"HTTP {response.status}: {response.message}")
        shaped = _shaped(response.body) if response.status == 200 else None
        if shaped is None or shaped[0].get("name", uid) != uid:
            raise DashkitError(f"Grafana's answer to reading it is not a dashboard resource (is "
                               f"this Grafana?): {what_came_back(response)}")
        metadata, spec = shaped
        notes, classic = _annotations(metadata), classic_of_resource(response.body)
        marker, intact = _marker(notes, spec, classic, self.api.schema)
        return Live(uid, clean_text(str(spec.get("title", "")), 100), classic,
                    _generation(metadata), notes.get(FOLDER_ANNOTATION, ""),
                    dashboard_url(self.client, None, uid), content=content_hash(spec),
                    marker=marker, intact=intact,
                    manager=notes.get(MANAGER_ANNOTATION) or None,
                    updated_by=notes.get(UPDATED_BY_ANNOTATION, ""), source=metadata)

    def built(self, item: Compiled) -> str:
        return content_hash(built_spec(item, self.api))

    def save(self, item: Compiled, live: Live | None, marker: Marker) -> Response:
        """Create (``live`` None) or update with the resourceVersion it read; a v1 spec also
        carries the classic marker, so the classic API recognises it (a downgrade, a mixed
        fleet)."""
        spec = built_spec(item, self.api)
        if self.api.schema == "v1":
            spec[MARKER_KEY] = attrs.evolve(marker, hash=content_hash(item.model)).as_json()
        known = as_object(live.source) if live is not None else {}
        annotations = {**_own(as_object(known.get("annotations"))),
                       FOLDER_ANNOTATION: self.folder_uid, MARKER_ANNOTATION: marker.hash,
                       PROJECT_ANNOTATION: marker.project,
                       PUBLISHED_FOLDER_ANNOTATION: marker.folder, MESSAGE_ANNOTATION: MESSAGE}
        labels = {**_own(as_object(known.get("labels"))), MANAGED_LABEL: "true"}
        metadata: dict[str, Any] = {"name": item.uid, "annotations": annotations, "labels": labels}
        if known.get("resourceVersion"):
            metadata["resourceVersion"] = str(known["resourceVersion"])
        body = {"apiVersion": f"{GROUP}/{self.api.version}", "kind": "Dashboard",
                "metadata": metadata, "spec": spec}
        if live is None:
            return self.client.create_resource(self.api.version, self.api.namespace, body)
        return self.client.update_resource(self.api.version, self.api.namespace, item.uid, body)

    def proven(self, item: Compiled, response: Response) -> tuple[int | None, str] | None:
        """A resource with the same name and a resourceVersion (what the apiserver answers a
        create or an update with)."""
        shaped = _shaped(response.body) if response.status in (200, 201) else None
        if shaped is None or shaped[0].get("name") != item.uid:
            return None
        if not isinstance(shaped[0].get("resourceVersion"), str) or not shaped[0]["resourceVersion"]:
            return None
        return _generation(shaped[0]), dashboard_url(self.client, None, item.uid)

    def delete(self, uid: str) -> Response:
        return self.client.delete_resource(self.api.version, self.api.namespace, uid)

    def managed(self, folder_uid: str) -> list[str]:
        """Every dashboard labelled as dashkit's, page by page (bounded); the folder is checked
        on each one's own read."""
        found, token = [], ""
        for _ in range(MAX_PAGES):
            response = self.client.list_resources(self.api.version, self.api.namespace,
                                                  f"{MANAGED_LABEL}=true", LIST_PAGE, token)
            body = response.body if isinstance(response.body, dict) else None
            if response.status != 200 or body is None or not isinstance(body.get("items"), list):
                raise DashkitError(f"cannot list dashboards in namespace {self.api.namespace!r}: "
                                   f"HTTP {response.status} {response.message}")
            if len(body["items"]) > LIST_PAGE:
                raise DashkitError(f"listing dashboards: {len(body['items'])} items on a page of "
                                   f"{LIST_PAGE}; not a Grafana list answer")
            found += [str(as_object(as_object(item).get("metadata")).get("name") or "")
                      for item in body["items"]]
            token = str(as_object(body.get("metadata")).get("continue") or "")
            if not token:
                return [uid for uid in found if uid]
        raise DashkitError(f"more than {MAX_PAGES * LIST_PAGE} dashboards listed; stopped")

    def published(self, uid: str) -> Published | None:
        """The newest kept save whose spec still matches its dashkit marker: the version dashkit
        published (None when Grafana's history no longer has one, or cannot be read)."""
        try:
            response = self.client.resource_history(self.api.version, self.api.namespace, uid,
                                                    VERSIONS_LISTED)
        except DashkitError:
            return None
        body = response.body if isinstance(response.body, dict) else {}
        if response.status != 200 or not isinstance(body.get("items"), list):
            return None
        saves = []
        for item in body["items"]:
            shaped = _shaped(item)
            if shaped is not None and _generation(shaped[0]) is not None:
                saves.append((_generation(shaped[0]) or 0, shaped, item))
        for generation, (metadata, spec), item in sorted(saves, key=lambda s: -s[0]):
            if _annotations(metadata).get(MARKER_ANNOTATION) == content_hash(spec):
                return Published(generation, classic_of_resource(item))
        return None
