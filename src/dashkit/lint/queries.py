"""The PromQL and LogQL rules: what each query of a dashboard must get right."""
from __future__ import annotations

import functools

from dashkit.errors import DashkitError
from dashkit.grafana.model import TargetRef
from dashkit.lint.findings import (
    BUCKET,
    COUNTER_RATE,
    LABEL_UNKNOWN,
    LOGQL_CARDINALITY,
    LOGQL_LEVELS,
    LOGQL_PARSE,
    LOGQL_SELECTOR,
    METRIC_UNKNOWN,
    PROMQL_PARSE,
    QUANTILE_LE,
    RATE_GAUGE,
    RATE_INTERVAL,
    Emit,
    Subject,
)
from dashkit.query.analyse import COUNTER_SAFE, COUNTER_SAFE_AGGREGATIONS, RATE_FUNCTIONS, analyse_promql
from dashkit.query.catalog import Catalog, MetricType
from dashkit.query.logql_check import analyse_logql, cardinality_labels, misses_numeric_levels


def lint_promql(ref: TargetRef, subject: Subject, emit: Emit) -> None:
    """The PromQL rules for one query: parse, windows, counters, histograms, catalog."""
    text = str(ref.target.get("expr") or "")
    if not text.strip():
        return
    analysis = analyse_promql(text)
    if analysis.error:
        emit(PROMQL_PARSE, analysis.error)
        return
    heatmap = ref.panel.get("type") == "heatmap" or ref.target.get("format") == "heatmap"
    for inner in analysis.quantiles_without_le:
        emit(QUANTILE_LE, f"histogram_quantile over {inner}: aggregate by (le, …)")
    for use in analysis.selectors:
        name = use.name or ""
        rated = RATE_FUNCTIONS & set(use.functions)
        instant = bool(ref.target.get("instant")) and not ref.target.get("range")
        if rated and use.window is not None and not instant \
                and analysis.window_macro(use) not in ("$__rate_interval", "$__range"):
            emit(RATE_INTERVAL, f"{sorted(rated)[0]}({name}[…]) should use $__rate_interval")
        if name.endswith("_bucket") and "histogram_quantile" not in use.functions and not heatmap:
            emit(BUCKET, f"{name} outside histogram_quantile or a heatmap")
        catalog = subject.catalog
        metric = None
        if catalog is not None and name:
            if name not in catalog:
                try:
                    catalog.metric(name)
                except DashkitError as error:  # the catalog's own message, with its suggestion
                    emit(METRIC_UNKNOWN, error.message)
                continue
            metric = catalog.metric(name)
            known = catalog.labels(name)
            if known is not None:
                labels = set(use.matched_labels)
                if not use.relabelled:
                    labels |= set(use.grouping_labels) - {"le"} if not name.endswith("_bucket") \
                        else set(use.grouping_labels)
                try:
                    catalog.validate_labels(name, labels)
                except DashkitError as error:
                    emit(LABEL_UNKNOWN, error.message)
            if rated and metric.type in (MetricType.GAUGE, MetricType.INFO):
                emit(RATE_GAUGE, f"{sorted(rated)[0]}() over gauge {name!r}")
        known_type = metric.type if metric is not None else _builtin_type(name)
        is_counter = known_type is MetricType.COUNTER if known_type is not None else \
            name.endswith("_total")
        safe = set(use.functions) & COUNTER_SAFE or set(use.aggregations) & COUNTER_SAFE_AGGREGATIONS
        if is_counter and not safe:
            emit(COUNTER_RATE, f"counter {name!r} without rate() or increase()")


@functools.lru_cache(maxsize=1)
def _builtin_catalog() -> Catalog:
    from dashkit.query import exporter_catalogs

    return exporter_catalogs.EXPORTERS + exporter_catalogs.prom_client() + exporter_catalogs.prom_client("nodejs_")


def _builtin_type(name: str) -> MetricType | None:
    """The type of a metric the shared catalogs know (prom-client's ``*_total`` gauges, say)."""
    catalog = _builtin_catalog()
    return catalog.metric(name).type if name in catalog else None


def lint_logql(ref: TargetRef, emit: Emit) -> None:
    """The LogQL rules for one query: parse, selector, cardinality, pino's levels."""
    text = str(ref.target.get("expr") or "")
    if not text.strip():
        return
    analysis = analyse_logql(text)
    if analysis.error:
        emit(LOGQL_PARSE, f"does not parse: {analysis.error}")
        return
    if not analysis.has_selector:
        emit(LOGQL_SELECTOR, "no stream selector such as {service=\"…\"}")
        return
    for label in cardinality_labels(analysis):
        emit(LOGQL_CARDINALITY, f"stream selector on {label!r}: parse it from the line instead")
    if misses_numeric_levels(analysis):
        emit(LOGQL_LEVELS, "level filter misses pino's numeric levels (50 error, 60 fatal)")
