"""Benchmarks of dashkit build, side by side with grafanalib's own generate-dashboards.

1. `dashkit build` of the five EasyMO dashboards, whole process (what a user waits for).
2. 1,000 generated dashboards (12 panels each: time series, stats, a gauge, a table, rows):
   a. compile in one process: dashkit's compile + JSON vs grafanalib's `write_dashboard` on
      the same grafanalib panel objects (positions and ids set by hand, as grafanalib needs);
   b. whole process from 1,000 module files: `dashkit build` vs `generate-dashboards`.

Run: make benchmark   (or .venv/bin/python benchmarks/bench_build.py [--count N] [--repeat R])
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

import grafanalib.core as gl  # noqa: E402
from grafanalib._gen import write_dashboard  # noqa: E402

from dashkit import Dashboard, Row, dumps, panels, promql, variable_ref, variables  # noqa: E402
from dashkit.sdk.compiler import compile_dashboard  # noqa: E402
from dashkit.text import format_table  # noqa: E402


#: The goal for the whole-process build of many modules: at most this much slower than
#: grafanalib's generate-dashboards, which does less (no layout, lint or provisioning).
GOAL_RATIO = 1.20


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(once(fn) for _ in range(repeat))


class Paired:
    """Runs of two commands taken in alternation (a, b, a, b, …), so a machine that slows down
    midway slows both: the ratio of each pair, not of two separate medians, is the figure."""

    def __init__(self, ours: Callable[[], object], theirs: Callable[[], object], pairs: int) -> None:
        once(ours), once(theirs)  # warm the file cache and imports before anything is counted
        self.ours, self.theirs = [], []
        for _ in range(pairs):
            self.ours.append(once(ours))
            self.theirs.append(once(theirs))
        self.ratios = sorted(a / b for a, b in zip(self.ours, self.theirs))

    def ratio(self) -> str:
        return (f"{statistics.median(self.ratios):.2f}x (min {self.ratios[0]:.2f}, "
                f"max {self.ratios[-1]:.2f})")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs{', ' + model if model else ''}"


# --- equivalent dashboards ---------------------------------------------------------------------

def dashkit_dashboard(i: int) -> Dashboard:
    svc = {"service": promql.var("service")}
    series = [panels.timeseries(f"Series {j}", promql.rate_sum("http_requests_total", ["route"], where=svc),
                                unit="reqps", legend="{{route}}") for j in range(6)]
    stats = [panels.stat(f"Stat {j}", promql.sum_(promql.sel("up")), w=8) for j in range(3)]
    service = variables.query("service", variables.label_values("service", "http_requests_total"),
                              variable_ref("prometheus", "datasource"))
    return Dashboard(f"bench-{i}", f"Bench {i}", variables=[service], panels=[
        Row("Traffic", series),
        Row("Summary", [*stats, panels.gauge("Gauge", promql.sel("up"), w=12),
                        panels.table("Table", promql.sel("up"), w=12)]),
    ])


def grafanalib_dashboard(i: int) -> gl.Dashboard:
    """The same panels as grafanalib objects, placed and numbered by hand."""
    expr = 'sum by (route) (rate(http_requests_total{service=~"$service"}[$__rate_interval]))'
    placed: list[object] = [gl.RowPanel(title="Traffic", id=1, gridPos=gl.GridPos(24, 1, 0, 0))]
    for j in range(6):
        placed.append(gl.TimeSeries(
            title=f"Series {j}", id=2 + j, gridPos=gl.GridPos(8, 12, 12 * (j % 2), 1 + 8 * (j // 2)),
            unit="reqps", targets=[gl.Target(expr=expr, legendFormat="{{route}}", refId="A")]))
    placed.append(gl.RowPanel(title="Summary", id=8, gridPos=gl.GridPos(1, 24, 0, 25)))
    for j in range(3):
        placed.append(gl.Stat(title=f"Stat {j}", id=9 + j, gridPos=gl.GridPos(4, 8, 8 * j, 26),
                              targets=[gl.Target(expr="sum(up)", refId="A")]))
    placed.append(gl.GaugePanel(title="Gauge", id=12, gridPos=gl.GridPos(6, 12, 0, 30),
                                targets=[gl.Target(expr="up", refId="A")]))
    placed.append(gl.Table(title="Table", id=13, gridPos=gl.GridPos(8, 12, 12, 30),
                           targets=[gl.Target(expr="up", refId="A", format="table", instant=True)]))
    service = gl.Template(name="service", query="label_values(http_requests_total, service)",
                          dataSource="${datasource}")
    datasource = gl.Template(name="datasource", query="prometheus", type="datasource")
    return gl.Dashboard(title=f"Bench {i}", uid=f"bench-{i}", panels=placed,
                        templating=gl.Templating(list=[datasource, service]))


DASHKIT_MODULE = '''import sys
sys.path.insert(0, {bench!r})
from bench_build import dashkit_dashboard
dashboard = dashkit_dashboard({i})
'''
GRAFANALIB_MODULE = '''import sys
sys.path.insert(0, {bench!r})
from bench_build import grafanalib_dashboard
dashboard = grafanalib_dashboard({i})
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=14)
    args = parser.parse_args()
    rows = []

    print(f"[1/3] dashkit build of the five EasyMO dashboards, whole process, x{args.repeat}",
          file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        five = timed(lambda: subprocess.run(
            [str(BIN / "dashkit"), "build", "--dashboards", str(ROOT / "dashboards"),
             "--out", f"{tmp}/out"], check=True, capture_output=True), args.repeat)
        python = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                       args.repeat)
        imports = timed(lambda: subprocess.run([sys.executable, "-c", "import grafanalib.core"],
                                               check=True), args.repeat)
    rows.append(("dashkit build, 5 EasyMO dashboards (process)", f"{five * 1000:.0f} ms", "",
                 f"of it: {python * 1000:.0f} ms starting Python, "
                 f"{(imports - python) * 1000:.0f} ms importing grafanalib"))

    print(f"[2/3] compiling {args.count} dashboards in one process, {args.repeat} pairs",
          file=sys.stderr)
    ours = [dashkit_dashboard(i) for i in range(args.count)]
    theirs = [grafanalib_dashboard(i) for i in range(args.count)]
    compiled = Paired(lambda: [dumps(compile_dashboard(d)) for d in ours],
                      lambda: [write_dashboard(d, io.StringIO()) for d in theirs], args.repeat)
    build_time = timed(lambda: [dumps(compile_dashboard(dashkit_dashboard(i)))
                                for i in range(args.count)], args.repeat)
    rows.append((f"compile {args.count} dashboards: dashkit",
                 f"{statistics.median(compiled.ours) * 1000:.0f} ms", compiled.ratio(),
                 "layout, ids, checks, fixes, JSON"))
    rows.append((f"compile {args.count} dashboards: grafanalib write_dashboard",
                 f"{statistics.median(compiled.theirs) * 1000:.0f} ms", "1.00x",
                 "JSON of hand-placed panels"))
    rows.append((f"define + compile {args.count} dashboards: dashkit", f"{build_time * 1000:.0f} ms",
                 "", "builders included"))

    pairs = max(3, args.repeat // 2)
    print(f"[3/3] {args.count} module files to JSON, whole process, {pairs} pairs", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        ours_dir, theirs_dir = Path(tmp, "dashkit"), Path(tmp, "grafanalib")
        ours_dir.mkdir()
        theirs_dir.mkdir()
        bench = str(Path(__file__).parent)
        for i in range(args.count):
            (ours_dir / f"d{i}.py").write_text(DASHKIT_MODULE.format(bench=bench, i=i))
            (theirs_dir / f"d{i}.dashboard.py").write_text(GRAFANALIB_MODULE.format(bench=bench, i=i))
        files = sorted(str(p) for p in theirs_dir.glob("*.dashboard.py"))
        process = Paired(lambda: subprocess.run(
            [str(BIN / "dashkit"), "build", "--dashboards", str(ours_dir), "--out", f"{tmp}/out"],
            check=True, capture_output=True),
            lambda: subprocess.run([str(BIN / "generate-dashboards"), *files], check=True,
                                   capture_output=True), pairs)
    ratio = statistics.median(process.ratios)
    verdict = "met" if ratio <= GOAL_RATIO else "not met"
    rows.append((f"{args.count} modules → JSON: dashkit build (process)",
                 f"{statistics.median(process.ours) * 1000:.0f} ms", process.ratio(),
                 f"goal ≤ {GOAL_RATIO:.2f}x: {verdict}"))
    rows.append((f"{args.count} modules → JSON: generate-dashboards (process)",
                 f"{statistics.median(process.theirs) * 1000:.0f} ms", "1.00x", ""))
    print(format_table(("benchmark", "median", "vs grafanalib (paired: median, min, max)", "note"),
                       rows))
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
