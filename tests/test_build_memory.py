"""A build holds one dashboard's JSON at a time (issue 27's memory goal): each dashboard is
compiled, linted and written to staging before the next is compiled, and only what the
set-wide checks and the CLI's table need is kept of it. The figures are in
docs/project/benchmarks.md; this holds the shape that gives them, with no measurement."""
from __future__ import annotations

import weakref
from typing import Any

from dashkit.project import pipeline

MODULE = """from dashkit import Dashboard, panels
dashboard = Dashboard(uid="d{i}", title="D{i}", datasource=None, links=[{link}],
                      panels=[panels.text("t", "x")])
"""


class Tracked(dict[str, Any]):
    """A compiled dashboard that can be watched for being let go."""


def test_each_dashboard_is_written_and_let_go_before_the_next_is_compiled(tmp_path, monkeypatch):
    folder, out = tmp_path / "proj", tmp_path / "out"
    folder.mkdir()
    for i in range(6):
        link = f'dashkit.link_to("d{i - 1}", "previous")' if i else ""
        (folder / f"d{i}.py").write_text(MODULE.format(i=i, link=link).replace(
            "from dashkit import", "import dashkit\nfrom dashkit import"))
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
