"""Lint and check timings.

- lint: the five EasyMO dashboards (compiled in memory) and the 18 corpus dashboards;
- check: the five dashboards against the live test stack (Debian's Prometheus and exporters, as
  tests/live/stack.py starts them), with each dashboard's total, against the plan's budgets.

Run: .venv/bin/python benchmarks/bench_lint_check.py [--repeat R] [--no-check]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "live"))
sys.path.insert(0, str(Path(__file__).parent))

from bench_build import timed  # noqa: E402

from dashkit.check.runner import Budget, check_dashboards  # noqa: E402
from dashkit.clients.prometheus import PrometheusClient  # noqa: E402
from dashkit.lint.run import json_subjects, run_lint  # noqa: E402
from dashkit.project.pipeline import project_subjects  # noqa: E402
from dashkit.text import format_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    corpus = sorted((ROOT.parent / "shared" / "corpus").glob("*.json"))
    rows = []
    five = timed(lambda: run_lint(*project_subjects(ROOT / "dashboards")), args.repeat)
    rows.append(("lint 5 EasyMO dashboards (compile + lint)", f"{five * 1000:.0f} ms",
                 f"median of {args.repeat}"))
    subjects, _ = json_subjects(corpus)
    panels = sum(1 for s in subjects for _ in _panels(s.model))
    whole = timed(lambda: run_lint(*json_subjects(corpus)), args.repeat)
    rows.append((f"lint corpus: {len(corpus)} files, {panels} panels (load + lint)",
                 f"{whole * 1000:.0f} ms", f"median of {args.repeat}"))
    if not args.no_check:
        from stack import SCRAPE_INTERVAL, running_stack

        from dashkit.project.loading import load_project
        from dashkit.project.pipeline import compile_project

        print("starting the live stack…", file=sys.stderr)
        models = [c.model for c in compile_project(load_project(ROOT / "dashboards"))]
        with running_stack() as stack:
            client = PrometheusClient(stack.prometheus_url)
            report = check_dashboards(models, client, scrape_interval=SCRAPE_INTERVAL, budget=Budget())
            for dashboard in report.dashboards:
                slowest = max(q.seconds for q in dashboard.queries)
                rows.append((f"check {dashboard.uid} ({len(dashboard.queries)} queries)",
                             f"{dashboard.seconds * 1000:.0f} ms",
                             f"slowest query {slowest * 1000:.0f} ms; budget 500 ms / 5 s"))
    print(format_table(("benchmark", "time", "note"), rows))


def _panels(model):  # type: ignore[no-untyped-def]
    from dashkit.grafana.model import iter_panels

    return iter_panels(model.get("panels") or [])


if __name__ == "__main__":
    main()
