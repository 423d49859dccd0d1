"""The import's shortcuts, each held to the full path it stands in for: the same output, on the
corpus and on hand-made dashboards that reach the cases a shortcut could get wrong.

- The first pass is not rendered (``generator.first_pass``): its notes and the dashboard it
  builds from its calls are those of the rendered pass's module, run.
- A generator evaluates each Code fragment (a constant's name, a ``%`` template) once
  (``Declarations.evaluated``): its modules are those of evaluating every fragment afresh.
- The second pass takes the panel JSON the first compiled for the same call, where the call's
  Code fragments have the same values (``panel_cache``): its modules are those of compiling
  every call.
- The second pass migrates the model it loaded from the first pass's JSON in place, not a
  copy (``migrate_dashboard(..., owned=True)``): its module is the copy's.
- A panel's residue and whether the builder covers it are found in one walk
  (``compare.residue_and_cover``): the same as ``residue_of`` and ``covers``, the full walks;
  ``covers`` itself answers two objects, two lists or two leaves of one type without its
  general checks.
- ``build_value`` copies a plain JSON value (a raw panel, an ``extra``) in one orjson round
  trip: what building it piece by piece gives, the same types included.
- A generated module is written without a layout (``pysource.unformatted``), since ruff lays
  it out: formatted, it is the module laid out by ``render``, formatted.
- A checked module or expression is evaluated from its syntax tree (``codecheck._value``), not
  compiled: what Python makes of it compiled, in the same order.
- A ``%`` template over named constants the generator made (``pysource.Template``) is found
  without parsing its text (``codecheck.code_value``): what its text evaluates to.
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import SHARED, examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dashkit.grafana.compare import covers, residue_and_cover
from dashkit.grafana.normalise import Loaded, load_json
from dashkit.importer.codecheck import (
    UnsafeSource,
    _import,
    build_value,
    check_expression,
    check_module,
    code_value,
    evaluate,
    run_module,
)
from dashkit.importer.declarations import Declarations
from dashkit.importer.formatting import format_modules
from dashkit.importer.generator import first_pass, generate_pass
from dashkit.importer.panel_cache import CompiledCalls
from dashkit.importer.pipeline import generate_model
from dashkit.importer.pysource import Call, Template, render, unformatted
from dashkit.sdk.compiler import compile_dashboard

CORPUS = sorted((SHARED / "corpus").glob("*.json"))

#: Notes from every part of a pass (migration, grid, settings, links, a derived uid), a shared
#: datasource, a repeated selector, a passthrough panel, a row, and a dashboard-level extra.
HAND = {"title": "Hand", "refresh": 5, "editable": "yes", "graphTooltip": 1.5,
        "weekStart": "monday", "liveNow": True, "tags": ["a"],
        "links": [{"title": "L", "tags": "one", "bogus": 1}],
        "time": {"from": "now-1h", "to": "now", "note": "kept"},
        "templating": {"list": [{"name": "job", "type": "query", "query": "label_values(job)",
                                 "datasource": {"type": "prometheus", "uid": "p"}}]},
        "annotations": {"list": [{"name": "deploys", "expr": "changes(x[5m])",
                                  "datasource": {"type": "prometheus", "uid": "p"}}]},
        "panels": [
            {"type": "timeseries", "title": "A", "id": 1, "gridPos": {"x": 0, "y": 3, "w": 12, "h": 8},
             "datasource": {"type": "prometheus", "uid": "p"},
             "targets": [{"expr": f'rate(x{{job="$job", instance="$i"}}[{n}m])'}
                         for n in range(3)]},
            {"type": "row", "title": "R", "collapsed": True, "gridPos": {"y": 20},
             "panels": [{"type": "stat", "title": "S", "unit": "s", "id": 2,
                         "datasource": {"type": "prometheus", "uid": "q"},
                         "targets": [{"expr": 'up{job="$job", instance="$i"}'}]},
                        {"type": "some-plugin-panel", "title": "P", "options": {"x": 1}}]}]}


def _loaded() -> list[Loaded]:
    found = [item for path in CORPUS for item in load_json(path.name, path.read_bytes())]
    return [*found, *load_json("hand.json", json.dumps(HAND))]


@pytest.mark.parametrize("loaded", _loaded(), ids=lambda loaded: loaded.source)
def test_the_first_pass_is_the_rendered_pass(loaded):
    notes, build = first_pass(loaded)[:2]
    rendered = generate_pass(loaded, "module")
    assert notes == rendered.notes
    dashboard = run_module(rendered.source)["dashboard"]
    assert compile_dashboard(build(), strict=False) == compile_dashboard(dashboard, strict=False)


def test_the_hand_dashboard_reaches_the_notes():
    """HAND's notes come from the settings, the links, the grid and the derived uid."""
    notes = first_pass(load_json("hand.json", json.dumps(HAND))[0])[0]
    assert len(notes) >= 5, notes


