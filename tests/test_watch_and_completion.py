"""The loop a person runs all day: ``dashkit build --watch`` and ``lint --watch`` run again on
every change of the dashboards folder (a mistake is reported and the watch goes on), the shell
completes the project's dashboard uids, ``--version`` names the installed distribution."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import DASHBOARDS, PROJECT_UIDS, ROOT, wait_until

from dashkit import load_project

DASHKIT = str(Path(sys.executable).parent / "dashkit")


def test_the_shell_completes_the_project_s_dashboard_uids():
    for command in ("preview", "publish", "pull", "diff", "check"):
        done = subprocess.run([DASHKIT], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "_DASHKIT_COMPLETE": "bash_complete",
                                   "COMP_WORDS": f"dashkit {command} easymo-s", "COMP_CWORD": "2"})
        offered = sorted(line.split(",", 1)[1] for line in done.stdout.splitlines())
        assert offered == sorted(u for u in PROJECT_UIDS if u.startswith("easymo-s")), command


def test_completion_in_a_folder_without_a_project_offers_nothing_and_prints_nothing(tmp_path):
    done = subprocess.run([DASHKIT], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "_DASHKIT_COMPLETE": "bash_complete",
                               "COMP_WORDS": "dashkit preview e", "COMP_CWORD": "2"})
    assert done.returncode == 0 and done.stdout.strip() == "" and done.stderr == ""


def test_version_names_the_installed_distribution():
    done = subprocess.run([DASHKIT, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("dashkit, version ")


class Output:
    """A child's merged output, read on a thread so the test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.text = ""
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [self._add(line) for line in stream], daemon=True).start()

    def _add(self, line: str) -> None:
        self.text += line


@pytest.mark.parametrize("command", ["build", "lint"])
def test_watch_runs_again_on_every_change_and_survives_a_mistake(command, tmp_path):
    pytest.importorskip("watchfiles")
    project = tmp_path / "dashboards"
    shutil.copytree(DASHBOARDS, project, ignore=shutil.ignore_patterns("__pycache__"))
    args = [DASHKIT, command, "--watch", "--dashboards", str(project)]
    if command == "build":
        args += ["--out", str(tmp_path / "out" / "grafana"), "--rules-out", str(tmp_path / "rules")]
    # Ctrl-C as a terminal delivers it, whatever the suite inherited: a shell's background job
    # ignores SIGINT, and so would the child (Python keeps an inherited SIG_IGN)
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             cwd=tmp_path, start_new_session=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"},
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = Output(child)
    try:
        wait_until(lambda: "for changes" in seen.text, 120, "the first run and the watch")
        first = seen.text
        module = project / "error_tracking.py"
        source = module.read_text()
        module.write_text(source.replace('"Error Tracking"', '"Errors, tracked"'))
        wait_until(lambda: seen.text.count("changed: error_tracking.py") == 1
                   and seen.text.count(ran(command)) == first.count(ran(command)) + 1,
                   120, "a second run after the edit")
        if command == "build":
            written = tmp_path / "out" / "grafana" / "dashboards" / "easymo-error-tracking.json"
            assert '"title": "EasyMO - Errors, tracked"' in written.read_text()
        module.write_text(source.replace("panels=[", "panels=[[", 1))  # a mistake
        said = "error:" if command == "build" else "dashkit-compile"  # lint: a finding of its own
        wait_until(lambda: said in seen.text[len(first):], 120, "the mistake reported")
        assert child.poll() is None  # and still watching
        module.write_text(source)
        wait_until(lambda: seen.text.count(ran(command)) >= first.count(ran(command)) + 2,
                   120, "a clean run once the mistake is gone")
    finally:
        os.killpg(child.pid, signal.SIGINT)
        child.wait(timeout=30)
    assert child.returncode == 0


def ran(command: str) -> str:
    """A line each run of ``command`` prints once."""
    return "provisioning files written to" if command == "build" else "errors, "


def test_an_edit_of_the_same_size_within_a_second_is_what_runs(tmp_path, monkeypatch):
    """Python trusts a cached .pyc whose source has the same size and mtime in whole seconds
    (``SourceLoader.get_code``); ``build --watch`` and ``serve`` load the project again in one
    process, often within a second of an edit. The module and its sibling must run as edited."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as in a developer's shell
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "shared.py").write_text('TITLE = "AAAA"\n')
    (folder / "_private.py").write_text('TAIL = "x"\n')  # a helper, named _ as the docs advise
    board = ('import shared, _private\nfrom dashkit import Dashboard\n'
             'dashboard = Dashboard("u", shared.TITLE + "{}" + _private.TAIL)\n')
    (folder / "board.py").write_text(board.format("1"))
    stamp = (folder / "board.py").stat().st_mtime_ns
    assert [s.dashboard.title for s in load_project(folder).sources] == ["AAAA1x"]
    (folder / "shared.py").write_text('TITLE = "BBBB"\n')
    (folder / "_private.py").write_text('TAIL = "y"\n')
    (folder / "board.py").write_text(board.format("2"))
    for name in ("shared.py", "_private.py", "board.py"):  # the same second, as a fast edit gets
        os.utime(folder / name, ns=(stamp, stamp))
    assert [s.dashboard.title for s in load_project(folder).sources] == ["BBBB2y"]
    assert not (folder / "__pycache__").exists()  # nothing written into the user's folder
