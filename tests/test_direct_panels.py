"""The builders no longer build grafanalib's objects (``sdk/direct.py``): the JSON each writes is
held here to what grafanalib's own class writes for the same arguments, over generated builder
calls, before and after dashkit's fixes; the fields written out in ``sdk/grafanalib_fields.py``
to grafanalib's own; and the spec still behaves as grafanalib's object does (its attributes,
its validators' errors, no state shared with the JSON)."""
from __future__ import annotations

import copy
import pickle
from typing import Any

import attrs
import grafanalib.core as gl
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from dashkit import Target, above, below, panels, promql, value_map
from dashkit.grafana.jsonio import dumps, plain
from dashkit.sdk.compiler import compile_panel
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.direct import _UNSET, DirectPanel
from dashkit.sdk.direct_current import current_shape
from dashkit.sdk.grafanalib_fields import Made
from dashkit.sdk.grafanalib_fixes import _current_shape_of, _with_queries, modernise_panel

PROM = DatasourceRef("prometheus", "${datasource}")
LOKI = DatasourceRef("loki", "logs")

_text = st.text(alphabet="ab $.{}\"'é", max_size=6)
_json = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | _text,
                     lambda inner: st.lists(inner, max_size=2)
                     | st.dictionaries(_text, inner, max_size=2), max_leaves=5)
_queries = st.lists(st.sampled_from([
    "up", promql.sum_(promql.sel("up")), promql.Expr("rate(x[5m])"),
    Target("up", legend="{{job}}", ref_id="Z", hide=True, datasource=LOKI),
    Target("up", extra={"exemplar": True, "interval": "1m"}),
]), max_size=3)
_options = st.fixed_dictionaries({}, optional={
    "description": _text, "datasource": st.sampled_from([PROM, LOKI, None]),
    "links": st.lists(st.builds(panels.data_link, _text, _text), max_size=2),
    "panel_links": st.lists(st.builds(panels.data_link, _text, _text), max_size=1),
    "transparent": st.booleans(), "repeat": st.sampled_from([None, "service"]),
    "repeat_direction": st.sampled_from(["h", "v"]), "max_per_row": st.sampled_from([None, 3]),
    "w": st.integers(1, 24), "extra": st.dictionaries(st.sampled_from(
        ["fieldConfig", "options", "maxDataPoints", "links", "interval", "title"]), _json, max_size=2),
})
_common = {"unit": _text, "legend": _text, "decimals": st.sampled_from([None, 0, 2]),
           "thresholds": st.sampled_from([None, above(5), below(0.5)])}
_mappings = st.lists(st.builds(value_map, st.dictionaries(
    st.integers(0, 2), st.tuples(_text, _text), max_size=2)), max_size=2)
#: Each builder that writes its JSON itself, and what its own arguments may be.
BUILDERS = {
    panels.timeseries: {
        **_common, "min": st.sampled_from([None, 0, 1.5]), "max": st.sampled_from([None, 100]),
        "stack": st.booleans(), "fill": st.integers(0, 100), "bars": st.booleans(),
        "legend_calcs": st.lists(st.sampled_from(["mean", "max", "lastNotNull"]), max_size=2),
        "legend_table": st.booleans(),
        "overrides": st.lists(st.builds(panels.override, _text,
                                        st.dictionaries(_text, _json, max_size=2)), max_size=2)},
    panels.stat: {
        **_common, "mappings": _mappings, "graph": st.booleans(), "color_background": st.booleans(),
        "reduce": st.sampled_from(["lastNotNull", "mean"]), "no_value": st.sampled_from([None, "0"]),
        "text_mode": st.sampled_from(["auto", "value"]), "instant": st.booleans()},
    panels.gauge: {
        **_common, "min": st.sampled_from([0, -1.5]), "max": st.sampled_from([1, 100]),
        "reduce": st.sampled_from(["lastNotNull", "max"])},
}
#: The builders whose panels are written straight in the current shape (``direct_current``).
WRITTEN_DIRECTLY = list(BUILDERS)
#: Those whose panels take the general path, grafanalib's JSON fixed.
BUILDERS.update({
    panels.bar_gauge: {
        **_common, "min": st.sampled_from([0, -1.5]), "max": st.sampled_from([None, 100]),
        "reduce": st.sampled_from(["lastNotNull", "max"]), "instant": st.booleans()},
    panels.table: {
        "unit": _text, "legend": _text, "thresholds": _common["thresholds"],
        "overrides": st.lists(st.builds(panels.override, _text,
                                        st.dictionaries(_text, _json, max_size=1)), max_size=1),
        "transformations": st.lists(st.sampled_from([{"id": "merge", "options": {}},
                                                     {"id": "organize", "options": {}}]), max_size=2),
        "sort_by": st.sampled_from([None, "Value #A", ""]), "descending": st.booleans(),
        "cell": st.sampled_from(["auto", "color-background"])},
    panels.heatmap: {"unit": _text},
    panels.logs: {},
    panels.text: {"content": _text},
})


