"""``dashkit pull`` on hostile and awkward ground: another project's dashboard, values of the
wrong kind and hostile text from Grafana, a helper outside the dashboards folder, sources that
would not build, a module that cannot be written, targets, nothing to pull. Against the Grafana
API stand-in (a test double, not Grafana); the expected sources are written by hand."""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from standins.grafana_api import GrafanaAPIStandIn
from test_pull import (
    TOKEN,
    WAYS,
    Model,
    edit_all_five,
    live_differences,
    panel,
    project,
    publish,
    published,
    pull,
    replaced,
    texts,
    ui_edit,
)

from dashkit.cli import main
from dashkit.pull import puller


@pytest.fixture
def api() -> Iterator[GrafanaAPIStandIn]:
    standin = GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()
    yield standin
    standin.stop()


def test_another_projects_dashboard_is_never_pulled(api, tmp_path):
    theirs = project(tmp_path, "payments-1a2b")
    publish(api, project=theirs)
    ui_edit(api, "easymo-error-tracking", lambda model: panel(
        model, "Failed payments /s by method")["fieldConfig"]["defaults"].update(unit="cps"))
    mine = project(tmp_path, "search-3c4d")
    before = texts(mine)

    result = pull(api, mine, "--api", "legacy", "easymo-error-tracking")

    assert result.exit_code == 1
    assert result.output.startswith("easymo-error-tracking: not pulled: owned by project "
                                    "'payments-1a2b' in folder 'easymo', not by this project "
                                    "('search-3c4d')\n"), result.output
    assert texts(mine) == before


def test_a_hostile_title_is_written_as_a_literal_that_is_exactly_it(api, tmp_path):
    folder = project(tmp_path)
    publish(api, project=folder)
    hostile = 'x" + __import__("os").system("id") + "\\\n\u2028\'{{}}%s'
    ui_edit(api, "easymo-infrastructure",
            lambda model: panel(model, "Network traffic").update(title=hostile))

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 0, result.output
    source = (folder / "infrastructure.py").read_text(encoding="utf-8")
    call = next(node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                and any(k.arg == "key" and ast.literal_eval(k.value) == "host/network-traffic"
                        for k in node.keywords))
    assert isinstance(call.args[0], ast.Constant) and call.args[0].value == hostile
    assert live_differences(api, folder, WAYS["classic"]) == {}


def test_an_edit_the_sources_cannot_build_writes_nothing_and_says_where(api, tmp_path):
    folder, before = published(api, tmp_path)
    ui_edit(api, "easymo-service-health", lambda model: panel(
        model, "Resident memory")["gridPos"].update(w=25))

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1
    assert re.search(r"service_health\.py:\d+, dashboard 'easymo-service-health', panel 'Resident "
                     r"memory': width 25 does not fit the 24-column grid", result.output), result.output
    assert "unknown dashboard uid" not in result.output  # the failed dashboard is still known
    assert "nothing written" in result.output
    assert texts(folder) == before


DEMO = '''"""A dashboard one of whose panels a helper outside the dashboards folder builds."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shared"))

import helpers  # noqa: E402
from dashkit import Dashboard, panels  # noqa: E402

local = panels.timeseries("Local", "up", unit="s")  # ours

dashboard = Dashboard(uid="demo", title="Demo", panels=[local, helpers.remote()])
'''
HELPERS = '''from dashkit import panels


def remote():
    return panels.timeseries("Remote", "up", unit="s")
'''


def test_a_panel_built_outside_the_dashboards_folder_is_named_and_never_written(api, tmp_path):
    folder = tmp_path / "demo" / "dashboards"
    folder.mkdir(parents=True)
    (folder / "demo.py").write_text(DEMO, encoding="utf-8")
    (tmp_path / "demo" / "shared").mkdir()
    helpers = tmp_path / "demo" / "shared" / "helpers.py"
    helpers.write_text(HELPERS, encoding="utf-8")
    assert publish(api, project=folder).exit_code == 0

    def units(model: Model) -> None:
        for each in model["panels"]:
            each["fieldConfig"]["defaults"]["unit"] = "ms"
    ui_edit(api, "demo", units)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1
    assert "  panel 'Local' unit: 's' -> 'ms'\n" in result.output, result.output
    assert f"  not pulled: panel 'Remote' panel: {helpers} is outside the dashboards folder " \
        f"{folder}: pull never writes there\n" in result.output
    assert (folder / "demo.py").read_text(encoding="utf-8") == replaced(
        DEMO, ('unit="s")  # ours', 'unit="ms")  # ours'))
    assert helpers.read_text(encoding="utf-8") == HELPERS