# --- Code fragments evaluated once a generator ---------------------------------------------------

def _other_hand() -> dict:
    """HAND again, where the same constant names mean other things: its datasource ``P`` is a
    Loki one, its repeated selector ``JOB_INSTANCE`` another job's."""
    other = json.loads(json.dumps(HAND).replace('{"type": "prometheus", "uid": "p"}',
                                                '{"type": "loki", "uid": "p"}'))
    other["title"] = "Other"
    for target in other["panels"][0]["targets"]:
        target["expr"] = target["expr"].replace('job="$job"', 'job="other"')
    return other


def _modules(models: list[dict]) -> list[str]:
    return [generate_model(item, "module").source
            for n, model in enumerate(models)
            for item in load_json(f"{n}.json", json.dumps(model))]


def test_code_fragments_evaluated_once_are_what_each_evaluation_gives(monkeypatch):
    """The modules of several dashboards generated in one process, the same with every Code
    fragment evaluated afresh: a fragment's value is its generator's, never another's."""
    models = [HAND, _other_hand(), *(json.loads(p.read_bytes()) for p in CORPUS[:4])]
    once = _modules(models)
    assert 'P = DatasourceRef("loki", "p")' in once[1] and 'job="other"' in once[1]

    def afresh(self: Declarations, code: Any, built: Any = None) -> Any:
        constants = set(self.datasources.values()) | set(self.selectors.values())
        return build_value(code, self.namespace, constants, None, built)

    monkeypatch.setattr(Declarations, "evaluate", afresh)
    assert _modules(models) == once


# --- the first pass's compiled panels taken by the second -------------------------------------

def _second_pass(loaded: Loaded, earlier: CompiledCalls | None) -> str:
    notes, build = first_pass(loaded)[:2]
    compiled = compile_dashboard(build(), strict=False)
    again = load_json(loaded.source, json.dumps(compiled))[0]
    return generate_pass(again, "module", notes, earlier).source


@pytest.mark.parametrize("loaded", _loaded(), ids=lambda loaded: loaded.source)
def test_the_second_pass_taking_compiled_panels_writes_what_compiling_them_does(loaded):
    taken, known = [], []
    earlier = first_pass(loaded)[2]
    find, outcome = earlier.find, earlier.outcome
    earlier.find = lambda *a: taken.append(find(*a)) or taken[-1]  # type: ignore[method-assign]
    earlier.outcome = lambda *a: known.append(outcome(*a)) or known[-1]  # type: ignore[method-assign]
    assert _second_pass(loaded, earlier) == _second_pass(loaded, None)
    if loaded.source in ("node-exporter-full.json", "hand.json"):
        assert any(found is not None for found in taken)  # not vacuous
        assert any(found is not None for found in known)


def test_a_first_pass_outcome_is_taken_only_for_the_very_same_panel():
    """Exactly the same panel, values of the same types (1, 1.0 and true differ in Grafana's
    JSON), the same compiled object; and exactly the same extra, a NaN (written as null) too."""
    compiled, written = {"type": "stat", "title": "t"}, {"type": "stat", "title": "t", "decimals": 1}
    record = CompiledCalls()
    record.add_outcome(compiled, written, {"meaning": 1}, {"decimals": 1})
    found = record.outcome(compiled, {"title": "t", "decimals": 1, "type": "stat"})
    assert found is not None and found.meaning == {"meaning": 1}
    for other in ({**written, "decimals": 1.0}, {**written, "decimals": True}, compiled,
                  {**written, "decimals": None}):
        assert record.outcome(compiled, other) is None
    assert record.outcome(dict(compiled), written) is None  # another compiled object
    assert found.same_residue({"decimals": 1})
    assert not any(found.same_residue(r) for r in ({"decimals": 1.0}, {"decimals": True}, {}))
    record.add_outcome(compiled, {"x": float("nan")}, {}, {"x": float("nan")})
    assert record.outcome(compiled, {"x": None}) is None
    record.add_outcome(compiled, {"x": None}, {}, {"x": float("nan")})
    assert not record.outcome(compiled, {"x": None}).same_residue({"x": None})


