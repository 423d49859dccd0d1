"""Issue 27's goals, each measured side by side with its peer in one run.

Commands that are compared run in alternation (ours, theirs, ours, …), so a machine that slows
down midway slows both: each figure is the median of the pairs' ratios, with their min and max.
Whole processes are judged by their CPU time (user + system, from wait4, children included):
on a machine shared with other jobs their wall time swings by 2x from run to run.

1. define, compile and serialise N twelve-panel dashboards in one process: dashkit against the
   Foundation SDK (goal at most 0.8x) and grafanalib core with its JSON encoder;
2. whole-process build of N dashboard modules, from nothing: ``dashkit build`` (every check on)
   against grafanalib's ``generate-dashboards`` (goal at most 0.8x), and their peak memory (goal
   2x); for reference, against ``generate-dashboards`` rewriting its earlier output in place;
3. an unchanged rebuild of those N: how many files it wrote (goal none);
4. ``dashkit build`` of the EasyMO project against importing click, grafanalib, yaml and orjson
   alone, the floor of any dashkit command (goal at most 1.3x);
5. ``dashkit import`` of the corpus: its CPU time (goal at most 1.0 s).

Run: make benchmark   (it installs the peers in .venv-bench; or, there,
     .venv-bench/bin/python benchmarks/bench_build.py [--count N] [--repeat R])
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(Path(__file__).parent))

from same_dashkit import dashkit_dashboard, dashkit_json  # noqa: E402,F401
from same_grafanalib import grafanalib_json  # noqa: E402

from dashkit.text import format_table  # noqa: E402

#: A module of the project: it imports its own library's file only (same_*.py).
MODULE = '''import sys
sys.path.insert(0, {bench!r})
from same_{library} import {library}_dashboard
dashboard = {library}_dashboard({i})
'''


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(once(fn) for _ in range(repeat))


class Run(NamedTuple):
    """One whole process: wall time, CPU time and peak resident memory."""
    seconds: float
    cpu: float
    peak_mib: float


#: Runs argv[2:] and writes its own wall time, CPU time, peak RSS (KiB) and exit code to the file
#: descriptor argv[1]. A process forked from this one starts with this one's pages, and Linux
#: keeps that high-water mark in the child's ``ru_maxrss`` across exec (``exec_mmap``): every
#: command measured straight from here reported at least this process's size (61 MiB for
#: ``generate-dashboards`` after the in-process rows, whose own peak is about 20 MiB). Started
#: from this small launcher instead, a command's peak is its own (the launcher's 10 MiB is the
#: floor, below both builds').
_LAUNCHER = """import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
os.write(int(sys.argv[1]), (f"{time.perf_counter() - start} {usage.ru_utime + usage.ru_stime} "
                            f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}").encode())
"""


def process(argv: Sequence[str], cwd: Path | None = None) -> Run:
    """Run ``argv`` to the end; its own resource use, from wait4 (not its siblings')."""
    read, write = os.pipe()
    launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(write), *argv], cwd=cwd,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(write,))
    os.close(write)
    with os.fdopen(read, "rb") as report:
        measured = report.read().decode().split()
    error = launcher.stderr.read().decode() if launcher.stderr else ""
    if launcher.wait() != 0 or len(measured) != 4 or measured[3] != "0":
        raise SystemExit(f"{' '.join(argv[:2])} failed ({measured[3:] or launcher.returncode}): "
                         f"{error[-2000:]}")
    seconds, cpu, peak_kib = map(float, measured[:3])
    return Run(seconds, cpu, peak_kib / 1024)


class Paired(NamedTuple):
    """Samples of two commands taken in pairs; each pair's ratio is one sample of the ratio."""
    ours: list[float]
    theirs: list[float]

    @property
    def ratios(self) -> list[float]:
        return sorted(a / b for a, b in zip(self.ours, self.theirs))

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def alternate(ours: Callable[[], float], theirs: Callable[[], float], pairs: int) -> Paired:
    """Run the two in alternation, after one unrecorded run of each (file cache, imports)."""
    ours(), theirs()
    samples = Paired([], [])
    for _ in range(pairs):
        samples.ours.append(ours())
        samples.theirs.append(theirs())
    return samples


