"""A small Loki HTTP API client: ``query_range`` and label values, as Grafana's Loki datasource
calls them (``/loki/api/v1/…``)."""
from __future__ import annotations

from typing import Any

import requests

from dashkit.errors import DashkitError


class LokiClient:
    def __init__(self, url: str, timeout: float = 10.0, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        response = self.session.get(f"{self.url}{path}", params=params, timeout=self.timeout)
        if response.status_code != 200:
            # Loki answers errors as plain text ("parse error at line 1, col 5: …")
            raise DashkitError(response.text.strip() or f"HTTP {response.status_code} from Loki")
        body = response.json()
        if body.get("status") != "success":
            raise DashkitError(str(body.get("error") or body))
        return body["data"]

    def query_range(self, expr: str, start: float, end: float, step: float,
                    limit: int = 100) -> list[dict[str, Any]]:
        """Streams (log queries) or series (metric queries); times in seconds."""
        params = {"query": expr, "start": int(start * 1e9), "end": int(end * 1e9),
                  "step": f"{step:g}s", "limit": limit, "direction": "backward"}
        return list(self._get("/loki/api/v1/query_range", params)["result"])

    def label_values(self, label: str) -> list[str]:
        return sorted(self._get(f"/loki/api/v1/label/{label}/values", {}))
