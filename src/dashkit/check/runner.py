"""``dashkit check``: run every query of every dashboard against live datasources, as Grafana
would on load, and report per panel whether it shows data, how much, and how fast."""
from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

from dashkit.check.resolve import resolve_variables, time_context
from dashkit.clients.loki import LokiClient
from dashkit.clients.prometheus import PrometheusClient
from dashkit.errors import DashkitError
from dashkit.grafana.model import TargetRef, iter_targets
from dashkit.query.analyse import analyse_promql
from dashkit.query.expand import TimeContext, expand

#: Browsers open six connections per host, so Grafana's queries run about six at a time.
CONCURRENCY = 6


class Status(str, enum.Enum):
    """What one query's run told: the values a CI step branches on."""
    OK = "ok"
    EMPTY = "empty"
    ERROR = "error"
    UNKNOWN_METRIC = "unknown metric"
    SKIPPED = "skipped"


@attrs.frozen
class Budget:
    """The plan's targets: 500 ms a Prometheus query, 5 s a dashboard."""

    query_seconds: float = 0.5
    dashboard_seconds: float = 5.0
    series_limit: int = 500


@attrs.frozen
class QueryCheck:
    """One query's outcome, with what a person needs to find and fix it."""
    dashboard: str
    panel: str
    ref_id: str
    datasource: str
    expr: str
    status: Status
    series: int = 0
    seconds: float = 0.0
    message: str = ""
    too_many_series: bool = False
    slow: bool = False


@attrs.frozen
class DashboardCheck:
    """Every query of one dashboard, and whether the whole met its time budget."""
    uid: str
    title: str
    queries: tuple[QueryCheck, ...]
    seconds: float
    slow: bool

    def count(self, status: Status) -> int:
        return sum(1 for q in self.queries if q.status is status)


@attrs.frozen
class _Job:
    ref: TargetRef
    language: str
    expr: str
    context: TimeContext
    instant: bool


def _run(job: _Job, prometheus: PrometheusClient, loki: LokiClient | None, end: float,
         budget: Budget, known_metrics: set[str], dashboard: str) -> QueryCheck:
    panel = str(job.ref.panel.get("title") or "")
    ref_id = str(job.ref.target.get("refId") or "")
    base: dict[str, Any] = dict(dashboard=dashboard, panel=panel, ref_id=ref_id, expr=job.expr)
    if job.language == "logql" and loki is None:
        return QueryCheck(datasource="loki", status=Status.SKIPPED, message="no --loki-url", **base)
    context = job.context
    started = time.perf_counter()
    try:
        if job.language == "logql":
            assert loki is not None
            result = loki.query_range(job.expr, end - context.range_seconds, end,
                                      context.interval_seconds)
        elif job.instant:
            result = prometheus.query(job.expr, end)
        else:
            result = prometheus.query_range(job.expr, end - context.range_seconds, end,
                                            context.interval_seconds)
    except DashkitError as error:
        return QueryCheck(datasource="loki" if job.language == "logql" else "prometheus",
                          status=Status.ERROR, seconds=time.perf_counter() - started,
                          message=error.message, **base)
    seconds = time.perf_counter() - started
    datasource = "loki" if job.language == "logql" else "prometheus"
    status, message = Status.OK, ""
    if not result:
        status = Status.EMPTY
        if job.language == "promql":
            missing = sorted({s.name for s in analyse_promql(job.expr).selectors
                              if s.name and s.name not in known_metrics})
            if missing:
                status, message = Status.UNKNOWN_METRIC, f"no series named {', '.join(missing)}"
    return QueryCheck(datasource=datasource, status=status, series=len(result), seconds=seconds,
                      message=message, too_many_series=len(result) > budget.series_limit,
                      slow=seconds > budget.query_seconds, **base)


def check_dashboard(model: Mapping[str, Any], prometheus: PrometheusClient,
                    loki: LokiClient | None = None, *, scrape_interval: float = 15.0,
                    budget: Budget = Budget(),
                    overrides: Mapping[str, str | Sequence[str]] = {},
                    known_metrics: set[str] | None = None,
                    now: float | None = None) -> DashboardCheck:
    """Every query of one dashboard, run concurrently as a browser would."""
    end = now if now is not None else time.time()
    uid = str(model.get("uid") or model.get("title") or "")
    base_context = time_context(model, {}, scrape_interval)
    variables = resolve_variables(model, prometheus, base_context, overrides, loki)
    if known_metrics is None:
        known_metrics = set(prometheus.label_values("__name__"))
    jobs = []
    for ref in iter_targets(model):
        language = ref.language
        if language not in ("promql", "logql") or ref.target.get("hide"):
            continue
        context = time_context(model, ref.panel, scrape_interval)
        expr = expand(str(ref.target.get("expr") or ""), variables, context.macros())
        instant = bool(ref.target.get("instant")) and not ref.target.get("range")
        jobs.append(_Job(ref, language, expr, context, instant))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(lambda job: _run(job, prometheus, loki, end, budget,
                                                 known_metrics, uid), jobs))
    seconds = time.perf_counter() - started
    return DashboardCheck(uid, str(model.get("title") or ""), tuple(results), seconds,
                          seconds > budget.dashboard_seconds)


@attrs.frozen
class CheckReport:
    """All dashboards' checks, and which results fail the run."""
    dashboards: tuple[DashboardCheck, ...]

    def failures(self, allow_empty: bool = False) -> list[QueryCheck]:
        bad = {Status.ERROR, Status.UNKNOWN_METRIC} | (set() if allow_empty else {Status.EMPTY})
        return [q for d in self.dashboards for q in d.queries if q.status in bad]


def check_dashboards(models: Sequence[Mapping[str, Any]], prometheus: PrometheusClient,
          loki: LokiClient | None = None, progress: Callable[[], None] | None = None,
          **options: Any) -> CheckReport:
    """Check every dashboard; Prometheus's metric names are listed once for all of them."""
    known = set(prometheus.label_values("__name__"))  # an unreachable server: one DashkitError
    results = []
    for model in models:
        try:
            results.append(check_dashboard(model, prometheus, loki, known_metrics=known, **options))
        except ValueError as error:
            raise DashkitError(str(error), dashboard=str(model.get("uid"))) from None
        except DashkitError as error:  # a server's answer of the wrong shape, say
            raise error.located(dashboard=str(model.get("uid"))) from None
        if progress is not None:
            progress()
    return CheckReport(tuple(results))
