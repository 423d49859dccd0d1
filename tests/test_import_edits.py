"""Edit-through: every query, title and unit of an imported module is written once, where a
person would edit it. Each one of every corpus dashboard is changed in the generated module with
a unique marker, the module is built, and every marker must arrive in the built JSON: a query
repeated in ``extra`` (which would override the edit) loses its marker and fails."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import SHARED

from dashkit import build
from dashkit.importer.carried_over import carry_over
from dashkit.importer.files import import_files

CORPUS = sorted((SHARED / "corpus").glob("*.json"))
BUILDERS = {"timeseries", "stat", "gauge", "bar_gauge", "table", "heatmap", "logs", "text"}


def _empty(node: ast.expr) -> bool:
    """An empty query stays empty: a comment alone does not parse."""
    return isinstance(node, ast.Constant) and not str(node.value).strip()


class Edits(ast.NodeTransformer):
    """Appends a numbered marker to every query (``Target`` calls and ``"expr"`` values of raw
    JSON), every panel title and every ``unit=``; remembers the markers."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.titles: list[str] = []
        self.units: list[str] = []

    def _marked(self, node: ast.expr, found: list[str], text: str) -> ast.expr:
        marker = text.format(len(found))
        found.append(marker)
        return ast.BinOp(node, ast.Add(), ast.Constant(marker))

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        func = ast.unparse(node.func)
        if func == "Target" and node.args and not _empty(node.args[0]):
            node.args[0] = self._marked(node.args[0], self.queries, " # edited query {}")
        if func.startswith("panels.") and func[len("panels."):] in BUILDERS and node.args:
            node.args[0] = self._marked(node.args[0], self.titles, " (edited title {})")
            for keyword in node.keywords:
                if keyword.arg == "unit":
                    unit = f"edited-unit-{len(self.units)}"
                    self.units.append(unit)
                    keyword.value = ast.Constant(unit)
        if func == "panels.raw" and node.args and isinstance(node.args[0], ast.Dict):
            self._edit_raw(node.args[0])
        return node

    def _edit_raw(self, panel: ast.Dict) -> None:
        for i, (key, value) in enumerate(zip(panel.keys, panel.values)):
            if isinstance(key, ast.Constant) and key.value == "title":
                panel.values[i] = self._marked(value, self.titles, " (edited title {})")

    def visit_Dict(self, node: ast.Dict) -> ast.Dict:
        """Queries written as JSON (a raw panel's, or a text panel's kept in ``extra``)."""
        self.generic_visit(node)
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == "targets" and isinstance(value, ast.List):
                for target in value.elts:
                    if isinstance(target, ast.Dict):
                        for i, (k, v) in enumerate(zip(target.keys, target.values)):
                            if isinstance(k, ast.Constant) and k.value == "expr" and not _empty(v):
                                target.values[i] = self._marked(v, self.queries, " # edited query {}")
        return node


def _built_panels(folder: Path) -> list[dict]:
    [path] = (folder / "dashboards").glob("*.json")
    model = json.loads(path.read_text())

    def walk(panels: list[dict]):
        for panel in panels:
            yield panel
            yield from walk(panel.get("panels") or [])
    return list(walk(model["panels"]))


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_every_query_title_and_unit_edited_in_the_module_reaches_the_build(path, tmp_path):
    project = tmp_path / "dashboards"
    [written] = import_files([(path.name, path.read_bytes())], project)
    assert written.result is not None, written.error
    carry_over(project, [(written.result, written.path)])
    module = Path(written.path)
    before = _built_panels(build(project, tmp_path / "before").out_dir)
    queries = [t["expr"] for p in before for t in p.get("targets") or []
               if isinstance(t.get("expr"), str) and t["expr"].strip()]

    edits = Edits()
    tree = edits.visit(ast.parse(module.read_text()))
    module.write_text(ast.unparse(tree))
    exclusions = project / ".dashkit-lint.yaml"
    if exclusions.exists():  # its panel names follow the edited titles
        data = yaml.safe_load(exclusions.read_text())
        for entry in data["exclusions"]:
            entry["panel"] += "*" if entry["panel"] != "*" else ""
        exclusions.write_text(yaml.safe_dump(data))
    after = _built_panels(build(project, tmp_path / "after").out_dir)

    built_queries = [t["expr"] for p in after for t in p.get("targets") or []
                     if isinstance(t.get("expr"), str) and t["expr"].strip()]
    # every query was editable, and every edit arrived: a query repeated in ``extra`` would
    # override its Target and lose that marker. (Panels that share a constant, such as one
    # ``extra`` for several text panels, share its query: one edit reaches them all.)
    assert len(built_queries) == len(queries)
    assert all(re.search(r" # edited query \d+$", q) for q in built_queries)
    for marker in edits.queries:
        assert any(q.endswith(marker) for q in built_queries), marker
    titles = [str(p["title"]) for p in after if p.get("type") != "row" and "title" in p]
    for marker in edits.titles:
        assert sum(t.endswith(marker) for t in titles) == 1, marker
    assert len(edits.titles) == len(titles)
    units = [((p.get("fieldConfig") or {}).get("defaults") or {}).get("unit") for p in after]
    for unit in edits.units:
        assert units.count(unit) == 1, unit


def test_modules_are_formatted_by_ruff_and_stay_so():
    """The module is what ruff's formatter writes: formatting it again changes nothing, and a
    series colour override is one line, not seven."""
    from dashkit.grafana.normalise import load_json
    from dashkit.importer.formatting import format_module
    from dashkit.importer.pipeline import import_model

    path = SHARED / "corpus" / "node-exporter-full-old.json"
    source = import_model(load_json(path.name, path.read_text())[0], "node").source
    assert format_module(source) == source
    assert 'panels.override("Busy", {"color": panels.fixed_color("#EAB839")})' in source
    assert max(len(line) for line in source.splitlines() if "'" not in line and '"' not in line) <= 100
