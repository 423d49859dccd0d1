"""Abuse: ``dashkit import`` never runs its input, whatever a dashboard's strings hold.

Every string an imported dashboard carries reaches the generated module only as a literal, the
module's syntax tree is checked before anything runs, and the module builds back to exactly the
input strings.
"""
from __future__ import annotations

import ast
import json
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashkit.cli import main
from dashkit.fileio import replace_file
from dashkit.grafana.model import iter_panels
from dashkit.grafana.normalise import load_json
from dashkit.importer.codecheck import UnsafeSource, check_module, run_module
from dashkit.importer.pipeline import import_model
from dashkit.sdk.compiler import compile_dashboard
from dashkit.text import python_string

SENTINEL_DIR = Path(tempfile.mkdtemp(prefix="dashkit-abuse-"))
SENTINEL = SENTINEL_DIR / "pwned"


def payload(kind: str) -> str:
    """Strings that would run code if they ended up outside a literal."""
    command = f"__import__('os').system('touch {SENTINEL}')"
    return {
        "docstring": f'A""",#\n{command}; dict(a=#',
        "single": f"x'); {command}; ('",
        "double": f'x"); {command}; ("',
        "triple-single": f"x'''\n{command}\n'''",
        "fstring": f"{{{command}}}",
        "percent": f"%({command})s %s %%",
        "comment": f"x\n# {command}\n",
    }[kind]


PAYLOADS = [payload(k) for k in ("docstring", "single", "double", "triple-single", "fstring",
                                 "percent", "comment")]
#: Characters that break naive quoting: quotes, backslashes, \N{…}, NUL, U+2028, newlines, %, {}.
AWKWARD = ['"', "'", '"""', "'''", "\\", "\\N{BULLET}", "\x00", "\u2028", "\n", "\r", "%", "{}",
           "${x}", "\t", "é", "😀", "\\x41", "#"]
text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.lists(st.one_of(st.sampled_from(AWKWARD), st.text(max_size=6)), max_size=8).map("".join),
)


def dashboard_json(strings: dict[str, str]) -> dict:
    """A dashboard carrying each string in one of the places the importer writes out."""
    s = strings
    return {
        "uid": "abuse", "title": s["title"] if s["title"].strip() else "t", "description": s["description"],
        "tags": [s["tag"][:10]],
        "panels": [
            {"type": "timeseries", "title": s["panel_title"], "description": s["panel_description"],
             "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "datasource": {"type": "prometheus", "uid": s["datasource_uid"] or "ds"},
             "targets": [{"expr": s["expr"], "legendFormat": s["legend"], "refId": "A"}]},
            {"type": "text", "title": s["text_title"], "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
             "options": {"content": s["content"], "mode": "markdown"}},
            {"type": "some-plugin", "title": s["plugin_title"],
             "gridPos": {"x": 0, "y": 8, "w": 12, "h": 8}, "options": {s["option_key"]: s["option"]}},
        ],
        "links": [{"title": s["link_title"], "url": s["link_url"], "type": "link"}],
        "templating": {"list": [
            {"name": "choice", "type": "custom", "query": s["variable_query"],
             "label": s["variable_label"],
             "current": {"text": s["variable_value"], "value": s["variable_value"]}},
        ]},
    }


FIELDS = ("title", "description", "tag", "panel_title", "panel_description", "datasource_uid",
          "expr", "legend", "text_title", "content", "plugin_title", "option_key", "option",
          "link_title", "link_url", "variable_query", "variable_label", "variable_value")


def build_back(source: str) -> dict:
    return compile_dashboard(run_module(source)["dashboard"], strict=False)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({name: text for name in FIELDS}))
