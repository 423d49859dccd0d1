"""dashkit's ``Flow`` layout against positions written by hand (the importer predicts positions
with the same ``Flow``, so the import round trip cannot see a bug in it). Each expected
``(x, y, w, h)`` is worked out on paper from the README's layout rules: panels fill a line left
to right and wrap when the next one does not fit, each as high up as its columns allow (where
Grafana's vertical compaction puts it: below a short panel of the line above, not below the
line's tallest); a row starts below everything, its panels start the line below it; a collapsed row's
panels keep their expanded positions but take no room; a fixed panel is where it says. They are
also where Grafana draws them: its grid (dashkit.grafana.grid) moves none of them."""
from __future__ import annotations

from dashkit.grafana.grid import compaction_moves
from dashkit.sdk.layout import Panel, Row, layout, walk


def _panel(key, w, h, x=None, y=None):
    return Panel({"title": key}, w, h, key=key, x=x, y=y)


def _positions(items):
    return {p.key: (p.pos.x, p.pos.y, p.pos.w, p.pos.h) for p in walk(layout(items))}


def test_panels_fill_a_line_and_wrap_each_as_high_as_its_columns_allow():
    # e's columns (12-23) are free from row 6 (b ends at 4, c at 6): not from 8, a's bottom
    assert _positions([_panel("a", 8, 8), _panel("b", 8, 4), _panel("c", 8, 6),
                       _panel("d", 12, 5), _panel("e", 12, 3), _panel("f", 24, 2)]) == {
        "a": (0, 0, 8, 8), "b": (8, 0, 8, 4), "c": (16, 0, 8, 6),
        "d": (0, 8, 12, 5), "e": (12, 6, 12, 3), "f": (0, 13, 24, 2)}


def test_a_row_starts_a_line_and_its_panels_start_below_it():
    assert _positions([_panel("a", 6, 4),
                       Row("R", [_panel("b", 12, 6), _panel("c", 12, 2), _panel("d", 6, 3)], key="r"),
                       _panel("e", 24, 1)]) == {
        "a": (0, 0, 6, 4), "r": (0, 4, 24, 1), "b": (0, 5, 12, 6), "c": (12, 5, 12, 2),
        "d": (0, 11, 6, 3), "e": (0, 14, 24, 1)}


def test_a_collapsed_rows_panels_keep_their_places_but_take_no_room():
    assert _positions([Row("C", [_panel("a", 24, 10), _panel("b", 12, 3)], collapsed=True, key="c"),
                       Row("N", [_panel("d", 12, 4)], key="n")]) == {
        "c": (0, 0, 24, 1), "a": (0, 1, 24, 10), "b": (0, 11, 12, 3),
        "n": (0, 1, 24, 1), "d": (0, 2, 12, 4)}


def test_a_fixed_panel_is_where_it_says_and_the_flow_goes_on_after_it():
    assert _positions([_panel("a", 6, 2), _panel("fixed", 6, 5, x=12, y=0), _panel("b", 6, 2),
                       _panel("c", 6, 2), Row("R", y=20, key="r"), _panel("d", 4, 4)]) == {
        "a": (0, 0, 6, 2), "fixed": (12, 0, 6, 5), "b": (18, 0, 6, 2), "c": (0, 2, 6, 2),
        "r": (0, 20, 24, 1), "d": (0, 21, 4, 4)}


def test_grafana_draws_a_flowed_layout_where_flow_put_it():
    placed = layout([_panel("a", 8, 8), _panel("b", 8, 4), _panel("c", 16, 2), _panel("g", 8, 3),
                     Row("R", [_panel("d", 12, 6)], key="r"),
                     Row("C", [_panel("e", 24, 10)], collapsed=True, key="cr"),
                     Row("N", [_panel("f", 6, 2)], key="n")])
    top = []  # the page: a collapsed row's panels are not on it
    for item in placed:
        shown = [item] if isinstance(item.item, Row) and item.item.collapsed else [item, *item.children]
        top += [{"type": "row" if isinstance(p.item, Row) else "stat",
                 "gridPos": p.pos.to_json_data()} for p in shown]
    assert compaction_moves(top) == []
