"""Abuse: every foreseeable error is one line (exit 1, 2 for usage), and one bad input never
hides the others: build, list and lint report every broken module in one run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dashkit.cli import main

GOOD = """from dashkit import Dashboard, panels
dashboard = Dashboard(uid="{uid}", title="{uid}", datasource=None, panels=[panels.text("t", "x")])
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_line_errors(result: Result) -> list[str]:
    assert "Traceback" not in result.output, result.output
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


@pytest.fixture
def broken_project(tmp_path: Path) -> Path:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "good.py").write_text(GOOD.format(uid="good"))
    (folder / "five.py").write_text("dashboards = 5\n")
    (folder / "quits.py").write_text("import sys\nsys.exit(3)\n")
    (folder / "nothing.py").write_text("x = 1\n")
    (folder / "syntax.py").write_text("def (:\n")
    (folder / "json.py").write_text(GOOD.format(uid="shadow"))
    (folder / "wrong_item.py").write_text("dashboards = ['not a dashboard']\n")
    (folder / "requests.py").write_text(GOOD.format(uid="shadows-a-library"))
    return folder


EXPECTED = {
    "five.py": "`dashboards` must be a list",
    "quits.py": "called sys.exit(3)",
    "nothing.py": "defines no dashboard",
    "syntax.py:1": "failed to import: SyntaxError: invalid syntax",  # file:line, as editors jump to
    "json.py": "the module name 'json' is taken by Python",
    "wrong_item.py": "must hold dashkit.Dashboard objects, not str",
    "requests.py": "the module name 'requests' is taken by Python or by a library",
}


def test_build_reports_every_broken_module_and_writes_nothing(broken_project, tmp_path):
    out = tmp_path / "out"
    result = run("build", "--dashboards", str(broken_project), "--out", str(out))
    errors = one_line_errors(result)
    assert result.exit_code == 1 and not out.exists()
    assert len(errors) == len(EXPECTED)
    for name, message in EXPECTED.items():
        assert any(name in e and message in e for e in errors), (name, errors)
    assert result.output.rstrip().endswith(f"{len(EXPECTED)} errors: nothing was written")


def test_list_and_lint_report_every_broken_module_and_the_good_ones(broken_project):
    listed = run("list", "--dashboards", str(broken_project))
    assert listed.exit_code == 1 and len(one_line_errors(listed)) == len(EXPECTED)
    linted = run("lint", "--dashboards", str(broken_project), "--format", "json")
    assert linted.exit_code == 1
    findings = json.loads(linted.stdout)["findings"]
    compile_errors = [f for f in findings if f["rule"] == "dashkit-compile"]
    assert len(compile_errors) == len(EXPECTED)
    assert json.loads(linted.stdout)["dashboards"] == 1  # good.py was still linted


def test_helper_modules_that_other_modules_import_are_not_errors(tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "a_shared.py").write_text("TITLE = 'Shared'\n")
    (folder / "b.py").write_text("from a_shared import TITLE\n" + GOOD.format(uid="b"))
    assert run("list", "--dashboards", str(folder)).exit_code == 0