@pytest.mark.parametrize("source", ["hand.json", "node-exporter-full.json"])
def test_the_second_pass_compares_again_where_the_extra_differs(source, monkeypatch):
    """An outcome whose extra is not the one found now is not taken: the panel is compared
    again (here by a comparison that covers nothing, so every such panel stays raw)."""
    loaded = _loaded()[[item.source for item in _loaded()].index(source)]
    first = first_pass(loaded)
    again = load_json(loaded.source, json.dumps(compile_dashboard(first.build(), strict=False)))[0]
    for outcomes in first.record.outcomes.values():
        outcomes[:] = [o._replace(residue={"bogus": 1}, residue_exact=b'{"bogus":1}')
                       for o in outcomes]
    monkeypatch.setattr("dashkit.importer.generator.covers", lambda actual, expected: False)
    compared = generate_pass(again, "module", first.notes, None).source
    assert generate_pass(again, "module", first.notes, first.record).source == compared
    assert "panels.raw" in compared  # not vacuous: some panels had an extra


def test_a_panel_whose_code_values_differ_is_compiled_again():
    """An earlier pass's panel compiled with another value for a datasource constant or a
    selector is not taken, though the call is the same text."""
    loaded = load_json("hand.json", json.dumps(HAND))[0]
    earlier = first_pass(loaded)[2]
    assert any(values for _, values, _, _ in earlier.compiled.values())
    for key, (call, values, compiled, built) in list(earlier.compiled.items()):
        changed = [f"{v} " if isinstance(v, str) else type(v)(v.type, v.uid + "x") for v in values]
        earlier.compiled[key] = (call, changed, {**compiled, "title": "wrong"}, built)
    assert _second_pass(loaded, earlier) == _second_pass(loaded, None)


# --- a panel's residue and cover in one walk -----------------------------------------------------

def _residue_of(original: Any, built: Any) -> Any:
    """compare.residue_of as it was: ``covers`` asked again at every level."""
    if isinstance(original, dict) and isinstance(built, dict):
        result = {}
        for key, value in original.items():
            if key not in built:
                result[key] = value
            elif not covers(built[key], value):
                inner = _residue_of(value, built[key])
                if inner != {} or not isinstance(value, dict):
                    result[key] = inner
        return result
    return original


_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([0.0, 1.0, 1.5]),
                  st.sampled_from(["", "a", "b"]))
_JSON = st.recursive(_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
    max_leaves=12)


def _covers(actual: Any, expected: Any) -> bool:
    """compare.covers as it was, before its shortcuts for leaves and objects of one type."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _covers(actual[key], value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            _covers(a, e) for a, e in zip(actual, expected))
    return bool(actual == expected and type(actual) is type(expected)) or (
        isinstance(actual, (int, float)) and isinstance(expected, (int, float))
        and not isinstance(actual, bool) and not isinstance(expected, bool) and actual == expected)


@settings(max_examples=examples(400), deadline=None)
@given(_JSON, _JSON)
@example({"a": 1, "b": [1]}, {"a": 2})  # a leaf of an object that differs
@example({"a": 1.0}, {"a": 1})
@example({"a": True}, {"a": 1})
def test_covers_keeps_the_full_rule(actual, expected):
    assert covers(actual, expected) is _covers(actual, expected)
    assert covers(expected, expected) is _covers(expected, expected)


@settings(max_examples=examples(400), deadline=None)
@given(_JSON, _JSON)
@example({"a": {}}, {"a": 1})  # an empty object the builder has as something else
@example({"a": {"b": {}}}, {"a": {"b": []}})
@example({"a": {}}, {"a": {}})
@example({"a": [{}]}, {"a": [1]})
def test_residue_and_cover_are_the_full_walks(original, built):
    before = copy.deepcopy((original, built))
    residue, covered = residue_and_cover(original, built)
    assert residue == _residue_of(original, built)
    assert covered is covers(built, original)
    assert (original, built) == before


def test_a_panel_whose_empty_object_the_builder_writes_otherwise_stays_raw():
    """No residue, yet not covered: the panel is passed through, as the full walk had it."""
    model = {"title": "E", "uid": "e", "panels": [
        {"type": "stat", "title": "S", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
         "options": {"colorMode": {}}, "targets": [{"expr": "up"}]}]}
    source = generate_model(load_json("e.json", json.dumps(model))[0], "e").source
    assert "panels.raw(" in source and "panels.stat(" not in source


# --- the second pass migrates its own model in place ----------------------------------------------

@pytest.mark.parametrize("loaded", _loaded()[-3:], ids=lambda loaded: loaded.source)
def test_the_second_pass_migrating_in_place_writes_what_migrating_a_copy_does(loaded):
    """generate_model's second pass owns its model (loaded from the first pass's JSON), so it
    migrates it in place: the module is the one a copy gives."""
    notes, build, earlier = first_pass(loaded)[:3]
    text = json.dumps(compile_dashboard(build(), strict=False))
    copied_pass = generate_pass(load_json(loaded.source, text)[0], "module", notes, earlier)
    in_place = generate_pass(load_json(loaded.source, text)[0], "module", notes, earlier, owned=True)
    assert in_place.source == copied_pass.source
    assert generate_model(loaded, "module").source == copied_pass.source


# --- build_value copies plain JSON in one step ---------------------------------------------------

def _typed(value: Any) -> Any:
    """``value`` with each leaf's type beside it: equal only where the types are equal too."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=examples(300), deadline=None)
