"""Service level objectives, and everything built from one: the recording rules of the error
ratio over each window, the multi-window, multi-burn-rate alerts of the Google SRE workbook
(chapter "Alerting on SLOs", as Sloth and Pyrra generate them), promtool tests of those alerts,
and a dashboard of each service's SLOs.

The error ratio over every window is one series name, ``slo:error_ratio``, told apart by the
labels ``slo`` and ``window``. A burn-rate alert over a long and a short window is then one
comparison: the smaller of the two windows' ratios (``min by (…) (…{window=~"1h|5m"})``) above
the factor times the budget, so it fires only while both windows burn that fast."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from attrs.validators import instance_of

from dashkit.errors import DashkitError, Site, call_site, user_site
from dashkit.query import promql
from dashkit.query.catalog import Catalog, Metric, MetricType
from dashkit.query.expand import seconds
from dashkit.query.promql import Expr, Matchers
from dashkit.sdk import panels
from dashkit.sdk.alerts import Alert, RecordingRule, RuleGroup, RuleTest
from dashkit.sdk.layout import Row

RECORD = "slo:error_ratio"


@attrs.frozen
class BurnRate:
    """One alert of the method: fires when both windows burn the budget ``factor`` times faster
    than the SLO window allows (``factor`` 14.4 over 1h spends 2% of a 30-day budget)."""
    long: str
    short: str
    factor: float
    severity: str


#: The SRE workbook's table (page: 2% of the budget in 1h, 5% in 6h; ticket: 10% in 1d, 3d).
BURN_RATES = (BurnRate("1h", "5m", 14.4, "critical"), BurnRate("6h", "30m", 6, "critical"),
              BurnRate("1d", "2h", 3, "warning"), BurnRate("3d", "6h", 1, "warning"))


@attrs.frozen(kw_only=True)
class Events:
    """An SLI as bad events over all events of one counter: ``bad`` are the matchers that pick
    the failed ones (``{"status_code": promql.re("5..")}``)."""
    counter: str = attrs.field(validator=instance_of(str))
    bad: Matchers = attrs.field(factory=dict)

    def error_ratio(self, where: Matchers, by: Sequence[str], window: str) -> Expr:
        total = promql.rate_sum(self.counter, by, where=where, window=window)
        bad = promql.rate_sum(self.counter, by, where={**where, **self.bad}, window=window)
        # no bad series at all (no 5xx yet) is a ratio of 0, not "no data"
        return bad.or_(total * 0) / total

    def describe(self) -> str:
        return f"{self.counter} that match {', '.join(promql.render_matchers(self.bad))}"


@attrs.frozen(kw_only=True)
class Latency:
    """An SLI as the share of requests slower than ``threshold`` seconds, read from a histogram:
    the threshold must be one of its bucket bounds (``le``), or the ratio would be a guess."""
    histogram: str = attrs.field(validator=instance_of(str))
    threshold: float = attrs.field(validator=instance_of((int, float)))

    def error_ratio(self, where: Matchers, by: Sequence[str], window: str) -> Expr:
        total = promql.sum_(promql.rate(promql.sel(f"{self.histogram}_count", where), window), by)
        fast = promql.sum_(promql.rate_within(self.histogram, self.threshold, where=where,
                                              window=window), by)
        return (total - fast) / total

    def describe(self) -> str:
        return f"{self.histogram} slower than {self.threshold:g} s"


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", value):
        raise DashkitError(f"SLO name {value!r}: lower-case letters, digits and '-' only")
    return value


@attrs.frozen(kw_only=True)
class SLO:
    """A service's objective for one SLI over a rolling ``window``: ``objective`` 0.999 allows
    0.1% of events to be bad (the error budget)."""
    service: str = attrs.field(validator=instance_of(str))
    name: str = attrs.field(converter=_slug)
    objective: float = attrs.field(validator=instance_of(float))
    sli: Events | Latency = attrs.field(validator=instance_of((Events, Latency)))
    window: str = "30d"
    #: The label that names the service on the SLI's series.
    service_label: str = "service"
    description: str = ""
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not 0.5 <= self.objective < 1:
            raise DashkitError(f"SLO {self.id}: objective {self.objective} is not a ratio "
                               "between 0.5 and 1 (0.999 is 99.9%)")
        if seconds(self.window) < seconds("3d"):
            raise DashkitError(f"SLO {self.id}: a window of {self.window} is shorter than the "
                               "3d the slowest burn-rate alert looks at")

    @property
    def id(self) -> str:
        return f"{self.service}-{self.name}"

    @property
    def budget(self) -> float:
        """The share of events allowed to be bad."""
        return round(1 - self.objective, 12)

    @property
    def windows(self) -> list[str]:
        """Every window a rule or a panel reads, shortest first."""
        found = {w for b in BURN_RATES for w in (b.long, b.short)} | {self.window}
        return sorted(found, key=seconds)

    def selector(self, windows: Iterable[str] = ()) -> Expr:
        """The recorded error ratio of this SLO, over one window or several."""
        chosen = list(windows)
        where: dict[str, Any] = {"slo": self.id}
        if len(chosen) == 1:
            where["window"] = chosen[0]
        elif chosen:
            where["window"] = promql.re("|".join(chosen))
        return promql.sel(RECORD, where)

    def recording_rules(self) -> list[RecordingRule]:
        """The error ratio over every window, labelled with the SLO and the window."""
        where = {self.service_label: self.service}
        return [RecordingRule(name=RECORD, signal=self.sli.error_ratio(
                    where, [self.service_label], window),
                    labels=("slo", "window", self.service_label),
                    static={"slo": self.id, "window": window}, origin=self.origin)
                for window in self.windows]

    def rule_groups(self) -> list[RuleGroup]:
        """The recording rules and the alerts, as groups Prometheus evaluates (every 30s; the
        alerts apart, so a slow rule of one cannot delay the other)."""
        return [RuleGroup(f"slo-{self.id}-records", self.recording_rules(), "30s"),
                RuleGroup(f"slo-{self.id}-alerts", self.alerts(), "30s")]

    def alert_name(self, burn: BurnRate) -> str:
        camel = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", self.id) if part)
        return f"{camel}BudgetBurn{burn.long}"

    def alerts(self) -> list[Alert]:
        """One alert per burn rate of the method: critical pages, warnings are tickets."""
        result = []
        for burn in BURN_RATES:
            signal = promql.aggregate("min", self.selector([burn.long, burn.short]),
                                      by=["slo", self.service_label])
            spent = burn.factor * seconds(burn.long) / seconds(self.window)
            result.append(Alert(
                name=self.alert_name(burn), signal=signal, op=">",
                limit=round(burn.factor * self.budget, 12), severity=burn.severity,
                labels={"slo": self.id, "window": burn.long},
                summary=f"{self.service} is spending its {self.name} error budget fast",
                description=(f"{self.service} burns its {self.name} budget {burn.factor:g} times "
                             f"faster than {self.window} allows over both {burn.long} and "
                             f"{burn.short}: at this rate, {spent:.0%} of the budget goes "
                             f"in {burn.long}."),
                origin=self.origin))
        return result


def slo_catalog(slos: Sequence[SLO], name: str = "slos") -> Catalog:
    """The recorded error ratios, for the dashboards' catalog."""
    labels = {"slo", "window"} | {s.service_label for s in slos}
    return Catalog(name, [Metric(RECORD, MetricType.GAUGE, frozenset(labels),
                                 "Error ratio of an SLO over a window (slo, window)",
                                 "percentunit", scraped=False)] if slos else [])