def test_any_string_stays_a_literal_and_builds_back_exactly(strings):
    model = dashboard_json(strings)
    loaded = load_json("abuse.json", json.dumps(model))[0]
    result = import_model(loaded, "abuse")
    tree = ast.parse(result.source)  # it parses
    check_module(result.source)  # and has only the generator's shapes
    # the docstring is fixed text: no input reaches it
    assert ast.get_docstring(tree, clean=False).startswith("Imported by dashkit import.")
    assert ast.get_docstring(tree, clean=False) in (
        "Imported by dashkit import.",
        "Imported by dashkit import. IMPORT_NOTES says what was not carried over faithfully.")
    built = build_back(result.source)
    panels = {p["type"]: p for p in iter_panels(built["panels"])}
    assert built["title"] == model["title"]
    assert built.get("description", "") == strings["description"]
    series = panels["timeseries"]
    assert series["targets"][0]["expr"] == strings["expr"]
    assert series["targets"][0].get("legendFormat", "") == strings["legend"]
    assert series.get("description", "") == strings["panel_description"]
    assert [panels[k]["title"] for k in ("timeseries", "text", "some-plugin")] == [
        strings["panel_title"], strings["text_title"], strings["plugin_title"]]
    assert panels["text"]["options"]["content"] == strings["content"]
    assert panels["some-plugin"]["options"][strings["option_key"]] == strings["option"]
    assert built["links"][0]["title"] == strings["link_title"]
    assert built["links"][0]["url"] == strings["link_url"]
    variable = built["templating"]["list"][0]
    assert variable["query"] == strings["variable_query"]
    assert variable.get("label", "") == strings["variable_label"]
    assert not SENTINEL.exists()


#: Text made of what a string literal must escape (both quotes beside a backslash or a newline
#: take the escaping path), or any text at all.
AWKWARD = (st.text(st.sampled_from(['"', "'", "\\", "\n", "\r", "\t", "\x00", "\u2028", "{", "é"]),
                   min_size=3, max_size=12)
           | st.text(max_size=12))


@given(AWKWARD)
@example("it's \"both\" and a \\ too")
@example("'\"\n")
def test_any_text_becomes_one_literal_of_exactly_that_text(value):
    literal = python_string(value)
    node = ast.parse(literal, mode="eval").body
    assert isinstance(node, ast.Constant) and node.value == value


@pytest.mark.parametrize("kind", ["docstring", "single", "double", "triple-single", "fstring",
                                  "percent", "comment"])
def test_crafted_title_runs_nothing_on_import_or_build(kind, tmp_path):
    """The issue's title (and its siblings): import, then build the module it wrote."""
    title = payload(kind)
    source = tmp_path / "evil.json"
    source.write_text(json.dumps({"uid": "evil", "title": title, "panels": [
        {"type": "stat", "title": title, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
         "targets": [{"expr": "up", "refId": "A"}]}]}))
    project = tmp_path / "dashboards"
    runner = CliRunner()
    imported = runner.invoke(main, ["import", str(source), "--out", str(project), "--name", "evil"])
    assert imported.exit_code == 0, imported.output
    listed = runner.invoke(main, ["list", "--dashboards", str(project)])
    assert listed.exit_code == 0, listed.output
    assert not SENTINEL.exists()
    module = (project / "evil.py").read_text()
    assert ast.literal_eval(module.split("title=", 1)[1].split(",\n", 1)[0]) == title


@pytest.mark.parametrize("title", ['a """ b', "C:\\Users\\N", "nul \x00 byte", 'x"""y',
                                   "line\u2028separator", "\\N{BULLET}",
                                   "it's \"both\" quotes", "it's \"both\" and a \\ too"])
def test_awkward_titles_give_valid_modules(title):
    model = {"uid": "u", "title": title, "panels": [],
             "links": [{"title": title, "url": "https://example.invalid/?q=" + title}]}
    result = import_model(load_json("t.json", json.dumps(model))[0], "t")
    built = build_back(result.source)
    assert built["title"] == title and built["links"][0]["title"] == title


