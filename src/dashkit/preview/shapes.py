"""What a synthetic value looks like, so a reviewer believes the picture: read from the query's
shape and names and the panel's unit by one table of rules (``RULES``, the first that matches
wins), then kept on the good side of the panel's thresholds (healthy by default), or pushed over
the limit of the alert a panel names where crossings are asked for."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import promql_parser as pp

from dashkit.preview.settings import good_bands
from dashkit.query.analyse import PromQLAnalysis, analyse_promql, expand_for_parsing, parse_promql
from dashkit.query.catalog import Catalog, MetricType
from dashkit.sdk.alerts import read_link

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
#: The most a value of a unit can be (a ratio is at most one).
CEILINGS = {"percentunit": 1.0, "percent": 100.0}
#: Bucket bounds of a histogram the catalog does not describe: the Prometheus clients' default.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: What the numerator of a ratio counts: failures (a low ratio) or successes (a high one).
FAILURES = re.compile(r"5\.\.|5xx|fail|error|reject|declin|timeout|abort|rollback|miss")
SUCCESSES = re.compile(r"success|accept|deliver|avail|hit|complete|2\.\.|\bok\b")
#: Functions that turn a counter into a rate of it.
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv"})
_QUANTILE = re.compile(r"histogram_quantile\(\s*([0-9.]+)")
_NEGATED = re.compile(r'![=~]\s*"(?:[^"\\]|\\.)*"')


@attrs.frozen
class Shape:
    """The range a series wanders in, and whether its values are whole numbers."""

    low: float
    high: float
    whole: bool = False


@attrs.frozen
class Query:
    """What the rules read: the query, its parsed selectors, the panel's unit and title."""

    expr: str
    unit: str
    title: str
    catalog: Catalog | None

    @functools.cached_property
    def text(self) -> str:
        return self.expr.replace(" ", "")

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(u.name or "" for u in analysis(self.expr).selectors)

    @functools.cached_property
    def functions(self) -> frozenset[str]:
        return frozenset(f for u in analysis(self.expr).selectors for f in u.functions)

    @functools.cached_property
    def ratio(self) -> str:
        """"failures", "successes" or "" for a ratio by what its numerator (or a recorded
        ratio's name) counts; "none" when the query is no ratio."""
        numerator = _numerator(self.expr)
        if numerator is None:  # a recorded ratio names itself (service:errors:ratio_rate5m)
            names = [n for n in self.names if "ratio" in n]
            if len(names) != 1:
                return "none"
            numerator = names[0]
        words = numerator.lower()
        kept, dropped = _NEGATED.sub("", words), " ".join(_NEGATED.findall(words))
        if FAILURES.search(kept):
            return "failures"
        return "successes" if SUCCESSES.search(kept) or FAILURES.search(dropped) else ""


def wander_key(expr: str) -> str | None:
    """What quantiles of one histogram share, so their lines wander together and stay in
    order (p50 under p95 under p99); None for any other query."""
    return _QUANTILE.sub("histogram_quantile(q", expr) if _QUANTILE.search(expr) else None


def _latency(query: Query) -> Shape:
    """A quantile of a histogram: around a point of its buckets (on a log scale, as latencies
    spread) that rises with the quantile, so p50 sits well under p99."""
    match = _QUANTILE.search(query.expr)
    quantile = float(match.group(1)) if match else 0.5
    bounds = buckets(query.expr, query.catalog) or DEFAULT_BUCKETS
    centre = bounds[0] * (bounds[-1] / bounds[0]) ** (0.35 + 0.45 * min(1.0, quantile))
    return Shape(centre * 0.7, centre * 1.3)


def _targets(query: Query) -> Shape:
    """``up`` as it is, or its minimum, is 1; summed or counted, a few targets; the count less
    the sum (targets down) is none."""
    if query.text.startswith(("sum(", "count(")):
        return Shape(0.0, 0.0, True) if "-" in query.text else Shape(6.0, 6.0, True)
    return Shape(1.0, 1.0, True)


def _by_unit(query: Query) -> Shape:
    return Shape(*RANGES.get(query.unit, DEFAULT_RANGE))


