"""EasyMO's dashboards lint clean, and a copy with one mistake is reported at the mistake:
facts about EasyMO's own dashboards (the rules themselves are tested in tests/test_lint.py)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS, PROJECT_UIDS
from easymo_copies import BROKEN, broken_copy

from dashkit.cli import main
from dashkit.lint.config import load_exclusions
from dashkit.lint.run import run_lint
from dashkit.project.pipeline import project_subjects


def run(*args: str):
    return CliRunner().invoke(main, ["lint", *args])


def test_the_easymo_dashboards_lint_clean():
    subjects, early = project_subjects(DASHBOARDS)
    report = run_lint(subjects, early, load_exclusions(DASHBOARDS / ".dashkit-lint.yaml"))
    assert report.findings == () and report.dashboards == len(PROJECT_UIDS)
    assert {f.rule for f in report.excluded} == {"promql-rate-interval"}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_copies_are_reported_with_their_rule(case, tmp_path):
    folder = broken_copy(tmp_path, case)
    result = run("--dashboards", str(folder), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    rule, message = BROKEN[case][2], BROKEN[case][3]
    matching = [f for f in findings if f["rule"] == rule]
    assert matching and message in matching[0]["message"], findings
    assert matching[0]["dashboard"] == "easymo-system-overview"
    assert matching[0]["panel"] == "Active requests by service" and matching[0]["target"] == "A"
    assert matching[0]["file"].endswith("system_overview.py")


def test_build_refuses_lint_errors_and_writes_nothing(tmp_path):
    folder = broken_copy(tmp_path, "quantile without le")
    result = CliRunner().invoke(main, ["build", "--dashboards", str(folder), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert "[promql-quantile-le]" in result.stderr
    assert "panel 'Active requests by service'" in result.stderr