def _growth(per_interval: float, samples: int) -> str:
    return f"0+{per_interval:g}x{samples}"


#: Each burn rate's test: the sample interval, and when to look (long window plus a margin).
#: Coarse samples for the long windows keep promtool quick; each short window still holds 3+.
_TEST_SHAPES = {"1h": ("1m", "75m", 90), "6h": ("10m", "6h30m", 45), "1d": ("30m", "25h", 55),
                "3d": ("1h", "73h", 80)}
#: Events an interval in the tests: large, so ratios are exact to many digits.
_EVENTS = 10000


def slo_rule_tests(slo: SLO, good: Mapping[str, str], bad: Mapping[str, str]) -> list[RuleTest]:
    """promtool cases for each burn-rate alert of ``slo``: a burn 20% above its factor fires it
    (14.4 over an hour is 2% of a 30-day budget: a page), one 10% below does not. ``good`` and
    ``bad`` are example labels of a good and a bad event (``{"status_code": "200"}``)."""
    tests = []
    for burn, alert in zip(BURN_RATES, slo.alerts()):
        interval, at, samples = _TEST_SHAPES[burn.long]
        for share, fires in ((1.2, True), (0.9, False)):
            ratio = burn.factor * slo.budget * share
            series = _series(slo, ratio, good, bad, samples)
            expected = [{"labels": {**alert.labels, "severity": alert.severity,
                                    slo.service_label: slo.service},
                         "summary": alert.summary, "description": alert.description}]
            verb = "fires" if fires else "does not fire"
            tests.append(RuleTest(
                name=f"{slo.id}: {share:g}x the {burn.long} burn rate {verb}", alert=alert.name,
                at=at, interval=interval, series=series, fires=expected if fires else [],
                origin=slo.origin))
    return tests


