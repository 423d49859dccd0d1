"""LogQL builders: log stream selectors, their pipelines and metric queries over logs.

A thin public module: the code lives in ``dashkit.query.logql``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.query.logql import PINO_ERROR_LEVELS, LogQuery, count_over_time, stream

__all__ = ["PINO_ERROR_LEVELS", "LogQuery", "count_over_time", "stream"]
