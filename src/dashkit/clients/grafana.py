"""Grafana HTTP API client: dashkit's bounded HTTP path (dashkit.clients.http) plus credentials.

Credentials come from the environment or a file and never appear in output: the auth object
does not print them, errors carry Grafana's message but never request headers, and the verbose
trace logs method, path, status and time only.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from dashkit.clients.http import HttpClient, Response
from dashkit.errors import DashkitError
from dashkit.sanitise import keep_secret


def _header_safe(secret: str, what: str) -> str:
    """The secret if it can go in an HTTP header as is; never echoes it in the error."""
    if not secret:
        raise DashkitError(f"{what} is empty")
    if "\n" in secret or "\r" in secret:
        lines = len(secret.splitlines())
        raise DashkitError(f"{what} has {lines} lines: it must hold the token alone, on one line")
    if not all(0x21 <= ord(ch) <= 0x7E for ch in secret):
        raise DashkitError(f"{what} holds spaces, control or non-ASCII characters, which cannot "
                           "go in an HTTP header (is it the right file?)")
    return secret


class Credentials(requests.auth.AuthBase):
    """Bearer token or basic auth; its repr never shows the secret."""

    def __init__(self, header: str, kind: str) -> None:
        keep_secret(header, header.partition(" ")[2])  # the header, and the secret in it
        self._header = header
        self.kind = kind

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"<Credentials {self.kind}, hidden>"

    @classmethod
    def token(cls, token: str, what: str = "the token") -> Credentials:
        return cls(f"Bearer {_header_safe(token.strip(), what)}", "service-account token")

    @classmethod
    def basic(cls, user: str, password: str) -> Credentials:
        if ":" in user or any(not ch.isprintable() for ch in user + password):
            raise DashkitError("GRAFANA_USER may not hold ':' and neither it nor GRAFANA_PASSWORD "
                               "may hold control characters")
        keep_secret(password)
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        return cls(f"Basic {encoded}", f"basic auth as {user}")

    @classmethod
    def from_environment(cls, token_file: Path | None = None,
                         environ: Mapping[str, str] = os.environ) -> Credentials:
        """``--token-file``, else ``GRAFANA_TOKEN``, else ``GRAFANA_USER``/``GRAFANA_PASSWORD``."""
        if token_file is not None:
            try:
                text = Path(token_file).read_bytes().decode("utf-8")
            except OSError as error:
                raise DashkitError(f"cannot read token file {token_file}: {error.strerror}") from None
            except UnicodeDecodeError:
                raise DashkitError(f"token file {token_file} is not text (UTF-8)") from None
            return cls.token(text.strip(), f"token file {token_file}")
        if environ.get("GRAFANA_TOKEN"):
            return cls.token(environ["GRAFANA_TOKEN"], "GRAFANA_TOKEN")
        if environ.get("GRAFANA_USER") and environ.get("GRAFANA_PASSWORD"):
            return cls.basic(environ["GRAFANA_USER"], environ["GRAFANA_PASSWORD"])
        raise DashkitError("no Grafana credentials: set GRAFANA_TOKEN (a service-account token), "
                           "pass --token-file FILE, or set GRAFANA_USER and GRAFANA_PASSWORD")


class GrafanaClient(HttpClient):
    """Grafana's HTTP API, only the calls publish and import need, over the bounded HTTP base."""
    def __init__(self, url: str, credentials: Credentials, org: int = 1, **options: Any) -> None:
        super().__init__(url, service="Grafana", auth=credentials, **options)
        if org != 1:  # the classic API's org; the dashboard API's is its namespace
            self.session.headers["X-Grafana-Org-Id"] = str(org)

    # --- endpoints -----------------------------------------------------------------------------
    def health(self) -> Response:
        return self.request("GET", "/api/health")

    def get_dashboard(self, uid: str) -> Response:
        return self.request("GET", f"/api/dashboards/uid/{quote(uid, safe='')}")

    def save_dashboard(self, dashboard: dict[str, Any], folder_uid: str, message: str,
                       overwrite: bool = False) -> Response:
        return self.request("POST", "/api/dashboards/db", json={
            "dashboard": dashboard, "folderUid": folder_uid, "message": message,
            "overwrite": overwrite})

    def dashboard_versions(self, uid: str, limit: int) -> Response:
        """The newest ``limit`` saves of a dashboard (a list up to 11.x; ``{"versions": [...]}``
        with a ``continueToken`` since)."""
        return self.request("GET", f"/api/dashboards/uid/{quote(uid, safe='')}/versions",
                            params={"limit": limit})

    def dashboard_version(self, uid: str, version: int) -> Response:
        """One save of a dashboard, with its JSON in ``data``."""
        return self.request("GET", f"/api/dashboards/uid/{quote(uid, safe='')}/versions/{version}")

    def delete_dashboard(self, uid: str) -> Response:
        return self.request("DELETE", f"/api/dashboards/uid/{quote(uid, safe='')}")

    def get_folder(self, uid: str) -> Response:
        return self.request("GET", f"/api/folders/{quote(uid, safe='')}")

    def create_folder(self, uid: str, title: str, parent_uid: str = "") -> Response:
        """A folder; under ``parent_uid`` when given (Grafana 11+'s nested folders)."""
        return self.request("POST", "/api/folders", json={"uid": uid, "title": title,
                                                          **({"parentUid": parent_uid} if parent_uid else {})})

    def search(self, **params: Any) -> Response:
        return self.request("GET", "/api/search", params=params)

    # --- the dashboard API (/apis/dashboard.grafana.app, Grafana 12+) -----------------------------
    def api_groups(self) -> Response:
        """Kubernetes discovery: the API groups and versions this Grafana serves."""
        return self.request("GET", "/apis")

    @staticmethod
    def _resources(version: str, namespace: str, name: str | None = None) -> str:
        path = (f"/apis/dashboard.grafana.app/{quote(version, safe='')}/namespaces/"
                f"{quote(namespace, safe='')}/dashboards")
        return path if name is None else f"{path}/{quote(name, safe='')}"

    def get_resource(self, version: str, namespace: str, name: str) -> Response:
        return self.request("GET", self._resources(version, namespace, name))

    def create_resource(self, version: str, namespace: str, body: dict[str, Any]) -> Response:
        return self.request("POST", self._resources(version, namespace), json=body)

    def update_resource(self, version: str, namespace: str, name: str,
                        body: dict[str, Any]) -> Response:
        return self.request("PUT", self._resources(version, namespace, name), json=body)

    def delete_resource(self, version: str, namespace: str, name: str) -> Response:
        return self.request("DELETE", self._resources(version, namespace, name))

    def list_resources(self, version: str, namespace: str, label_selector: str, limit: int,
                       continue_token: str = "", field_selector: str = "") -> Response:
        params: dict[str, Any] = {"labelSelector": label_selector, "limit": limit}
        if field_selector:
            params["fieldSelector"] = field_selector
        if continue_token:
            params["continue"] = continue_token
        return self.request("GET", self._resources(version, namespace), params=params)

    def resource_history(self, version: str, namespace: str, name: str, limit: int) -> Response:
        """A dashboard's kept saves, whole (unified storage lists history through the
        ``grafana.app/get-history`` label selector and a ``metadata.name`` field selector)."""
        return self.list_resources(version, namespace, "grafana.app/get-history=true", limit,
                                   field_selector=f"metadata.name={name}")
