from __future__ import annotations

import pytest

from dashkit import Dashboard, DashkitError, Panel, Row, compile_dashboard, panels
from dashkit.sdk.compiler import stable_ids


def box(title: str, w: int = 12, h: int = 8, **kw) -> Panel:
    return panels.text(title, title, w=w, h=h, **kw)


def positions(dashboard: Dashboard) -> dict[str, dict]:
    from dashkit.grafana.model import iter_panels

    return {p["title"]: p["gridPos"] for p in iter_panels(compile_dashboard(dashboard)["panels"])}


def test_panels_flow_left_to_right_and_wrap():
    pos = positions(Dashboard("u", "t", [box("a", 8), box("b", 8), box("c", 8), box("d", 12, 4)]))
    assert pos["a"] == {"x": 0, "y": 0, "w": 8, "h": 8}
    assert pos["c"] == {"x": 16, "y": 0, "w": 8, "h": 8}
    assert pos["d"] == {"x": 0, "y": 8, "w": 12, "h": 4}


def test_a_line_is_as_tall_as_its_tallest_panel():
    pos = positions(Dashboard("u", "t", [box("a", 12, 3), box("b", 12, 9), box("c", 24, 2)]))
    assert pos["c"]["y"] == 9


def test_rows_start_a_new_line_and_hold_their_panels():
    dashboard = Dashboard("u", "t", [box("a", 6), Row("r", [box("b"), box("c")])])
    model = compile_dashboard(dashboard)
    row = next(p for p in model["panels"] if p["type"] == "row")
    assert row["gridPos"] == {"x": 0, "y": 8, "w": 24, "h": 1} and row["panels"] == []
    assert positions(dashboard)["b"] == {"x": 0, "y": 9, "w": 12, "h": 8}


def test_collapsed_rows_nest_their_panels_and_take_no_room():
    dashboard = Dashboard("u", "t", [Row("r1", [box("a"), box("b", 24)], collapsed=True),
                                     Row("r2", [box("c")])])
    model = compile_dashboard(dashboard)
    assert [p["title"] for p in model["panels"]] == ["r1", "r2", "c"]
    r1 = model["panels"][0]
    assert [p["title"] for p in r1["panels"]] == ["a", "b"]
    assert r1["panels"][1]["gridPos"]["y"] == 9
    assert model["panels"][1]["gridPos"]["y"] == 1


@pytest.mark.parametrize("panel,message", [
    (box("wide", 25), "width 25 does not fit the 24-column grid"),
    (box("zero", 0), "width 0 does not fit"),
    (Panel(box("placed").spec, w=12, x=16, y=0), "overflows the 24-column grid"),
])
def test_overflow_is_an_error_naming_the_panel(panel, message):
    with pytest.raises(DashkitError, match=message) as info:
        compile_dashboard(Dashboard("u", "t", [panel]))
    assert info.value.panel == panel.title and info.value.dashboard == "u"


def test_overlapping_explicit_positions_are_an_error():
    first = Panel(box("a").spec, w=12, h=8, x=0, y=0)
    second = Panel(box("b").spec, w=12, h=8, x=6, y=4)
    with pytest.raises(DashkitError, match="overlaps panel 'b'"):
        compile_dashboard(Dashboard("u", "t", [first, second]))


def test_ids_are_stable_when_a_panel_is_inserted():
    before = compile_dashboard(Dashboard("u", "t", [box("a"), box("b"), Row("r", [box("c")])]))
    after = Dashboard("u", "t", [box("new"), box("a"), box("b"), Row("r", [box("x"), box("c")])])
    ids_before = {p["title"]: p["id"] for p in _all(before)}
    ids_after = {p["title"]: p["id"] for p in _all(compile_dashboard(after))}
    for title, panel_id in ids_before.items():
        assert ids_after[title] == panel_id


def test_ids_are_unique_across_nested_rows():
    model = compile_dashboard(Dashboard("u", "t", [Row("r1", [box("cpu")], collapsed=True),
                                 Row("r2", [box("cpu")], collapsed=True)]))
    ids = [p["id"] for p in _all(model)]
    assert len(ids) == len(set(ids)) == 4


def test_duplicate_titles_need_a_key():
    with pytest.raises(DashkitError, match="share the key 'cpu'"):
        compile_dashboard(Dashboard("u", "t", [box("cpu"), box("cpu")]))
    compile_dashboard(Dashboard("u", "t", [box("cpu"), box("cpu", key="cpu-2")]))


def test_id_collisions_are_resolved_deterministically():
    ids = stable_ids([f"k{i}" for i in range(3000)])
    assert len(set(ids.values())) == 3000
    assert stable_ids(list(reversed(list(ids)))) == ids


def _all(model):
    from dashkit.grafana.model import iter_panels

    return list(iter_panels(model["panels"]))
