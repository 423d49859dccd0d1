"""``dashkit build`` and ``dashkit list`` end to end, including every error the issue names."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import DASHBOARDS, PROJECT_UIDS, ROOT

from dashkit.cli import main

GOOD = '''
from dashkit import Dashboard, panels, promql
from dashkit import Catalog, Metric
CATALOG = Catalog("t", [Metric.counter("http_requests_total", ["service"])])
dashboard = Dashboard("{uid}", "{title}", catalog=CATALOG, panels=[
    panels.timeseries("Requests", promql.rate_sum("http_requests_total", ["service"]))])
'''


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    write(folder, "a.py", GOOD.format(uid="a", title="A"))
    write(folder, "b.py", GOOD.format(uid="b", title="B"))
    return folder


def test_build_writes_the_provisioning_tree(tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = run("build", "--dashboards", str(DASHBOARDS), "--out", str(out),
                          "--grafana-path", "/dash", "--folder", "EasyMO")
    assert code == 0, stdout
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [".dashkit-build", *(f"dashboards/{uid}.json" for uid in PROJECT_UIDS),
                     "provisioning/dashboards/dashkit.yaml", "provisioning/datasources/datasources.yaml"]
    provider = yaml.safe_load((out / "provisioning/dashboards/dashkit.yaml").read_text())
    assert provider["apiVersion"] == 1
    assert provider["providers"][0]["options"]["path"] == "/dash"
    assert provider["providers"][0]["folder"] == "EasyMO"
    assert provider["providers"][0]["folderUid"] == "easymo"
    datasources = yaml.safe_load((out / "provisioning/datasources/datasources.yaml").read_text())
    by_uid = {d["uid"]: d for d in datasources["datasources"]}
    assert set(by_uid) == {"prometheus", "loki", "tempo"}
    assert [d["isDefault"] for d in datasources["datasources"]].count(True) == 1
    derived = by_uid["loki"]["jsonData"]["derivedFields"][0]
    assert derived["datasourceUid"] == "tempo" and derived["name"] == "trace_id"
    # the table a person reads
    assert "uid" in stdout and "easymo-service-health" in stdout and "panels" in stdout


def test_build_output_is_identical_on_rebuild(tmp_path):
    out = tmp_path / "out"
    run("build", "--dashboards", str(DASHBOARDS), "--out", str(out))
    first = {p: p.read_bytes() for p in out.rglob("*.json")}
    run("build", "--dashboards", str(DASHBOARDS), "--out", str(out))
    assert {p: p.read_bytes() for p in out.rglob("*.json")} == first


def test_list_writes_nothing(project_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = run("list", "--dashboards", str(project_dir))
    assert code == 0 and "a.py" in stdout and " A " in stdout
    assert not (tmp_path / "build").exists()


ERRORS = {
    "import": ("c.py", "import nowhere_to_be_found\n",
               "c.py:1: failed to import: ModuleNotFoundError: No module named "
               "'nowhere_to_be_found'"),
    "duplicate uid": ("c.py", GOOD.format(uid="a", title="C"),
                      "c.py, dashboard 'a': duplicate uid 'a', also used in"),
    "duplicate title": ("c.py", GOOD.format(uid="c", title="A"),
                        "c.py, dashboard 'c': duplicate title 'A', also used by 'a'"),
    "long uid": ("c.py", GOOD.format(uid="x" * 41, title="C"),
                 f"c.py, dashboard '{'x' * 41}': invalid uid"),
    "bad uid": ("c.py", GOOD.format(uid="a.b", title="C"), "c.py, dashboard 'a.b': invalid uid"),
    "unknown metric": ("c.py", GOOD.format(uid="c", title="C").replace(
        'rate_sum("http_requests_total"', 'rate_sum("http_request_total"'),
        "c.py:6, dashboard 'c', panel 'Requests': unknown metric 'http_request_total'; did you mean "
        "'http_requests_total'?"),
    "unknown label": ("c.py", GOOD.format(uid="c", title="C").replace('["service"]))', '["svc"]))'),
                      "c.py:6, dashboard 'c', panel 'Requests': metric 'http_requests_total' has no "
                      "label 'svc'"),
    "overflow": ("c.py", GOOD.format(uid="c", title="C").replace('["service"]))', '["service"]), w=30)'),
                 "c.py:6, dashboard 'c', panel 'Requests': width 30 does not fit the 24-column grid"),
    "broken link": ("c.py", GOOD.format(uid="c", title="C") +
                    "from dashkit import link_to\ndashboard.links.append(link_to('nope', 'Nope'))\n",
                    "c.py, dashboard 'c': link to unknown dashboard uid 'nope'"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_build_errors_are_one_line_exit_1_and_write_nothing(case, project_dir, tmp_path):
    name, source, expected = ERRORS[case]
    bad = write(project_dir, name, source)
    out = tmp_path / "out"
    code, _, stderr = run("build", "--dashboards", str(project_dir), "--out", str(out))
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and str(bad.parent) in lines[0]
    assert expected in lines[0], lines[0]
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]  # no staging left


def test_failed_build_keeps_the_previous_output(project_dir, tmp_path):
    out = tmp_path / "out"
    assert run("build", "--dashboards", str(project_dir), "--out", str(out))[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write(project_dir, "c.py", "raise RuntimeError('half way')\n")
    assert run("build", "--dashboards", str(project_dir), "--out", str(out))[0] == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_build_replaces_stale_files(project_dir, tmp_path):
    out = tmp_path / "out"
    run("build", "--dashboards", str(project_dir), "--out", str(out))
    (project_dir / "b.py").unlink()
    run("build", "--dashboards", str(project_dir), "--out", str(out))
    assert sorted(p.name for p in (out / "dashboards").iterdir()) == ["a.json"]


def test_missing_dashboards_folder(tmp_path):
    code, _, stderr = run("build", "--dashboards", str(tmp_path / "none"), "--out", str(tmp_path / "o"))
    assert code == 1 and "no dashboards folder" in stderr


def test_module_with_wrong_dashboard_type(project_dir, tmp_path):
    write(project_dir, "c.py", "dashboard = {'title': 'x'}\n")
    code, _, stderr = run("list", "--dashboards", str(project_dir))
    assert code == 1 and "c.py: `dashboard`/`dashboards` must hold dashkit.Dashboard objects" in stderr


def test_helper_modules_are_importable_by_dashboards(project_dir):
    write(project_dir, "shared.py", "TITLE = 'From helper'\n")
    write(project_dir, "c.py", GOOD.format(uid="c", title="C").replace('"C"', "shared.TITLE")
          .replace("from dashkit import", "import shared\nfrom dashkit import"))
    code, stdout, stderr = run("list", "--dashboards", str(project_dir))
    assert code == 0, stderr
    assert "From helper" in stdout


def test_python_api_builds_the_same_tree(tmp_path):
    from dashkit import build

    result = build(DASHBOARDS, tmp_path / "api")
    run("build", "--dashboards", str(DASHBOARDS), "--out", str(tmp_path / "cli"))
    assert len(result.dashboards) == len(PROJECT_UIDS)
    for path in (tmp_path / "cli").rglob("*.json"):
        assert (tmp_path / "api" / path.relative_to(tmp_path / "cli")).read_bytes() == path.read_bytes()
    shutil.rmtree(tmp_path / "api")


def test_a_shared_helper_module_runs_once(project_dir, tmp_path):
    runs = tmp_path / "runs"
    write(project_dir, "shared.py", f"open({str(runs)!r}, 'a').write('x')\nTITLE = 'T'\n")
    for name in ("c", "z"):  # one sorts before the helper, one after it
        write(project_dir, f"{name}.py", GOOD.format(uid=name, title=name.upper())
              .replace("from dashkit import", "import shared\nfrom dashkit import"))
    from dashkit import load_project

    load_project(project_dir)
    assert runs.read_text() == "x"


def test_short_help_and_counts_read_as_english(project_dir, tmp_path):
    code, stdout, _ = run("-h")
    assert code == 0 and "Usage:" in stdout
    code, stdout, _ = run("build", "-h")
    assert code == 0 and "--out" in stdout
    from dashkit.text import counted
    assert [counted(1, "dashboard"), counted(2, "dashboard"), counted(1, "query", "queries"),
            counted(0, "query", "queries")] == ["1 dashboard", "2 dashboards", "1 query", "0 queries"]


def test_the_documented_shell_completion_works():
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "dashkit"
    done = subprocess.run([str(script)], env={**os.environ, "_DASHKIT_COMPLETE": "bash_source"},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "_dashkit_completion" in done.stdout
    assert '_DASHKIT_COMPLETE=bash_source .venv/bin/dashkit' in (ROOT / "docs" / "guides" / "build.md").read_text()


@pytest.mark.parametrize("helper_line,expected", [
    ('    return panels.stat(title, "up", w="6")\n',
     "shared.py:6: stat panel 'Up': w must be a whole number of grid units, not '6'"),
    ("    return 1 / 0\n", "shared.py:6: failed to import: ZeroDivisionError: division by zero"),
    ('    return panels.stat(title, promql.rate_sum("up", "job"))\n',
     "shared.py:6: by takes a list of label names: by=[\"job\"], not the string 'job'"),
])
def test_an_error_in_a_shared_module_is_reported_there(helper_line, expected, tmp_path):
    """The line at fault is the shared module's, not that of the dashboards that called it, and
    it is reported once however many dashboards import the module."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "shared.py").write_text(
        "from dashkit import panels, promql\n\n\n\ndef up(title):\n" + helper_line)
    for name in ("board", "other"):
        (folder / f"{name}.py").write_text(
            "from dashkit import Dashboard\nimport shared\n\n"
            f"dashboard = Dashboard('{name}', '{name}', [shared.up('Up')])\n")
    code, _, stderr = run("build", "--dashboards", str(folder), "--out", str(tmp_path / "out"))
    assert code == 1 and stderr.count("\n") == 1, stderr
    assert f"{folder}/{expected}" in stderr, stderr


