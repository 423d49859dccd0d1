"""PromQL helpers that render queries as text and remember which metrics and labels they use.

The text is what Grafana runs; the references let the compiler check every metric and label
against the catalog before anything reaches Grafana.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from dashkit.errors import DashkitError, raise_all
from dashkit.query.catalog import Catalog, MetricType

#: Grafana's rate window: at least four scrapes, whatever the zoom level.
RATE_INTERVAL = "$__rate_interval"


@attrs.frozen
class MetricRef:
    """One use of a series in a query: the labels it needs, and what kind of metric it must be."""

    series: str
    labels: frozenset[str] = frozenset()
    #: The function applied to it, where that constrains the metric type ("rate", "quantile").
    used_by: str | None = None


@attrs.frozen
class Expr:
    """A PromQL expression that remembers the series and labels it references, for checks."""
    text: str
    refs: tuple[MetricRef, ...] = ()
    #: True for selectors, calls and aggregations: they never need parentheses as an operand.
    atomic: bool = False

    def __str__(self) -> str:
        return self.text

    def _binary(self, op: str, other: ExprLike, *, swap: bool = False) -> Expr:
        other_expr = as_expr(other)
        left, right = (other_expr, self) if swap else (self, other_expr)
        return Expr(f"{_paren(left)} {op} {_paren(right)}", left.refs + right.refs)

    def __truediv__(self, other: ExprLike) -> Expr:
        return self._binary("/", other)

    def __rtruediv__(self, other: ExprLike) -> Expr:
        return self._binary("/", other, swap=True)

    def __mul__(self, other: ExprLike) -> Expr:
        return self._binary("*", other)

    __rmul__ = __mul__

    def __add__(self, other: ExprLike) -> Expr:
        return self._binary("+", other)

    def __radd__(self, other: ExprLike) -> Expr:
        return self._binary("+", other, swap=True)

    def __sub__(self, other: ExprLike) -> Expr:
        return self._binary("-", other)

    def __rsub__(self, other: ExprLike) -> Expr:
        return self._binary("-", other, swap=True)

    def or_(self, other: ExprLike) -> Expr:
        """``a or b``: typically ``or vector(0)`` so a stat shows 0 rather than "No data"."""
        return self._binary("or", other)

    def compare(self, op: str, value: ExprLike, *, bool_: bool = False) -> Expr:
        if op not in {"==", "!=", ">", "<", ">=", "<="}:
            raise DashkitError(f"not a PromQL comparison: {op!r}")
        return self._binary(f"{op} bool" if bool_ else op, value)

    def by_labels(self, labels: Iterable[str]) -> Expr:
        """The same query, recording that its result is grouped by ``labels``."""
        return Expr(self.text, _grouped(self.refs, labels), self.atomic)


ExprLike = Expr | str | int | float


def _grouped(refs: tuple[MetricRef, ...], labels: Iterable[str]) -> tuple[MetricRef, ...]:
    """``refs``, each needing ``labels`` as well: the constructors, not attrs.evolve, and
    the same records where there are none (a panel's every query comes through here)."""
    extra = frozenset(labels)
    if not extra:
        return refs
    return tuple(MetricRef(ref.series, ref.labels | extra, ref.used_by) for ref in refs)


def as_expr(value: ExprLike) -> Expr:
    """A string or Expr as an Expr, so every helper takes either."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        raise DashkitError("a boolean is not a PromQL expression")
    if isinstance(value, (int, float)):
        return Expr(_number(value))
    return Expr(value)


def _number(value: float) -> str:
    return repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))


def _paren(expr: Expr) -> str:
    text = expr.text
    simple = text.replace("_", "").replace(".", "").replace(":", "").isalnum()
    return text if simple or expr.atomic else f"({text})"


# --- selectors -------------------------------------------------------------------------------

@attrs.frozen
class Matcher:
    """A label matcher (=, !=, =~, !~) whose label the catalog can check."""
    op: str
    value: str

    def render(self, label: str) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{label}{self.op}"{escaped}"'


def eq(value: str) -> Matcher:
    """A `label="value"` matcher."""
    return Matcher("=", value)


def ne(value: str) -> Matcher:
    """A `label!="value"` matcher."""
    return Matcher("!=", value)


def re(pattern: str) -> Matcher:
    """A `label=~"regex"` matcher."""
    return Matcher("=~", pattern)


def nre(pattern: str) -> Matcher:
    """A `label!~"regex"` matcher."""
    return Matcher("!~", pattern)


def var(name: str) -> Matcher:
    """Match a dashboard variable; ``=~`` so multi-value and All selections work."""
    return Matcher("=~", f"${name}")


#: Label matchers by label name: a plain string matches exactly, a Matcher says how.
#: A mapping rather than keyword arguments, so any label (``window``, ``by``…) can be matched.
Matchers = Mapping[str, str | Matcher]


def render_matchers(where: Matchers) -> list[str]:
    """``label="value"`` for every matcher, in the mapping's order."""
    return [(m if isinstance(m, Matcher) else eq(m)).render(label) for label, m in where.items()]


def sel(series: str, where: Matchers | None = None) -> Expr:
    """``series{label="value", ...}``: plain strings match exactly; use ``var``/``re`` otherwise."""
    where = where or {}
    parts = render_matchers(where)
    text = f"{series}{{{', '.join(parts)}}}" if parts else series
    return Expr(text, (MetricRef(series, frozenset(where)),), atomic=True)


# --- functions -------------------------------------------------------------------------------

def _range_fn(fn: str, expr: Expr, window: str, used_by: str | None) -> Expr:
    if not expr.refs or len(expr.refs) != 1 or "(" in expr.text:
        raise DashkitError(f"{fn}() takes one selector, not {expr.text!r}")
    ref = expr.refs[0]
    refs = (MetricRef(ref.series, ref.labels, used_by),) if used_by else expr.refs
    return Expr(f"{fn}({expr.text}[{window}])", refs, atomic=True)


def rate(expr: Expr, window: str = RATE_INTERVAL) -> Expr:
    """rate() over `$__rate_interval`, which always spans at least four scrapes."""
    return _range_fn("rate", expr, window, "rate")


def irate(expr: Expr, window: str = RATE_INTERVAL) -> Expr:
    """irate() over `$__rate_interval`."""
    return _range_fn("irate", expr, window, "rate")


def increase(expr: Expr, window: str = "$__range") -> Expr:
    """increase() over the dashboard's range by default, for totals."""
    return _range_fn("increase", expr, window, "rate")


def changes(expr: Expr, window: str = "$__range") -> Expr:
    """changes() over a window: restarts and flaps."""
    return _range_fn("changes", expr, window, None)


def over_time(fn: str, expr: Expr, window: str = "$__interval") -> Expr:
    """``avg_over_time``, ``max_over_time``... over a gauge."""
    return _range_fn(f"{fn}_over_time", expr, window, None)


def labels_of(labels: Iterable[str], what: str) -> tuple[str, ...]:
    """``labels`` as a tuple; a bare string (``by="route"``, which would be read letter by letter)
    is a one-line error that shows the list to write."""
    if isinstance(labels, str):
        raise DashkitError(f'{what} takes a list of label names: {what}=["{labels}"], '
                           f"not the string {labels!r}")
    return tuple(labels)


def aggregate(op: str, expr: Expr, *, by: Iterable[str] = (), without: Iterable[str] = (),
              param: ExprLike | None = None) -> Expr:
    """An aggregation `op by (labels) (expr)`, labels checked against the catalog."""
    by, without = labels_of(by, "by"), labels_of(without, "without")
    if by and without:
        raise DashkitError(f"{op}: use either by or without, not both")
    clause = f" by ({', '.join(by)}) " if by else f" without ({', '.join(without)}) " if without else ""
    inner = f"{as_expr(param).text}, {expr.text}" if param is not None else expr.text
    return Expr(f"{op}{clause}({inner})", _grouped(expr.refs, by + without), atomic=True)


def sum_(expr: Expr, by: Iterable[str] = ()) -> Expr:
    """sum by (labels)."""
    return aggregate("sum", expr, by=by)


def avg(expr: Expr, by: Iterable[str] = ()) -> Expr:
    """avg by (labels)."""
    return aggregate("avg", expr, by=by)


def max_(expr: Expr, by: Iterable[str] = ()) -> Expr:
    """max by (labels)."""
    return aggregate("max", expr, by=by)


def min_(expr: Expr, by: Iterable[str] = ()) -> Expr:
    """min by (labels)."""
    return aggregate("min", expr, by=by)


def count(expr: Expr, by: Iterable[str] = ()) -> Expr:
    """count by (labels)."""
    return aggregate("count", expr, by=by)


def topk(k: int, expr: Expr) -> Expr:
    """topk(k, expr): the k largest series."""
    return aggregate("topk", expr, param=k)


def vector(value: float) -> Expr:
    """A scalar as an instant vector: for comparisons and fallbacks."""
    return Expr(f"vector({_number(value)})", atomic=True)


def call(fn: str, *args: ExprLike) -> Expr:
    """Any other PromQL function, e.g. ``call("clamp_min", e, 0)``."""
    exprs = [as_expr(a) for a in args]
    return Expr(f"{fn}({', '.join(e.text for e in exprs)})", tuple(r for e in exprs for r in e.refs),
                atomic=True)


def ratio(numerator: Expr, denominator: Expr) -> Expr:
    """numerator / denominator, for ratios of two aggregated rates."""
    return numerator / denominator


def rate_sum(series: str, by: Iterable[str] = (), *, where: Matchers | None = None,
             window: str = RATE_INTERVAL) -> Expr:
    """``sum by (…) (rate(series{…}[window]))``: the most common panel query."""
    return sum_(rate(sel(series, where), window), by=by)


def increase_sum(series: str, by: Iterable[str] = (), *, where: Matchers | None = None,
                 window: str = "$__range") -> Expr:
    """sum by (labels) of increase(): totals over the dashboard's range."""
    return sum_(increase(sel(series, where), window), by=by)


def quantile(q: float, histogram: str, by: Iterable[str] = (), *, where: Matchers | None = None,
             window: str = RATE_INTERVAL) -> Expr:
    """``histogram_quantile`` that always aggregates ``by (le, …)``: without ``le`` it returns nothing."""
    if not 0 <= q <= 1:
        raise DashkitError(f"quantile must be between 0 and 1, not {q}")
    bucket = sel(f"{histogram}_bucket", where)
    bucket = attrs.evolve(bucket, refs=tuple(attrs.evolve(r, used_by="quantile") for r in bucket.refs))
    inner = sum_(_range_fn("rate", bucket, window, "quantile"),
                 by=("le", *[b for b in labels_of(by, "by") if b != "le"]))
    return Expr(f"histogram_quantile({_number(q)}, {inner.text})", inner.refs, atomic=True)


def rate_within(histogram: str, bound: float, *, where: Matchers | None = None,
                window: str = RATE_INTERVAL) -> Expr:
    """``rate(histogram_bucket{le="bound"}[window])``: observations at or under ``bound`` per
    second (one bucket read as the counter it is, as a latency SLI does)."""
    bucket = sel(f"{histogram}_bucket", {**(where or {}), "le": eq(f"{bound:g}")})
    return _range_fn("rate", bucket, window, "bound")


def bucket_rate(histogram: str, *, where: Matchers | None = None,
                window: str = RATE_INTERVAL) -> Expr:
    """Bucket increases summed ``by (le)``, the input of a heatmap panel."""
    bucket = sel(f"{histogram}_bucket", where)
    bucket = attrs.evolve(bucket, refs=tuple(attrs.evolve(r, used_by="heatmap") for r in bucket.refs))
    return sum_(_range_fn("rate", bucket, window, "heatmap"), by=("le",))


# --- checking --------------------------------------------------------------------------------

_RATE_TYPES = {MetricType.COUNTER, MetricType.HISTOGRAM, MetricType.SUMMARY}


def validate(expr: Expr, catalog: Catalog) -> None:
    """Raise every metric, label or metric type the catalog disagrees with, one error each
    (:class:`DashkitErrors` when several), as lint reports them."""
    errors = []
    for ref in expr.refs:
        try:
            _validate_ref(ref, catalog)
        except DashkitError as error:
            errors.append(error)
    raise_all(errors)


def _validate_ref(ref: MetricRef, catalog: Catalog) -> None:
    histogram = ref.series.removesuffix("_bucket")
    if ref.used_by in ("quantile", "heatmap") and ref.series not in catalog and histogram in catalog:
        metric = catalog.metric(histogram)  # the name typed was the metric's own, not a typo
        raise DashkitError(f"{'histogram_quantile' if ref.used_by == 'quantile' else 'a heatmap'}"
                           f" over {histogram!r}, which is a {metric.type.value}, "
                           "not a histogram")
    catalog.validate_labels(ref.series, ref.labels)
    metric = catalog.metric(ref.series)
    if ref.used_by == "rate" and metric.type not in _RATE_TYPES:
        raise DashkitError(f"rate/increase over {metric.type.value} {ref.series!r}: "
                           "only counters can be rated")
    if ref.used_by == "quantile" and metric.type is not MetricType.HISTOGRAM:
        raise DashkitError(f"histogram_quantile over {ref.series!r}, which is a "
                           f"{metric.type.value}, not a histogram")
    if ref.series.endswith("_bucket") and ref.used_by not in {"quantile", "heatmap", "bound"}:
        raise DashkitError(f"{ref.series!r} is only meaningful inside histogram_quantile "
                           "or a heatmap")
