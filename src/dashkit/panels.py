"""Panel builders, one per Grafana panel type, and the helpers their options take.

A thin public module: the code lives in ``dashkit.sdk.panels``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.sdk.panels import (
    NEUTRAL,
    Query,
    bar_gauge,
    data_link,
    fixed_color,
    gauge,
    heatmap,
    logs,
    override,
    raw,
    stat,
    table,
    text,
    timeseries,
)

__all__ = ["NEUTRAL", "Query", "bar_gauge", "data_link", "fixed_color", "gauge", "heatmap", "logs",
           "override", "raw", "stat", "table", "text", "timeseries"]
