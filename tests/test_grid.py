"""Where Grafana draws panels (dashkit.grafana.grid): react-grid-layout's vertical ``compact``,
which Grafana's grid uses (scenes' ``SceneGridLayoutRenderer`` gives ReactGridLayout no
``compactType``, so its default ``"vertical"`` applies; ``buildGridLayout`` lists rows as
full-width bars and leaves a collapsed row's panels out). Every expected position below is worked
out by hand from react-grid-layout's ``compact``/``compactItem``/``resolveCompactionCollision``
(utils.js): items settle in (y, x) order; each rises while the row above is free, and is pushed
below whatever it overlaps."""
from __future__ import annotations

import json

from conftest import SHARED, examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dashkit import dumps
from dashkit.grafana.grid import Cell, compact, compaction_moves, drawn_grid, settled, simulate
from dashkit.grafana.normalise import load_json
from dashkit.importer.pipeline import import_model
from dashkit.lint.findings import Subject
from dashkit.lint.sets import lint
from dashkit.preview.data import SyntheticData
from dashkit.preview.render import render_dashboard


def _ys(*cells):
    return [c.y for c in compact([Cell(i, *c) for i, c in enumerate(cells)])]


def test_overlapping_panels_are_stacked_never_drawn_on_top_of_each_other():
    # B (y 4) overlaps A (y 0-8) in columns 6-12: it cannot rise, so it goes below A, to 8.
    # Two panels on the same cell: the second goes below the first.
    assert _ys((0, 0, 12, 8), (6, 4, 12, 8)) == [0, 8]
    assert _ys((0, 0, 24, 5), (0, 0, 24, 5), (0, 0, 24, 5)) == [0, 5, 10]


def test_a_gap_above_a_panel_closes():
    # A fills y 0-4; B and C wait at y 10 with nothing between: both rise to 4.
    assert _ys((0, 0, 24, 4), (0, 10, 12, 6), (12, 10, 12, 6)) == [0, 4, 4]
    # C (columns 12-24) rises to the bottom of B (y 0-3), not of A (columns 0-12, y 0-8)
    assert _ys((0, 0, 12, 8), (12, 0, 12, 3), (12, 5, 12, 4)) == [0, 0, 3]


def test_a_panel_pushed_down_pushes_what_it_lands_on_first():
    # resolveCompactionCollision: B (y 2) overlaps A (y 0-4) and moves to 4; on its way it would
    # cover C (y 5), which is pushed to 8 first; C then settles on B's bottom, 8.
    assert _ys((0, 0, 12, 4), (0, 2, 12, 4), (0, 5, 12, 2)) == [0, 4, 8]


def test_the_input_order_is_kept_and_the_input_is_not_changed():
    cells = [Cell(0, 0, 9, 24, 2), Cell(1, 0, 0, 24, 3)]
    assert [(c.key, c.y) for c in compact(cells)] == [(0, 3), (1, 0)]
    assert cells[0].y == 9


def test_rows_are_full_width_bars_and_a_collapsed_rows_panels_take_no_room():
    # The row's own gridPos says w 0: SceneGridRow is 24 wide and 1 high whatever it says, so
    # "Version" (x 3, y 1) cannot rise past it. The collapsed row at 5 holds a panel at y 6-16
    # that is not on the page: the next row (y 16) rises to 6, its panel (y 17) to 7.
    panels = [
        {"type": "row", "title": "r", "gridPos": {"h": 1, "w": 0, "x": 0, "y": 0}},
        {"type": "stat", "title": "Version", "gridPos": {"h": 4, "w": 3, "x": 3, "y": 1}},
        {"type": "row", "title": "c", "collapsed": True, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 5},
         "panels": [{"type": "stat", "title": "in", "gridPos": {"h": 10, "w": 24, "x": 0, "y": 6}}]},
        {"type": "row", "title": "next", "gridPos": {"h": 1, "w": 24, "x": 0, "y": 16}},
        {"type": "stat", "title": "after", "gridPos": {"h": 4, "w": 12, "x": 0, "y": 17}},
    ]
    assert [p["y"] for p in drawn_grid(panels)] == [0, 1, 5, 6, 7]
    assert [(i, before["y"], after["y"]) for i, before, after in compaction_moves(panels)] == [
        (3, 16, 6), (4, 17, 7)]


