"""The speed shortcuts of issue 27 held to what they replaced: each expectation is worked out by
hand from the rule the slow path followed (README's layout rules; Grafana's ``getNextRefId``,
which ``PanelModel.ensureQueryIds`` runs on load)."""
from __future__ import annotations

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from dashkit import DashkitError, Target, panels
from dashkit.grafana.compare import covers
from dashkit.lint import checks, sets
from dashkit.lint.findings import VARIABLE_UNDEFINED, Subject
from dashkit.sdk.compiler import compile_panel
from dashkit.sdk.layout import Panel, Row, _check_overlaps, layout, walk
from dashkit.sdk.variables import references


def _panel(key, w, h, x=None, y=None):
    return Panel({"title": key}, w, h, key=key, x=x, y=y)


def _positions(items):
    return {p.key: (p.pos.x, p.pos.y, p.pos.w, p.pos.h) for p in walk(layout(items))}


def test_a_one_column_panel_occupies_its_column():
    # c wraps to column 0, which a (one column wide) fills down to row 8
    assert _positions([_panel("a", 1, 8), _panel("b", 23, 2), _panel("c", 1, 1)]) == {
        "a": (0, 0, 1, 8), "b": (1, 0, 23, 2), "c": (0, 8, 1, 1)}


def test_a_fixed_panel_above_a_column_floor_does_not_lower_it():
    # b (fixed) ends at row 12; c (fixed, rows 5-7) sits between a and b; d wraps below b
    assert _positions([_panel("a", 12, 4), _panel("b", 12, 2, x=0, y=10),
                       _panel("c", 12, 2, x=0, y=5), _panel("d", 13, 3)]) == {
        "a": (0, 0, 12, 4), "b": (0, 10, 12, 2), "c": (0, 5, 12, 2), "d": (0, 12, 13, 3)}


def test_a_panel_placed_by_position_occupies_each_of_its_columns():
    # a (fixed) covers columns 0-1 down to row 5; b flows beside it; d wraps to column 0 below
    # a, and e beside d rests on a's second column, not on the empty grid above it
    assert _positions([_panel("a", 2, 5, x=0, y=0), _panel("b", 22, 1), _panel("d", 1, 1),
                       _panel("e", 1, 1)]) == {
        "a": (0, 0, 2, 5), "b": (2, 0, 22, 1), "d": (0, 5, 1, 1), "e": (1, 5, 1, 1)}


def test_queries_without_a_ref_id_skip_the_letters_written_ones_take():
    # position 0: A is taken, so B; position 1: B now taken, so C; the written A stays
    panel = panels.timeseries("T", "up", "up", Target("up", ref_id="A"))
    assert [t["refId"] for t in compile_panel(panel, None)["targets"]] == ["B", "C", "A"]


def test_one_option_is_kept_and_no_option_gives_the_builders_defaults():
    assert (panels.stat("S", "up", w=8).w, panels.stat("S", "up").w) == (8, 6)


@pytest.mark.parametrize("actual,expected,covered", [
    (1, 1.0, True),  # JSON has one number type: 1 and 1.0 are the same value
    (1.5, 1.5, True),
    (True, 1, False),  # but a boolean is not a number, either way round
    (1, True, False),
    (False, 0.0, False),
    (None, None, True),
    ("1", 1, False),
    ({"a": 1, "b": 2}, {"a": 1.0}, True),  # actual may have more keys, never fewer
    ({"a": 1}, {"a": 1, "b": 2}, False),
    ([1, 2], [1, 2, 3], False),  # a list is covered whole, in order
    ([{"a": True, "x": 0}], [{"a": True}], True),
    ([{"a": 1}], [{"a": True}], False),
])
def test_a_value_covers_what_it_holds_with_the_same_json_types(actual, expected, covered):
    """The same-type shortcut in ``covers`` keeps the full rule: a boolean never stands for a
    number, an int and a float of one value are equal, objects may hold more keys."""
    assert covers(actual, expected) is covered


# --- lint's undefined-variable walk, skipped where no text can name an undefined variable -------

_TEXT = st.text(alphabet="$xyz{}[]:\"\\ _aé\n", max_size=12)
_NAMES = ("x", "y", "z", "DS_x")


def _target(expr: str, legend: str, ds: str) -> dict:
    return {"refId": "A", "expr": expr, "legendFormat": legend, "datasource": {"uid": ds}}