Rule = tuple[str, Callable[[Query], bool], Callable[[Query], Shape]]
#: What a value looks like, by the query's shape and names (first match wins).
RULES: tuple[Rule, ...] = (
    ("histogram_quantile(...): a latency in the buckets", lambda q: "histogram_quantile(" in q.text,
     _latency),
    ("up: a target is up, none down, a few counted", lambda q: bool(q.names) and all(
        n == "up" or n.endswith("_up") for n in q.names), _targets),
    ("a raw ALERTS series: one a firing alert", lambda q: q.names == {"ALERTS"}
     and not q.text.startswith("count("), lambda q: Shape(1.0, 1.0, True)),
    ("count(...), count_over_time, ALERTS: a few, whole",
     lambda q: q.text.startswith(("count(", "count_over_time(")) or "ALERTS" in q.names,
     lambda q: Shape(0.0, 6.0, True)),
    ("changes(...), increase of restarts: a few restarts, whole",
     lambda q: "changes" in q.functions
     or ("restart" in (q.text + q.title).lower() and bool(q.functions & RATE_FUNCTIONS)),
     lambda q: Shape(0.0, 3.0, True)),
    ("increase(...[$__range]): events in the range, whole",
     lambda q: "increase" in q.functions and "[$__range]" in q.text,
     lambda q: attrs.evolve(_by_unit(q), whole=True)),
    ("time() - *start_time*, *uptime*: hours to days",
     lambda q: ("time()-" in q.text and "start_time" in q.text) or "uptime" in q.text.lower()
     or (q.unit in ("s", "dtdurations", "") and "uptime" in q.title.lower()),
     lambda q: Shape(2 * 3600.0, 9 * 86400.0)),
    ("a ratio of failures (5xx, failed, error): low", lambda q: q.ratio == "failures",
     lambda q: Shape(0.001, 0.02)),
    ("a ratio of successes (success, accepted, hit): high", lambda q: q.ratio == "successes",
     lambda q: Shape(0.9, 0.995)),
    ("anything else: a plausible range for the unit", lambda q: True, _by_unit),
)


def shape_of(query: Query, panel: Mapping[str, Any]) -> Shape:
    """The rules' shape, moved onto the good side of the panel's thresholds."""
    shape = next(make(query) for _, applies, make in RULES if applies(query))
    return healthy(shape, good_bands(panel), CEILINGS.get(query.unit, math.inf))


def healthy(shape: Shape, bands: list[tuple[float, float]], ceiling: float) -> Shape:
    """The shape inside a band the thresholds colour green (the one it overlaps most, else the
    nearest one a value can reach), a little away from the band's edges; unchanged where it
    already lies in one or none is reachable."""
    usable = []
    for low, high in bands:
        low, high = max(low, 0.0), min(high, ceiling)
        if low <= shape.low and shape.high < high:
            return shape
        if high > low:
            overlap = min(high, shape.high) - max(low, shape.low)
            usable.append((overlap, low, high))
    if not usable:
        return shape
    _, low, high = max(usable)
    start, end = max(low, shape.low), min(high, shape.high)
    if end <= start:  # no overlap: the band itself (bounded where it has no top)
        start, end = low, high if math.isfinite(high) else low + (shape.high - shape.low)
    if end >= high:
        end = high - 0.1 * (high - start)
    if start <= low and low > 0:
        start = low + 0.05 * (end - low)
    if shape.whole:
        start, end = math.ceil(start), min(math.floor(end), math.ceil(high) - 1)
        if end < start:
            return shape
    return Shape(start, end, shape.whole)


def crossing(shape: Shape, panel: Mapping[str, Any], query: Query) -> Shape | None:
    """Values past the limit of the alert the panel's header link names; for a query of
    ``ALERTS``, an alert or two firing (the others cross theirs); else None."""
    ceiling = CEILINGS.get(query.unit, math.inf)
    links = panel.get("links")
    for link in links if isinstance(links, list) else []:
        alert = read_link(str(link.get("title") or "")) if isinstance(link, dict) else None
        if alert is None:
            continue
        _, op, limit = alert
        if op == "==":
            return Shape(limit, limit, True)
        if op in ("<", "<="):
            return Shape(max(0.0, limit * 0.4), max(0.0, limit * 0.8), shape.whole)
        top = ceiling if limit < ceiling < math.inf else limit + 2 * (abs(limit) or 1.0)
        low, high = limit + 0.2 * (top - limit), limit + 0.7 * (top - limit)
        return Shape(math.ceil(low), math.ceil(high), True) if shape.whole else Shape(low, high)
    return Shape(1.0, 2.0, True) if "ALERTS" in query.names and shape.high < 1 else None


def _numerator(expr: str) -> str | None:
    """The numerator of the division the query's value is, or None where it divides nothing."""
    node, error = parse_promql(expr)
    if error is not None:
        return None
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    if isinstance(node, pp.BinaryExpr) and str(node.op) == "/":
        return str(node.lhs)
    return None


def raw_counter(expr: str, catalog: Catalog | None) -> bool:
    """True where the query reads a catalogued counter with no rate around it."""
    if catalog is None:
        return False
    uses = analysis(expr).selectors
    return bool(uses) and all(
        u.name in catalog
        and catalog.metric(u.name).type is MetricType.COUNTER
        and not RATE_FUNCTIONS & set(u.functions)
        for u in uses
        if u.name
    )


@functools.lru_cache(maxsize=1024)
def analysis(expr: str) -> PromQLAnalysis:
    """A query's analysis, parsed once: a series asks for its shape, labels, buckets and
    whether it is a raw counter, and every series of a panel asks again."""
    return analyse_promql(expand_for_parsing(expr))


def buckets(expr: str, catalog: Catalog | None) -> tuple[float, ...]:
    """The bucket bounds of the histogram a query reads, from the catalog."""
    if catalog is None:
        return ()
    for use in analysis(expr).selectors:
        if use.name and use.name in catalog:
            metric = catalog.metric(use.name)
            if metric.type is MetricType.HISTOGRAM and metric.buckets:
                return metric.buckets
    return ()