def test_a_catalog_error_points_at_the_builder_call(project_dir, tmp_path):
    source = GOOD.format(uid="c", title="C").replace('rate_sum("http_requests_total"',
                                                     'rate_sum("http_request_total"')
    path = write(project_dir, "c.py", source)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if "panels.timeseries(" in text)
    code, _, stderr = run("build", "--dashboards", str(project_dir), "--out", str(tmp_path / "o"))
    assert code == 1 and f"c.py:{line}, dashboard 'c', panel 'Requests': unknown metric" in stderr


def test_list_reads_json_files_and_an_empty_folder_is_an_error(tmp_path):
    from conftest import SHARED

    corpus = SHARED / "corpus"
    code, stdout, _ = run("list", str(corpus / "traefik.json"), str(corpus / "etcd-2019-wrapped.json"))
    assert code == 0 and "qPdAviJmz  Traefik  12" in stdout and "etcd" in stdout
    code, stdout, stderr = run("list", str(corpus))
    assert code == 0 and stdout.count("\n") == 2 + 18  # a header, a rule and 18 dashboards
    code, stdout, stderr = run("list", "--dashboards", str(corpus))
    assert code == 1 and stdout == "" and "no dashboards in" in stderr and "list FILE.json" in stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, stdout, stderr = run("list", str(bad), str(corpus / "traefik.json"))
    assert code == 1 and "Traefik" in stdout and "bad.json: not a Grafana dashboard" in stderr