_PANELS = st.lists(st.builds(
    lambda title, kind, repeat, targets, link, content: {
        "type": kind, "title": title, "targets": targets,
        "links": [{"url": link}], **({"repeat": repeat} if repeat else {}),
        **({"options": {"content": content}} if kind == "text" else {})},
    _TEXT, st.sampled_from(["timeseries", "text"]), st.sampled_from(["", *_NAMES, "w"]),
    st.lists(st.builds(_target, _TEXT, _TEXT, _TEXT), max_size=2), _TEXT, _TEXT), max_size=3)


def _undefined_by_walking(model: dict) -> list[tuple[str, str]]:
    """What the walk over every text finds (the rule as it was before the shortcut)."""
    names = {v["name"] for v in model["templating"]["list"]}
    found = []
    for where, text in checks.variable_texts(model):
        for name in sorted(references(text) - names):
            if not name.startswith("DS_"):
                found.append((where, f"${name} is used but not defined"))
    return found


@settings(max_examples=examples(300), deadline=None)
@given(_PANELS, st.lists(st.sampled_from(_NAMES), unique=True), _TEXT, _TEXT)
def test_the_undefined_variable_shortcut_finds_what_the_walk_finds(panels, names, link, note):
    model = {"uid": "u", "title": "T", "panels": panels, "links": [{"url": link}],
             "description": note, "annotations": {"list": [{"expr": note, "datasource": link}]},
             "templating": {"list": [{"name": n, "type": "custom", "query": "a"} for n in names]}}
    found = [(f.panel, f.message) for f in checks.lint_dashboard(Subject(model, "d.py", "d", None))
             if f.rule == VARIABLE_UNDEFINED.id]
    assert found == _undefined_by_walking(model)


def test_a_repeat_over_an_undefined_variable_is_found_though_no_text_writes_its_dollar():
    model = {"uid": "u", "title": "T", "templating": {"list": []},
             "panels": [{"type": "timeseries", "title": "Per node", "repeat": "node", "targets": []}]}
    assert [(f.panel, f.message) for f in checks.lint_dashboard(Subject(model, "d.py", "d", None))
            if f.rule == VARIABLE_UNDEFINED.id] == [("Per node", "$node is used but not defined")]


def test_modules_formatted_together_are_each_as_formatted_alone():
    """import formats a run's modules in one ruff run (format_modules); each comes back as the
    one-at-a-time path gives it, in order. Hand-written: ruff joins a call that fits on a line
    and keeps a long one split, one argument a line."""
    from dashkit.importer.formatting import format_module, format_modules

    short = "x = f(\n    1,\n    2,\n)\n"
    long = "y = g(" + ", ".join(f"'{'a' * 20}{n}'" for n in range(5)) + ")\n"
    together = format_modules([short, long, "z=1\n"])
    assert together == [format_module(short), format_module(long), format_module("z=1\n")]
    assert together[0] == "x = f(1, 2)\n" and together[2] == "z = 1\n"
    assert together[1].splitlines()[0] == "y = g(" and len(together[1].splitlines()) == 7


# --- references, set entries and import inputs read from texts made once ----------------------

def _references_by_findall(text: str) -> set[str]:
    """Grafana's variableRegex over the whole text (the rule before the shortcut)."""
    import re

    pattern = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::[^}]*)?\}|([A-Za-z_]\w*))"
                         r"|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]")
    return {a or b or c for a, b, c in pattern.findall(text)} - {
        n for a, b, c in pattern.findall(text) if (n := a or b or c).startswith("__")}


@settings(max_examples=examples(500), deadline=None)
@given(st.text(alphabet="$${}[]:_xy1 ", max_size=30))
def test_references_found_at_each_dollar_are_what_the_regex_finds_everywhere(text):
    assert references(text) == _references_by_findall(text)


@pytest.mark.parametrize("text,names", [
    ("$$x ${y} $__interval ${z:csv}", {"x", "y", "z"}),
    ("${a:x$b} $c", {"a", "c"}),  # a format runs to its brace, dollar and all
    ("${open $d", {"d"}),  # an unclosed brace is no reference; what follows still is
    ("[[w]] $v", {"w", "v"}),
])
def test_references_worked_by_hand(text, names):
    assert references(text) == names


@settings(max_examples=examples(300), deadline=None)
@given(_PANELS, _TEXT, st.sampled_from(["", "/d/", "/d/other", "x/d/y"]))
def test_a_set_entry_keeps_the_links_the_full_walk_finds(panels, note, path):
    model = {"uid": "u", "title": "T", "panels": panels, "links": [{"url": note + path}],
             "templating": {"list": [{"name": "x", "query": "/d/in-a-variable"}]}}
    walked = tuple(u for u in checks.variable_texts(model) if "/d/" in u[1])
    assert sets.set_entry(Subject(model, "d.py", "d", None)).links == walked