@given(_JSON)
@example({"a": [{"b": -0.0}, 1.0, True, 2**63 - 1]})
def test_plain_json_is_built_as_it_is_written(value):
    built = build_value(value, {}, ())
    assert _typed(built) == _typed(value)
    if isinstance(value, (dict, list)) and value:
        assert built is not value  # a copy: the builders may keep it


def test_json_holding_a_code_fragment_is_built_piece_by_piece():
    from dashkit.importer.pysource import Code
    namespace = {"N": 5}
    value = {"a": [1, {"b": Code("N")}], "c": "x", "d": 2**70}
    assert build_value(value, namespace, ("N",)) == {"a": [1, {"b": 5}], "c": "x", "d": 2**70}


# --- the first pass's dashboard is built and compiled from the panels it built ---------------------

@pytest.mark.parametrize("loaded", _loaded(), ids=lambda loaded: loaded.source)
def test_the_first_pass_compiles_its_dashboard_as_compiling_every_panel_does(loaded, monkeypatch):
    """The first pass builds and compiles each panel to compare it; its dashboard takes those
    panels and their JSON (``FirstPass.compiled``): the JSON of compiling every panel again."""
    import dashkit.sdk.compiler as compiler

    first = first_pass(loaded)
    calls = []
    compile_panel = compiler.compile_panel
    monkeypatch.setattr(compiler, "compile_panel", lambda *a: calls.append(a) or compile_panel(*a))
    taken = first.compiled()
    taken_calls = len(calls)
    assert taken == compile_dashboard(first.build(), strict=False)
    if loaded.source in ("node-exporter-full.json", "hand.json"):
        assert taken_calls < len(calls) / 2  # not vacuous: most panels were not compiled again


def test_panel_json_known_already_is_not_taken_under_a_dashboard_datasource():
    """compile_panel's JSON depends on the dashboard's datasource: JSON compiled without one is
    not taken for a dashboard that has one."""
    from dashkit import Dashboard, DatasourceRef, Target, panels

    stat = panels.stat("S", Target("up"), unit="short")
    wrong = {id(stat): {"type": "stat", "title": "not compiled here"}}
    with_datasource = Dashboard(uid="d", title="D", panels=[stat],
                                datasource=DatasourceRef("prometheus", "prom"))
    assert compile_dashboard(with_datasource, strict=False, compiled=wrong) == \
        compile_dashboard(with_datasource, strict=False)
    without = Dashboard(uid="d", title="D", panels=[stat], datasource=None)
    assert compile_dashboard(without, strict=False, compiled=wrong)["panels"][0]["title"] == \
        "not compiled here"  # taken where it applies


_TEXT = st.text(alphabet="ab \n'\"\\é", max_size=120)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=6) | st.tuples(inner, inner)
    | st.dictionaries(_TEXT, inner, max_size=4)
    | st.builds(Call, st.sampled_from(["panels.timeseries", "Row", "Target"]),
                st.lists(inner, max_size=3).map(tuple),
                st.lists(st.tuples(st.sampled_from(["unit", "extra", "w"]), inner), max_size=2,
                         unique_by=lambda kv: kv[0]).map(tuple)),
    max_leaves=15)


