"""Benchmark of dashkit preview: the five EasyMO dashboards drawn with synthetic data, as a whole
process (interpreter start, imports, compile, drawing, PNG writing), which is what a reviewer
waits for. The goal is under 3 s.

Run: make benchmark   (or .venv/bin/python benchmarks/bench_preview.py [--repeat R])
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOAL_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([str(BIN / "dashkit"), "preview", "--dashboards",
                            str(ROOT / "dashboards"), "--out", f"{folder}/preview"],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"dashkit preview, 5 EasyMO dashboards, synthetic data, whole process: median "
          f"{median:.2f} s, best {min(times):.2f} s over {args.repeat} runs "
          f"(goal < {GOAL_SECONDS:.0f} s: {'met' if median < GOAL_SECONDS else 'NOT met'})")


if __name__ == "__main__":
    main()
