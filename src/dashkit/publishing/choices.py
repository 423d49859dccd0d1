"""The ways to publish, as the CLI offers them: constants only, so the CLI can name them when it
starts without loading the publisher (which loads when a command runs)."""
from __future__ import annotations

#: The ways to publish: the dashboard API, the classic one, or the first Grafana serves.
APIS = ("auto", "dashboards", "legacy")