def test_a_panel_outside_the_columns_is_brought_in_first():
    # correctBounds (synchronizeLayoutWithChildren, before compact): x 20 + w 8 overflows 24,
    # so x becomes 16; x -2 becomes 0 with the full width. compact then sorts the corrected
    # cells: the full-width one (x 0) settles first, the other goes below it.
    panels = [{"type": "stat", "gridPos": {"h": 2, "w": 8, "x": 20, "y": 0}},
              {"type": "stat", "gridPos": {"h": 2, "w": 6, "x": -2, "y": 0}}]
    assert drawn_grid(panels) == [{"h": 2, "w": 8, "x": 16, "y": 2},
                                  {"h": 2, "w": 24, "x": 0, "y": 0}]


def test_lint_says_when_a_source_relies_on_compaction():
    model = {"uid": "g", "title": "gaps", "panels": [
        {"type": "text", "title": "top", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 0}},
        {"type": "text", "title": "floating", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 9}}]}
    found = [(f.rule, f.panel, f.message) for f in lint([Subject(model, "g.json", "json")])
             if f.rule == "grid-compaction"]
    assert found == [("grid-compaction", "floating",
                      "Grafana's grid compacts: it draws 'floating' at y=2, x=0 (gridPos y=9, x=0)")]
    model["panels"][1]["gridPos"]["y"] = 2
    assert not [f for f in lint([Subject(model, "g.json", "json")]) if f.rule == "grid-compaction"]


def test_import_says_when_the_source_relies_on_compaction_and_keeps_its_positions():
    model = {"uid": "g", "title": "gaps", "schemaVersion": 38, "panels": [
        {"type": "text", "title": "top", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 0},
         "options": {"content": "a", "mode": "markdown"}},
        {"type": "text", "title": "floating", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 9},
         "options": {"content": "b", "mode": "markdown"}}]}
    (loaded,) = load_json("gaps.json", dumps(model))
    result = import_model(loaded, "gaps")
    assert ("Grafana's grid compacts this layout: it draws 'floating' at y=2, x=0 (gridPos y=9, "
            "x=0); the code keeps the source's positions (lint: grid-compaction)") in result.notes
    assert "y=9" in result.source


def test_preview_draws_apache_http_as_grafana_does_no_panel_over_another():
    """apache-http's panels below its stats share y 1-3 with them; Grafana stacks them."""
    model = json.loads((SHARED / "corpus/apache-http.json").read_text())
    picture = render_dashboard(model, SyntheticData())
    boxes = [p.box for p in picture.panels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.right <= b.left or b.right <= a.left or a.bottom <= b.top or b.bottom <= a.top


_CELL = st.tuples(st.integers(0, 23), st.integers(0, 20), st.integers(1, 24), st.integers(1, 8)
                  ).map(lambda t: (t[0], t[1], min(t[2], 24 - t[0]), t[3]))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_CELL, min_size=1, max_size=12))
@example([(0, 0, 12, 4), (12, 0, 12, 2), (12, 4, 12, 2)])  # a gap under a cell ending beside it
def test_the_shortcut_for_a_settled_layout_draws_what_the_simulation_draws(raw):
    """``compact`` skips the simulation when nothing can move (every dashkit layout): the
    simulation's own output is such a layout, and either way the result is the simulation's."""
    cells = [Cell(i, *c) for i, c in enumerate(raw)]
    drawn = simulate(cells)
    assert compact(cells) == drawn
    assert settled(drawn) and compact(drawn) == drawn == simulate(drawn)
    # a gap, or an overlap, is never taken for a settled layout
    lifted = [Cell(c.key, c.x, c.y + (c.key == len(drawn) - 1), c.w, c.h) for c in drawn]
    assert compact(lifted) == simulate(lifted)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_CELL, min_size=1, max_size=10), st.permutations(range(10)), st.booleans())
def test_a_layout_compacted_again_is_drawn_as_the_first_time(raw, keys, clash):
    """``compact`` remembers its answer by the positions: asked again with other keys (or two
    cells of one key, which it does not remember), it draws what the simulation draws, and an
    answer changed by its caller changes no later one."""
    cells = [Cell(keys[i] if not clash or i else keys[-1], *c) for i, c in enumerate(raw)]
    first = compact([Cell(i, *c) for i, c in enumerate(raw)])
    first[0].y += 100
    again = compact(cells)
    expected = simulate(cells) if not settled(cells) else cells
    assert [(c.key, c.x, c.y, c.w, c.h) for c in again] == \
        [(c.key, c.x, c.y, c.w, c.h) for c in expected]