@pytest.mark.parametrize("snippet", [
    "import os\n",
    "dashboard = __import__('os').system('true')\n",
    "dashboard = open('/etc/passwd')\n",
    "dashboard = panels.text.__globals__\n",
    "dashboard = (lambda: 1)()\n",
    "dashboard = [x for x in ()]\n",
    "dashboard = f'{1}'\n",
    "from dashkit import Dashboard as D\n",
    "from dashkit.project.pipeline import build\n",
    "dashboard = Dashboard(**{'uid': 'x'})\n",
    "dashboard = '%s' % open\n",
    "def f():\n    pass\n",
    "dashboard = Dashboard(uid=b'x')\n",
    "__builtins__ = {}\n",
])
def test_code_outside_the_generators_shapes_is_refused_and_not_run(snippet):
    source = '"""Imported."""\nfrom dashkit import Dashboard, panels\n' + snippet
    with pytest.raises(UnsafeSource, match="nothing was run"):
        run_module(source)


@pytest.mark.parametrize("name", ["../evil", "a/b", "a.b", "class", "os", "json", "1abc", "",
                                  "naïve"])
def test_name_must_be_a_module_name(name, tmp_path):
    result = CliRunner().invoke(main, ["import", "-", "--name", name, "--out", str(tmp_path)],
                                input=json.dumps({"title": "T", "panels": []}))
    assert result.exit_code == 2 and "--name" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_at_the_target_is_not_followed(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("# precious\n")
    out = tmp_path / "dashboards"
    out.mkdir()
    (out / "sales.py").symlink_to(outside)
    for extra in ([], ["--force"]):
        result = CliRunner().invoke(main, ["import", "-", "--out", str(out), *extra],
                                    input=json.dumps({"title": "Sales", "panels": []}))
        assert result.exit_code == 1 and "symbolic link" in result.output
    assert outside.read_text() == "# precious\n" and (out / "sales.py").is_symlink()


def test_dashboards_that_share_a_module_name_get_distinct_modules(tmp_path):
    file_map = tmp_path / "map.json"
    file_map.write_text(json.dumps({
        "a.json": {"uid": "a", "title": "Sales!", "panels": []},
        "b.json": {"uid": "b", "title": "Sales?", "panels": []}}))
    twin = tmp_path / "twin.json"
    twin.write_text(json.dumps({"uid": "c", "title": "Sales!", "panels": []}))
    out = tmp_path / "dashboards"
    result = CliRunner().invoke(main, ["import", str(file_map), str(twin), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["sales.py", "sales_2.py", "sales_3.py"]
    uids = {p.name: run_module(p.read_text())["dashboard"].uid for p in out.iterdir()}
    assert uids == {"sales.py": "a", "sales_2.py": "b", "sales_3.py": "c"}
    assert result.output.count("was taken by another dashboard of this import") == 2


def test_generated_names_are_identifiers_whatever_the_datasource_uid():
    model = {"uid": "u", "title": "T", "panels": [
        {"type": "stat", "title": f"p{i}", "gridPos": {"x": 0, "y": i * 4, "w": 6, "h": 4},
         "datasource": {"type": kind, "uid": uid}, "targets": [{"expr": "up", "refId": "A"}]}
        for i, (kind, uid) in enumerate([("a-b", "---"), ("x y", "9lives"), ("", "é"),
                                         ("prometheus", "class"), ("p", "None")])]}
    result = import_model(load_json("t.json", json.dumps(model))[0], "t")
    built = build_back(result.source)
    assert [p["datasource"]["uid"] for p in built["panels"]] == ["---", "9lives", "é", "class", "None"]


def test_import_runs_only_the_modules_it_generated(tmp_path):
    """Issue 22: computing the exclusions loaded the whole --out folder as a project, so an
    unrelated cleanup.py in ~/Downloads ran. The folder's other modules are read for their
    uids (a link to one is no defect), never run."""
    out = tmp_path / "Downloads"
    out.mkdir()
    ran = tmp_path / "ran"
    (out / "cleanup.py").write_text(f"open({str(ran)!r}, 'a').write('cleanup ')\n")
    (out / "fleet.py").write_text(
        f"open({str(ran)!r}, 'a').write('fleet ')\n"
        "from dashkit import Dashboard\ndashboard = Dashboard(uid='fleet', title='Fleet')\n")
    source = tmp_path / "x.json"
    source.write_text(json.dumps({"uid": "x", "title": "X", "panels": [
        {"type": "text", "title": "To the fleet", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 4},
         "links": [{"title": "fleet", "url": "/d/fleet/fleet"}]},
        {"type": "text", "title": "To nowhere", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 4},
         "links": [{"title": "gone", "url": "/d/gone/gone"}]}]}))
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not ran.exists()
    entries = yaml.safe_load((out / ".dashkit-lint.yaml").read_text())["exclusions"]
    assert [(e["rule"], e["dashboard"], e["panel"]) for e in entries] == [
        ("link-unknown-uid", "x", "To nowhere")]


def test_the_exclusions_file_is_never_written_through_a_planted_name(tmp_path, monkeypatch):
    """Issue 22: the exclusions file went through the fixed name ``..dashkit-lint.yaml.tmp``
    with write_text, so a symlink planted there had its target overwritten. The temporary
    name is random and created exclusively: even a symlink at the very name chosen is not
    followed, nor removed."""
    out = tmp_path / "dashboards"
    out.mkdir()
    precious = tmp_path / "precious"
    precious.write_text("mine\n")
    (out / "..dashkit-lint.yaml.tmp").symlink_to(precious)
    source = tmp_path / "x.json"
    source.write_text(json.dumps({"uid": "x", "title": "X", "panels": [
        {"type": "text", "title": "To nowhere", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 4},
         "links": [{"title": "gone", "url": "/d/gone/gone"}]}]}))
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert precious.read_text() == "mine\n"
    assert "link-unknown-uid" in (out / ".dashkit-lint.yaml").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["..dashkit-lint.yaml.tmp",
                                                     ".dashkit-lint.yaml", "x.py"]

    monkeypatch.setattr(os, "urandom", bytes)  # the random name guessed: zero bytes
    planted = out / f".x.py.{'00' * 8}.tmp"
    planted.symlink_to(precious)
    with pytest.raises(FileExistsError):
        replace_file(out / "x.py", "print('replaced')\n")
    assert precious.read_text() == "mine\n" and planted.is_symlink()
    assert "print" not in (out / "x.py").read_text()