def test_values_of_the_wrong_kind_from_grafana_never_enter_the_code(api, tmp_path):
    folder, before = published(api, tmp_path)

    def hostile(model: Model) -> None:
        panel(model, "Active requests")["fieldConfig"]["defaults"]["unit"] = {"__class__": 1}
        panel(model, "DB connections")["gridPos"]["w"] = "12); import os; os.system('id'"
        panel(model, "Restarts in range")["fieldConfig"]["defaults"]["thresholds"]["steps"][1][
            "value"] = "3"
    ui_edit(api, "easymo-service-health", hostile)
    ui_edit(api, "easymo-business-metrics", lambda model: panel(  # NaN: not JSON, not readable
        model, "Payment success rate")["fieldConfig"]["defaults"].update(min=float("nan")))

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1
    assert ("  not pulled: panel 'Active requests' unit: 'short' -> {'__class__': 1}: Grafana has "
            "dict, not text\n") in result.output, result.output
    assert ("  not pulled: panel 'DB connections' gridPos.w: 12 -> \"12); import os; "
            "os.system('id'\": Grafana has str \"12); import os; os.system('id'\", not a finite "
            "number\n") in result.output
    assert ("  not pulled: panel 'Restarts in range' thresholds step 1: 1 -> '3': Grafana has "
            "str '3', not a finite number\n") in result.output
    assert "easymo-business-metrics: not pulled: cannot read it: " in result.output
    assert texts(folder) == before


def test_panels_added_in_grafana_get_free_names_and_the_imports_they_need(api, tmp_path):
    folder = tmp_path / "demo" / "dashboards"
    folder.mkdir(parents=True)
    source = DEMO.replace("import helpers  # noqa: E402\n", "").replace(", helpers.remote()", "")
    (folder / "demo.py").write_text(source, encoding="utf-8")
    assert publish(api, project=folder).exit_code == 0

    def add_two(model: Model) -> None:
        for number, x in ((7, 12), (8, 0)):
            added = json.loads(json.dumps(model["panels"][0]))
            added.update(id=number, title="class", gridPos={"x": x, "y": 8 * (x == 0), "w": 12, "h": 8})
            added["targets"][0]["legendFormat"] = f"up {number}"
            model["panels"].append(added)
    ui_edit(api, "demo", add_two)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 0, result.output
    assert (folder / "demo.py").read_text(encoding="utf-8") == replaced(
        source,
        ('from dashkit import Dashboard, panels  # noqa: E402\n',
         'from dashkit import Dashboard, panels  # noqa: E402\n'
         '\n'
         'from dashkit import Target\n'),
        ('dashboard = Dashboard(uid="demo", title="Demo", panels=[local])\n',
         'panel_class = panels.timeseries("class", Target("up", legend="up 7"), unit="s", w=12, h=8, id=7)\n'
         '\n'
         'panel_class_2 = panels.timeseries(\n'
         '    "class",\n'
         '    Target("up", legend="up 8"),\n'
         '    unit="s",\n'
         '    w=12,\n'
         '    h=8,\n'
         '    id=8,\n'
         '    key="class-2",\n'
         ')\n'
         '\n'
         'dashboard = Dashboard(uid="demo", title="Demo", panels=[local, panel_class, panel_class_2])\n'))
    assert live_differences(api, folder, WAYS["classic"]) == {}


def test_pull_reads_a_target_of_dashkit_toml_and_only_one(api, tmp_path):
    folder = project(tmp_path)
    settings = folder.parent / "dashkit.toml"
    settings.write_text(settings.read_text() + "".join(
        f'\n[[targets]]\nname = "{name}"\nurl = "{api.url}"\ntoken_env = "PULL_TOKEN"\n'
        f'api = "legacy"\nfolder = "EasyMO"\n' for name in ("staging", "production")))
    publish(api, project=folder)
    ui_edit(api, "easymo-infrastructure", lambda model: panel(
        model, "Network traffic")["targets"][1].update(legendFormat="tx {{instance}} {{device}}"))
    env = {"PULL_TOKEN": TOKEN, "GRAFANA_TOKEN": None}

    one = CliRunner().invoke(main, ["pull", "--dashboards", str(folder), "--target", "staging",
                                    "--dry-run"], env=env)
    every = CliRunner().invoke(main, ["pull", "--dashboards", str(folder), "--all-targets"],
                               env=env)

    assert one.exit_code == 0, one.output
    assert ("-                           where={\"device\": promql.ne(\"lo\"), **NODE}), "
            "\"out {{instance}} {{device}}\"),\n"
            "+                           where={\"device\": promql.ne(\"lo\"), **NODE}), "
            "\"tx {{instance}} {{device}}\"),\n") in one.output
    assert every.exit_code == 2 and "pull reads one Grafana: give one --target" in every.output


def test_nothing_edited_is_nothing_pulled_and_a_dashboard_only_built_is_no_failure(api, tmp_path):
    folder = project(tmp_path)
    publish(api, "easymo-infrastructure", project=folder)
    before = texts(folder)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 0, result.output
    assert "easymo-service-health: not pulled: not in Grafana (only in the build)\n" in result.output
    assert "easymo-infrastructure" not in result.output
    assert result.output.endswith("0 files rewritten\n")
    assert texts(folder) == before


