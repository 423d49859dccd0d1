"""Abuse: ``dashkit build`` never deletes what it did not write, and its output is never absent
or half-written to a reader such as Grafana's file provisioner."""
from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS

from dashkit.cli import main
from dashkit.project.loading import load_project
from dashkit.project.output import OUTPUT_MARKER
from dashkit.project.pipeline import compile_project, write_tree
from dashkit.project.provisioning import ProviderOptions

DASHBOARD = """from dashkit import Dashboard, panels
dashboard = Dashboard(uid="a", title="A", datasource=None, panels=[panels.text("t", "x")])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "a.py").write_text(DASHBOARD)
    return folder


def build(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    previous = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["build", *args])
    finally:
        os.chdir(previous)
    return result.exit_code, result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("out", ["proj", "proj/build", "."])
def test_out_that_is_holds_or_lies_inside_the_sources_is_refused(project, out):
    before = snapshot(project.parent)
    code, output = build("--dashboards", str(project), "--out", out, cwd=project.parent)
    assert code == 1 and output.startswith("error: --out") and output.count("\n") == 1
    assert snapshot(project.parent) == before


def test_out_that_is_the_current_directory_or_above_it_is_refused(project, tmp_path):
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    for out in (str(work), str(tmp_path / "work"), "."):
        code, output = build("--dashboards", str(project), "--out", out, cwd=work)
        assert code == 1 and "current directory" in output
    assert work.is_dir()


def test_a_folder_dashkit_did_not_write_is_kept_unless_forced(project, tmp_path):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8 precious")
    code, output = build("--dashboards", str(project), "--out", str(out))
    assert code == 1 and "was not written by dashkit" in output
    assert (out / "holiday.jpg").read_bytes() == b"\xff\xd8 precious"
    code, output = build("--dashboards", str(project), "--out", str(out), "--force")
    assert code == 0, output
    assert not (out / "holiday.jpg").exists() and (out / OUTPUT_MARKER).is_file()


def test_dashkits_own_output_and_empty_folders_are_replaced(project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    (out / "dashboards" / "stale.json").write_text("{}")
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    assert sorted(p.name for p in (out / "dashboards").iterdir()) == ["a.json"]


def test_a_file_in_the_way_and_unwritable_places_are_one_line_errors(project, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (str(blocker / "out"), "/proc/dashkit-out"):
        code, output = build("--dashboards", str(project), "--out", out)
        assert code == 1 and output.startswith("error: ") and output.count("\n") == 1, output
    code, output = build("--dashboards", str(project), "--out", str(blocker))
    assert code == 2 and "is a file" in output  # click's usage error    assert blocker.read_text() == "x"


def test_a_failure_while_writing_leaves_the_previous_output_whole(project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    before = snapshot(out)

    def fail(*_args: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys.modules["dashkit.project.pipeline"], "datasources_yaml", fail)
    code, output = build("--dashboards", str(project), "--out", str(out))
    assert code == 1 and "No space left on device" in output
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


@pytest.mark.skipif(sys.platform != "linux", reason="the exchange swap is Linux's renameat2")
def test_a_reader_never_sees_the_output_absent_or_half_written(tmp_path):
    """Grafana polls the output folder: poll it from another thread during 50 rebuilds. Each
    rebuild waits for one read to end after the last: a build keeps the output before it (a
    reader may still be in it) and deletes the one before that, so a reader paused across two
    whole builds (as a loaded machine pauses a thread between opendir and readdir, and Grafana's
    poll, seconds apart, never is) could find that one emptied."""
    project = load_project(DASHBOARDS)
    compiled = compile_project(project)
    out = tmp_path / "grafana"
    write_tree(compiled, project, out, ProviderOptions())
    expected = sorted(c.filename for c in compiled)
    problems: list[str] = []
    reads = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                names = sorted(os.listdir(out / "dashboards"))
                if names != expected:
                    problems.append(f"dashboards/ held {names}")
                for name in names:
                    json.loads((out / "dashboards" / name).read_bytes())
                (out / "provisioning" / "dashboards" / "dashkit.yaml").read_bytes()
                reads += 1
            except (OSError, ValueError) as error:
                problems.append(f"{type(error).__name__}: {error}")

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for _ in range(50):
            write_tree(compiled, project, out, ProviderOptions())
            after, deadline = reads, time.monotonic() + 10
            while reads == after and not problems and time.monotonic() < deadline:
                time.sleep(0.0005)
    finally:
        stop.set()
        reader.join()
    assert problems == [] and reads > 50
    # no staging left behind; the previous output is kept until the next build
    assert sorted(p.name for p in tmp_path.iterdir()) == [".grafana.dashkit-previous", "grafana"]


def test_staging_folders_of_killed_builds_are_cleaned(project, tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".out.dashkit-staging-{dead}-abc123"
    (stale / "dashboards").mkdir(parents=True)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = tmp_path / f".out.dashkit-staging-{alive.pid}-def456"
        running.mkdir()
        unrelated = tmp_path / ".out-keep"
        unrelated.mkdir()
        assert build("--dashboards", str(project), "--out", str(out))[0] == 0
        assert not stale.exists() and running.exists() and unrelated.exists()
    finally:
        alive.kill()
        alive.wait()
        shutil.rmtree(tmp_path / f".out.dashkit-staging-{alive.pid}-def456", ignore_errors=True)


RULES_MODULE = """from dashkit import RecordingRule, RuleGroup
rule_groups = [RuleGroup("g", [RecordingRule(name="job:up:sum", signal="sum by (job) (up)")])]
"""


@pytest.mark.parametrize("failing", ["rules swap", "rules fill"])
def test_dashboards_and_rules_are_one_build_both_or_neither(project, tmp_path, monkeypatch, failing):
    """Issue 22: a failed rules write left build/grafana already swapped in (exit 1, stale
    rules). Every folder is staged before any is swapped, and a failed swap puts back the
    ones already swapped."""
    output = importlib.import_module("dashkit.project.output")
    rules = importlib.import_module("dashkit.project.rule_files")
    (project / "rules.py").write_text(RULES_MODULE)
    out, rules_out = tmp_path / "grafana", tmp_path / "rules"
    assert build("--dashboards", str(project), "--out", str(out), "--rules-out", str(rules_out))[0] == 0
    (project / "a.py").write_text(DASHBOARD.replace('title="A"', 'title="A2"'))
    (project / "rules.py").write_text(RULES_MODULE.replace("job:up:sum", "job:up:count"))
    before = snapshot(tmp_path)
    if failing == "rules swap":
        real_swap = output.swap_in

        def swap_in(staging: Path, out_dir: Path) -> None:
            if out_dir == rules_out:
                raise PermissionError(13, "Permission denied", str(out_dir))
            real_swap(staging, out_dir)
        monkeypatch.setattr(output, "swap_in", swap_in)
    else:
        monkeypatch.setattr(rules, "RULES_FILE", "no-such-folder/alerts.yml")
    code, output_text = build("--dashboards", str(project), "--out", str(out), "--rules-out",
                              str(rules_out))
    assert code == 1 and output_text.startswith(f"error: cannot write to {rules_out}: ")
    assert output_text.count("\n") == 1
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("proj")} == {
        k: v for k, v in before.items() if not k.startswith("proj")}
    assert '"title": "A"' in (out / "dashboards" / "a.json").read_text()
    assert "job:up:sum" in (rules_out / "alerts.yml").read_text()
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file written again has new ones."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_unchanged_rebuild_writes_no_file(project, tmp_path):
    out = tmp_path / "out"
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    first, contents = identities(out), snapshot(out)
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    assert identities(out) == first and snapshot(out) == contents
    # the swap still happened: the previous output is whole beside the new one
    assert snapshot(tmp_path / ".out.dashkit-previous") == contents


def test_only_what_changed_is_written_and_a_hand_edit_is_undone(project, tmp_path):
    out = tmp_path / "out"
    (project / "b.py").write_text(DASHBOARD.replace('"a"', '"b"').replace('"A"', '"B"'))
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    first, contents = identities(out), snapshot(out)
    (project / "b.py").write_text(DASHBOARD.replace('"a"', '"b"').replace('"A"', '"C"'))
    edited = out / "dashboards" / "a.json"
    edited.write_bytes(edited.read_bytes().replace(b'"A"', b'"Z"'))  # same size, other bytes
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    now = identities(out)
    changed = {name for name in first if now[name] != first[name]}
    assert changed == {"dashboards/a.json", "dashboards/b.json"}
    assert snapshot(out)["dashboards/a.json"] == contents["dashboards/a.json"]
    assert b'"C"' in (out / "dashboards" / "b.json").read_bytes()


def test_an_error_found_after_dashboards_were_staged_leaves_nothing(project, tmp_path):
    """Dashboards are written to staging one at a time, before the set-wide checks: a duplicate
    uid found at the last dashboard throws the staged ones away, and the folders made to hold
    the output with them."""
    (project / "b.py").write_text(DASHBOARD.replace('"A"', '"B"'))  # uid "a" again
    out = tmp_path / "new" / "deeper" / "out"
    code, output = build("--dashboards", str(project), "--out", str(out))
    assert code == 1 and "duplicate uid 'a'" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
    (project / "b.py").unlink()
    assert build("--dashboards", str(project), "--out", str(out))[0] == 0
    before = snapshot(out.parent)
    (project / "b.py").write_text(DASHBOARD.replace('"A"', '"B"'))
    assert build("--dashboards", str(project), "--out", str(out))[0] == 1
    # nothing written through the staged hard link into the live a.json; no staging left
    assert snapshot(out.parent) == before and [p.name for p in out.parent.iterdir()] == ["out"]
