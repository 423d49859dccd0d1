"""Every imported dashboard builds as it is: the whole corpus imported into one project builds
and lints, its own defects listed as exclusions with their reason, nothing hidden."""
from __future__ import annotations

import yaml
from click.testing import CliRunner
from conftest import SHARED

from dashkit.cli import main
from dashkit.importer.carried_over import REASON, add_exclusions
from dashkit.lint.config import load_exclusions
from dashkit.lint.findings import ERROR, Finding

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


def test_a_broken_exclusions_file_beside_an_import_is_one_line_and_the_modules_stay(tmp_path):
    out = tmp_path / "dashboards"
    out.mkdir()
    (out / ".dashkit-lint.yaml").write_text("exclusions: [\n")
    code, output = run("import", "--out", str(out), str(SHARED / "corpus" / "nodejs-mixin-overview.json"))
    assert code == 1
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and ".dashkit-lint.yaml" in errors[0] and "invalid YAML" in errors[0]
    assert "Traceback" not in output
    assert (out / "node_js.py").exists()  # nothing lost
    assert (out / ".dashkit-lint.yaml").read_text() == "exclusions: [\n"  # nor rewritten


def test_a_search_answer_of_the_wrong_shape_is_one_line(tmp_path):
    import json

    from standins.grafana_api import Fault, GrafanaAPIStandIn

    api = GrafanaAPIStandIn(token="glsa_import_token").start()
    try:
        api.put_dashboard(json.loads((SHARED / "corpus" / "traefik.json").read_text()))
        api.faults.append(Fault("GET", "/api/search", 200, body={"hits": "not a list"}))
        result = CliRunner().invoke(main, ["import", "--grafana-url", api.url, "--all",
                                           "--out", str(tmp_path / "out")],
                                    env={"GRAFANA_TOKEN": "glsa_import_token"})
    finally:
        api.stop()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "/api/search: the answer has an unexpected shape (dict)" in result.output
    assert not (tmp_path / "out").exists()
