"""dashkit: Grafana dashboards as reviewed, tested Python code, built on grafanalib."""
from dashkit import catalogs, logql, panels, promql, variables
from dashkit.build import build, compile_project
from dashkit.catalog import Catalog, Metric, MetricType
from dashkit.compile import compile_dashboard, dumps
from dashkit.dashboard import Annotation, Dashboard, Link, firing_alerts, link_to, tagged
from dashkit.datasources import Datasource, DatasourceRef, variable_ref
from dashkit.errors import DashkitError
from dashkit.layout import Panel, Row
from dashkit.grafana import Credentials, GrafanaClient
from dashkit.project import load_project
from dashkit.publish import Action, PublishReport, PublishResult, Target, publish

__all__ = [
    "Action", "Annotation", "Catalog", "Credentials", "GrafanaClient", "PublishReport",
    "PublishResult", "Target", "publish", "Dashboard", "DashkitError", "Datasource", "DatasourceRef", "Link",
    "Metric", "MetricType", "Panel", "Row", "build", "catalogs", "compile_dashboard",
    "compile_project", "dumps", "firing_alerts", "link_to", "load_project", "logql", "panels",
    "promql", "tagged", "variable_ref", "variables",
]
