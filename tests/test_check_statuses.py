"""``dashkit check``'s statuses without the live stack: what each kind of answer becomes.

The live tests (test_check.py, test_live.py) run the same code against the real Prometheus; here
an in-process double of ``PrometheusClient`` answers from a table, so each status is pinned by a
fast unit test that runs everywhere.
"""
from __future__ import annotations

from typing import Any

from dashkit.check.runner import Budget, CheckReport, Status, check_dashboard
from dashkit.errors import DashkitError

SERIES = [{"metric": {"__name__": "up", "job": "api"}, "values": [[0, "1"]]}]


class TablePrometheus:
    """Answers a query from ``answers`` by its exact text; a text in ``errors`` fails."""

    def __init__(self, answers: dict[str, list[dict[str, Any]]], errors: dict[str, str],
                 names: list[str]) -> None:
        self.answers, self.errors, self.names = answers, errors, names
        self.sent: list[str] = []

    def _answer(self, expr: str) -> list[dict[str, Any]]:
        self.sent.append(expr)
        if expr in self.errors:
            raise DashkitError(self.errors[expr])
        return self.answers.get(expr, [])

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        return self._answer(expr)

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        return self._answer(expr)

    def label_values(self, label: str, match: str | None = None, start: float | None = None,
                     end: float | None = None) -> list[str]:
        return self.names if label == "__name__" else []


def panel(title: str, *targets: dict[str, Any], datasource: str = "prometheus") -> dict[str, Any]:
    return {"type": "timeseries", "title": title, "datasource": {"type": datasource, "uid": "ds"},
            "targets": list(targets)}


MODEL = {"uid": "statuses", "title": "Statuses", "panels": [
    panel("ok", {"refId": "A", "expr": "up"}),
    panel("empty", {"refId": "A", "expr": 'up{job="gone"}'}),
    panel("unknown", {"refId": "A", "expr": "rate(no_such_metric_total[5m])"}),
    panel("error", {"refId": "A", "expr": "sum(up"}),
    panel("hidden", {"refId": "A", "expr": "hidden_metric", "hide": True}),
    panel("logs", {"refId": "A", "expr": '{job="api"}'}, datasource="loki"),
]}


def run() -> tuple[dict[str, Status], TablePrometheus, Any]:
    prometheus = TablePrometheus({"up": SERIES}, {"sum(up": "bad_data: parse error"}, ["up"])
    result = check_dashboard(MODEL, prometheus, None, now=1_700_000_000)  # type: ignore[arg-type]
    return {q.panel: q.status for q in result.queries}, prometheus, result


def test_each_answer_gets_its_status():
    statuses, prometheus, result = run()
    assert statuses == {"ok": Status.OK, "empty": Status.EMPTY, "unknown": Status.UNKNOWN_METRIC,
                        "error": Status.ERROR, "logs": Status.SKIPPED}
    assert "hidden_metric" not in prometheus.sent  # a hidden query is not run
    messages = {q.panel: q.message for q in result.queries}
    assert messages["unknown"] == "no series named no_such_metric_total"
    assert messages["error"] == "bad_data: parse error" and messages["logs"] == "no --loki-url"
    assert {q.panel: q.series for q in result.queries}["ok"] == 1


def test_failures_are_errors_unknown_metrics_and_empty_unless_allowed():
    _, _, result = run()
    report = CheckReport((result,))
    assert sorted(q.panel for q in report.failures()) == ["empty", "error", "unknown"]
    assert sorted(q.panel for q in report.failures(allow_empty=True)) == ["error", "unknown"]


# --- budgets: each compared with its own limit, on a clock the test moves ------------------------

class Clock:
    """``time.perf_counter`` for the runner: it moves only when a query is answered."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0


class TimedPrometheus(TablePrometheus):
    """Each query takes the seconds ``took`` gives it, on ``clock``."""

    def __init__(self, clock: Clock, took: dict[str, float], series: dict[str, int]) -> None:
        answers = {expr: [SERIES[0]] * count for expr, count in series.items()}
        super().__init__(answers, {}, ["up"])
        self.clock, self.took = clock, took

    def _answer(self, expr: str) -> list[dict[str, Any]]:
        self.clock.now += self.took[expr]
        return super()._answer(expr)


def timed_run(monkeypatch: Any, budget: Budget) -> Any:
    """Queries of 0.25 s, 0.5 s and 0.75 s with 2, 3 and 4 series: 1.5 s in all. One at a time,
    so the clock adds up the same way on every run."""
    from dashkit.check import runner

    clock = Clock()
    monkeypatch.setattr(runner, "time", clock)
    monkeypatch.setattr(runner, "CONCURRENCY", 1)
    prometheus = TimedPrometheus(clock, {"a": 0.25, "b": 0.5, "c": 0.75},
                                 {"a": 2, "b": 3, "c": 4})
    model = {"uid": "timed", "title": "Timed", "panels": [
        panel(name, {"refId": "A", "expr": name}) for name in ("a", "b", "c")]}
    return check_dashboard(model, prometheus, None, budget=budget)  # type: ignore[arg-type]


def test_a_query_over_its_budget_is_slow_and_one_at_it_is_not(monkeypatch):
    result = timed_run(monkeypatch, Budget(query_seconds=0.5, dashboard_seconds=10,
                                           series_limit=3))
    assert [(q.panel, q.seconds, q.slow) for q in result.queries] == [
        ("a", 0.25, False), ("b", 0.5, False), ("c", 0.75, True)]
    assert [(q.series, q.too_many_series) for q in result.queries] == [
        (2, False), (3, False), (4, True)]
    assert (result.seconds, result.slow) == (1.5, False)


def test_a_dashboard_over_its_budget_is_slow_whatever_its_queries(monkeypatch):
    """Each query inside the query budget, the three together over the dashboard's."""
    result = timed_run(monkeypatch, Budget(query_seconds=1, dashboard_seconds=1.25,
                                           series_limit=500))
    assert not any(q.slow or q.too_many_series for q in result.queries)
    assert (result.seconds, result.slow) == (1.5, True)
    at_budget = timed_run(monkeypatch, Budget(query_seconds=1, dashboard_seconds=1.5))
    assert not at_budget.slow


def test_the_budget_options_reach_the_check(monkeypatch, tmp_path):
    """``--query-budget``, ``--dashboard-budget``, ``--series-limit`` and ``--scrape-interval``
    become the check's, each its own."""
    from click.testing import CliRunner
    from conftest import DASHBOARDS

    from dashkit.check import runner
    from dashkit.cli import main

    seen: dict[str, Any] = {}

    def check_dashboards(models: Any, prometheus: Any, loki: Any, **options: Any) -> CheckReport:
        seen.update(options)
        return CheckReport(())

    monkeypatch.setattr(runner, "check_dashboards", check_dashboards)
    done = CliRunner().invoke(main, [
        "check", "--dashboards", str(DASHBOARDS), "--prometheus-url", "http://127.0.0.1:9",
        "--query-budget", "250ms", "--dashboard-budget", "3s", "--series-limit", "7",
        "--scrape-interval", "30s"])
    assert done.exit_code == 0, done.output
    assert seen["budget"] == Budget(query_seconds=0.25, dashboard_seconds=3.0, series_limit=7)
    assert seen["scrape_interval"] == 30
