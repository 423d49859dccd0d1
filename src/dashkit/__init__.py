"""dashkit: Grafana dashboards as reviewed, tested Python code, built on grafanalib."""
from dashkit import catalogs, logql, panels, promql, variables
from dashkit.build import build, compile_project
from dashkit.catalog import Catalog, Metric, MetricType
from dashkit.compile import compile_dashboard, dumps
from dashkit.dashboard import Annotation, Dashboard, Link, firing_alerts, link_to, tagged
from dashkit.datasources import Datasource, DatasourceRef, variable_ref
from dashkit.errors import DashkitError
from dashkit.layout import Panel, Row
from dashkit.project import load_project

__all__ = [
    "Action", "Annotation", "Catalog", "Credentials", "GrafanaClient", "PublishReport",
    "PublishResult", "Target", "publish", "Dashboard", "DashkitError", "Datasource", "DatasourceRef", "Link",
    "Metric", "MetricType", "Panel", "Row", "build", "catalogs", "compile_dashboard",
    "compile_project", "dumps", "firing_alerts", "link_to", "load_project", "logql", "panels",
    "promql", "tagged", "variable_ref", "variables",
]

#: Publishing needs requests, which ``dashkit build`` does not: imported on first use.
_LAZY = {"Credentials": "dashkit.grafana", "GrafanaClient": "dashkit.grafana",
         "Action": "dashkit.publishing", "PublishReport": "dashkit.publishing",
         "PublishResult": "dashkit.publishing", "Target": "dashkit.publishing",
         "publish": "dashkit.publishing"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dashkit' has no attribute {name!r}")
