"""``dashkit check``'s statuses without the live stack: what each kind of answer becomes.

The live tests (test_check.py, test_live.py) run the same code against the real Prometheus; here
an in-process double of ``PrometheusClient`` answers from a table, so each status is pinned by a
fast unit test that runs everywhere.
"""
from __future__ import annotations

from typing import Any

from dashkit.check.runner import CheckReport, Status, check_dashboard
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
