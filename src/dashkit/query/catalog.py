"""Metric catalogs: the one place a metric's name, type, labels and unit are written down.

Queries refer to metrics by name; compiling a dashboard checks every reference against the
dashboard's catalog, so a misspelt metric or label fails the build instead of showing "No data".
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping

import attrs

from dashkit.errors import DashkitError

#: Labels Prometheus attaches to every scraped series.
TARGET_LABELS = frozenset({"job", "instance"})


class MetricType(str, enum.Enum):
    """Prometheus metric types: what decides whether rate() or a quantile makes sense."""
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"
    INFO = "info"


#: Series a histogram or summary exposes besides its own name, and the extra label each carries.
_SERIES_SUFFIXES: dict[MetricType, dict[str, frozenset[str]]] = {
    MetricType.HISTOGRAM: {"_bucket": frozenset({"le"}), "_sum": frozenset(), "_count": frozenset()},
    MetricType.SUMMARY: {"": frozenset({"quantile"}), "_sum": frozenset(), "_count": frozenset()},
}


def _label_set(labels: Iterable[str]) -> frozenset[str]:
    return frozenset(labels)


@attrs.frozen
class Metric:
    """One metric of a catalog: its name, type, labels and what it measures."""
    name: str
    type: MetricType
    labels: frozenset[str] = attrs.field(converter=_label_set, factory=frozenset)
    help: str = ""
    unit: str = ""
    #: Grafana unit id panels use by default for this metric ("s", "bytes", "reqps"...).
    buckets: tuple[float, ...] = ()
    #: True for metrics that were not in the original contract: documented as additions.
    addition: bool = False
    #: True where the label set is open (ALERTS carries every label of its rule).
    open_labels: bool = False
    #: False for series that are not scraped (recording rules, ALERTS): no job/instance.
    scraped: bool = True

    def series(self) -> dict[str, frozenset[str]]:
        """Every series name this metric exposes, with the labels each carries."""
        base = self.labels | (TARGET_LABELS if self.scraped else frozenset())
        suffixes = _SERIES_SUFFIXES.get(self.type, {"": frozenset()})
        return {self.name + suffix: base | extra for suffix, extra in suffixes.items()}

    @classmethod
    def counter(cls, name: str, labels: Iterable[str] = (), help: str = "", unit: str = "",
                *, addition: bool = False) -> Metric:
        """A counter: a value that only grows, to be read through rate() or increase()."""
        return cls(name, MetricType.COUNTER, frozenset(labels), help, unit, addition=addition)

    @classmethod
    def gauge(cls, name: str, labels: Iterable[str] = (), help: str = "", unit: str = "", *,
              addition: bool = False, open_labels: bool = False, scraped: bool = True) -> Metric:
        """A gauge: a value that goes up and down, read as it is."""
        return cls(name, MetricType.GAUGE, frozenset(labels), help, unit, addition=addition,
                   open_labels=open_labels, scraped=scraped)

    @classmethod
    def histogram(cls, name: str, labels: Iterable[str] = (), help: str = "", unit: str = "",
                  buckets: Iterable[float] = (), *, addition: bool = False) -> Metric:
        """A histogram: its _bucket, _sum and _count series, read with histogram_quantile."""
        return cls(name, MetricType.HISTOGRAM, frozenset(labels), help, unit, tuple(buckets),
                   addition=addition)

    @classmethod
    def summary(cls, name: str, labels: Iterable[str] = (), help: str = "", unit: str = "") -> Metric:
        """A summary: quantiles computed by the client, with _sum and _count."""
        return cls(name, MetricType.SUMMARY, frozenset(labels), help, unit)

    @classmethod
    def info(cls, name: str, labels: Iterable[str] = (), help: str = "") -> Metric:
        """An info metric: labels worth joining on, with a constant value of 1."""
        return cls(name, MetricType.INFO, frozenset(labels), help)


def _label_values(values: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {str(label): tuple(str(v) for v in examples) for label, examples in values.items()}


def _metrics(items: Iterable[Metric]) -> tuple[Metric, ...]:
    return tuple(items)


@attrs.frozen
class Catalog:
    """A named set of metrics; catalogs combine with ``+`` so dashboards see one namespace."""

    name: str
    metrics: tuple[Metric, ...] = attrs.field(converter=_metrics, factory=tuple)
    #: Example values of labels ("service": the services' names): what previews name their
    #: synthetic series after. Optional; never checked against queries.
    label_values: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, eq=False, converter=_label_values)
    _series: Mapping[str, tuple[Metric, frozenset[str]]] = attrs.field(
        init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        series: dict[str, tuple[Metric, frozenset[str]]] = {}
        for metric in self.metrics:
            for name, labels in metric.series().items():
                if name in series and series[name][0] != metric:
                    raise DashkitError(f"catalog {self.name!r} defines series {name!r} twice")
                series[name] = (metric, labels)
        object.__setattr__(self, "_series", series)

    def __add__(self, other: Catalog) -> Catalog:
        return Catalog(f"{self.name}+{other.name}", self.metrics + other.metrics,
                       {**other.label_values, **self.label_values})

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics)

    def __contains__(self, series_name: object) -> bool:
        return series_name in self._series

    def metric(self, series_name: str) -> Metric:
        """The metric that exposes ``series_name`` (``x_bucket`` resolves to histogram ``x``)."""
        try:
            return self._series[series_name][0]
        except KeyError:
            raise DashkitError(f"unknown metric {series_name!r}{_suggest(series_name, self._series)}"
                               f" (not in catalog {self.name!r})") from None

    def labels(self, series_name: str) -> frozenset[str] | None:
        """Labels of a series; None where the metric's label set is open."""
        metric = self.metric(series_name)
        return None if metric.open_labels else self._series[series_name][1]

    def validate_labels(self, series_name: str, labels: Iterable[str]) -> None:
        """Raise if the series is unknown or does not carry one of ``labels``."""
        known = self.labels(series_name)
        if known is None:
            return
        for label in sorted(set(labels) - known - {"__name__"}):
            raise DashkitError(
                f"metric {series_name!r} has no label {label!r}{_suggest(label, known)}"
                f" (it has: {', '.join(sorted(known))})")


def _suggest(name: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