@settings(max_examples=examples(60), deadline=None)
@given(values=st.lists(_VALUES, min_size=1, max_size=8))
def test_a_module_without_a_layout_is_formatted_as_the_laid_out_one(values):
    laid_out = "".join(f"v{n} = {render(v, prefix=len(f'v{n} = '))}\n" for n, v in enumerate(values))
    flat = "".join(f"v{n} = {unformatted(v, len(f'v{n} = '))}\n" for n, v in enumerate(values))
    assert format_modules([laid_out, flat]) == [format_modules([laid_out])[0]] * 2


def _same_values(ours: Any, theirs: Any) -> bool:
    """Equal, of the same types all the way down (1, 1.0 and True are not the same value)."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return list(ours) == list(theirs) and all(_same_values(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, (list, tuple)):
        return len(ours) == len(theirs) and all(map(_same_values, ours, theirs))
    return bool(ours == theirs)


_LITERALS = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(_TEXT | st.integers(-2, 2) | st.booleans(), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=examples(100), deadline=None)
@given(values=st.lists(_LITERALS, min_size=1, max_size=5))
def test_a_checked_module_evaluates_to_what_python_runs_it_to(values):
    source = ('"""doc"""\nfrom __future__ import annotations\n\nfrom dashkit import DatasourceRef\n'
              'SEL = \'job="a"\'\nDS = DatasourceRef("prometheus", "p")\nJSON = DS.to_json_data()\n'
              "ONE = 'up{%s}' % SEL\nTWO = 'up{%s, %s} %%' % (SEL, SEL)\nNEG = [-1, -2.5, -True]\n"
              + "".join(f"V{n} = {render(v)}\n" for n, v in enumerate(values)))
    theirs: dict[str, Any] = {"__builtins__": {"__import__": _import}}
    exec(compile(check_module(source), "<test>", "exec"), theirs)  # noqa: S102 - the oracle
    ours = run_module(source)
    assert ours.keys() == theirs.keys()
    assert all(_same_values(ours[k], theirs[k]) for k in ours if k != "__builtins__")


@settings(max_examples=examples(100), deadline=None)
@given(value=_VALUES.filter(lambda v: not isinstance(v, str)))
def test_a_checked_expression_runs_its_calls_as_python_does(value):
    """Calls in Python's order (function, arguments, keywords), with what they return."""
    def namespace(made: list[Any]) -> dict[str, Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            made.append((args, kwargs))
            return len(made)
        return {"panels": type("Builders", (), {"timeseries": staticmethod(call)}),
                "Row": call, "Target": call}

    source = render(value)
    ours_made: list[Any] = []
    theirs_made: list[Any] = []
    ours = evaluate(source, namespace(ours_made), ())
    tree = check_expression(source, ["panels", "Row", "Target"], ())
    theirs = eval(compile(tree, "<test>", "eval"), namespace(theirs_made))  # noqa: S307 - the oracle
    assert _same_values(ours, theirs) and _same_values(ours_made, theirs_made)


@settings(max_examples=examples(200), deadline=None)
@given(template=st.text(alphabet="ab%s{}()'\"\\\n é", max_size=40),
       values=st.lists(st.text(alphabet="ab%s{}'\"\\ ", max_size=8), min_size=1, max_size=3))
def test_a_template_is_what_its_text_evaluates_to(template, values):
    names = [f"SEL_{n}" for n in range(len(values))]
    namespace = dict(zip(names, values))
    code = Template.over(template, names)
    try:
        expected: Any = evaluate(code.text, namespace, names)
    except (TypeError, ValueError) as error:  # a template its values do not fill
        with pytest.raises(type(error)):
            code_value(code, namespace, names)
        return
    assert code_value(code, namespace, names) == expected


def test_a_template_over_a_name_that_is_no_constant_is_refused_as_its_text_is():
    code = Template.over("up{%s}", ["panels"])
    with pytest.raises(UnsafeSource):
        code_value(code, {"panels": 'job="a"'}, ())


def test_the_first_pass_dashboard_leaves_the_panel_json_it_takes_unchanged():
    """compile_dashboard takes the first pass's panel JSON without copying it: it sets only
    each panel's id and gridPos, on a copy of its top level, never on the JSON shared."""
    first = first_pass(load_json("hand.json", json.dumps(HAND))[0])
    taken = [first.record.compiled, [o.written for found in first.record.outcomes.values()
                                     for o in found]]  # the JSON of panels without and with extra
    before = copy.deepcopy(taken)
    model = first.compiled()
    assert taken == before and first.compiled() == model
    assert all("id" in panel and "gridPos" in panel for panel in model["panels"])
