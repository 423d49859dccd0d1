"""A small Prometheus HTTP API client: what variable resolution and live checks need, over
dashkit's bounded HTTP path (dashkit.clients.http)."""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from dashkit.clients.http import HttpClient, clean_text, expect_shape, result_list
from dashkit.errors import DashkitError


class PrometheusClient(HttpClient):
    """Prometheus's HTTP API: the calls variable resolution and check need."""
    def __init__(self, url: str, timeout: float = 10.0, **options: Any) -> None:
        super().__init__(url, service="Prometheus", timeout=timeout, **options)

    def _get(self, path: str, params: dict[str, Any] | list[tuple[str, Any]]) -> Any:
        response = self.request("GET", path, params=params)
        body = response.body
        if not isinstance(body, dict):
            raise DashkitError(f"{path}: HTTP {response.status} from Prometheus: {response.message}")
        if body.get("status") != "success":
            raise DashkitError(f"{clean_text(str(body.get('errorType', 'error')), 40)}: "
                               f"{clean_text(str(body.get('error', body)))}")
        return body.get("data")

    def label_values(self, label: str, match: str | None = None, start: float | None = None,
                     end: float | None = None) -> list[str]:
        params: list[tuple[str, Any]] = []
        if match:
            params.append(("match[]", match))
        if start is not None:
            params += [("start", start), ("end", end if end is not None else time.time())]
        path = f"/api/v1/label/{quote(label, safe='')}/values"
        values = expect_shape(self._get(path, params), list, path)
        return sorted(str(v) for v in values)

    def metadata(self) -> dict[str, Any]:
        """Type, help and unit of every metric family the targets declare."""
        return dict(expect_shape(self._get("/api/v1/metadata", {}), dict, "/api/v1/metadata"))

    def series(self, match: str, since: float = 3600.0) -> list[Any]:
        """Label sets of the series ``match`` selects that had samples in the last ``since`` s."""
        end = time.time()
        params = [("match[]", match), ("start", end - since), ("end", end)]
        return list(expect_shape(self._get("/api/v1/series", params), list, "/api/v1/series"))

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        params = {"query": expr, "time": at if at is not None else time.time()}
        return result_list(self._get("/api/v1/query", params), "/api/v1/query")

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        params = {"query": expr, "start": start, "end": end, "step": step}
        return result_list(self._get("/api/v1/query_range", params), "/api/v1/query_range")
