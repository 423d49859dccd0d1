"""A small Prometheus HTTP API client: what variable resolution and live checks need."""
from __future__ import annotations

import time
from typing import Any

import requests

from dashkit.errors import DashkitError


class PrometheusClient:
    def __init__(self, url: str, timeout: float = 10.0, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _get(self, path: str, params: dict[str, Any] | list[tuple[str, Any]]) -> Any:
        response = self.session.get(f"{self.url}{path}", params=params, timeout=self.timeout)
        try:
            body = response.json()
        except ValueError:
            raise DashkitError(f"{path}: HTTP {response.status_code} from Prometheus") from None
        if body.get("status") != "success":
            raise DashkitError(f"{body.get('errorType', 'error')}: {body.get('error', body)}")
        return body["data"]

    def label_values(self, label: str, match: str | None = None, start: float | None = None,
                     end: float | None = None) -> list[str]:
        params: list[tuple[str, Any]] = []
        if match:
            params.append(("match[]", match))
        if start is not None:
            params += [("start", start), ("end", end if end is not None else time.time())]
        return sorted(self._get(f"/api/v1/label/{label}/values", params))

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        params = {"query": expr, "time": at if at is not None else time.time()}
        return list(self._get("/api/v1/query", params)["result"])

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        params = {"query": expr, "start": start, "end": end, "step": step}
        return list(self._get("/api/v1/query_range", params)["result"])