def _built(builder: Any, title: str, queries: list[Any], arguments: dict[str, Any],
           options: dict[str, Any]) -> Any:
    """The builder called as its signature asks: a heatmap takes one query, a logs panel a
    datasource, a text panel its content and no data links."""
    if builder is panels.heatmap:
        return builder(title, queries[0] if queries else "up", **arguments, **options)
    if builder is panels.logs:
        return builder(title, *queries, **arguments, **{**options, "datasource": LOKI})
    if builder is panels.text:
        options = {k: v for k, v in options.items() if k != "links"}
        return builder(title, arguments.pop("content", "# notes"), **arguments, **options)
    return builder(title, *queries, **arguments, **options)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), title=_text, queries=_queries, options=_options,
       datasource=st.sampled_from([PROM, None]))
def test_a_builder_writes_what_grafanalibs_class_writes(data: st.DataObject, title: str,
                                                        queries: list[Any], options: dict[str, Any],
                                                        datasource: DatasourceRef | None):
    builder = data.draw(st.sampled_from(list(BUILDERS)))
    arguments = data.draw(st.fixed_dictionaries({}, optional=BUILDERS[builder]))
    spec = _built(builder, title, queries, arguments, options).spec
    assert isinstance(spec, DirectPanel)
    reference = spec.grafanalib()  # grafanalib's own object, from the same arguments
    assert spec.plain_json() == plain(reference)
    assert dumps(modernise_panel(spec, datasource)) == dumps(modernise_panel(reference, datasource))


#: Fields a user may set on the spec by hand, and values the builders never give them: each
#: written straight in the current shape (``direct_current``) or left to the general path.
_CHANGES = st.fixed_dictionaries({}, optional={
    "extraJson": st.sampled_from([None, {}, {"transparent": False}, {"transparent": 0},
                                  {"transparent": None}, {"links": []}, {"links": None},
                                  {"links": {"a": 1}}, {"fieldConfig": {}},
                                  {"fieldConfig": {"defaults": {"min": None, "links": [1]}}},
                                  {"fieldConfig": {"defaults": {"links": {"x": 1}}}},
                                  {"fieldConfig": {"defaults": {"unit": "s"}}},
                                  {"fieldConfig": {"overrides": []}}, {"repeat": "x"},
                                  {"maxDataPoints": 100}, {"fieldConfig": []}]),
    "dataSource": st.sampled_from([None, "a name", {"uid": "x"}, {"type": "loki", "uid": "l"}]),
    "description": st.sampled_from([None, ""]), "title": st.sampled_from([None, ""]),
    "targets": st.sampled_from([[], [{"expr": "up", "refId": ""}]]),
    "thresholdType": st.sampled_from([None, "", "percentage"]),
    "thresholds": st.sampled_from(["", [], [{"color": "red", "value": "null"}],
                                   [{"value": 1}, {"color": "blue", "value": "null"}]]),
    "mappings": st.sampled_from([None, [], [{"type": "value"}]]),
    "overrides": st.sampled_from([None, []]), "unit": st.sampled_from(["", "s"]),
    "format": st.sampled_from(["", "s"]), "valueMin": st.sampled_from([None, 0, {"a": 1}]),
    "color": st.sampled_from([None, {}, {"mode": "fixed"}]),
    "noValue": st.sampled_from([None, "none", "-"]), "label": st.sampled_from([None, "x"]),
    "dataLinks": st.sampled_from([[], {"a": 1}]), "allValues": st.booleans(),
    "limit": st.sampled_from([None, 3]), "valueMaps": st.sampled_from([None, []]),
    "transformations": st.sampled_from([[], [{"id": "merge", "options": {}}]]),
})


