"""The mutation check's fork server: one process that has imported pytest, its plugins and the
heavy third-party libraries once, then forks a child per run of the suite against a broken copy
of ``src/``. Each run used to be a fresh ``python -m pytest``, which spent most of a short run
starting Python and importing the same libraries again.

dashkit itself is never imported here: each child puts its copy first on ``sys.path``, imports
dashkit from it (and says so if that is not the copy), then calls ``pytest.main``.

Requests come on stdin, one JSON object a line (``src``, ``args``, ``log``, ``timeout``); the
answer is one line: ``{"code": <exit status>}``, ``null`` when the run outlived its timeout (it
is killed, with everything it started).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The exit status of a child whose ``import dashkit`` did not find the broken copy.
NOT_THE_COPY = 98
#: The exit status of a child that failed before pytest could report anything.
CRASHED = 97
#: What every run imports, loaded once here. Nothing that imports dashkit, starts a thread or
#: picks a matplotlib backend (pyplot is never imported by dashkit).
SHARED_IMPORTS = ("pytest", "xdist", "syrupy", "hypothesis", "click", "click.testing", "yaml",
                  "orjson", "requests", "urllib3", "regex", "grafanalib.core", "promql_parser",
                  "libcst", "numpy", "PIL.Image", "matplotlib.figure", "matplotlib.lines",
                  "matplotlib.patches", "matplotlib.transforms", "matplotlib.font_manager",
                  "matplotlib.backends.backend_agg", "attrs", "pygments")


def preload() -> None:
    """Import what every run needs; a library that is missing is the run's business."""
    import importlib

    for name in SHARED_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m == "dashkit" or m.startswith("dashkit."))
    if loaded:
        raise SystemExit(f"the fork server imported dashkit ({loaded[0]}): each run must import "
                         "its own broken copy")


class FirstFailure:
    """A pytest plugin that writes the node id of the run's first failing test (or test module
    that did not import) to a file: the summary line cannot be split back into it reliably, as
    parametrized ids hold " - " and newlines."""

    def __init__(self, path: str) -> None:
        self.path, self.noted = path, False

    def _note(self, nodeid: str) -> None:
        if not self.noted:
            self.noted = True
            Path(self.path).write_text(nodeid, "utf-8")

    def pytest_runtest_logreport(self, report) -> None:  # type: ignore[no-untyped-def]
        if report.failed:
            self._note(report.nodeid)

    def pytest_collectreport(self, report) -> None:  # type: ignore[no-untyped-def]
        if report.failed:
            self._note(report.nodeid)


def first_failure_file(log: str) -> str:
    """Where a run whose output goes to ``log`` names its first failing test."""
    return log + ".first-failure"


def child(src: str, args: list[str], log: str) -> None:
    """In the forked child: the run against ``src``, its output into ``log``; never returns."""
    code = CRASHED
    try:
        os.setpgid(0, 0)  # the run and all it starts are killed together on a timeout
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # the requests pipe is the server's, not the tests'
        os.chdir(ROOT)
        os.environ.update(PYTHONPATH=src, PYTHONDONTWRITEBYTECODE="1")
        os.environ.pop("PYTEST_ADDOPTS", None)
        sys.dont_write_bytecode = True  # bytecode written while tests run can be stale
        sys.path.insert(0, src)
        import dashkit

        if not Path(str(dashkit.__file__)).is_relative_to(src):
            print(f"the copy is not what Python imports: {dashkit.__file__}", flush=True)
            code = NOT_THE_COPY
        else:
            import pytest

            code = int(pytest.main(args, plugins=[FirstFailure(first_failure_file(log))]))
    except BaseException:  # the status must reach the server whatever happened
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def wait(pid: int, timeout: float) -> int | None:
    """The child's exit status, or None (after killing its process group) past ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.05)


def serve() -> None:
    """Answer requests until stdin closes."""
    preload()
    for line in sys.stdin:
        request = json.loads(line)
        if any(m == "dashkit" or m.startswith("dashkit.") for m in sys.modules):
            raise SystemExit("dashkit was imported by the fork server")
        pid = os.fork()
        if pid == 0:
            child(request["src"], request["args"], request["log"])
        code = wait(pid, float(request["timeout"]))
        print(json.dumps({"code": code}), flush=True)


if __name__ == "__main__":
    serve()