def goal_row(name: str, ours: str, theirs: str, pair: Paired, goal: float | None
             ) -> tuple[str, ...]:
    verdict = ("" if goal is None else
               f"<= {goal:.1f}x: {'met' if pair.ratio <= goal else 'NOT met'}")
    return (name, ours, theirs, f"{pair.ratio:.2f}x", f"{pair.ratios[0]:.2f}-{pair.ratios[-1]:.2f}",
            verdict)


def ms(samples: Sequence[float]) -> str:
    return f"{statistics.median(samples) * 1000:,.0f} ms"


def identities(folder: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return (f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
            f"{', ' + model if model else ''}, load average {load:.1f} at the end")


def in_process(count: int, repeat: int) -> list[tuple[str, ...]]:
    # only here: the other benchmarks and tests/test_import_size.py import this module from the
    # project's environment, which has no Foundation SDK
    from same_foundation import foundation_json

    def each(fn: Callable[[int], str]) -> Callable[[], float]:
        return lambda: once(lambda: [fn(i) for i in range(count)])
    ours = each(dashkit_json)
    foundation = alternate(ours, each(foundation_json), repeat)
    grafanalib = alternate(ours, each(grafanalib_json), repeat)
    return [goal_row(f"define, compile, serialise {count} dashboards in process: vs Foundation SDK",
                     ms(foundation.ours), ms(foundation.theirs), foundation, 0.8),
            goal_row("the same: vs grafanalib core + its JSON encoder",
                     ms(grafanalib.ours), ms(grafanalib.theirs), grafanalib, None)]


def whole_process(count: int, pairs: int, tmp: Path) -> list[tuple[str, ...]]:
    ours_dir, theirs_dir, out = tmp / "dashkit", tmp / "grafanalib", tmp / "out"
    ours_dir.mkdir()
    theirs_dir.mkdir()
    bench = str(Path(__file__).parent)
    for i in range(count):
        (ours_dir / f"d{i}.py").write_text(MODULE.format(bench=bench, i=i, library="dashkit"))
        (theirs_dir / f"d{i}.dashboard.py").write_text(
            MODULE.format(bench=bench, i=i, library="grafanalib"))
    files = sorted(str(p) for p in theirs_dir.glob("*.dashboard.py"))
    runs: dict[str, list[Run]] = {"ours": [], "theirs": [], "in place": []}
    generate = [str(BIN / "generate-dashboards"), *files]

    def ours() -> float:
        shutil_free(out)  # a build from nothing: a fresh clone's, or CI's
        shutil_free(Path(os.environ["DASHKIT_CACHE_DIR"]))  # its modules' code compiled too
        runs["ours"].append(process([str(BIN / "dashkit"), "build", "--dashboards", str(ours_dir),
                                     "--out", str(out)]))
        return runs["ours"][-1].seconds

    def theirs() -> float:
        # from nothing too: creating a file costs this machine's file system about 0.5 ms of
        # system CPU, rewriting one in place a tenth of that, so generate-dashboards run over
        # its own earlier output did a fifth less work than a build from nothing (its own row)
        for json_file in theirs_dir.glob("*.json"):
            json_file.unlink()
        runs["theirs"].append(process(generate))
        runs["in place"].append(process(generate))
        return runs["theirs"][-1].seconds

    wall = alternate(ours, theirs, pairs)
    cpu = Paired([r.cpu for r in runs["ours"][1:]], [r.cpu for r in runs["theirs"][1:]])
    in_place = Paired([r.cpu for r in runs["ours"][1:]], [r.cpu for r in runs["in place"][1:]])
    memory = Paired([r.peak_mib for r in runs["ours"][1:]], [r.peak_mib for r in runs["theirs"][1:]])
    before = identities(out)
    rebuild = process([str(BIN / "dashkit"), "build", "--dashboards", str(ours_dir), "--out", str(out)])
    after = identities(out)
    written = sum(1 for p, ident in after.items() if before.get(p) != ident)
    return [goal_row(f"build of {count} modules from nothing, whole process, CPU: dashkit build "
                     "vs generate-dashboards", ms(cpu.ours), ms(cpu.theirs), cpu, 0.8),
            goal_row("  the same in wall time (what other jobs on the machine sway most)",
                     ms(wall.ours), ms(wall.theirs), wall, None),
            goal_row("  vs generate-dashboards rewriting its earlier output in place, CPU",
                     ms(in_place.ours), ms(in_place.theirs), in_place, None),
            goal_row("peak memory of that build", f"{statistics.median(memory.ours):.0f} MiB",
                     f"{statistics.median(memory.theirs):.0f} MiB", memory, 2.0),
            (f"unchanged rebuild of the {count}: files written", f"{written} of {len(after)}",
             "", "", "", f"none: {'met' if written == 0 else 'NOT met'}"),
            ("  (its time, for reference)", f"{rebuild.seconds * 1000:,.0f} ms", "", "", "", "")]


def shutil_free(folder: Path) -> None:
    import shutil
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder.with_name(f".{folder.name}.dashkit-previous"), ignore_errors=True)


