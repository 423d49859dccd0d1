"""PromQL builders: expressions checked against the dashboard's metric catalog.

A thin public module: the code lives in ``dashkit.query.promql``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.query.promql import (
    RATE_INTERVAL,
    Expr,
    ExprLike,
    Matcher,
    Matchers,
    MetricRef,
    aggregate,
    avg,
    bucket_rate,
    call,
    changes,
    count,
    eq,
    increase,
    increase_sum,
    irate,
    max_,
    min_,
    ne,
    nre,
    over_time,
    quantile,
    rate,
    rate_sum,
    rate_within,
    ratio,
    re,
    sel,
    sum_,
    topk,
    var,
    vector,
)

__all__ = ["RATE_INTERVAL", "Expr", "ExprLike", "Matcher", "Matchers", "MetricRef", "aggregate", "avg",
           "bucket_rate", "call", "changes", "count", "eq", "increase", "increase_sum", "irate", "max_",
           "min_", "ne", "nre", "over_time", "quantile", "rate", "rate_sum", "rate_within", "ratio", "re",
           "sel", "sum_", "topk", "var", "vector"]
