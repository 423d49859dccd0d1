"""A small Loki HTTP API client: ``query_range`` and label values, as Grafana's Loki datasource
calls them (``/loki/api/v1/…``), over dashkit's bounded HTTP path (dashkit.clients.http)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dashkit.clients.http import HttpClient, expect_shape, result_list
from dashkit.errors import DashkitError


class LokiClient(HttpClient):
    """Loki's query API, as Grafana's Loki datasource calls it, for check and variables."""
    def __init__(self, url: str, timeout: float = 10.0, **options: Any) -> None:
        super().__init__(url, service="Loki", timeout=timeout, **options)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        response = self.request("GET", path, params=params)
        if response.status != 200:
            # Loki answers errors as plain text ("parse error at line 1, col 5: …")
            raise DashkitError(response.message or f"HTTP {response.status} from Loki")
        body = expect_shape(response.body, dict, path)
        if body.get("status") != "success":
            raise DashkitError(response.message)
        return body.get("data")

    def query_range(self, expr: str, start: float, end: float, step: float,
                    limit: int = 100) -> list[dict[str, Any]]:
        """Streams (log queries) or series (metric queries); times in seconds."""
        params = {"query": expr, "start": int(start * 1e9), "end": int(end * 1e9),
                  "step": f"{step:g}s", "limit": limit, "direction": "backward"}
        path = "/loki/api/v1/query_range"
        return result_list(self._get(path, params), path)

    def label_values(self, label: str) -> list[str]:
        path = f"/loki/api/v1/label/{quote(label, safe='')}/values"
        return sorted(str(v) for v in expect_shape(self._get(path, {}), list, path))
