"""Where a preview's numbers come from: a live Prometheus (and Loki), or synthetic data shaped by
the catalog and the panel's unit, made deterministic by a seed.

Synthetic data follows what the query and the panel say (the rules are in ``shapes``; logs keep
what the query's filters keep, ``logfilter``); one series per combination of the ``by (...)``
labels, named from the catalog's example label values or a ``custom`` variable, else
``<label>-1``; a heatmap's query gets a histogram's buckets. Nothing depends on the clock.
"""

from __future__ import annotations

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
from dashkit.preview.logfilter import kept
from dashkit.preview.settings import unit as unit_of
from dashkit.preview.shapes import (
    DEFAULT_BUCKETS,
    Query,
    Shape,
    analysis,
    buckets,
    crossing,
    raw_counter,
    shape_of,
    wander_key,
)
from dashkit.query.catalog import Catalog
from dashkit.query.expand import expand, relative_seconds
from dashkit.query.jsregex import RegexError


class DashboardError(DashkitError):
    """A mistake of the whole dashboard (a variable's regex), not of one panel: the run stops
    with it in one line, as ``dashkit check`` does, instead of every panel failing alike."""


#: The "now" of synthetic data: a fixed instant, so the same input gives the same picture.
SYNTHETIC_NOW = 1767225600.0  # 2026-01-01T00:00:00Z
#: Points a series has across the panel (Grafana asks for about one a pixel; a picture needs fewer).
POINTS = 90
#: Most series a panel draws: more are summarised by the legend.
MAX_SERIES = 8
#: Synthetic log lines as (level, text), as often as each is written.
LOG_ENTRIES = (
    *[("info", "request completed"), ("info", "payment authorised")] * 3,
    *[("info", "message delivered"), ("debug", "cache refreshed")] * 2,
    ("warn", "retrying upstream call"),
    ("warn", "slow query: 1.2 s"),
    ("error", "payment failed: card declined"),
    ("error", "upstream timeout after 5 s"),
    ("error", "database connection refused"),
)
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
    #: Panels that name an alert get a series that crosses its limit, and counts of firing
    #: alerts rise (``--crossing``).
    crossing: bool = False

    def series(self, model: Mapping[str, Any], ref: TargetRef) -> list[Series]:
        expr = str(ref.target.get("expr") or "").strip()
        if not expr:
            return []
        panel = ref.panel
        catalog = self.catalogs.get(str(model.get("uid") or ""))
        language = ref.language or ""
        query = Query(expr, unit_of(panel), str(panel.get("title") or ""), catalog)
        shape = shape_of(query, panel)
        over = crossing(shape, panel, query) if self.crossing else None
        span = time_span(model, self.span)
        times = tuple(self.end - span + span * i / (POINTS - 1) for i in range(POINTS))
        legend = str(ref.target.get("legendFormat") or "")
        seed = f"{self.seed}|{panel.get('title')}|{wander_key(expr) or ref.target.get('refId')}"
        if language == "promql" and (bounds := _bucket_bounds(expr, catalog)):
            return _histogram(seed, bounds, shape, legend, expr, times)
        result = []
        label_sets = self._label_sets(model, expr, language, catalog)[:MAX_SERIES]
        for index, labels in enumerate(label_sets):
            rng = random.Random(f"{seed}|{sorted(labels.items())}")
            values = wander(rng, shape, over if index == 0 else None)
            if language == "promql" and raw_counter(expr, catalog):
                values = list(itertools.accumulate(values))  # a counter read as it is rises
            result.append(Series(display_name(legend, labels, expr), labels, times, tuple(values)))
        return result

    def logs(self, model: Mapping[str, Any], ref: TargetRef) -> list[LogLine]:
        entries = kept(str(ref.target.get("expr") or ""), LOG_ENTRIES)
        if not entries:
            return []
        rng = random.Random(f"{self.seed}|{ref.panel.get('title')}|logs")
        span = time_span(model, self.span)
        return [
            LogLine(self.end - span * i / 40, *entries[rng.randrange(len(entries))])
            for i in range(40)
        ]

    def _label_sets(
        self, model: Mapping[str, Any], expr: str, language: str, catalog: Catalog | None
    ) -> list[dict[str, str]]:
        """One label set per series: every combination of the grouping labels' values."""
        if language != "promql":
            return [{}]
        found = analysis(expr)
        grouping: list[str] = []
        aggregated = False
        for use in found.selectors:
            aggregated = aggregated or bool(use.aggregations)
            grouping += [g for g in use.grouping_labels if g not in grouping and g != "le"]
        if not aggregated and not grouping and found.selectors:
            name = found.selectors[0].name
            if name and catalog is not None and name in catalog:
                labels = catalog.labels(name) or frozenset()
                grouping = sorted(labels - {"le", "quantile", "job"})[:1]
        sets: list[dict[str, str]] = [{}]
        for label in grouping[:2]:
            values = _values(model, label, catalog)
            sets = [dict(s, **{label: v}) for s in sets for v in values]
        return sets


def wander(rng: random.Random, shape: Shape, over: Shape | None = None) -> list[float]:
    """A smooth wander inside the shape; from two thirds of the way on, inside ``over`` (an
    alert's limit crossed) where given."""
    start, wiggle = 0.15 + 0.6 * rng.random(), 0.08 + 0.12 * rng.random()
    phase, drift, values = rng.random() * math.tau, 0.0, []
    for i in range(POINTS):
        drift = 0.8 * drift + (rng.random() - 0.5) * wiggle * 0.5
        at = min(1.0, max(0.0, start * (1 + math.sin(phase + i / 12) * wiggle + drift)))
        low, high, whole = attrs.astuple(over if over and i >= POINTS * 2 // 3 else shape)
        value = low + (high - low) * at
        values.append(float(round(value)) if whole else value)
    return values


def _bucket_bounds(expr: str, catalog: Catalog | None) -> tuple[float, ...]:
    """The bucket bounds of a query that returns a histogram's buckets by ``le`` (a heatmap's),
    else nothing."""
    uses = analysis(expr).selectors
    if "histogram_quantile" in expr or not any(
        "le" in u.grouping_labels and (u.name or "").endswith("_bucket") for u in uses
    ):
        return ()
    return buckets(expr, catalog) or DEFAULT_BUCKETS


def _histogram(
    seed: str,
    bounds: Sequence[float],
    shape: Shape,
    legend: str,
    expr: str,
    times: tuple[float, ...],
) -> list[Series]:
    """A histogram's cumulative buckets as Prometheus returns them: a total rate, of which each
    ``le`` holds the share under its bound, around a median that drifts."""
    rng = random.Random(seed)
    totals = wander(rng, shape)
    middle, spread = math.sqrt(bounds[0] * bounds[-1]), math.log(bounds[-1] / bounds[0]) / 5
    medians = [middle * math.exp(0.4 * math.sin(i / 9 + rng.random() * 0.3)) for i in range(POINTS)]
    result = []
    for bound in (*bounds, math.inf):
        shares = [
            0.5 * (1 + math.erf(math.log(bound / m) / (spread * math.sqrt(2))))
            if math.isfinite(bound)
            else 1.0
            for m in medians
        ]
        labels = {"le": f"{bound:g}" if math.isfinite(bound) else "+Inf"}
        values = tuple(total * share for total, share in zip(totals, shares))
        result.append(Series(display_name(legend, labels, expr), labels, times, values))
    return result


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
                raise DashboardError(str(error), dashboard=uid) from None
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
