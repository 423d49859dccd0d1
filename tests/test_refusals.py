"""Refusals that no other test reached: each mistake below is refused with its one line, and
nothing is written. (The README's "Checked at build time" and the code's raises; the network,
import and publish refusals are tested beside those features.)"""
from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from dashkit import Dashboard, DashkitError, compile_dashboard, panels, promql
from dashkit.cli import main
from dashkit.query.promql import as_expr

GOOD_DASHBOARD = ("from dashkit import Dashboard, panels\n"
                  "dashboard = Dashboard('one', 'One', [panels.stat('Up', 'up')])\n")


def project(tmp_path: Path, **modules: str) -> Path:
    folder = tmp_path / "dashboards"
    folder.mkdir(parents=True)
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source)
    return folder


def invoke(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args))
    return done.exit_code, done.output


def build(folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    return invoke("build", "--dashboards", str(folder), "--out", str(out), *extra)


# --- build --------------------------------------------------------------------------------------

DATASOURCES = ("from dashkit import Datasource\n"
               "datasources = [Datasource('Prom', 'prometheus', 'prom', 'http://p:9090', True),\n"
               "               Datasource('Prom2', 'prometheus', 'prom2', 'http://q:9090', {})]\n")


def test_two_default_datasources_are_refused_and_nothing_is_written(tmp_path):
    """Grafana refuses the whole provisioning file (ErrInvalidConfigToManyDefault)."""
    folder = project(tmp_path, one=GOOD_DASHBOARD, sources=DATASOURCES.format(True))
    code, output = build(folder, tmp_path / "out")
    assert code == 1 and "more than one default datasource: Prom, Prom2" in output
    assert not (tmp_path / "out").exists()
    one_default = project(tmp_path / "ok", one=GOOD_DASHBOARD, sources=DATASOURCES.format(False))
    assert build(one_default, tmp_path / "ok" / "out")[0] == 0


def test_a_datasource_uid_defined_twice_differently_is_refused(tmp_path):
    twice = ("from dashkit import Datasource\n"
             "datasources = [Datasource('A', 'prometheus', 'prom', 'http://a:9090')]\n")
    folder = project(tmp_path, one=GOOD_DASHBOARD, a=twice,
                     b=twice.replace("'A'", "'B'").replace("a:9090", "b:9090"))
    code, output = build(folder, tmp_path / "out")
    assert code == 1 and "b.py: datasource uid 'prom' is defined twice" in output
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_a_file_or_lies_under_one_is_refused(tmp_path):
    """The command line refuses a file for --out before anything runs; build() itself (the
    library, and --rules-out's check) says why, for the file and for a folder under it."""
    from dashkit.project.pipeline import build as build_project

    folder = project(tmp_path, one=GOOD_DASHBOARD)
    a_file = tmp_path / "taken"
    a_file.write_text("mine")
    code, output = build(folder, a_file)
    assert code == 2 and "is a file" in output
    with pytest.raises(DashkitError, match="exists and is not a folder \\(or is a link\\)"):
        build_project(folder, a_file)
    with pytest.raises(DashkitError, match=f": {a_file} is a file, not a folder"):
        build_project(folder, a_file / "grafana")
    with pytest.raises(DashkitError, match=f": {a_file} is a file, not a folder"):
        build_project(folder, tmp_path / "out", rules_dir=a_file / "rules")
    assert a_file.read_text() == "mine" and not (tmp_path / "out").exists()


def test_an_out_that_is_a_link_is_refused(tmp_path):
    folder = project(tmp_path, one=GOOD_DASHBOARD)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    code, output = build(folder, tmp_path / "link")
    assert code == 1 and "exists and is not a folder (or is a link)" in output
    assert list((tmp_path / "real").iterdir()) == []


def test_a_catalog_option_must_name_a_catalog_in_a_file(tmp_path):
    (tmp_path / "cat.py").write_text("NOT_A_CATALOG = 5\n")
    model = tmp_path / "d.json"
    model.write_text('{"uid": "d", "title": "D", "panels": []}')
    code, output = invoke("lint", str(model), "--catalog", str(tmp_path / "cat.py"))
    assert code == 1 and "--catalog takes FILE.py:NAME, not" in output
    code, output = invoke("lint", str(model), "--catalog", f"{tmp_path / 'cat.py'}:NOT_A_CATALOG")
    assert code == 1 and f"{tmp_path / 'cat.py'}:NOT_A_CATALOG is not a dashkit Catalog" in output


# --- the SDK ------------------------------------------------------------------------------------

@pytest.mark.parametrize("make,message", [
    (lambda: promql.sel("up").compare("=>", 1), "not a PromQL comparison: '=>'"),
    (lambda: as_expr(True), "a boolean is not a PromQL expression"),
    (lambda: promql.aggregate("sum", promql.sel("up"), by=["job"], without=["instance"]),
     "sum: use either by or without, not both"),
    (lambda: promql.quantile(1.5, "http_request_duration_seconds"),
     "quantile must be between 0 and 1, not 1.5"),
    (lambda: promql.quantile(-0.1, "http_request_duration_seconds"),
     "quantile must be between 0 and 1, not -0.1"),
    (lambda: panels.text("Notes", "read me", links=[{"title": "x", "url": "/d/x"}]),
     "text panel 'Notes' shows no values, so it has no data links"),
])
def test_sdk_refusals(make, message):
    with pytest.raises(DashkitError) as info:
        make()
    assert message in str(info.value)


def test_the_quantile_bounds_themselves_are_accepted():
    assert promql.quantile(0, "h").text.startswith("histogram_quantile(0,")
    assert promql.quantile(1, "h").text.startswith("histogram_quantile(1,")


@pytest.mark.parametrize("name", ["1st", "has space", "dash-ed", ""])
def test_an_invalid_variable_name_is_refused(name):
    from dashkit.sdk.variables import Variable

    with pytest.raises(ValueError, match="invalid variable name"):
        Variable(name=name, type="custom")


@pytest.mark.parametrize("placement,message", [
    (dict(h=0), "height 0 must be at least 1"),
    (dict(x=0), "give both x and y, or neither"),
    (dict(y=0), "give both x and y, or neither"),
])
def test_a_panel_placement_that_cannot_be_drawn_is_refused(placement, message):
    with pytest.raises(DashkitError) as info:
        compile_dashboard(Dashboard("d", "D", [panels.stat("Up", "up", **placement)]))
    assert message in str(info.value) and "'Up'" in str(info.value)


# --- preview, test-rules, init, serve ------------------------------------------------------------

def test_preview_refuses_a_folder_with_no_dashboards_and_two_pictures_of_one_name(tmp_path):
    from dashkit.preview.collect import select
    from dashkit.preview.render import Picture, write_previews

    empty = project(tmp_path, helper="X = 1\n")
    with pytest.raises(DashkitError, match=r"helper\.py: defines no dashboard"):
        select([], empty)
    (tmp_path / "none").mkdir()
    with pytest.raises(DashkitError, match=f"no dashboards to preview in {tmp_path / 'none'}"):
        select([], tmp_path / "none")
    twins = [Picture(uid="same", title=title, png=b"", panels=(), source="")
             for title in ("A", "B")]
    with pytest.raises(DashkitError, match=r"two dashboards would be written to same\.png"):
        write_previews(twins, tmp_path / "pictures")
    assert not (tmp_path / "pictures").exists()


def test_test_rules_refuses_a_project_without_rules_and_an_alert_without_both_tests(tmp_path):
    folder = project(tmp_path, one=GOOD_DASHBOARD)
    code, output = invoke("test-rules", "--dashboards", str(folder))
    assert code == 1 and f"no rule_groups in {folder}: nothing to test" in output
    from dashkit import Alert, RuleGroup
    from dashkit.project.rule_tests import run_rule_tests

    alert = Alert(name="Down", signal="up", op="==", limit=0)
    with pytest.raises(DashkitError, match="alerts without a test that fires them and one that "
                                           "does not: Down"):
        run_rule_tests([RuleGroup("g", [alert])], [], [])
    from dashkit import RuleTest

    fires = RuleTest(name="fires", alert="Down", series={"up": "0x5"}, at="1m",
                     fires=[{"labels": {}}])
    quiet = RuleTest(name="quiet", alert="Down", series={"up": "1x5"}, at="1m")
    stray = RuleTest(name="stray", alert="Dwon", series={"up": "0x5"}, at="1m")
    with pytest.raises(DashkitError, match=r"^rule tests name alerts that are not defined: Dwon$"):
        run_rule_tests([RuleGroup("g", [alert])], [fires, quiet, stray], [])


@pytest.mark.parametrize("title", ["Bad\nTitle", "quote'd", "$(rm -rf)", "x" * 81])
def test_init_refuses_a_title_it_cannot_write_safely(title, tmp_path):
    code, output = invoke("init", str(tmp_path / "new"), "--title", title)
    assert code == 1 and "letters, digits, spaces and . , ( ) & + - only" in output
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())


