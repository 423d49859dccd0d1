"""A build holds one module and one dashboard's JSON at a time (issue 27's memory goal): each
module is loaded and each of its dashboards compiled, linted and written to staging before the
next is compiled, and only what the set-wide checks and the CLI's table need is kept of it. The
figures are in docs/project/benchmarks.md; this holds the shape that gives them, with no
measurement."""
from __future__ import annotations

import sys
import weakref
from typing import Any

from dashkit.project import pipeline

MODULE = """import dashkit
from dashkit import Dashboard, panels
dashboards = [Dashboard(uid=f"d{i}", title=f"D{i}", datasource=None,
                        links=[dashkit.link_to(f"d{i - 1}", "previous")] if i else [],
                        panels=[panels.text("t", "x")]) for i in range(6)]
"""


class Tracked(dict[str, Any]):
    """A compiled dashboard that can be watched for being let go."""


def test_each_dashboard_is_written_and_let_go_before_the_next_is_compiled(tmp_path, monkeypatch):
    folder, out = tmp_path / "proj", tmp_path / "out"
    folder.mkdir()
    (folder / "several.py").write_text(MODULE)  # one module: its dashboards too go one by one
    made: list[weakref.ref[Tracked]] = []
    seen: list[tuple[int, list[str]]] = []
    compile_dashboard = pipeline.compile_dashboard

    def watched(dashboard: Any, strict: bool = True) -> Tracked:
        alive = sum(ref() is not None for ref in made)
        staged = sorted(p.name for p in tmp_path.glob(".out.dashkit-staging-*/dashboards/*"))
        seen.append((alive, staged))
        made.append(weakref.ref(model := Tracked(compile_dashboard(dashboard, strict=strict))))
        return model

    monkeypatch.setattr(pipeline, "compile_dashboard", watched)
    result = pipeline.build(folder, out)
    assert [b.uid for b in result.dashboards] == [f"d{i}" for i in range(6)]
    assert [staged for _, staged in seen] == [[f"d{j}.json" for j in range(i)] for i in range(6)]
    # the one compiled just before may still be held by the loop's names; none earlier
    assert max(alive for alive, _ in seen) <= 1
    assert all(ref() is None for ref in made)
    assert sorted(p.name for p in (out / "dashboards").iterdir()) == [f"d{i}.json" for i in range(6)]


PLAIN = """from dashkit import Dashboard, panels
dashboard = Dashboard(uid="u{i}", title="T{i}", datasource=None, panels=[panels.text("t", "x")])
"""


def test_each_module_and_its_dashboards_are_let_go_before_the_next_module_is_loaded(
        tmp_path, monkeypatch):
    folder = tmp_path / "proj"
    folder.mkdir()
    for i in range(5):
        (folder / f"m{i}.py").write_text(PLAIN.format(i=i))
    defined: list[weakref.ref[Any]] = []
    alive_at_compile: list[int] = []
    compile_dashboard = pipeline.compile_dashboard

    def watched(dashboard: Any, strict: bool = True) -> dict[str, Any]:
        alive_at_compile.append(sum(ref() is not None for ref in defined))
        defined.append(weakref.ref(dashboard))
        return compile_dashboard(dashboard, strict=strict)

    monkeypatch.setattr(pipeline, "compile_dashboard", watched)
    result = pipeline.build(folder, tmp_path / "out")
    assert [b.uid for b in result.dashboards] == [f"u{i}" for i in range(5)]
    assert max(alive_at_compile) <= 1  # the one before may be held by the loop's names
    assert all(ref() is None for ref in defined)
    assert not any(f"m{i}" in sys.modules for i in range(5))


def test_a_module_a_sibling_imports_is_kept_and_runs_once(tmp_path):
    folder, runs = tmp_path / "proj", tmp_path / "runs.txt"
    folder.mkdir()
    (folder / "a.py").write_text(f"open({str(runs)!r}, 'a').write('a\\n')\n" + PLAIN.format(i="a"))
    (folder / "b.py").write_text("import a\nfrom dashkit import Dashboard\n"
                                 "dashboard = Dashboard(uid='ub', title=a.dashboard.title + 'b', "
                                 "datasource=None, panels=[])\n")
    result = pipeline.build(folder, tmp_path / "out")
    assert [b.title for b in result.dashboards] == ["Ta", "Tab"]
    assert runs.read_text() == "a\n"