@pytest.mark.parametrize("where", ["panel", "variable", "nowhere"])
def test_import_inputs_are_found_outside_the_variables_and_in_them(where):
    panel = {"type": "stat", "title": "S", "targets": [],
             "datasource": {"uid": "${DS_PROM}" if where == "panel" else "p"}}
    variable = {"name": "v", "type": "query",
                "datasource": {"uid": "${DS_PROM}" if where == "variable" else "p"}}
    model = {"uid": "u", "title": "T", "panels": [panel], "templating": {"list": [variable]}}
    rules = {f.rule for f in checks.lint_dashboard(Subject(model, "d.json", "json", None))}
    assert ("provisioning-inputs" in rules) == (where != "nowhere")


def test_options_met_before_are_checked_again_when_their_type_differs():
    from dashkit import DashkitError

    assert panels.stat("S", "up", w=8).w == 8 and panels.stat("S", "up", w=8).w == 8  # cached
    for wrong in (8.0, True):  # equal to 8 and 1, and hashed alike, but no width
        panels.stat("S", "up", w=int(wrong))
        with pytest.raises(DashkitError, match="whole number of grid units"):
            panels.stat("S", "up", w=wrong)
    assert panels.stat("S", "up", w=6, links=[panels.data_link("a", "b")]).w == 6  # unhashable


def test_builder_values_checked_before_are_checked_again_when_their_type_differs():
    # grafanalib's check of fill=10 is remembered by type and value: 10.0 equals 10 and hashes
    # alike, but its fillOpacity takes only an int
    for _ in range(2):
        assert panels.timeseries("T", "up", fill=10).spec.fillOpacity == 10
        with pytest.raises(TypeError, match="'fillOpacity' must be <class 'int'>"):
            panels.timeseries("T", "up", fill=10.0)


def _judges_by_type_and_value(validator) -> bool:
    name = type(validator).__name__
    if validator is None or name in ("_InstanceOfValidator", "_InValidator"):
        return True
    if name == "_OptionalValidator":
        return _judges_by_type_and_value(validator.validator)
    if name == "_DeepIterable":
        return all(map(_judges_by_type_and_value,
                       (validator.member_validator, validator.iterable_validator)))
    return False


def test_the_checks_remembered_are_validators_that_judge_by_type_and_value():
    # a remembered check stands in for grafanalib's validator only while that validator reads
    # nothing but the value (a grafanalib release adding another kind fails here)
    from dashkit.sdk.direct import GaugePanelSpec, StatPanel, TimeSeriesPanel

    for kind in (TimeSeriesPanel, StatPanel, GaugePanelSpec):
        for field in kind.FIELDS.values():
            assert _judges_by_type_and_value(field.validator), (kind.__name__, field.name)
    assert not _judges_by_type_and_value(lambda instance, attribute, value: None)


_FLOWING = st.lists(st.tuples(st.integers(1, 24), st.integers(1, 9)), max_size=6)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["panels", "row", "collapsed row"]), _FLOWING),
                max_size=5))
def test_panels_the_flow_places_never_overlap(groups):
    # layout() checks overlaps only where a position was given by hand: the flow's own never do
    items: list = []
    for n, (kind, sizes) in enumerate(groups):
        flowing = [_panel(f"p{n}-{i}", w, h) for i, (w, h) in enumerate(sizes)]
        items += flowing if kind == "panels" else [
            Row(f"r{n}", flowing, collapsed=kind == "collapsed row")]
    _check_overlaps(layout(items, allow_overlaps=True))  # raises on the first overlap


@pytest.mark.parametrize("items", [
    [_panel("a", 24, 8), Row("r", [_panel("b", 6, 2)], y=4)],
    [Row("r", [_panel("a", 12, 8), _panel("b", 12, 8, x=6, y=3)])],
    [Row("r", [_panel("a", 12, 8), _panel("b", 12, 8, x=6, y=3)], collapsed=True)],
], ids=["row-placed-by-hand", "panel-in-a-row", "panel-in-a-collapsed-row"])
def test_a_position_given_by_hand_is_still_checked(items):
    with pytest.raises(DashkitError, match="overlaps"):
        layout(items)
