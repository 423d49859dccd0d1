"""Issue 27's goals counted in instructions, where CPU time swings by a third from run to run.

On a shared machine the same command's CPU time moves by a third between runs, and by more from
one day to the next (bench_build.py's figures). The number of instructions a process executes
barely moves (under 0.5% here between runs), so a change of a few percent shows in one run.
valgrind's cachegrind counts them (user space, every process of the command, its children
too: ruff under ``dashkit import``). An instruction count is a proxy, not the goal: it leaves
out cache misses, system calls and memory; the goals stay judged in CPU time by bench_build.py.

1. define, compile and serialise N dashboards in one process, dashkit against the Foundation
   SDK (each side's one-dashboard run subtracted: imports and first calls);
2. ``dashkit build`` of N modules from nothing against ``generate-dashboards`` from nothing;
3. ``dashkit build`` of the EasyMO project against importing click, grafanalib, yaml and orjson
   (its modules' code cached by a build before, as on a developer's machine: the floor's
   packages are compiled too);
4. ``dashkit import`` of the corpus, against that floor too.

Run: make benchmark   (or, in .venv-bench: python benchmarks/bench_instructions.py [--count N])
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_build import BIN, CORPUS, MODULE, ROOT, cache_bytecode, machine  # noqa: E402

from dashkit.text import format_table  # noqa: E402

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
#: The cache folder of compiled modules (dashkit.project.bytecode) each build runs with, by the
#: id of its argv: empty for a build from nothing, warmed by one run before for EasyMO's.
_CACHES: dict[int, str] = {}
#: dashkit's or the Foundation SDK's dashboards, the first unmeasured (imports, first calls).
_IN_PROCESS = """import sys
sys.path.insert(0, {bench!r})
from same_{library} import {library}_json
for i in range({count}):
    {library}_json(i)
"""


def instructions(argv: list[str]) -> int:
    """Instructions ``argv`` executes, summed over it and every process it starts (each writes
    its count to a log of its own: a child's stderr may be its parent's to read). A dashkit
    build keeps its modules' code in a cache folder of the command's own (``_CACHES``)."""
    cache = _CACHES.get(id(argv))
    env = None if cache is None else {**os.environ, "DASHKIT_CACHE_DIR": cache}
    with tempfile.TemporaryDirectory() as logs:
        done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                               "--cachegrind-out-file=/dev/null", "--trace-children=yes",
                               f"--log-file={logs}/%p.log", *argv],
                              capture_output=True, text=True, timeout=3600, check=False, env=env)
        counts = [int(n.replace(",", "")) for log in Path(logs).glob("*.log")
                  for n in _REFS.findall(log.read_text())]
    if done.returncode != 0 or not counts:
        raise SystemExit(f"{' '.join(argv[:3])} failed under valgrind: {done.stderr[-1500:]}")
    return sum(counts)


def row(work: str, ours: int, theirs: int | None, goal: float | None) -> tuple[str, ...]:
    ratio = ours / theirs if theirs else None
    verdict = "" if goal is None or ratio is None else \
        f"<= {goal:.1f}x: {'met' if ratio <= goal else 'NOT met'}"
    return (work, f"{ours / 1e6:,.0f} M", f"{theirs / 1e6:,.0f} M" if theirs else "",
            f"{ratio:.2f}x" if ratio is not None else "", verdict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("bench_instructions needs valgrind (Debian's valgrind; make benchmark "
                         "installs it)")
    cache_bytecode()
    python, bench, n = sys.executable, str(Path(__file__).parent), args.count
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ours_dir, theirs_dir = tmp / "dashkit", tmp / "grafanalib"
        ours_dir.mkdir()
        theirs_dir.mkdir()
        for i in range(n):
            (ours_dir / f"d{i}.py").write_text(MODULE.format(bench=bench, i=i, library="dashkit"))
            (theirs_dir / f"d{i}.dashboard.py").write_text(
                MODULE.format(bench=bench, i=i, library="grafanalib"))
        runs = {
            "ours 1": [python, "-c", _IN_PROCESS.format(bench=bench, library="dashkit", count=1)],
            "ours n": [python, "-c", _IN_PROCESS.format(bench=bench, library="dashkit", count=n + 1)],
            "sdk 1": [python, "-c", _IN_PROCESS.format(bench=bench, library="foundation", count=1)],
            "sdk n": [python, "-c", _IN_PROCESS.format(bench=bench, library="foundation",
                                                       count=n + 1)],
            "build": [str(BIN / "dashkit"), "build", "--dashboards", str(ours_dir),
                      "--out", str(tmp / "out")],
            "generate": [str(BIN / "generate-dashboards"),
                         *sorted(str(p) for p in theirs_dir.glob("*.dashboard.py"))],
            "easymo": [str(BIN / "dashkit"), "build", "--dashboards", str(ROOT / "dashboards"),
                       "--out", str(tmp / "easymo"), "--rules-out", str(tmp / "rules")],
            "floor": [python, "-c", "import click, grafanalib.core, yaml, orjson"],
            "import": [str(BIN / "dashkit"), "import", "--out", str(tmp / "imported"),
                       *sorted(str(p) for p in CORPUS.glob("*.json"))],
        }
        _CACHES[id(runs["build"])] = str(tmp / "cache-empty")  # from nothing
        _CACHES[id(runs["easymo"])] = str(tmp / "cache-easymo")  # as after a first build
        subprocess.run(runs["easymo"], env={**os.environ, "DASHKIT_CACHE_DIR": str(tmp / "cache-easymo")},
                       capture_output=True, check=True)
        print(f"counting the instructions of {len(runs)} commands under valgrind "
              "(a few minutes)", file=sys.stderr)
        with ThreadPoolExecutor(2) as pool:  # one valgrind a core
            counted = dict(zip(runs, pool.map(instructions, runs.values())))
    rows = [row(f"define, compile, serialise {n} dashboards in process vs the Foundation SDK",
                counted["ours n"] - counted["ours 1"], counted["sdk n"] - counted["sdk 1"], 0.8),
            row(f"build of {n} modules from nothing vs generate-dashboards from nothing",
                counted["build"], counted["generate"], 0.8),
            row("dashkit build of the EasyMO project vs the import floor", counted["easymo"],
                counted["floor"], 1.3),
            row(f"dashkit import of the corpus ({len(list(CORPUS.glob('*.json')))} files) vs the "
                "import floor", counted["import"], counted["floor"], None)]
    print(format_table(("work (instructions, valgrind)", "dashkit", "peer", "ratio", "goal"), rows))
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
