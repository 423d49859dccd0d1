"""dashkit: Grafana dashboards as reviewed, tested Python code, built on grafanalib.

The public API is this package and its thin top-level modules (``dashkit.panels``,
``dashkit.promql``, ``dashkit.logql``, ``dashkit.variables``, ``dashkit.composites``,
``dashkit.catalogs``, ``dashkit.slo``, ``dashkit.remote``); every public name has exactly one of
them as its home. The layer packages below are internal (``dashkit.layers`` lists them and what each may import).
``dashkit.remote`` is not imported here: it needs requests, which ``dashkit build`` does not.
"""
from __future__ import annotations

from dashkit import catalogs, composites, logql, panels, promql, slo, variables
from dashkit.errors import DashkitError
from dashkit.grafana.jsonio import dumps
from dashkit.project.loading import load_project
from dashkit.project.pipeline import build, compile_project
from dashkit.query.catalog import Catalog, Metric, MetricType
from dashkit.sdk.alerts import Alert, RecordingRule, RuleGroup, RuleTest, recorded
from dashkit.sdk.compiler import compile_dashboard
from dashkit.sdk.dashboard import Annotation, Dashboard, Link, drilldown_url, firing_alerts, link_to, tagged
from dashkit.sdk.datasources import Datasource, DatasourceRef, variable_ref
from dashkit.sdk.layout import Panel, Row
from dashkit.sdk.panels import Target, value_map
from dashkit.sdk.routing import Alertmanager, Email, Inhibit, Receiver, Route, Slack, Smtp, Webhook
from dashkit.sdk.thresholds import Thresholds, above, below

__all__ = [  # sorted; a literal list, so type checkers see every export
    "Alert", "Alertmanager", "Annotation", "Catalog", "Dashboard", "DashkitError", "Datasource",
    "DatasourceRef", "Email", "Inhibit", "Link", "Metric", "MetricType", "Panel", "Receiver",
    "RecordingRule", "Route", "Row", "RuleGroup", "RuleTest", "Slack", "Smtp", "Target", "Thresholds",
    "Webhook", "above", "below", "build", "catalogs", "compile_dashboard", "compile_project",
    "composites", "drilldown_url", "dumps", "firing_alerts", "link_to", "load_project", "logql",
    "panels", "promql", "recorded", "slo", "tagged", "value_map", "variable_ref", "variables",
]
