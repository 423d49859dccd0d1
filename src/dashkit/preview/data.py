"""Where a preview's numbers come from: a live Prometheus (and Loki), or synthetic data shaped by
the catalog and the panel's unit, made deterministic by a seed.

Synthetic data follows what the query says: a ``rate`` of a counter is positive, a quantile of a
histogram is a latency inside its buckets, a ratio stays under one, ``count(...)`` is a whole
number; one series per combination of the ``by (...)`` labels, named from the catalog's example
label values or a ``custom`` variable, else ``<label>-1``. Nothing depends on the clock.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from dashkit.check.resolve import resolve_variables, time_context
from dashkit.clients.loki import LokiClient
from dashkit.clients.prometheus import PrometheusClient
from dashkit.errors import DashkitError
from dashkit.grafana.model import TargetRef
from dashkit.query.analyse import PromQLAnalysis, analyse_promql, expand_for_parsing
from dashkit.query.catalog import Catalog, MetricType
from dashkit.query.expand import expand, relative_seconds
from dashkit.query.jsregex import RegexError

#: The "now" of synthetic data: a fixed instant, so the same input gives the same picture.
SYNTHETIC_NOW = 1767225600.0  # 2026-01-01T00:00:00Z
#: Points a series has across the panel (Grafana asks for about one a pixel; a picture needs fewer).
POINTS = 90
#: Most series a panel draws: more are summarised by the legend.
MAX_SERIES = 8
#: Plausible (low, high) of a value by the panel's unit, for gauges and rates alike.
RANGES = {
    "percentunit": (0.005, 0.6),
    "percent": (2.0, 95.0),
    "bytes": (5e7, 2e9),
    "decbytes": (5e7, 2e9),
    "Bps": (1e4, 5e6),
    "s": (0.02, 1.5),
    "ms": (20.0, 900.0),
    "reqps": (2.0, 150.0),
    "ops": (1.0, 80.0),
    "currencyUSD": (50.0, 5000.0),
}
DEFAULT_RANGE = (1.0, 100.0)
_QUANTILE = re.compile(r"histogram_quantile\(\s*([0-9.]+)")
_LEGEND = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@attrs.frozen
class Series:
    """One line of a panel: its display name and its points."""

    name: str
    labels: Mapping[str, str]
    times: tuple[float, ...]
    values: tuple[float, ...]


@attrs.frozen
class LogLine:
    """One line of a logs panel."""

    time: float
    level: str
    text: str


class DataSource(Protocol):
    """What the renderer asks: the series of a target, the lines of a logs target."""

    label: str
    end: float

    def series(self, model: Mapping[str, Any], ref: TargetRef) -> list[Series]: ...
    def logs(self, model: Mapping[str, Any], ref: TargetRef) -> list[LogLine]: ...


def time_span(model: Mapping[str, Any], override: tuple[str, str] | None = None) -> float:
    """Seconds the preview covers: the dashboard's default range, or ``--time FROM,TO``."""
    start, end = override or (
        (model.get("time") or {}).get("from", "now-6h"),
        (model.get("time") or {}).get("to", "now"),
    )
    try:
        return max(60.0, relative_seconds(str(start)) - relative_seconds(str(end)))
    except ValueError:
        return 6 * 3600.0


def display_name(legend: str, labels: Mapping[str, str], fallback: str) -> str:
    """Grafana's legend: ``{{label}}`` filled in, else the label set, else the query."""
    if legend and legend != "__auto":
        return _LEGEND.sub(lambda m: labels.get(m.group(1), ""), legend)
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    if shown:
        return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items())) + "}"
    return fallback