def _series(slo: SLO, ratio: float, good: Mapping[str, str], bad: Mapping[str, str],
            samples: int) -> dict[str, str]:
    base = {slo.service_label: slo.service}

    def name(metric: str, labels: Mapping[str, str]) -> str:
        inner = ", ".join(f'{k}="{v}"' for k, v in sorted({**base, **labels}.items()))
        return f"{metric}{{{inner}}}"

    if isinstance(slo.sli, Events):
        return {name(slo.sli.counter, good): _growth(_EVENTS * (1 - ratio), samples),
                name(slo.sli.counter, bad): _growth(_EVENTS * ratio, samples)}
    histogram, le = slo.sli.histogram, f"{slo.sli.threshold:g}"
    return {name(f"{histogram}_count", {}): _growth(_EVENTS, samples),
            name(f"{histogram}_bucket", {"le": le}): _growth(_EVENTS * (1 - ratio), samples),
            name(f"{histogram}_bucket", {"le": "+Inf"}): _growth(_EVENTS, samples)}


def check_slos(slos: Sequence[SLO], catalog: Catalog | None) -> list[DashkitError]:
    """What the catalog says of each SLI: a latency threshold must be a bucket bound of its
    histogram (else the ratio is interpolated, not counted); SLO ids are unique."""
    errors: list[DashkitError] = []
    ids = [s.id for s in slos]
    errors += [DashkitError(f"SLO {i!r} is defined twice") for i in sorted(set(ids))
               if ids.count(i) > 1]
    for slo in slos:
        if not isinstance(slo.sli, Latency) or catalog is None:
            continue
        bucket = f"{slo.sli.histogram}_bucket"
        metric = catalog.metric(bucket) if bucket in catalog else None
        if metric is None or metric.type is not MetricType.HISTOGRAM:
            errors.append(DashkitError(f"SLO {slo.id}: {slo.sli.histogram!r} is not a histogram "
                                       "of the catalog", file=user_site(slo.origin)))
        elif metric.buckets and slo.sli.threshold not in metric.buckets:
            bounds = ", ".join(f"{b:g}" for b in metric.buckets)
            errors.append(DashkitError(
                f"SLO {slo.id}: {slo.sli.threshold:g} s is not a bucket bound of "
                f"{slo.sli.histogram} ({bounds}): the share of slower requests cannot be counted",
                file=user_site(slo.origin)))
    return errors


def slo_row(slo: SLO) -> Row:
    """An SLO at a glance: the SLI against the objective, the budget left, the burn rate per
    window (red from the page factor), and the SLO's alerts that fire."""
    budget, window = slo.budget, slo.window
    over_window = promql.max_(slo.selector([window]))  # one series: one number on a stat
    windows = [w for w in slo.windows if w != window]
    page = max(b.factor for b in BURN_RATES)
    return Row(f"{slo.name.capitalize()}: {slo.objective:.3%} over {window}", [
        panels.stat(f"SLI ({window})", 1 - over_window, unit="percentunit", decimals=3,
                    thresholds=panels.below(slo.objective), instant=True, w=4,
                    description=slo.description or f"Share of good events: not {slo.sli.describe()}"),
        panels.stat(f"Error budget left ({window})", 1 - over_window / budget,
                    unit="percentunit", decimals=1, thresholds=panels.below(0, warn=0.25),
                    instant=True, w=4),
        panels.timeseries("Burn rate by window", slo.selector(windows) / budget,
                          legend="{{window}}", unit="x", min=0,
                          thresholds=panels.above(page, warn=1), w=10),
        panels.stat("Burn-rate alerts firing", promql.count(promql.sel(
            "ALERTS", {"alertstate": "firing", "slo": slo.id})).or_(promql.vector(0)),
            decimals=0, thresholds=panels.above(1), color_background=True, instant=True, w=6),
    ])
