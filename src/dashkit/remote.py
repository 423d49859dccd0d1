"""Publishing to a Grafana server: the client, its credentials, the folder and the report.

A thin public module of its own because it needs ``requests``, which ``dashkit build`` never
imports: ``import dashkit`` stays light. The code lives in ``dashkit.clients`` and
``dashkit.publishing``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.clients.grafana import Credentials, GrafanaClient
from dashkit.publishing.publisher import FolderTarget, publish
from dashkit.publishing.results import Action, PublishReport, PublishResult

__all__ = ["Action", "Credentials", "FolderTarget", "GrafanaClient", "PublishReport", "PublishResult",
           "publish"]
