"""A stand-in for Grafana's HTTP API, for tests: a test double of the contract in
../shared/grafana/CONTRACT.md §4 and §6, not Grafana. It keeps its state in memory, logs every
request, and can be told to fail, so tests can assert exactly what a client wrote.

Profiles follow the contract's version differences:
- ``grafana_10``   (≤ 11.2): same title in a folder ⇒ 412 ``name-exists``; duplicate folder title ⇒ 409.
- ``grafana_11_3`` (11.3–13.0): titles need not be unique; stale version ⇒ 412 ``version-mismatch``.
- ``grafana_13_2`` (13.1/13.2 k8s path): stale or missing version on update ⇒ 409 "Dashboard
  already exists. Use overwrite flag to update."; duplicate folder uid ⇒ 412.

Version history (``/api/dashboards/uid/:uid/versions[/:version]``, from Grafana's
``pkg/api/dashboard.go`` ``GetDashboardVersions``/``GetDashboardVersion``): newest first, each
save with its message; the newest ``versions_to_keep`` (Grafana's default 20) are kept. Up to
11.x the list is a JSON array; the 13.x profile answers ``{"versions": [...], "continueToken": ""}``
as the k8s-backed service does. A missing version is a 500 "Dashboard version N not found for
dashboardId D", as Grafana answers it.

Nested folders (``pkg/api/folder.go`` ``CreateFolder``: the folder service creates the folder
under ``parentUid``; the DTO of ``newToFolderDto`` carries ``parentUid`` and ``parents``): on the
11.3+ profiles a folder is created under an existing parent (an unknown one is a 404 "folder not
found"); Grafana 10 (nested folders off) ignores ``parentUid`` and keeps every folder at the root.

``wrong_url_behind_proxy``: a login proxy in front of a wrong URL answers every GET with a 404
HTML page and every write with a 200 HTML page (only ``/api/health`` reaches Grafana); nothing
is stored.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

import attrs

from standins.loopback import LoopbackServer, QuietHandler

PROFILES = ("grafana_10", "grafana_11_3", "grafana_13_2")
_UID = re.compile(r"^[a-zA-Z0-9\-_]*$")
#: Grafana's ``[dashboards] versions_to_keep`` default.
VERSIONS_TO_KEEP = 20


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@attrs.define
class StoredDashboard:
    uid: str
    id: int
    version: int
    folder_uid: str
    data: dict[str, Any]
    provisioned: bool = False
    #: Every kept save, oldest first: (version, data, message, created by).
    history: list[tuple[int, dict[str, Any], str, str]] = attrs.field(factory=list)
    #: The dashboard API's view: metadata a client wrote, the spec as written in v2 (None:
    #: last written as a classic model), and the storage-wide resourceVersion of the last write.
    annotations: dict[str, str] = attrs.field(factory=dict)
    labels: dict[str, str] = attrs.field(factory=dict)
    v2_spec: dict[str, Any] | None = None
    resource_version: int = 0

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))

    #: The dashboard API's view of each kept save: (version, annotations, v2 spec or None).
    kept_metadata: list[tuple[int, dict[str, str], Any]] = attrs.field(factory=list)

    def keep(self, earlier: StoredDashboard | None, message: str, by: str) -> None:
        """Record this save (its metadata as it now is) after the history of the version it
        replaces."""
        past = earlier.history if earlier is not None else []
        saved = json.loads(json.dumps(self.data))
        saved["id"], saved["version"] = self.id, self.version
        self.history = [*past, (self.version, saved, message, by)][-VERSIONS_TO_KEEP:]
        kept = earlier.kept_metadata if earlier is not None else []
        self.kept_metadata = [*kept, (self.version, dict(self.annotations), json.loads(
            json.dumps(self.v2_spec)))][-VERSIONS_TO_KEEP:]


@attrs.define
class Fault:
    """Answer the next ``times`` requests matching ``method`` and ``path`` (a prefix) with
    ``status`` (and ``headers``), or drop the connection when ``status`` is None."""

    method: str
    path: str
    status: int | None
    times: int = 1
    headers: dict[str, str] = attrs.field(factory=dict)
    body: Any = attrs.field(factory=lambda: {"message": "injected failure"})
    #: Bytes ``body`` is sent as it is, with this content type (a proxy's HTML page).
    content_type: str = "application/json; charset=UTF-8"
    #: Hostile behaviours: handle the request for real first (``apply``), then wait ``delay``
    #: seconds before answering, or answer one byte every ``drip`` seconds, or send a body
    #: that never ends (``endless``). ``status`` None with ``apply`` answers what Grafana would.
    apply: bool = False
    delay: float = 0.0
    drip: float | None = None
    endless: bool = False


@attrs.define
class LoggedRequest:
    method: str
    path: str
    status: int
    authorization: str | None

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "DELETE")


class GrafanaAPIStandIn:
    """State plus a loopback HTTP server. ``url`` is where clients point."""

    def __init__(self, profile: str = "grafana_11_3", token: str = "glsa_test_token_0123456789",
                 user: str = "admin", password: str = "admin-password") -> None:
        assert profile in PROFILES, profile
        self.profile = profile
        self.token = token
        self.basic = (user, password)
        self.dashboards: dict[str, StoredDashboard] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        self.requests: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self.healthy = True
        self.wrong_url_behind_proxy = False
        #: Called after a successful GET of a dashboard by uid: lets a test change the dashboard
        #: between a client's read and its write.
        self.after_read: Callable[[str], None] | None = None
        self._next_id = 1
        self._resource_version = 1000
        self._lock = threading.RLock()
        self._http = LoopbackServer(self._handler())
        from standins.grafana_resources import DashboardResources
        self.resources = DashboardResources(self)
        self.url = self._http.url

    # --- lifecycle and test helpers ------------------------------------------------------------
    def start(self) -> GrafanaAPIStandIn:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    def writes(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.is_write]

    def add_folder(self, uid: str, title: str, parent_uid: str = "") -> None:
        with self._lock:
            self.folders[uid] = {"id": self._take_id(), "uid": uid, "title": title, "version": 1,
                                 "parentUid": parent_uid}

    def put_dashboard(self, data: dict[str, Any], folder_uid: str = "",
                      provisioned: bool = False, message: str = "") -> StoredDashboard:
        """Store a dashboard as if saved in the UI (or provisioned from a file)."""
        with self._lock:
            uid = data["uid"]
            existing = self.dashboards.get(uid)
            stored = StoredDashboard(uid, existing.id if existing else self._take_id(),
                                     existing.version + 1 if existing else 1, folder_uid,
                                     json.loads(json.dumps(data)), provisioned)
            if existing is not None:  # a UI save sends the metadata back (dashboard/api/v2.ts)
                stored.annotations, stored.labels = existing.annotations, existing.labels
            stored.keep(existing, message, "editor")
            stored.resource_version = self.next_resource_version()
            self.dashboards[uid] = stored
            return stored

    def next_resource_version(self) -> int:
        self._resource_version += 1
        return self._resource_version

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    # --- HTTP ---------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(QuietHandler):

            def _dispatch(self, method: str) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fault = api._take_fault(method, parsed.path)
                if api.wrong_url_behind_proxy and parsed.path != "/api/health":
                    status = 404 if method == "GET" else 200
                    api._log(method, parsed.path, status, self.headers.get("Authorization"))
                    self.send(status, b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
                              b"<body>Sign in to continue</body></html>", "text/html; charset=utf-8",
                              {})
                    return
                if fault is not None and fault.apply:
                    status, body, headers = api.handle(method, parsed.path, parse_qs(parsed.query),
                                                       raw, self.headers.get("Authorization"))
                    if fault.status is not None:
                        status, body, headers = fault.status, fault.body, fault.headers
                elif fault is not None and fault.status is None:
                    api._log(method, parsed.path, 0, self.headers.get("Authorization"))
                    self.close_connection = True
                    self.connection.shutdown(2)  # reset: the client sees a connection error
                    return
                elif fault is not None:
                    status, body, headers = fault.status, fault.body, fault.headers
                else:
                    status, body, headers = api.handle(method, parsed.path, parse_qs(parsed.query),
                                                       raw, self.headers.get("Authorization"))
                api._log(method, parsed.path, status, self.headers.get("Authorization"))
                if fault is not None and (fault.delay or fault.drip or fault.endless):
                    self._misbehave(fault, status, json.dumps(body).encode())
                    return
                raw_body = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send(status, raw_body, fault.content_type if fault is not None
                          else "application/json; charset=UTF-8", headers)

            def _misbehave(self, fault: Fault, status: int, body: bytes) -> None:
                """Slow, dripping or endless answers; each stops when the client hangs up
                (or after a minute, or 256 MiB, at the most)."""
                self.close_connection = True
                stop = time.monotonic() + 60
                try:
                    time.sleep(fault.delay)
                    if fault.endless:
                        self.wfile.write(f"HTTP/1.1 {status} OK\r\nContent-Type: application/json"
                                         "\r\nConnection: close\r\n\r\n".encode())
                        self.wfile.write(b'{"message": "')
                        # "endless" to any client that keeps to the 64 MiB limit; bounded (256 MiB)
                        # so that a client that does not keep to it cannot exhaust the machine
                        for _ in range(256):
                            if time.monotonic() > stop:
                                break
                            self.wfile.write(b"x" * (1 << 20))
                        return
                    answer = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                              f"Content-Length: {len(body)}\r\n\r\n").encode() + body
                    if fault.drip is None:
                        self.wfile.write(answer)
                        return
                    for byte in answer:
                        if time.monotonic() > stop:
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(fault.drip)
                except OSError:
                    return  # the client hung up

            def do_GET(self) -> None:  # noqa: N802
                self._dispatch("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._dispatch("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._dispatch("PUT")

            def do_DELETE(self) -> None:  # noqa: N802
                self._dispatch("DELETE")

        return Handler

    def _log(self, method: str, path: str, status: int, authorization: str | None) -> None:
        with self._lock:
            self.requests.append(LoggedRequest(method, path, status, authorization))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _authorized(self, authorization: str | None) -> tuple[bool, dict[str, Any]]:
        if authorization and authorization.startswith("Bearer "):
            if authorization[7:] == self.token:
                return True, {}
            return False, {"message": "Invalid API key", "messageId": "api-key.invalid",
                           "statusCode": 401, "traceID": ""}
        if authorization and authorization.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            except ValueError:
                return False, {"message": "Unauthorized"}
            if (user, password) == self.basic:
                return True, {}
        return False, {"message": "Unauthorized"}

    # --- routing ------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict[str, list[str]], raw: bytes,
               authorization: str | None) -> tuple[int, Any, dict[str, str]]:
        if method == "GET" and path == "/api/health":
            if self.healthy:
                return 200, {"database": "ok", "version": "12.3.1", "commit": "standin"}, {}
            return 503, {"database": "failing", "version": "12.3.1", "commit": "standin"}, {}
        ok, body = self._authorized(authorization)
        if not ok:
            return 401, body, {}
        with self._lock:
            if path == "/apis" or path.startswith("/apis/"):
                return self.resources.handle(method, path, query, raw)
            if method == "POST" and path == "/api/dashboards/db":
                return self._save_dashboard(raw)
            match = re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)
            if match and method == "GET":
                return self._get_dashboard(match.group(1))
            if match and method == "DELETE":
                return self._delete_dashboard(match.group(1))
            match = re.fullmatch(r"/api/dashboards/uid/([^/]+)/versions(?:/([^/]+))?", path)
            if match and method == "GET":
                return self._versions(match.group(1), match.group(2), query)
            if method == "GET" and path == "/api/search":
                return self._search(query)
            if path == "/api/folders" and method == "GET":
                return 200, [{"id": f["id"], "uid": f["uid"], "title": f["title"]}
                             for f in self.folders.values()], {}
            if path == "/api/folders" and method == "POST":
                return self._create_folder(raw)
            match = re.fullmatch(r"/api/folders/([^/]+)", path)
            if match and method == "GET":
                folder = self.folders.get(match.group(1))
                if folder is None:
                    return 404, {"status": "not-found", "message": "folder not found"}, {}
                return 200, self._folder_dto(folder), {}
        return 404, {"message": "Not Found"}, {}

    def _folder_dto(self, folder: dict[str, Any]) -> dict[str, Any]:
        parents, above = [], folder["parentUid"]
        while above:
            parents.insert(0, {"uid": above, "title": self.folders[above]["title"]})
            above = self.folders[above]["parentUid"]
        dto = {**folder, "url": f"/dashboards/f/{folder['uid']}/{slugify(folder['title'])}",
               "hasAcl": False, "canSave": True, "canEdit": True, "canAdmin": True,
               "canDelete": True, "parents": parents}
        if not dto["parentUid"]:  # dtos.Folder: `json:"parentUid,omitempty"`
            del dto["parentUid"]
        return dto

    def _create_folder(self, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"message": "bad request data"}, {}
        title, uid = str(body.get("title", "")).strip(), str(body.get("uid", ""))
        if not title:
            return 400, {"message": "folder title cannot be empty"}, {}
        if not _UID.match(uid) or len(uid) > 40:
            return 400, {"message": "uid contains illegal characters"}, {}
        if uid in self.folders or uid in self.dashboards:
            if self.profile == "grafana_13_2":
                return 412, {"status": "version-mismatch",
                             "message": "the folder has been changed by someone else"}, {}
            return 409, {"message": "a folder/dashboard with the same uid already exists"}, {}
        if self.profile == "grafana_10" and any(f["title"] == title for f in self.folders.values()):
            return 409, {"message": "a folder or dashboard in the general folder with the same name "
                                    "already exists"}, {}
        parent = str(body.get("parentUid") or "") if self.profile != "grafana_10" else ""
        if parent and parent not in self.folders:
            return 404, {"message": "folder not found"}, {}
        uid = uid or f"f{self._next_id}"
        self.add_folder(uid, title, parent)
        return 200, self._folder_dto(self.folders[uid]), {}

    def _save_dashboard(self, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        try:
            body = json.loads(raw)
            dashboard = dict(body["dashboard"])
        except (ValueError, KeyError, TypeError):
            return 400, {"message": "bad request data"}, {}
        if body.get("isFolder"):
            return 400, {"message": "Use folders endpoint for saving folders."}, {}
        title = str(dashboard.get("title") or "").strip()
        uid = str(dashboard.get("uid") or "").strip()
        overwrite = bool(body.get("overwrite"))
        if self.profile == "grafana_13_2" and not title:
            return 400, {"message": "Dashboard spec is missing required title property"}, {}
        if not title:
            return 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}, {}
        if not _UID.match(uid):
            return 400, {"message": "uid contains illegal characters"}, {}
        if len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}, {}
        if len(str(body.get("message", ""))) > 500:
            return 400, {"message": "message too long, max 500 characters"}, {}
        folder_uid = str(body.get("folderUid") or "")
        if folder_uid and folder_uid not in self.folders:
            return 400, {"message": "folder not found"}, {}
        dash_id = dashboard.get("id")
        if dash_id and not any(d.id == dash_id for d in self.dashboards.values()):
            return 404, {"status": "not-found", "message": "Dashboard not found"}, {}
        existing = self.dashboards.get(uid) if uid else None
        version = dashboard.get("version")
        if existing is not None:
            if self.profile == "grafana_13_2":
                if not overwrite and (not isinstance(version, int) or version != existing.version):
                    return 409, {"message": "Dashboard already exists. Use overwrite flag to "
                                            "update."}, {}
            elif (version or 0) != existing.version and not overwrite:
                return 412, {"status": "version-mismatch",
                             "message": "The dashboard has been changed by someone else"}, {}
            if existing.provisioned:
                return 400, {"message": "Cannot save provisioned dashboard"}, {}
        if self.profile == "grafana_10" and not overwrite:
            for other in self.dashboards.values():
                if other.uid != uid and other.title == title and other.folder_uid == folder_uid:
                    return 412, {"status": "name-exists", "message": "A dashboard with the same "
                                 "name in the folder already exists"}, {}
        uid = uid or f"gen{self._next_id}"
        dashboard.update(uid=uid, title=title)
        if existing is None:
            stored = StoredDashboard(uid, self._take_id(), 1, folder_uid, dashboard)
        else:
            base = existing.version if overwrite else int(version or 0)
            # an update without folderUid moves the dashboard to the root (CONTRACT.md §4.3)
            stored = StoredDashboard(uid, existing.id, base + 1, folder_uid, dashboard)
        stored.data["id"], stored.data["version"] = stored.id, stored.version
        if existing is not None:
            stored.annotations, stored.labels = existing.annotations, existing.labels
        stored.keep(existing, str(body.get("message") or ""), "dashkit-sa")
        stored.resource_version = self.next_resource_version()
        self.dashboards[uid] = stored
        slug = slugify(title)
        return 200, {"status": "success", "slug": slug, "version": stored.version, "id": stored.id,
                     "uid": uid, "url": f"/d/{uid}/{slug}", "folderUid": folder_uid}, {}

    def _get_dashboard(self, uid: str) -> tuple[int, Any, dict[str, str]]:
        stored = self.dashboards.get(uid)
        if stored is None:
            return 404, {"message": "Dashboard not found"}, {}
        data = json.loads(json.dumps(stored.data))
        data["id"], data["version"] = stored.id, stored.version
        folder = self.folders.get(stored.folder_uid)
        slug = slugify(stored.title)
        meta = {"type": "db", "canSave": True, "canEdit": True, "canAdmin": True, "canStar": True,
                "canDelete": True, "slug": slug, "url": f"/d/{uid}/{slug}", "expires": "0001-01-01T00:00:00Z",
                "created": "2026-01-01T00:00:00Z", "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updatedBy": "admin", "createdBy": "admin", "version": stored.version,
                "hasAcl": False, "isFolder": False, "folderId": folder["id"] if folder else 0,
                "folderUid": stored.folder_uid, "folderTitle": folder["title"] if folder else "General",
                "folderUrl": f"/dashboards/f/{stored.folder_uid}/" if folder else "",
                "provisioned": stored.provisioned,
                "provisionedExternalId": f"{uid}.json" if stored.provisioned else "",
                "annotationsPermissions": {}}
        if self.after_read is not None:
            hook, self.after_read = self.after_read, None
            hook(uid)
        return 200, {"dashboard": data, "meta": meta}, {}

    def _versions(self, uid: str, version: str | None, query: dict[str, list[str]]
                  ) -> tuple[int, Any, dict[str, str]]:
        stored = self.dashboards.get(uid)
        if stored is None:
            return 404, {"message": "Dashboard not found"}, {}

        def meta(number: int, message: str, by: str) -> dict[str, Any]:
            return {"id": number, "dashboardId": stored.id, "uid": uid,
                    "parentVersion": number - 1, "restoredFrom": 0, "version": number,
                    "created": "2026-01-01T00:00:00Z", "createdBy": by, "message": message}

        if version is not None:
            wanted = int(version) if version.isdigit() else -1
            for number, data, message, by in stored.history:
                if number == wanted:
                    return 200, {**meta(number, message, by), "data": data}, {}
            return 500, {"message": f"Dashboard version {wanted} not found for dashboardId "
                                    f"{stored.id}"}, {}
        limit = int(query.get("limit", ["0"])[0] or 0) or 1000
        listed = [meta(n, m, b) for n, _, m, b in reversed(stored.history)][:limit]
        if self.profile == "grafana_13_2":
            return 200, {"versions": listed, "continueToken": ""}, {}
        return 200, listed, {}

    def _delete_dashboard(self, uid: str) -> tuple[int, Any, dict[str, str]]:
        stored = self.dashboards.get(uid)
        if stored is None:
            if uid in self.folders:
                return 400, {"message": "Use folders endpoint for deleting folders."}, {}
            return 404, {"message": "Dashboard not found"}, {}
        if stored.provisioned:
            return 400, {"message": "provisioned dashboard cannot be deleted"}, {}
        del self.dashboards[uid]
        return 200, {"title": stored.title, "message": f"Dashboard {stored.title} deleted",
                     "uid": uid}, {}

    def _search(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        limit = int(query.get("limit", ["1000"])[0])
        if limit > 5000:
            return 422, {"message": "Limit is above maximum allowed (5000), use page parameter to "
                                    "access hits beyond limit"}, {}
        page = int(query.get("page", ["1"])[0])
        text = query.get("query", [""])[0].lower()
        tags = query.get("tag", [])
        kind = query.get("type", [""])[0]
        folder_uids = [u for v in query.get("folderUIDs", []) for u in v.split(",")]
        uids = [u for v in query.get("dashboardUIDs", []) for u in v.split(",")]
        hits: list[dict[str, Any]] = []
        if kind in ("", "dash-folder"):
            for folder in self.folders.values():
                if text in folder["title"].lower() and not tags and not folder_uids:
                    hits.append({"id": folder["id"], "uid": folder["uid"], "title": folder["title"],
                                 "type": "dash-folder", "tags": [], "isStarred": False,
                                 "url": f"/dashboards/f/{folder['uid']}/", "sortMeta": 0})
        if kind in ("", "dash-db"):
            for stored in self.dashboards.values():
                dash_tags = stored.data.get("tags") or []
                if text not in stored.title.lower() or not all(t in dash_tags for t in tags):
                    continue
                if folder_uids and stored.folder_uid not in folder_uids:
                    continue
                if uids and stored.uid not in uids:
                    continue
                slug = slugify(stored.title)
                hit = {"id": stored.id, "uid": stored.uid, "orgId": 1, "title": stored.title,
                       "uri": f"db/{slug}", "url": f"/d/{stored.uid}/{slug}", "slug": slug,
                       "type": "dash-db", "tags": dash_tags, "isStarred": False, "sortMeta": 0,
                       "isDeleted": False}
                folder = self.folders.get(stored.folder_uid)
                if folder:
                    hit.update(folderId=folder["id"], folderUid=folder["uid"],
                               folderTitle=folder["title"], folderUrl=f"/dashboards/f/{folder['uid']}/")
                hits.append(hit)
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower()))
        return 200, hits[(page - 1) * limit: page * limit], {}
