"""Publishing 200 dashboards to the Grafana API stand-in (tests/standins/grafana_api.py, a test
double of Grafana's HTTP API on loopback, not Grafana): a first publish, then one with no change,
with the HTTP requests and writes of each. The no-change publish must write nothing.

Run: .venv/bin/python benchmarks/bench_publish.py [--count N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).parent))

from bench_build import dashkit_dashboard  # noqa: E402
from standins.grafana_api import GrafanaAPIStandIn  # noqa: E402

from dashkit.project.compiled import Compiled  # noqa: E402
from dashkit.project.loading import Source  # noqa: E402
from dashkit.remote import Credentials, FolderTarget, GrafanaClient, publish  # noqa: E402
from dashkit.sdk.compiler import compile_dashboard  # noqa: E402
from dashkit.text import format_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    token = "glsa_benchmark_token_0123456789abcdef"
    api = GrafanaAPIStandIn(token=token).start()
    try:
        compiled = []
        for i in range(args.count):
            dashboard = dashkit_dashboard(i)
            compiled.append(Compiled(Source(dashboard, "bench"), compile_dashboard(dashboard)))
        rows = []
        for label in ("first publish", "no-change publish"):
            client = GrafanaClient(api.url, Credentials.token(token))
            writes_before = len(api.writes())
            start = time.perf_counter()
            report = publish(compiled, client, FolderTarget("Bench"))
            elapsed = time.perf_counter() - start
            assert report.ok, [r for r in report.results if not r.ok][:3]
            writes = len(api.writes()) - writes_before
            rows.append((f"{label}, {args.count} dashboards", f"{elapsed * 1000:.0f} ms",
                         client.request_count, writes,
                         f"{elapsed / args.count * 1000:.1f} ms"))
            if label == "no-change publish" and writes:
                raise SystemExit(f"the no-change publish wrote {writes} times")
        print(format_table(("benchmark", "time", "requests", "writes", "per dashboard"), rows))
    finally:
        api.stop()


if __name__ == "__main__":
    main()