@pytest.mark.parametrize("line,expected", [
    ('dashboard = Dashboard("w", "W", ["oops"])',
     ":3: Dashboard 'w': panels[0] is str 'oops', not a panel builder's result or a Row"),
    ('dashboard = Dashboard("w", "W", [panels.stat("S", "up", thresholds=2.0)])',
     ":3: thresholds= takes above(limit), below(limit) or Thresholds(...), not 2.0"),
    ('dashboard = Dashboard("w", "W", variables="job")',
     ":3: Dashboard 'w': variables must be a list, not 'job'"),
])
def test_wrong_kinds_of_arguments_are_one_line_at_the_call(line, expected, tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "w.py").write_text("from dashkit import Dashboard, panels\n\n" + line + "\n")
    code, _, stderr = run("build", "--dashboards", str(folder), "--out", str(tmp_path / "out"))
    assert code == 1 and stderr.count("\n") == 1 and f"w.py{expected}" in stderr, stderr


def _dashkit_on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    import os
    import pty
    import subprocess
    import sys

    main_fd, child_fd = pty.openpty()
    script = Path(sys.executable).parent / "dashkit"
    clean = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    done = subprocess.run([str(script), *args], stdin=child_fd, stdout=child_fd, stderr=child_fd,
                          env={**clean, **env}, timeout=60, check=False)
    os.close(child_fd)
    output = b""
    try:
        while chunk := os.read(main_fd, 65536):
            output += chunk
    except OSError:  # the terminal is closed once everything is read
        pass
    os.close(main_fd)
    assert done.returncode == 1
    return output


def test_colours_on_a_terminal_only_and_never_with_no_color(tmp_path):
    import os
    import subprocess
    import sys

    args = ["list", "--dashboards", str(tmp_path)]  # an empty folder: one error line
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _dashkit_on_a_terminal(args, {})
    assert b"\x1b[" in coloured and b"no dashboards in" in coloured
    assert b"\x1b[" not in _dashkit_on_a_terminal(args, {"NO_COLOR": "1"})
    piped = subprocess.run([str(Path(sys.executable).parent / "dashkit"), *args], env=env,
                           capture_output=True, timeout=60, check=False)
    assert piped.stderr.startswith(b"error: no dashboards in") and b"\x1b[" not in piped.stderr


def test_catalog_from_an_unreachable_prometheus_is_one_line_and_writes_nothing(tmp_path, retry_waits):
    out = tmp_path / "catalog.py"
    result = CliRunner().invoke(main, ["catalog", "--prometheus-url", "http://127.0.0.1:1",
                                       "--out", str(out), "--deadline", "5"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_progress_redraws_on_a_terminal_and_prints_one_line_in_a_pipe(terminal, monkeypatch, capsys):
    from dashkit.cli.output import show_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    for done in (1, 2, 3):
        show_progress(done, 3, "dashboards read")
    shown = capsys.readouterr().err
    assert shown == ("\r1/3 dashboards read\r2/3 dashboards read\r3/3 dashboards read\n"
                     if terminal else "3/3 dashboards read\n")


def test_python_dash_m_dashkit_is_the_same_command():
    ran = subprocess.run([sys.executable, "-m", "dashkit", "list", "--dashboards", str(DASHBOARDS)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert all(uid in ran.stdout for uid in PROJECT_UIDS)
    usage = subprocess.run([sys.executable, "-m", "dashkit", "--help"], capture_output=True,
                           text=True, timeout=60, check=False)
    assert usage.stdout.startswith("Usage: dashkit ")