def test_generated_names_never_take_the_modules_own():
    """Issue 22: a datasource uid ``import-notes`` became the constant IMPORT_NOTES and replaced
    the notes tuple. The module's own names (IMPORT_NOTES, dashboard) are never given to a
    name made from input."""
    model = {"title": "T", "panels": [  # no uid: the import notes say so
        {"type": "stat", "title": "dashboard", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
         "datasource": {"type": "prometheus", "uid": "import-notes"},
         "targets": [{"expr": "up", "refId": "A"}]}]}
    result = import_model(load_json("t.json", json.dumps(model))[0], "t")
    namespace = run_module(result.source)
    assert namespace["IMPORT_NOTES"] == result.notes and result.notes
    assert all(isinstance(note, str) for note in namespace["IMPORT_NOTES"])
    assert namespace["IMPORT_NOTES_2"].uid == "import-notes"
    built = compile_dashboard(namespace["dashboard"], strict=False)
    assert [(p["title"], p["datasource"]["uid"]) for p in built["panels"]] == [
        ("dashboard", "import-notes")]


def test_names_for_repeated_titles_take_a_few_checks_each_not_one_per_earlier_panel(monkeypatch):
    """Issue 22: key() and variable_name() counted up from 2 for every panel of a repeated
    title (8k panels took 70 s). Counting resumes per base name: each name costs at most a
    few membership checks, however many panels share the title."""
    from dashkit.importer import declarations, generator, hoisting

    checks = [0]
    real = hoisting.distinct

    def counted(base, taken, counters, joiner="_"):  # type: ignore[no-untyped-def]
        def check(name: str) -> bool:
            checks[0] += 1
            return taken(name)
        return real(base, check, counters, joiner)
    for module in (declarations, generator, hoisting):
        monkeypatch.setattr(module, "distinct", counted)
    count = 300
    model = {"uid": "u", "title": "T", "panels": [
        {"type": "text", "title": "Same", "gridPos": {"x": 0, "y": 4 * i, "w": 6, "h": 4},
         "options": {"content": str(i), "mode": "markdown"}} for i in range(count)]}
    checks[0] = 0
    result = import_model(load_json("t.json", json.dumps(model))[0], "t")
    # per panel: a key and a variable name, each free at its first or second look, in both
    # of import_model's passes (a quadratic count would pass 2 * 300 * 300 / 2 = 90,000)
    assert checks[0] <= 2 * 2 * 2 * count
    built = build_back(result.source)
    assert [p["options"]["content"] for p in built["panels"]] == [str(i) for i in range(count)]
    assert len({p["id"] for p in built["panels"]}) == count