@settings(max_examples=examples(400), deadline=None)
@given(data=st.data(), title=_text, queries=_queries, options=_options, changes=_CHANGES,
       datasource=st.sampled_from([PROM, None]))
def test_the_shape_written_directly_is_grafanalibs_shape_fixed(
        data: st.DataObject, title: str, queries: list[Any], options: dict[str, Any],
        changes: dict[str, Any], datasource: DatasourceRef | None):
    builder = data.draw(st.sampled_from(list(BUILDERS)))
    arguments = data.draw(st.fixed_dictionaries({}, optional=BUILDERS[builder]))
    _same_either_way(_built(builder, title, queries, arguments, options).spec, changes, datasource)


@pytest.mark.parametrize("builder,changes", [
    # grafanalib's _deep_update keeps a dictionary that extraJson sets to None, and fails to
    # merge a list into one: neither is written directly; a dictionary it sets is set
    (panels.timeseries, {"valueMin": {"a": 1}, "extraJson": {"fieldConfig": {"defaults": {"min": None}}}}),
    (panels.gauge, {"dataLinks": {"a": 1}, "extraJson": {"fieldConfig": {"defaults": {"links": [1]}}}}),
    (panels.stat, {"extraJson": {"fieldConfig": {"defaults": {"max": {"a": 1}}}}}),
    (panels.gauge, {"thresholdType": "percentage"}),  # a gauge's thresholds stay absolute
], ids=["kept", "unmergeable", "set", "gauge-mode"])
def test_what_grafanalib_would_merge_takes_the_general_path(builder, changes):
    _same_either_way(builder("t", "up").spec, changes, PROM)


def _same_either_way(spec: DirectPanel, changes: dict[str, Any],
                     datasource: DatasourceRef | None) -> None:
    for name, value in changes.items():
        if name in type(spec).FIELDS:
            spec.kwargs[name] = copy.deepcopy(value)  # as set by hand, validators aside
    try:
        general = dumps(_with_queries(_current_shape_of(spec.plain_json()), datasource))
    except (AttributeError, TypeError):  # what grafanalib's own JSON cannot hold
        assert current_shape(spec) is None
        return
    assert dumps(modernise_panel(spec, datasource)) == general


@pytest.mark.parametrize("builder", WRITTEN_DIRECTLY, ids=lambda b: b.__name__)
def test_a_builders_panel_is_written_directly_and_a_repeating_one_is_not(builder):
    options = {"links": [panels.data_link("a", "b")], "panel_links": [panels.data_link("c", "d")],
               "transparent": True, "description": "d", "datasource": PROM}
    assert current_shape(builder("t", "up", **options).spec) is not None
    assert current_shape(builder("t", "up", repeat="service").spec) is None


