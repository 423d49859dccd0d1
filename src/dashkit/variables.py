"""Dashboard variables: query, custom, interval and datasource variables, and their options.

A thin public module: the code lives in ``dashkit.sdk.variables``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.sdk.variables import (
    ALL,
    REFRESH_ON_LOAD,
    REFRESH_ON_TIME_CHANGE,
    Variable,
    custom,
    datasource,
    interval,
    label_values,
    multi,
    query,
)

__all__ = ["ALL", "REFRESH_ON_LOAD", "REFRESH_ON_TIME_CHANGE", "Variable", "custom", "datasource", "interval",
           "label_values", "multi", "query"]