def easymo(repeat: int, tmp: Path) -> list[tuple[str, ...]]:
    out = tmp / "easymo"
    floor = [sys.executable, "-c", "import click, grafanalib.core, yaml, orjson"]
    runs: dict[str, list[Run]] = {"ours": [], "theirs": []}

    def ours() -> float:  # its modules' code cached from the first (unrecorded) run, as on a
        # developer's machine after a first build: the floor's packages are compiled too
        runs["ours"].append(process([str(BIN / "dashkit"), "build", "--dashboards",
                                     str(ROOT / "dashboards"), "--out", str(out),
                                     "--rules-out", str(tmp / "easymo-rules")]))  # not in cwd
        return runs["ours"][-1].seconds

    def theirs() -> float:
        runs["theirs"].append(process(floor))
        return runs["theirs"][-1].seconds

    wall = alternate(ours, theirs, repeat)
    cpu = Paired([r.cpu for r in runs["ours"][1:]], [r.cpu for r in runs["theirs"][1:]])
    count = len(list((out / "dashboards").glob("*.json")))
    return [goal_row(f"dashkit build of the EasyMO project ({count} dashboards) vs import floor, CPU",
                     ms(cpu.ours), ms(cpu.theirs), cpu, 1.3),
            goal_row("  the same in wall time", ms(wall.ours), ms(wall.theirs), wall, None)]


def corpus_import(repeat: int, tmp: Path) -> list[tuple[str, ...]]:
    files = sorted(str(p) for p in CORPUS.glob("*.json"))
    if not files:
        return [("dashkit import of the corpus", f"skipped: no {CORPUS}", "", "", "", "")]
    runs = []
    for n in range(max(3, repeat // 4)):
        runs.append(process([str(BIN / "dashkit"), "import", "--out", str(tmp / f"imported{n}"),
                             *files]))
    cpu = statistics.median(r.cpu for r in runs)
    return [(f"dashkit import of the corpus ({len(files)} files), whole process: CPU",
             f"{cpu:.2f} s", "", "", f"{min(r.cpu for r in runs):.2f}-{max(r.cpu for r in runs):.2f}",
             f"<= 1.0 s: {'met' if cpu <= 1.0 else 'NOT met'}"),
            ("  (its wall time)", ms([r.seconds for r in runs]), "", "", "", "")]


def cache_bytecode() -> None:
    """dashkit's modules compiled to bytecode first, as the peers' installed packages are (pip
    compiles them; an editable install, or PYTHONDONTWRITEBYTECODE, leaves dashkit's source to
    be compiled again by every process otherwise: 90 ms of each EasyMO build measured here)."""
    import compileall

    import dashkit

    compileall.compile_dir(str(Path(dashkit.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cache_bytecode()
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        os.environ["DASHKIT_CACHE_DIR"] = str(tmp / "cache")  # not the user's own cache
        print(f"[1/4] {args.count} dashboards in process, {args.repeat} pairs", file=sys.stderr)
        rows += in_process(args.count, args.repeat)
        pairs = max(3, args.repeat // 2)
        print(f"[2/4] {args.count} modules, whole process, {pairs} pairs", file=sys.stderr)
        rows += whole_process(args.count, pairs, tmp)
        print(f"[3/4] the EasyMO project, whole process, {args.repeat * 2} pairs", file=sys.stderr)
        rows += easymo(args.repeat * 2, tmp)
        print("[4/4] dashkit import of the corpus", file=sys.stderr)
        rows += corpus_import(args.repeat, tmp)
    print(format_table(("work", "dashkit", "peer", "ratio", "min-max", "goal"), rows))
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