def test_the_json_shares_nothing_with_the_panel():
    overrides = [panels.override("a", {"unit": "s"})]
    panel = panels.timeseries("t", "up", overrides=overrides, links=[panels.data_link("a", "b")],
                              thresholds=above(3), panel_links=[panels.data_link("c", "d")])
    first = compile_panel(panel, PROM)
    first["fieldConfig"]["overrides"][0]["properties"].append("changed")
    first["fieldConfig"]["defaults"]["links"][0]["url"] = "changed"
    first["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["color"] = "changed"
    first["links"][0]["url"] = "changed"
    first["targets"][0]["expr"] = "changed"
    first["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"] = "changed"
    assert compile_panel(panel, PROM) == modernise_panel(panel.spec.grafanalib(), PROM)
    assert overrides == [panels.override("a", {"unit": "s"})]


def test_the_spec_reads_and_sets_as_grafanalibs_object_does():
    spec = panels.timeseries("t", "up", unit="s").spec
    made = spec.grafanalib()
    assert (spec.title, spec.unit, spec.fillOpacity, spec.valueMin, spec.lineWidth) == (
        made.title, made.unit, made.fillOpacity, made.valueMin, made.lineWidth)
    spec.mappings.append({"type": "value"})  # a default list, changed in place, is kept
    spec.unit = "ms"
    assert spec.grafanalib().mappings == [{"type": "value"}] and spec.grafanalib().unit == "ms"
    assert spec == copy.deepcopy(spec) == pickle.loads(pickle.dumps(spec))
    assert spec != panels.timeseries("t", "up", unit="s").spec
    with pytest.raises(AttributeError):
        spec.links = []  # a field no builder sets, which plain_json does not write


@pytest.mark.parametrize("arguments", [{"unit": 5}, {"fill": "10"}, {"decimals": 1.5},
                                       {"legend_calcs": ["bogus"]}], ids=str)
def test_a_wrong_argument_raises_grafanalibs_own_error(arguments: dict[str, Any]):
    with pytest.raises((TypeError, ValueError)) as ours:
        panels.timeseries("t", "up", **arguments)
    names = {"unit": "unit", "fill": "fillOpacity", "decimals": "valueDecimals",
             "legend_calcs": "legendCalcs"}
    with pytest.raises((TypeError, ValueError)) as theirs:
        gl.TimeSeries(**{names[k]: v for k, v in arguments.items()})
    assert type(ours.value) is type(theirs.value) and ours.value.args[0] == theirs.value.args[0]


@pytest.mark.parametrize("spec_type", DirectPanel.__subclasses__(), ids=lambda t: t.KIND)
def test_the_fields_written_out_are_grafanalibs_own(spec_type: type[DirectPanel]):
    """Each field a builder may set has grafanalib's default and validator (the same error
    text); a default grafanalib makes as its own objects is made by grafanalib when read from
    the spec and written as their JSON."""
    theirs = {f.name: f for f in attrs.fields(getattr(gl, spec_type.KIND)) if f.name not in _UNSET}
    assert spec_type.FIELDS.keys() == theirs.keys()
    for name, field in spec_type.FIELDS.items():
        default, their_default = field.default, theirs[name].default
        assert repr(field.validator) == repr(theirs[name].validator), name
        if isinstance(their_default, attrs.Factory) and isinstance(default.factory, Made):
            made = their_default.factory()
            assert type(default.factory()) is type(made) and plain(default.factory()) == plain(made)
            assert default.factory.json() == plain(made), name
        else:
            assert default == their_default and type(default) is type(their_default), name
    made = getattr(gl, spec_type.KIND)()
    assert plain(made)["type"] == spec_type.TYPE


def test_a_build_writes_its_panels_without_importing_grafanalib():
    """The builders' panels are checked, read and written with grafanalib's classes unmade."""
    import subprocess
    import sys
    probe = ("import sys; from dashkit import panels, DatasourceRef; from dashkit.sdk.compiler "
             "import compile_panel; ds = DatasourceRef('prometheus', 'p'); "
             "[compile_panel(p, ds) for p in (panels.timeseries('a', 'up', unit='s'), "
             "panels.stat('s', 'up'), panels.gauge('g', 'up'), panels.bar_gauge('b', 'up'), "
             "panels.table('t', 'up', sort_by='x'), panels.heatmap('h', 'up'), "
             "panels.logs('l', 'up', datasource=DatasourceRef('loki', 'l')), "
             "panels.text('x', 'y'))]; "
             "print('grafanalib.core' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    spec = panels.heatmap("h", "up", unit="ms").spec
    assert isinstance(spec.yAxis, gl.YAxis) and spec.yAxis.format is None  # made when read
    with pytest.raises(TypeError) as ours:
        spec.tooltip = {"shared": True}
    with pytest.raises(TypeError) as theirs:
        gl.Heatmap(tooltip={"shared": True})
    assert ours.value.args[0] == theirs.value.args[0]


def test_a_default_grafanalib_shares_is_made_afresh_for_each_panel():
    """grafanalib's Heatmap shares one ``legend`` and one ``cards`` dictionary among all its
    objects; a builder's panels do not, read or written."""
    first = panels.heatmap("h", "up").spec
    first.legend["show"] = True
    written = first.plain_json()
    written["cards"]["cardRound"] = 4
    second = panels.heatmap("h", "up").spec
    assert second.legend == {"show": False} and written["legend"] == {"show": True}
    assert second.plain_json()["cards"] == {"cardPadding": None, "cardRound": None}


@pytest.mark.parametrize("descending", [True, False])
def test_a_tables_sort_is_what_grafanalibs_sort_field_writes(descending: bool):
    """The builder writes the sort into the JSON rather than making grafanalib's
    ``TableSortByField``; the JSON is that object's."""
    ours = panels.table("t", "up", sort_by="Value #A", descending=descending).spec.plain_json()
    theirs = plain(gl.Table(sortBy=[gl.TableSortByField("Value #A", descending)]))
    assert ours["options"]["sortBy"] == theirs["options"]["sortBy"] == [
        {"displayName": "Value #A", "desc": descending}]
