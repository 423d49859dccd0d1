"""dashkit: Grafana dashboards as reviewed, tested Python code, built on grafanalib.

The public API, in one place. The code lives in layers, each importing only those below it;
``dashkit.layers`` lists them and what each may import.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from dashkit.errors import DashkitError
from dashkit.grafana.jsonio import dumps
from dashkit.project.loading import load_project
from dashkit.project.pipeline import build, compile_project
from dashkit.query import catalogs, logql, promql
from dashkit.query.catalog import Catalog, Metric, MetricType
from dashkit.sdk import composites, layout, panels, variables
from dashkit.sdk.alerts import Alert, RecordingRule, RuleGroup, recorded
from dashkit.sdk.compiler import compile_dashboard
from dashkit.sdk.dashboard import Annotation, Dashboard, Link, drilldown_url, firing_alerts, link_to, tagged
from dashkit.sdk.datasources import Datasource, DatasourceRef, variable_ref
from dashkit.sdk.layout import Panel, Row
from dashkit.sdk.panels import Target, Thresholds, above, below, value_map
from dashkit.sdk.routing import Alertmanager, Email, Inhibit, Receiver, Route, Slack, Smtp, Webhook

if TYPE_CHECKING:
    from dashkit.clients.grafana import Credentials, GrafanaClient
    from dashkit.publishing.publisher import FolderTarget, publish
    from dashkit.publishing.results import Action, PublishReport, PublishResult

__all__ = [  # sorted; a literal list, so type checkers see every export
    "Action", "Alert", "Alertmanager", "Annotation", "Catalog", "Credentials", "Dashboard",
    "DashkitError", "Datasource", "DatasourceRef", "Email", "FolderTarget", "GrafanaClient",
    "Inhibit", "Link", "Metric", "MetricType", "Panel", "PublishReport", "PublishResult",
    "Receiver", "RecordingRule", "Route", "Row", "RuleGroup", "Slack", "Smtp", "Target",
    "Thresholds", "Webhook", "above", "below", "build", "catalogs", "compile_dashboard", "compile_project",
    "composites", "drilldown_url", "dumps", "firing_alerts", "layout", "link_to", "load_project",
    "logql", "panels", "promql", "publish", "recorded", "tagged", "value_map", "variable_ref",
    "variables",
]

# The modules dashboards import by name keep their short paths (``from dashkit.panels import
# Target``): the same module objects, registered under the names users wrote before the layers.
for _module in (catalogs, logql, promql, composites, layout, panels, variables):
    sys.modules.setdefault(f"dashkit.{_module.__name__.rpartition('.')[2]}", _module)
for _short, _full in (("dashboard", "dashkit.sdk.dashboard"),
                      ("datasources", "dashkit.sdk.datasources"),
                      ("catalog", "dashkit.query.catalog")):
    sys.modules.setdefault(f"dashkit.{_short}", sys.modules[_full])

#: Publishing needs requests, which ``dashkit build`` does not: imported on first use.
_LAZY = {"Credentials": ("dashkit.clients.grafana", "Credentials"),
         "GrafanaClient": ("dashkit.clients.grafana", "GrafanaClient"),
         "Action": ("dashkit.publishing.results", "Action"),
         "PublishReport": ("dashkit.publishing.results", "PublishReport"),
         "PublishResult": ("dashkit.publishing.results", "PublishResult"),
         "FolderTarget": ("dashkit.publishing.publisher", "FolderTarget"),
         "publish": ("dashkit.publishing.publisher", "publish")}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'dashkit' has no attribute {name!r}")
