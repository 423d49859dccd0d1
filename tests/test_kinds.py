"""The registry of panel kinds (``dashkit.sdk.kinds``) is the one table of panel types: every kind
has a renderer in the preview, each builder it names makes a panel of its type, and no other
module keeps a table of panel types of its own."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import PACKAGE

from dashkit.preview.panels import DRAWERS, placeholder
from dashkit.sdk import panels
from dashkit.sdk.compiler import compile_panel
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.kinds import BUILDERS, KINDS, kind_of

#: Where panel types may be listed: the registry, the preview's renderers (keyed by kind), and
#: the grafana layer, below the registry, which mirrors Grafana's own code (its migrations name
#: the Angular types they migrate; the registry reads ``ANGULAR_PANELS`` from it).
ALLOWED = {PACKAGE / "sdk" / "kinds.py", PACKAGE / "preview" / "panels.py"}
ALLOWED_PACKAGES = {PACKAGE / "grafana"}


def test_every_kind_has_a_renderer_and_every_renderer_a_kind():
    # rows are not drawn as panels: render draws each as a band across the grid
    assert set(KINDS) - {"row"} == set(DRAWERS)


def test_the_kinds_the_preview_does_not_draw_are_named_placeholders():
    assert sorted(k for k, draw in DRAWERS.items() if draw is placeholder) == [
        "grafana-piechart-panel", "grafana-polystat-panel", "grafana-singlestat-panel",
        "grafana-worldmap-panel", "heatmap-new", "natel-discrete-panel"]


LOKI = DatasourceRef("loki", "logs")
#: Each builder called with what it requires, written by hand.
CALLS = {
    "timeseries": lambda: panels.timeseries("t", "up"),
    "stat": lambda: panels.stat("t", "up"),
    "gauge": lambda: panels.gauge("t", "up"),
    "bar_gauge": lambda: panels.bar_gauge("t", "up"),
    "table": lambda: panels.table("t", "up"),
    "heatmap": lambda: panels.heatmap("t", "up"),
    "logs": lambda: panels.logs("t", '{job="x"}', datasource=LOKI),
    "text": lambda: panels.text("t", "hello"),
}


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.builder], ids=lambda k: k.type)
def test_each_builder_named_makes_a_panel_of_its_kind(kind):
    assert kind.builder in CALLS, f"add a call of panels.{kind.builder} to CALLS"
    assert compile_panel(CALLS[kind.builder](), None)["type"] == kind.type


def test_the_builders_are_the_panel_builders_of_the_sdk():
    assert {"timeseries", "stat", "gauge", "bar_gauge", "table", "heatmap", "logs", "text"} == BUILDERS
    assert all(callable(getattr(panels, b)) for b in BUILDERS)


def test_what_each_layer_reads_from_the_registry():
    assert sorted(k.type for k in KINDS.values() if k.needs_unit) == [
        "bargauge", "gauge", "stat", "timeseries"]
    assert sorted(k.type for k in KINDS.values() if k.unit) == [
        "bargauge", "gauge", "stat", "table", "timeseries"]
    assert sorted(k.type for k in KINDS.values() if k.fix) == [
        "bargauge", "gauge", "heatmap", "row", "stat", "table"]
    # Grafana's AngularPanelMigrations (pkg/apis/dashboard/migration/schemaversion) and the
    # graph's default target (GetGraphMigrationTarget: timeseries)
    assert {k.type: k.successor for k in KINDS.values() if k.angular} == {
        "graph": "timeseries", "singlestat": "stat", "grafana-singlestat-panel": "stat",
        "table-old": "table", "grafana-piechart-panel": "piechart",
        "grafana-worldmap-panel": "geomap", "natel-discrete-panel": "state-timeline",
        "heatmap-new": "heatmap", "grafana-polystat-panel": None}
    assert kind_of("my-plugin-panel").builder is None and not kind_of(None).fix


def _tables(path: Path, root: Path = PACKAGE.parent.parent) -> list[str]:
    """Module- and class-level collections that name two panel types (or builders) or more."""
    names = set(KINDS) | BUILDERS
    found = []
    tree = ast.parse(path.read_text(), str(path))
    scopes = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    for body in scopes:
        for statement in body:
            if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
                continue
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue  # a public module's exports name its builders; that is not a table of kinds
            for node in ast.walk(statement.value):
                if isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
                    elements = node.keys if isinstance(node, ast.Dict) else node.elts
                    hits = [e.value for e in elements
                            if isinstance(e, ast.Constant) and e.value in names]
                    if len(hits) >= 2:
                        found.append(f"{path.relative_to(root)}:{node.lineno} {hits}")
    return found


def test_no_other_module_keeps_a_table_of_panel_types():
    modules = [p for p in sorted(PACKAGE.rglob("*.py"))
               if p not in ALLOWED and not any(d in p.parents for d in ALLOWED_PACKAGES)]
    assert [t for p in modules for t in _tables(p)] == []


def test_the_table_finder_finds_a_table(tmp_path):
    """The check above would be hollow if it missed the tables it was written against."""
    source = tmp_path / "old.py"
    source.write_text('UNIT_PANELS = frozenset({"timeseries", "stat", "gauge", "bargauge"})\n'
                      'class C:\n    B = {"bargauge": "bar_gauge", "logs": "logs"}\nONE = ("stat",)\n')
    found = [t.split(" ", 1)[1] for t in _tables(source, tmp_path)]
    assert found == ["['timeseries', 'stat', 'gauge', 'bargauge']", "['bargauge', 'logs']"]