def test_a_module_that_cannot_be_written_says_which_were(api, tmp_path, monkeypatch):
    folder, before = published(api, tmp_path)
    edit_all_five(api)
    replace = puller.replace_file

    def full_disk(target: Path, text: str) -> None:
        if target.name == "infrastructure.py":
            raise OSError(28, "No space left on device")
        replace(target, text)
    monkeypatch.setattr(puller, "replace_file", full_disk)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1
    assert result.output.endswith(
        f"error: {folder / 'infrastructure.py'}: cannot write it: No space left on device; "
        "rewritten before it: business_metrics.py, error_tracking.py\n"), result.output
    after = texts(folder)
    assert after["infrastructure.py"] == before["infrastructure.py"]
    assert after["service_health.py"] == before["service_health.py"]
    assert after["error_tracking.py"] != before["error_tracking.py"]


def test_a_panel_field_gets_only_its_own_kind_of_value_never_one_another_field_takes(api, tmp_path):
    # unit= and title= take text; a list of text is what a multi-value default takes, not these
    folder, before = published(api, tmp_path)

    def odd(model: Model) -> None:
        panel(model, "Active requests")["fieldConfig"]["defaults"]["unit"] = ["s", "ms"]
        panel(model, "DB connections")["title"] = 7
    ui_edit(api, "easymo-service-health", odd)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1, result.output
    assert ("  not pulled: panel 'Active requests' unit: 'short' -> ['s', 'ms']: Grafana has list, "
            "not text\n") in result.output, result.output
    assert ("  not pulled: panel 'DB connections' title: 'DB connections' -> 7: Grafana has int, "
            "not text\n") in result.output
    assert texts(folder) == before


def test_a_dashboards_own_fields_of_the_wrong_shape_are_named_never_a_traceback(api, tmp_path):
    # a hostile or odd live dashboard, as the stand-in stores whatever model it is sent
    folder, before = published(api, tmp_path)

    def templating(model: Model, value: object) -> None:
        model["templating"] = value

    def entry(model: Model) -> None:
        model["templating"]["list"].append(7)

    def current(model: Model) -> None:
        next(v for v in model["templating"]["list"] if v["name"] == "service_type")["current"] = None

    def fields(model: Model) -> None:
        model.update(tags="x", time=5)
    ui_edit(api, "easymo-business-metrics", current)
    ui_edit(api, "easymo-error-tracking", lambda model: templating(model, []))
    ui_edit(api, "easymo-service-health", lambda model: templating(model, {"list": "x"}))
    ui_edit(api, "easymo-infrastructure", entry)
    ui_edit(api, "easymo-system-overview", fields)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    for line in (
            "  not pulled: dashboard 'easymo-error-tracking' templating: Grafana has templating [], "
            "not a list of variables: variables not pulled\n",
            "  not pulled: dashboard 'easymo-service-health' templating: Grafana has templating "
            "{'list': 'x'}, not a list of variables: variables not pulled\n",
            "  not pulled: dashboard 'easymo-infrastructure' templating: Grafana has int 7 in "
            "templating, not a variable: variables not pulled\n",
            "  not pulled: dashboard 'easymo-system-overview' time: {'from': 'now-3h', 'to': 'now'} "
            "-> 5: Grafana has int 5, not a time range\n",
            "  not pulled: dashboard 'easymo-system-overview' tags: ['easymo', 'overview'] -> 'x': "
            "Grafana has str, not a list of text\n",
            "easymo-business-metrics:\n  still differs after the pull: ~ dashboard templating: "):
        assert line in result.output, result.output
    assert texts(folder) == before


def test_a_module_parsed_again_is_its_current_text_wherever_it_lies(tmp_path):
    """Pull keeps parsed modules by their text (mapping._PARSED): the same text at another
    path names that path, and a file changed since is parsed again, never read from the last."""
    from dashkit.pull.mapping import SourceFile

    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text("x = f(1)\n", encoding="utf-8")
    second.write_text("\n\nx = f(1)\n", encoding="utf-8")
    one = SourceFile.parse(first)
    second.write_text("x = f(1)\n", encoding="utf-8")
    two = SourceFile.parse(second)
    call = next(n for n in two.nodes() if type(n).__name__ == "Call")
    assert (one.where(call), two.where(call)) == ("a.py:1:5", "b.py:1:5")
    first.write_text("y = 2\nx = f(2)\n", encoding="utf-8")
    again = SourceFile.parse(first)
    assert again.text == "y = 2\nx = f(2)\n" and again.module.code == again.text
    assert [again.where(n) for n in again.nodes() if type(n).__name__ == "Call"] == ["a.py:2:5"]
