"""Grafana HTTP API client: one session, timeouts on every call, TLS verified, bounded retries.

Credentials come from the environment or a file and never appear in output: the auth object
does not print them, errors carry Grafana's message but never request headers, and the verbose
trace logs method, path, status and time only.
"""
from __future__ import annotations

import base64
import os
import random
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import requests

from dashkit.errors import DashkitError

#: Statuses worth another try: throttling and a proxy or Grafana restarting (CONTRACT.md §4.1).
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class Credentials(requests.auth.AuthBase):
    """Bearer token or basic auth; its repr never shows the secret."""

    def __init__(self, header: str, kind: str) -> None:
        self._header = header
        self.kind = kind

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"<Credentials {self.kind}, hidden>"

    @classmethod
    def token(cls, token: str) -> "Credentials":
        return cls(f"Bearer {token.strip()}", "service-account token")

    @classmethod
    def basic(cls, user: str, password: str) -> "Credentials":
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        return cls(f"Basic {encoded}", f"basic auth as {user}")

    @classmethod
    def from_environment(cls, token_file: Path | None = None,
                         environ: Mapping[str, str] = os.environ) -> "Credentials":
        """``--token-file``, else ``GRAFANA_TOKEN``, else ``GRAFANA_USER``/``GRAFANA_PASSWORD``."""
        if token_file is not None:
            token = Path(token_file).read_text().strip()
            if not token:
                raise DashkitError(f"token file {token_file} is empty")
            return cls.token(token)
        if environ.get("GRAFANA_TOKEN"):
            return cls.token(environ["GRAFANA_TOKEN"])
        if environ.get("GRAFANA_USER") and environ.get("GRAFANA_PASSWORD"):
            return cls.basic(environ["GRAFANA_USER"], environ["GRAFANA_PASSWORD"])
        raise DashkitError("no Grafana credentials: set GRAFANA_TOKEN (a service-account token), "
                           "pass --token-file FILE, or set GRAFANA_USER and GRAFANA_PASSWORD")


@attrs.frozen
class Response:
    status: int
    body: Any

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("message") or self.body)
        return str(self.body)[:200]


@attrs.frozen
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: Total time the retries of one call may take, waiting included.
    budget: float = 60.0


class GrafanaClient:
    def __init__(self, url: str, credentials: Credentials, *, timeout: float = 10.0,
                 verify: bool | str = True, retry: RetryPolicy = RetryPolicy(),
                 trace: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.trace = trace
        self.sleep = sleep
        self.session = requests.Session()
        self.session.auth = credentials
        self.session.verify = verify
        self.session.headers.update({"Accept": "application/json", "User-Agent": "dashkit"})
        self.request_count = 0
        self.write_count = 0

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None) -> Response:
        """One API call, retried on connection errors and 429/502/503/504, never on other 4xx."""
        deadline = time.monotonic() + self.retry.budget
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            self.request_count += 1
            if method != "GET":
                self.write_count += 1
            try:
                raw = self.session.request(method, f"{self.url}{path}", json=json, params=params,
                                           timeout=self.timeout)
            except requests.exceptions.SSLError as error:
                raise DashkitError(f"TLS verification failed for {self.url} ({type(error).__name__});"
                                   " use --ca-cert FILE, or --insecure to skip verification") from None
            except (requests.ConnectionError, requests.Timeout) as error:
                self._trace(method, path, f"{type(error).__name__}", started)
                delay = self._delay(attempt, None)
                if attempt >= self.retry.attempts or time.monotonic() + delay > deadline:
                    raise DashkitError(f"cannot reach Grafana at {self.url}: "
                                       f"{type(error).__name__} after {attempt} attempts") from None
                self.sleep(delay)
                continue
            response = Response(raw.status_code, _body(raw))
            self._trace(method, path, str(raw.status_code), started)
            if raw.status_code in RETRY_STATUSES:
                delay = self._delay(attempt, raw.headers.get("Retry-After"))
                if attempt < self.retry.attempts and time.monotonic() + delay <= deadline:
                    self.sleep(delay)
                    continue
            return response

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                pass
        backoff = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return backoff * (0.5 + random.random() / 2)

    def _trace(self, method: str, path: str, outcome: str, started: float) -> None:
        if self.trace is not None:
            self.trace(f"{method} {path} -> {outcome} ({(time.monotonic() - started) * 1000:.0f} ms)")

    # --- endpoints -----------------------------------------------------------------------------
    def health(self) -> Response:
        return self.request("GET", "/api/health")

    def get_dashboard(self, uid: str) -> Response:
        return self.request("GET", f"/api/dashboards/uid/{uid}")

    def save_dashboard(self, dashboard: dict[str, Any], folder_uid: str, message: str,
                       overwrite: bool = False) -> Response:
        return self.request("POST", "/api/dashboards/db", json={
            "dashboard": dashboard, "folderUid": folder_uid, "message": message,
            "overwrite": overwrite})

    def delete_dashboard(self, uid: str) -> Response:
        return self.request("DELETE", f"/api/dashboards/uid/{uid}")

    def get_folder(self, uid: str) -> Response:
        return self.request("GET", f"/api/folders/{uid}")

    def create_folder(self, uid: str, title: str) -> Response:
        return self.request("POST", "/api/folders", json={"uid": uid, "title": title})

    def search(self, **params: Any) -> Response:
        return self.request("GET", "/api/search", params=params)


def _body(raw: requests.Response) -> Any:
    try:
        return raw.json()
    except ValueError:
        return raw.text
