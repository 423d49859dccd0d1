"""Panels that come in groups across dashboards: the golden signals of an HTTP service."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashkit.query import promql
from dashkit.query.promql import Expr, Matchers
from dashkit.sdk import panels
from dashkit.sdk.alerts import Alert
from dashkit.sdk.layout import Panel
from dashkit.sdk.thresholds import Thresholds


def error_ratio(requests: str, by: Sequence[str] = (), *, status_label: str = "status_code",
                where: Matchers | None = None, error_pattern: str = "5..") -> Expr:
    """Share of requests that failed: errors / all, both summed ``by`` the same labels."""
    where = where or {}
    errors = promql.rate_sum(requests, by, where={**where, status_label: promql.re(error_pattern)})
    return errors / promql.rate_sum(requests, by, where=where)


def firing_alerts_table(title: str = "Firing alerts", *, w: int = 24, h: int = 6) -> Panel:
    """Prometheus's ``ALERTS`` series of firing alerts, one row per alert with its labels."""
    hidden = {"Time": True, "Value": True, "__name__": True, "alertstate": True}
    return panels.table(
        title, panels.Target(promql.sel("ALERTS", {"alertstate": "firing"}), instant=True, format="table"),
        transformations=[{"id": "organize", "options": {"excludeByName": hidden}}], w=w, h=h)


def golden_signals(*, requests: str, duration: str, by: Sequence[str] = ("service",),
                   legend: str = "{{service}}", title_suffix: str = " by service",
                   status_label: str = "status_code", saturation: Expr | None = None,
                   saturation_title: str = "Active requests", latency_limit: float | None = None,
                   latency_description: str = "", error_ratio_limits: Thresholds | None = None,
                   quantiles: Sequence[float] = (0.95,), links: Sequence[dict[str, Any]] = (),
                   where: Matchers | None = None, latency_alert: Alert | None = None,
                   w: int = 12, h: int = 8) -> list[Panel]:
    """Traffic, errors, latency and (optionally) saturation of HTTP services, from a request
    counter and a duration histogram that share their labels (as prom-client middleware emits).
    ``latency_alert``: the alert on that latency; the panel names it and draws its limit."""
    by = tuple(by)
    traffic = panels.timeseries(f"Request rate{title_suffix}",
                                promql.rate_sum(requests, by, where=where),
                                unit="reqps", legend=legend, links=links, w=w, h=h)
    errors = panels.timeseries(
        f"5xx ratio{title_suffix}", error_ratio(requests, by, status_label=status_label, where=where),
        unit="percentunit", legend=legend, min=0, thresholds=error_ratio_limits, links=links,
        w=w, h=h)
    names = "/".join(f"p{round(q * 100)}" for q in quantiles)
    latency_targets = [
        panels.Target(promql.quantile(q, duration, by, where=where),
                      f"p{round(q * 100)} {legend}" if len(quantiles) > 1 else legend)
        for q in quantiles]
    latency = panels.timeseries(
        f"{names} latency{title_suffix}", *latency_targets, unit="s", min=0,
        thresholds=panels.above(latency_limit) if latency_limit is not None else None,
        description=latency_description, links=links, alert=latency_alert, w=w, h=h)
    result = [traffic, errors, latency]
    if saturation is not None:
        result.append(panels.timeseries(f"{saturation_title}{title_suffix}", saturation,
                                        legend=legend, links=links, w=w, h=h))
    return result