class RecordingServer:
    """Wraps the real server class, keeping the address each server was bound to."""

    bound: ClassVar[list[tuple[str, int]]] = []

    def __init__(self, real: type) -> None:
        self.real = real

    def __call__(self, address: tuple[str, int], handler: type) -> object:
        server = self.real(address, handler)
        RecordingServer.bound.append(server.server_address[:2])
        return server


def test_serve_binds_loopback_only(tmp_path, monkeypatch):
    """The page is served on 127.0.0.1 (never another interface), on the port it announces."""
    pytest.importorskip("watchfiles")
    from dashkit.preview import serve as serving

    monkeypatch.setattr(serving, "ThreadingHTTPServer",
                        RecordingServer(serving.ThreadingHTTPServer))
    RecordingServer.bound = []
    folder = project(tmp_path, one=GOOD_DASHBOARD)
    said: list[str] = []
    stop = threading.Event()
    stop.set()  # draw once, then stop watching
    serving.serve(folder, tmp_path / "preview", ["--seed=1"], 0, said.append, stop)
    assert len(RecordingServer.bound) == 1
    host, port = RecordingServer.bound[0]
    assert host == "127.0.0.1" and said[0].startswith(f"Serving http://127.0.0.1:{port}/")


def test_serve_on_a_port_in_use_is_one_line(tmp_path):
    pytest.importorskip("watchfiles")
    folder = project(tmp_path, one=GOOD_DASHBOARD)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = invoke("serve", "--dashboards", str(folder), "--out",
                              str(tmp_path / "preview"), "--port", str(port))
    assert code == 1 and f"cannot serve on 127.0.0.1:{port}:" in output