def test_every_compile_error_is_reported_not_only_the_first(tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    bad = """from dashkit import Dashboard, panels
dashboard = Dashboard(uid="{uid}", title="{uid}", datasource=None,
                      panels=[panels.stat("s", "up{{job=~\\"$nope\\"}}")])
"""
    for uid in ("one", "two", "three"):
        (folder / f"{uid}.py").write_text(bad.format(uid=uid))
    result = run("build", "--dashboards", str(folder), "--out", str(tmp_path / "out"))
    errors = one_line_errors(result)
    assert result.exit_code == 1 and len(errors) == 3
    # each at the line of the panels.stat call that uses the undefined variable
    assert {e.split(",")[0] for e in errors} == {f"error: {folder / n}.py:3" for n in ("one", "three", "two")}


@pytest.mark.parametrize("content,message", [
    (b'{"title": "\xff\xfe", "panels": []}', "not UTF-8"),
    (b'{"title": "t", "panels": [], "x": NaN}', "NaN is not JSON"),
    (b'{"title": "t", "panels": [], "x": Infinity}', "Infinity is not JSON"),
    (b'{"title": "t", "panels": [], "x": 1e400}', "out of range"),
    (b'{"title": "t", "panels": [], "x": 123456789012345678901234567890}', "does not fit in 64 bits"),
    (b'{"title": "t", "panels": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "nested too deeply"),
    (b'{"title": "t", "panels": [], "x": "\\ud800"}', "invalid JSON"),
    (b'{"title": "t", "panels": [], "templating": []}', "templating must be an object, not a list"),
    (b'{"title": "t", "panels": [{"type": "stat", "gridPos": {"x": "3"}}]}',
     "panels[0].gridPos.x must be a number, not a string"),
    (b'{"title": 42, "panels": []}', "title must be a string, not a number"),
    (b'{"title": "t", "panels": [{"type": "row", "panels": [7]}]}',
     "panels[0].panels[0] must be an object, not a number"),
    (b'{"title": "t", "panels": {}}', "panels must be a list, not an object"),
])
@pytest.mark.parametrize("command", ["import", "lint"])
def test_hostile_json_is_one_line_for_import_and_lint(tmp_path, content, message, command):
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    if command == "import":
        result = run("import", str(source), "--out", str(tmp_path / "out"))
        errors = one_line_errors(result)
        assert result.exit_code == 1 and len(errors) == 1 and message in errors[0], errors
        assert str(source) in errors[0] and not (tmp_path / "out").exists()
    else:
        result = run("lint", str(source), "--format", "json")
        assert result.exit_code == 1, result.output
        findings = json.loads(result.stdout)["findings"]
        assert [f["rule"] for f in findings] == ["json-invalid"] and message in findings[0]["message"]


def test_import_goes_through_every_file_and_reports_each_error(tmp_path):
    (tmp_path / "a.json").write_text("{nope")
    (tmp_path / "b.json").write_text(json.dumps({"title": "Good", "panels": []}))
    (tmp_path / "c.json").write_text(json.dumps({"title": "t", "panels": [], "templating": []}))
    result = run("import", *(str(tmp_path / n) for n in ("a.json", "b.json", "c.json")),
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and len(one_line_errors(result)) == 2
    assert (tmp_path / "out" / "good.py").exists()


def test_a_very_long_title_gives_a_module_name_the_os_accepts(tmp_path):
    source = tmp_path / "long.json"
    source.write_text(json.dumps({"title": "Sales " * 200, "panels": []}))
    result = run("import", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    [module] = list((tmp_path / "out").iterdir())
    assert len(module.name) <= 64


def test_dashboards_checked_against_no_catalog_are_warned_about(tmp_path):
    source = tmp_path / "d.json"
    source.write_text(json.dumps({"uid": "d", "title": "D", "panels": [
        {"type": "stat", "title": "s", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
         "fieldConfig": {"defaults": {"unit": "short"}},
         "targets": [{"expr": "up", "refId": "A"}]}]}))
    result = run("lint", str(source), "--format", "json")
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert "catalog-missing" in rules


@pytest.mark.parametrize("config,message", [
    ("exclusions:\n  - rule: promql-rate-interval\n    dashbord: x\n    reason: typo\n",
     "unknown key 'dashbord'"),
    ("exclusions:\n  - rule: promql-rate-intervall\n    reason: typo\n", "no rule matches"),
    ("exclusion:\n  - rule: promql-rate-interval\n    reason: typo\n", "holds one key, exclusions"),
    ("exclusions:\n  - rule: promql-rate-interval\n", "needs a reason"),
    ("exclusions: 5\n", "must be a list"),
    ("exclusions: [\n", "invalid YAML"),
])
def test_exclusion_mistakes_are_errors(tmp_path, config, message):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "a.py").write_text(GOOD.format(uid="a"))
    (folder / ".dashkit-lint.yaml").write_text(config)
    for command in ("lint", "build"):
        result = run(command, "--dashboards", str(folder), "--out", str(tmp_path / "out")) \
            if command == "build" else run(command, "--dashboards", str(folder))
        assert result.exit_code == 1 and message in result.output, result.output


def test_an_exclusions_file_that_is_not_text_is_one_line(tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "a.py").write_text(GOOD.format(uid="a"))
    (folder / ".dashkit-lint.yaml").write_bytes(b"exclusions:\n  - rule: \xff\xfe\n")
    result = run("lint", "--dashboards", str(folder))
    assert result.exit_code == 1 and len(one_line_errors(result)) == 1
    assert "invalid YAML" in result.output and ".dashkit-lint.yaml" in result.output


def test_an_exclusion_that_matches_nothing_is_an_error(tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "a.py").write_text(GOOD.format(uid="a"))
    (folder / ".dashkit-lint.yaml").write_text(
        "exclusions:\n  - rule: promql-rate-interval\n    dashboard: gone\n    reason: old\n")
    result = run("lint", "--dashboards", str(folder), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1 and [f["rule"] for f in findings] == ["exclusion-unused"]


CATALOGUED = """from dashkit import Dashboard, panels, promql
from dashkit import Catalog, Metric
CATALOG = Catalog("t", [Metric.counter("http_requests_total", ["service"])])
"""


def test_every_error_of_every_module_is_reported_at_its_line(tmp_path):
    """Issue 22: three mistakes in two modules; build showed one module's import failure and
    hid the other's errors (lint's too), reported only the first catalog error of a dashboard, gave no line
    for a panel wider than the grid or an undefined variable, and wrote a syntax error as
    "failed to import (line 28)" where editors jump to file:line."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "broken.py").write_text("x = 1\n\nif True\n    pass\n")
    (folder / "metrics.py").write_text(CATALOGUED + """dashboard = Dashboard("m", "M", catalog=CATALOG, panels=[
    panels.timeseries("Typos", promql.rate_sum("http_request_total", ["service"])
                      / promql.rate_sum("http_requests_totl", ["service"]),
                      promql.rate_sum("http_requests", ["service"])),
    panels.timeseries("Another", promql.rate_sum("http_requets_total", ["service"])),
    panels.timeseries("Fine", promql.rate_sum("http_requests_total", ["service"])),
])
""")
    (folder / "layout.py").write_text(CATALOGUED + """dashboard = Dashboard("l", "L", catalog=CATALOG, panels=[
    panels.text("Notes", "x"),
    panels.text("Too wide", "x", w=30),
])
""")
    (folder / "variables.py").write_text(CATALOGUED + """dashboard = Dashboard("v", "V", catalog=CATALOG, panels=[
    panels.timeseries("Fine", promql.rate_sum("http_requests_total", ["service"])),
    panels.timeseries("Undefined",
                      promql.rate_sum("http_requests_total", ["service"], where={"service": "$svc"})),
])
""")
    (folder / "quantile.py").write_text("""from dashkit import Dashboard, panels
dashboard = Dashboard("q", "Q", panels=[
    panels.timeseries("Quantile", "histogram_quantile(0.9, sum(rate(x_bucket[5m])))"),
])
""")
    out = tmp_path / "out"
    result = run("build", "--dashboards", str(folder), "--out", str(out))
    errors = sorted(e.split(": ", 2)[1] + ": " + e.split(": ", 2)[2].split(";")[0]
                    for e in one_line_errors(result))
    assert result.exit_code == 1 and not out.exists()
    assert errors == sorted([
        f"{folder}/broken.py:3: failed to import: SyntaxError: expected ':'",
        f"{folder}/layout.py:6, dashboard 'l', panel 'Too wide': width 30 does not fit the "
        "24-column grid",
        f"{folder}/metrics.py:5, dashboard 'm', panel 'Typos': unknown metric "
        "'http_request_total'",
        f"{folder}/metrics.py:5, dashboard 'm', panel 'Typos': unknown metric "
        "'http_requests_totl'",
        f"{folder}/metrics.py:5, dashboard 'm', panel 'Typos': unknown metric 'http_requests'",
        f"{folder}/metrics.py:8, dashboard 'm', panel 'Another': unknown metric "
        "'http_requets_total'",
        f"{folder}/variables.py:6, dashboard 'v', panel 'Undefined': $svc is used but not "
        "defined [variable-undefined]",
        # a lint rule's error, reported beside the compile errors, at the panel's line too
        f"{folder}/quantile.py:3, dashboard 'q', panel 'Quantile': histogram_quantile over "
        "sum(rate(x_bucket[5m])): aggregate by (le, …) [promql-quantile-le]",
    ]), result.output
    assert result.output.rstrip().endswith("8 errors: nothing was written")
    # lint reports the same four catalog errors
    linted = run("lint", "--dashboards", str(folder), "--format", "json")
    unknown = [f for f in json.loads(linted.stdout)["findings"] if f["rule"] == "metric-unknown"]
    assert len(unknown) == 4