def test_import_keeps_each_dashboard_field_or_says_what_it_wrote_instead():
    """Issue 22: import changed fields with no note (editable 0 became true, extra keys under
    time were dropped, a link's tags "abc" became ["a", "b", "c"], gridPos.x 0.5 became 0,
    graphTooltip 1.7 became 1, refresh 30 became ""). Each is kept, or a note says so.
    Grafana's DashboardModel constructor reads ``editable`` as ``data.editable !== false``:
    0 is true there too, and the note says so."""
    model = {"uid": "u", "title": "T", "schemaVersion": 41, "editable": 0, "graphTooltip": 1.7, "refresh": 30,
             "time": {"from": "now-1h", "to": "now", "nowDelay": "1m"},
             "links": [{"title": "L", "url": "/x", "type": "link", "tags": "abc"}],
             "panels": [{"type": "text", "title": "P", "options": {"content": "x"},
                         "gridPos": {"x": 0.5, "y": 0, "w": 6, "h": 4}}]}
    result = import_model(load_json("t.json", json.dumps(model))[0], "t")
    assert sorted(result.notes) == sorted([
        "editable 0 is not true or false; Grafana reads anything but false as true: written as True",
        "graphTooltip 1.7 is not a whole number: written as 1",
        "link 'L': tags 'abc' is one string, not a list: written as the one tag",
        "panel 'P': gridPos x 0.5 is not a whole number: written as 0",
        "refresh 30 is not a duration such as '30s': written as no auto-refresh",
    ])
    built = build_back(result.source)
    assert built["time"] == {"from": "now-1h", "to": "now", "nowDelay": "1m"}  # kept whole
    assert built["links"][0]["tags"] == ["abc"]
    assert (built["editable"], built["graphTooltip"], built["refresh"]) == (True, 1, "")
    assert built["panels"][0]["gridPos"] == {"x": 0, "y": 0, "w": 6, "h": 4}


def test_fields_grafana_reads_as_written_need_no_note():
    model = {"uid": "u", "title": "T", "schemaVersion": 41, "editable": False, "graphTooltip": 2,
             "refresh": False,
             "time": {"from": "now-1h", "to": "now"},
             "links": [{"title": "L", "url": "/x", "type": "link", "tags": ["a", "b"]}],
             "panels": [{"type": "text", "title": "P", "options": {"content": "x"},
                         "gridPos": {"x": 6.0, "y": 0, "w": 6, "h": 4}}]}
    result = import_model(load_json("t.json", json.dumps(model))[0], "t")
    assert result.notes == ()
    built = build_back(result.source)
    assert (built["editable"], built["graphTooltip"], built["refresh"]) == (False, 2, "")
    assert built["time"] == {"from": "now-1h", "to": "now"}
    assert built["links"][0]["tags"] == ["a", "b"]
    assert built["panels"][0]["gridPos"] == {"x": 6, "y": 0, "w": 6, "h": 4}
