"""Every imported dashboard builds as it is: the whole corpus imported into one project builds
and lints, its own defects listed as exclusions with their reason, nothing hidden."""
from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from dashkit.cli.commands import main
from dashkit.importer.carried_over import REASON, add_exclusions
from dashkit.lint.config import load_exclusions
from dashkit.lint.findings import ERROR, Finding

from conftest import SHARED

CORPUS = sorted((SHARED / "corpus").glob("*.json"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_the_whole_corpus_imported_into_one_project_builds_and_lints(tmp_path):
    out = tmp_path / "dashboards"
    code, output = run("import", "--out", str(out), *map(str, CORPUS))
    assert code == 0, output
    # the defects the sources really have, and only those, are accepted with the reason
    accepted = load_exclusions(out / ".dashkit-lint.yaml")
    assert {(e.rule, e.dashboard, e.panel, e.reason) for e in accepted} == {
        ("variable-undefined", "yX2d7k1Gk", "Node.js Restarts", REASON),  # nodejs mixin: $hostname
        ("link-unknown-uid", "snmp-overview", "*", REASON),  # a link to its fleet dashboard
    }
    assert "2 defects of the imported dashboards added to" in output
    # two redis dashboards share a title; Grafana would stop provisioning the folder
    assert ("title 'Redis Dashboard for Prometheus Redis Exporter 1.x' is now "
            "'Redis Dashboard for Prometheus Redis Exporter 1.x (2)'") in output
    code, output = run("build", "--dashboards", str(out), "--out", str(tmp_path / "built"))
    assert code == 0, output
    assert len(list((tmp_path / "built" / "dashboards").glob("*.json"))) == len(CORPUS)
    code, output = run("lint", "--dashboards", str(out))
    assert code == 0, output
    assert "0 errors" in output and "(2 excluded)" in output


def test_overlaps_are_an_error_unless_the_dashboard_allows_them(tmp_path):
    module = '''from dashkit import Dashboard, panels
dashboard = Dashboard("o", "Overlaps", [panels.text("a", "x", w=12, h=4, x=0, y=0),
                                        panels.text("b", "y", w=12, h=4, x=6, y=2)],
                      allow_overlaps=ALLOW)
'''
    outputs = {}
    for allow in (False, True):
        folder = tmp_path / str(allow)
        folder.mkdir()
        (folder / "overlaps.py").write_text(module.replace("ALLOW", str(allow)))
        outputs[allow] = run("build", "--dashboards", str(folder), "--out", str(tmp_path / f"out-{allow}"))
    code, output = outputs[False]
    assert code == 1 and "panel 'a': overlaps panel 'b' at" in output, output
    code, output = outputs[True]
    assert code == 0 and "1 dashboard" in output, output


def test_exclusions_are_appended_and_the_teams_comments_stay(tmp_path):
    path = tmp_path / ".dashkit-lint.yaml"
    path.write_text("# ours\nexclusions:\n  - rule: panel-units  # legacy\n"
                    "    reason: the team's\n")
    findings = [Finding("variable-undefined", ERROR, "m", dashboard="d*", panel="P [1]"),
                Finding("variable-undefined", ERROR, "m", dashboard="d*", panel="P [1]")]
    added = add_exclusions(tmp_path, findings)
    assert len(added) == 1
    text = path.read_text()
    assert text.startswith("# ours\n") and "# legacy" in text
    entries = yaml.safe_load(text)["exclusions"]
    assert entries[0] == {"rule": "panel-units", "reason": "the team's"}
    exclusion = load_exclusions(path)[1]
    # titles and uids are matched literally, never as patterns
    assert exclusion.matches(Finding("variable-undefined", ERROR, "m", dashboard="d*", panel="P [1]"))
    assert not exclusion.matches(Finding("variable-undefined", ERROR, "m", dashboard="dx", panel="P [1]"))
    assert not exclusion.matches(Finding("variable-undefined", ERROR, "m", dashboard="d*", panel="P 1"))