@attrs.define
class SyntheticData:
    """Deterministic made-up data, shaped by each dashboard's catalog (by uid) and the panel."""

    catalogs: Mapping[str, Catalog] = attrs.field(factory=dict)
    seed: int = 0
    span: tuple[str, str] | None = None
    label: str = "synthetic data"
    end: float = SYNTHETIC_NOW

    def series(self, model: Mapping[str, Any], ref: TargetRef) -> list[Series]:
        expr = str(ref.target.get("expr") or "").strip()
        if not expr:
            return []
        panel = ref.panel
        unit = str(((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit") or "")
        catalog = self.catalogs.get(str(model.get("uid") or ""))
        language = ref.language or ""
        low, high, whole = self._shape(expr, unit, language, catalog)
        span = time_span(model, self.span)
        times = tuple(self.end - span + span * i / (POINTS - 1) for i in range(POINTS))
        legend = str(ref.target.get("legendFormat") or "")
        result = []
        for labels in self._label_sets(model, expr, language, catalog)[:MAX_SERIES]:
            rng = random.Random(
                f"{self.seed}|{panel.get('title')}|{ref.target.get('refId')}|"
                f"{sorted(labels.items())}"
            )
            base = low + (high - low) * (0.15 + 0.6 * rng.random())
            phase, wiggle = rng.random() * math.tau, 0.08 + 0.12 * rng.random()
            values, drift = [], 0.0
            for i in range(POINTS):
                drift = 0.8 * drift + (rng.random() - 0.5) * wiggle * 0.5  # a smooth wander
                swing = math.sin(phase + i / 12) * wiggle + drift
                value = min(high, max(low, base * (1 + swing)))
                values.append(float(round(value)) if whole else value)
            if language == "promql" and _raw_counter(expr, catalog):
                values = list(itertools.accumulate(values))  # a counter read as it is rises
            result.append(Series(display_name(legend, labels, expr), labels, times, tuple(values)))
        return result

    def logs(self, model: Mapping[str, Any], ref: TargetRef) -> list[LogLine]:
        rng = random.Random(f"{self.seed}|{ref.panel.get('title')}|logs")
        levels = ["info", "info", "info", "warn", "error", "debug"]
        messages = [
            "request completed",
            "payment authorised",
            "message delivered",
            "retrying upstream call",
            "payment failed: card declined",
            "cache refreshed",
        ]
        span = time_span(model, self.span)
        return [
            LogLine(self.end - span * i / 40, levels[k], messages[k])
            for i, k in enumerate(rng.randrange(len(levels)) for _ in range(40))
        ]

    def _shape(
        self, expr: str, unit: str, language: str, catalog: Catalog | None
    ) -> tuple[float, float, bool]:
        """(low, high, whole numbers) for this query's values."""
        text = expr.replace(" ", "")
        if language == "promql" and (match := _QUANTILE.search(expr)):
            buckets = _buckets(expr, catalog)
            quantile = float(match.group(1))
            top = buckets[-1] if buckets else 2.0
            low = buckets[0] if buckets else 0.005
            return low * (1 + quantile), top * (0.2 + 0.5 * quantile), False
        if text.startswith(("count(", "count_over_time(")) or "ALERTS" in text:
            return 0.0, 6.0, True
        names = (
            {u.name or "" for u in _analysis(expr).selectors}
            if language == "promql"
            else set()
        )
        if names and all(n == "up" or n.endswith("_up") for n in names):
            return 1.0, 1.0, True  # a target is up
        return (*RANGES.get(unit, DEFAULT_RANGE), False)

    def _label_sets(
        self, model: Mapping[str, Any], expr: str, language: str, catalog: Catalog | None
    ) -> list[dict[str, str]]:
        """One label set per series: every combination of the grouping labels' values."""
        if language != "promql":
            return [{}]
        analysis = _analysis(expr)
        grouping: list[str] = []
        aggregated = False
        for use in analysis.selectors:
            aggregated = aggregated or bool(use.aggregations)
            grouping += [g for g in use.grouping_labels if g not in grouping and g != "le"]
        if not aggregated and not grouping and analysis.selectors:
            name = analysis.selectors[0].name
            if name and catalog is not None and name in catalog:
                labels = catalog.labels(name) or frozenset()
                grouping = sorted(labels - {"le", "quantile", "job"})[:1]
        sets: list[dict[str, str]] = [{}]
        for label in grouping[:2]:
            values = _values(model, label, catalog)
            sets = [dict(s, **{label: v}) for s in sets for v in values]
        return sets


#: Functions that turn a counter into a rate of it.
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv"})


def _raw_counter(expr: str, catalog: Catalog | None) -> bool:
    """True where the query reads a catalogued counter with no rate around it."""
    if catalog is None:
        return False
    uses = _analysis(expr).selectors
    return bool(uses) and all(
        u.name in catalog
        and catalog.metric(u.name).type is MetricType.COUNTER
        and not RATE_FUNCTIONS & set(u.functions)
        for u in uses
        if u.name
    )


@functools.lru_cache(maxsize=1024)
def _analysis(expr: str) -> PromQLAnalysis:
    """A query's analysis, parsed once: a series asks for its shape, labels, buckets and
    whether it is a raw counter, and every series of a panel asks again."""
    return analyse_promql(expand_for_parsing(expr))


def _buckets(expr: str, catalog: Catalog | None) -> tuple[float, ...]:
    """The bucket bounds of the histogram a quantile query reads, from the catalog."""
    if catalog is None:
        return ()
    for use in _analysis(expr).selectors:
        if use.name and use.name in catalog:
            metric = catalog.metric(use.name)
            if metric.type is MetricType.HISTOGRAM and metric.buckets:
                return metric.buckets
    return ()


def _values(model: Mapping[str, Any], label: str, catalog: Catalog | None) -> list[str]:
    """Values a label takes in synthetic data: the catalog's examples, a custom variable's
    options, else ``<label>-1``…"""
    if catalog is not None and label in catalog.label_values:
        return list(catalog.label_values[label])[:4]
    for variable in (model.get("templating") or {}).get("list") or []:
        if variable.get("name") == label and variable.get("type") == "custom":
            return [v.strip() for v in str(variable.get("query", "")).split(",") if v.strip()][:4]
    return [f"{label}-{i}" for i in (1, 2, 3)]


@attrs.define
class LiveData:
    """Real data over the dashboard's range, variables resolved as ``dashkit check`` does."""

    prometheus: PrometheusClient
    loki: LokiClient | None = None
    span: tuple[str, str] | None = None
    scrape_interval: float = 15.0
    end: float = 0.0
    label: str = ""
    _variables: dict[str, dict[str, str | list[str]]] = attrs.field(factory=dict)

    def _context(self, model: Mapping[str, Any], panel: Mapping[str, Any]) -> Any:
        return time_context(model, panel, self.scrape_interval)

    def _expanded(self, model: Mapping[str, Any], ref: TargetRef) -> str:
        uid = str(model.get("uid") or "")
        if uid not in self._variables:
            try:
                self._variables[uid] = resolve_variables(
                    model, self.prometheus, self._context(model, {}), {}, self.loki
                )
            except RegexError as error:  # one line, not a placeholder and 2 s for every panel
                raise DashkitError(str(error), dashboard=uid) from None
        context = self._context(model, ref.panel)
        return expand(str(ref.target.get("expr") or ""), self._variables[uid], context.macros())

    def series(self, model: Mapping[str, Any], ref: TargetRef) -> list[Series]:
        expr = self._expanded(model, ref)
        if not expr.strip():
            return []
        span = time_span(model, self.span)
        step = max(1.0, span / POINTS)
        try:
            if ref.language == "logql":
                if self.loki is None:
                    return []
                result = self.loki.query_range(expr, self.end - span, self.end, step)
            else:
                result = self.prometheus.query_range(expr, self.end - span, self.end, step)
        except DashkitError:
            return []
        legend = str(ref.target.get("legendFormat") or "")
        series = []
        for item in result[:MAX_SERIES]:
            labels = {
                str(k): str(v) for k, v in (item.get("metric") or item.get("stream") or {}).items()
            }
            points = [(float(t), float(v)) for t, v in item.get("values") or [] if _number(v)]
            series.append(
                Series(
                    display_name(legend, labels, expr),
                    labels,
                    tuple(t for t, _ in points),
                    tuple(v for _, v in points),
                )
            )
        return series

    def logs(self, model: Mapping[str, Any], ref: TargetRef) -> list[LogLine]:
        if self.loki is None:
            return []
        span = time_span(model, self.span)
        try:
            streams = self.loki.query_range(
                self._expanded(model, ref), self.end - span, self.end, max(1.0, span / POINTS)
            )
        except DashkitError:
            return []
        lines = [
            LogLine(int(t) / 1e9, str((s.get("stream") or {}).get("level", "")), str(text))
            for s in streams
            for t, text in s.get("values") or []
        ]
        return sorted(lines, key=lambda line: -line.time)[:40]


def _number(value: Any) -> bool:
    """A sample value Prometheus can send: a number, NaN or ±Inf (as Grafana shows them)."""
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def values_of(series: Sequence[Series]) -> list[float]:
    """Every value of every series: what a panel's scale is drawn over."""
    return [v for s in series for v in s.values]
