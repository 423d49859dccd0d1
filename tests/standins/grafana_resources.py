"""The stand-in's dashboard API: ``/apis/dashboard.grafana.app/<version>/namespaces/<ns>/dashboards``,
a test double of CONTRACT.md §4.8 (read from Grafana's ``pkg/registry/apis/dashboard`` and the
Kubernetes apiserver conventions it follows), not Grafana.

- Discovery ``GET /apis``: an ``APIGroupList``; none before 11 (404), ``v0alpha1`` only on the
  11.x profile, ``v1``/``v1beta1``/``v2``/``v2beta1``/``v0alpha1`` on 13.x.
- One storage with the classic API: a dashboard saved either way is seen both ways; a v2 read
  of a classically saved one is converted (as Grafana converts between versions).
- Errors are Kubernetes ``Status`` objects: 404 ``NotFound``, 409 ``AlreadyExists`` on a create
  of an existing name, 409 ``Conflict`` on an update whose ``metadata.resourceVersion`` is not
  the stored one (no resourceVersion: an unconditional update, as the UI's save sends), 400
  ``BadRequest`` for a name in the body that is not the URL's, 422 ``Invalid`` for a name the
  apimachinery rule refuses (``^[a-zA-Z0-9:\\-_.]*$``, ≤ 253), 400 for one the dashboard rules
  refuse (≤ 40, no ``:`` or ``.``), 400 for a provisioned dashboard's update or delete.
- ``metadata.generation`` is the dashboard's version; ``resourceVersion`` a storage-wide counter.
- Lists honour ``labelSelector`` (``key=value``), ``limit`` and ``continue``; with
  ``grafana.app/get-history=true`` and ``fieldSelector=metadata.name=<uid>`` they list that
  dashboard's kept saves, newest first, as whole resources (what Grafana's UI and grafanactl read
  for version history).
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from dashkit.grafana.v2 import to_v2_spec
from dashkit.grafana.v2_read import from_v2_spec

if TYPE_CHECKING:
    from standins.grafana_api import GrafanaAPIStandIn, StoredDashboard

GROUP = "dashboard.grafana.app"
VERSIONS = {"grafana_10": (), "grafana_11_3": ("v0alpha1",),
            "grafana_13_2": ("v1", "v1beta1", "v2", "v2beta1", "v0alpha1")}
_NAME = re.compile(r"^[a-zA-Z0-9:\-_.]*$")
_PATH = re.compile(r"/apis/dashboard\.grafana\.app/(?P<version>[^/]+)/namespaces/(?P<ns>[^/]+)"
                   r"/dashboards(?:/(?P<name>[^/]+))?")
Answer = tuple[int, Any, dict[str, str]]


def status(code: int, reason: str, message: str, name: str = "") -> Answer:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": message, "reason": reason,
                            "code": code}
    if name:
        body["details"] = {"name": name, "group": GROUP, "kind": "dashboards"}
    return code, body, {}


class DashboardResources:
    """The dashboard API over the stand-in's store (``api.dashboards``)."""

    def __init__(self, api: GrafanaAPIStandIn) -> None:
        self.api = api
        #: Namespaces that exist: org 1 is ``default``; tests add ``org-<id>``.
        self.namespaces = {"default"}

    @property
    def versions(self) -> tuple[str, ...]:
        return VERSIONS[self.api.profile]

    def handle(self, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> Answer:
        if path == "/apis" and method == "GET" and self.versions:
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": GROUP, "versions": [{"groupVersion": f"{GROUP}/{v}", "version": v}
                                             for v in self.versions],
                 "preferredVersion": {"groupVersion": f"{GROUP}/{self.versions[0]}",
                                      "version": self.versions[0]}}]}, {}
        match = _PATH.fullmatch(path)
        if match is None or match["version"] not in self.versions:
            return status(404, "NotFound", "the server could not find the requested resource")
        version, namespace, name = match["version"], match["ns"], match["name"]
        if namespace not in self.namespaces:
            return status(404, "NotFound", f'namespaces "{namespace}" not found')
        if name is None and method == "GET":
            return self._list(version, query)
        if name is None and method == "POST":
            return self._write(version, None, raw)
        if name is not None and method == "GET":
            stored = self.api.dashboards.get(name)
            if stored is None:
                return status(404, "NotFound", f'dashboards.{GROUP} "{name}" not found', name)
            answer = self.resource(stored, version)
            if self.api.after_read is not None:  # a test changes it between read and write
                hook, self.api.after_read = self.api.after_read, None
                hook(name)
            return 200, answer, {}
        if name is not None and method == "PUT":
            return self._write(version, name, raw)
        if name is not None and method == "DELETE":
            return self._delete(name)
        return status(405, "MethodNotAllowed", "the server does not allow this method")

    # --- views --------------------------------------------------------------------------------
    def resource(self, stored: StoredDashboard, version: str) -> dict[str, Any]:
        annotations = dict(stored.annotations)
        if stored.folder_uid:
            annotations["grafana.app/folder"] = stored.folder_uid
        if stored.provisioned:
            annotations["grafana.app/managedBy"] = "classic-fp"
        if stored.history:
            annotations["grafana.app/updatedBy"] = stored.history[-1][3]
        metadata: dict[str, Any] = {"name": stored.uid, "namespace": "default",
                                    "uid": f"k8s-{stored.id}",
                                    "resourceVersion": str(stored.resource_version),
                                    "generation": stored.version,
                                    "creationTimestamp": "2026-01-01T00:00:00Z",
                                    "annotations": annotations,
                                    "labels": {**stored.labels, "grafana.app/deprecatedInternalID":
                                               str(stored.id)}}
        if version.startswith("v2"):
            spec = stored.v2_spec if stored.v2_spec is not None else to_v2_spec(stored.data)
        else:
            spec = {k: v for k, v in stored.data.items() if k not in ("id", "uid", "version")}
        return {"apiVersion": f"{GROUP}/{version}", "kind": "Dashboard", "metadata": metadata,
                "spec": json.loads(json.dumps(spec)), "status": {}}

    def _history(self, version: str, name: str, limit: int) -> Answer:
        """Every kept save of one dashboard, newest first, each a whole resource (unified
        storage's history list: the ``grafana.app/get-history`` label selector)."""
        stored = self.api.dashboards.get(name)
        items = []
        for (number, data, message, _), (_, kept, v2_spec) in reversed(list(zip(
                stored.history if stored else [], stored.kept_metadata if stored else []))):
            past = type(stored)(name, stored.id, number, stored.folder_uid, data,
                                annotations=dict(kept, **{"grafana.app/message": message}),
                                v2_spec=v2_spec)
            past.resource_version = stored.resource_version
            items.append(self.resource(past, version))
        return 200, {"kind": "DashboardList", "apiVersion": f"{GROUP}/{version}",
                     "metadata": {}, "items": items[:limit]}, {}

    def _list(self, version: str, query: dict[str, list[str]]) -> Answer:
        selector = query.get("labelSelector", [""])[0]
        wanted = dict(part.split("=", 1) for part in selector.split(",") if "=" in part)
        if wanted.pop("grafana.app/get-history", None) == "true":
            field = query.get("fieldSelector", [""])[0]
            if not field.startswith("metadata.name="):
                return status(400, "BadRequest", "history needs a metadata.name field selector")
            return self._history(version, field.split("=", 1)[1],
                                 int(query.get("limit", ["0"])[0] or 0) or 1000)
        matching = [d for _, d in sorted(self.api.dashboards.items())
                    if all(d.labels.get(k) == v for k, v in wanted.items())]
        limit = int(query.get("limit", ["0"])[0] or 0) or len(matching) or 1
        start = int(query.get("continue", ["0"])[0] or 0)
        page = matching[start:start + limit]
        more = start + limit < len(matching)
        return 200, {"kind": "DashboardList", "apiVersion": f"{GROUP}/{version}",
                     "metadata": {"resourceVersion": str(self.api._resource_version),
                                  **({"continue": str(start + limit)} if more else {})},
                     "items": [self.resource(d, version) for d in page]}, {}

    # --- writes -------------------------------------------------------------------------------
    def _write(self, version: str, url_name: str | None, raw: bytes) -> Answer:
        from standins.grafana_api import StoredDashboard

        try:
            body = json.loads(raw)
            metadata, spec = body["metadata"], body["spec"]
            assert isinstance(metadata, dict) and isinstance(spec, dict)
        except (ValueError, KeyError, TypeError, AssertionError):
            return status(400, "BadRequest", "the body is not a dashboard resource")
        name = str(metadata.get("name") or "")
        if url_name is not None and name != url_name:
            return status(400, "BadRequest", f"the name of the object ({name}) does not match "
                                             f"the name on the URL ({url_name})")
        if not name or not _NAME.match(name) or len(name) > 253:
            return status(422, "Invalid", f'Dashboard.{GROUP} "{name}" is invalid: metadata.name: '
                                          f"Invalid value: {name!r}", name)
        if len(name) > 40:
            return status(400, "BadRequest", "uid too long, max 40 characters", name)
        if ":" in name or "." in name:
            return status(400, "BadRequest", "uid contains illegal characters", name)
        annotations = dict(metadata.get("annotations") or {})
        folder_uid = str(annotations.pop("grafana.app/folder", "") or "")
        if folder_uid and folder_uid not in self.api.folders:
            return status(400, "BadRequest", f"folder {folder_uid!r} not found", name)
        existing = self.api.dashboards.get(name)
        if url_name is None and existing is not None:
            return status(409, "AlreadyExists", f'dashboards.{GROUP} "{name}" already exists', name)
        if url_name is not None and existing is None:
            return status(404, "NotFound", f'dashboards.{GROUP} "{name}" not found', name)
        if existing is not None:
            sent = metadata.get("resourceVersion")
            if sent not in (None, "") and str(sent) != str(existing.resource_version):
                return status(409, "Conflict", f'Operation cannot be fulfilled on dashboards.{GROUP} '
                                               f'"{name}": the object has been modified; please '
                                               "apply your changes to the latest version and try "
                                               "again", name)
            if existing.provisioned:
                return status(400, "BadRequest", "Cannot save provisioned dashboard", name)
        message = str(annotations.pop("grafana.app/message", "") or "")
        if version.startswith("v2"):
            data, v2_spec = from_v2_spec(spec, name), json.loads(json.dumps(spec))
        else:
            data, v2_spec = {**spec, "uid": name}, None
        stored = StoredDashboard(name, existing.id if existing else self.api._take_id(),
                                 existing.version + 1 if existing else 1, folder_uid, data,
                                 annotations=annotations, labels=dict(metadata.get("labels") or {}),
                                 v2_spec=v2_spec)
        stored.data["id"], stored.data["version"] = stored.id, stored.version
        stored.keep(existing, message, "dashkit-sa")
        stored.resource_version = self.api.next_resource_version()
        self.api.dashboards[name] = stored
        return (200 if existing else 201), self.resource(stored, version), {}

    def _delete(self, name: str) -> Answer:
        stored = self.api.dashboards.get(name)
        if stored is None:
            return status(404, "NotFound", f'dashboards.{GROUP} "{name}" not found', name)
        if stored.provisioned:
            return status(400, "BadRequest", "provisioned dashboard cannot be deleted", name)
        del self.api.dashboards[name]
        return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                     "details": {"name": name, "group": GROUP, "kind": "dashboards",
                                 "uid": f"k8s-{stored.id}"}}, {}
