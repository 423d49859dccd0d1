"""``dashkit import``: Grafana JSON → a dashkit Python module a person would have written.

Panels become builder calls (``panels.timeseries(...)``) with what the builder does not set passed
as ``extra``; variables, links and annotations become their dashkit forms; panels no builder
covers stay explicit passthroughs (``panels.raw``). Every generated panel is run and compared with
the input before it is kept, so the module compiles back to the same dashboard.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import attrs

from dashkit.errors import DashkitError
from dashkit.grafana.compare import covers, residue_and_cover
from dashkit.grafana.defaults import panel_meaning
from dashkit.grafana.facts import GRID_COLUMNS
from dashkit.grafana.grid import compaction_summary
from dashkit.grafana.jsonio import copied
from dashkit.grafana.migrate import migrate_dashboard
from dashkit.grafana.model import iter_panels
from dashkit.grafana.normalise import Loaded
from dashkit.importer.declarations import (
    MACHINE_KEYS,
    MODELLED_KEYS,
    MODULE_NAMES,
    NOTES_NAME,
    datasource_variables,
    prelude_imports,
)
from dashkit.importer.hoisting import distinct, hoist_panels, share_repeated
from dashkit.importer.panel_cache import CompiledCalls, compiled_panel
from dashkit.importer.pysource import Call, override_call, unformatted
from dashkit.importer.queries import QueryCalls
from dashkit.sdk.compiler import compile_dashboard, compile_panel
from dashkit.sdk.kinds import kind_of
from dashkit.sdk.layout import Flow, Panel, slug
from dashkit.sdk.options import merge

Json = dict[str, Any]


@attrs.frozen
class ImportResult:
    """A generated module and what it could not carry over."""
    module: str
    source: str
    notes: tuple[str, ...]
    uid: str
    title: str
    #: The dashboard ``source`` defines, from its one sandboxed run (import_model's): the
    #: carry-over lints it instead of running the module again.
    dashboard: Any = attrs.field(default=None, eq=False, repr=False)


class _Generator(QueryCalls):
    """Panels and rows as builder calls (their queries: QueryCalls; the rest: Declarations)."""

    #: The panel calls an earlier pass compiled, taken where this one builds the same; and where
    #: this pass records its own.
    earlier: CompiledCalls | None = None
    record: CompiledCalls | None = None
    #: In the pass that records (the first), each panel call it built, by id: the call, its
    #: panel and that panel's JSON, so that its dashboard is built and compiled from them.
    kept: dict[int, tuple[Call, Panel, Json]] | None = None

    # --- panels -----------------------------------------------------------------------------------
    def builder_call(self, panel: Json, position: list[tuple[str, Any]]) -> Call | None:
        kind = kind_of(panel.get("type"))
        builder = kind.builder
        targets = panel.get("targets") or []
        if builder is None or any(not isinstance(t, dict) or not isinstance(t.get("expr"), str)
                                  for t in targets):
            return None
        title = str(panel.get("title") or "")
        if builder == "text":
            content = (panel.get("options") or {}).get("content", "")
            return Call("panels.text", (title, content), tuple(position))
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        args: list[Any] = [title]
        panel_ds = panel.get("datasource")
        if builder == "heatmap" and len(targets) != 1:
            return None
        args += [self.target(t, i, panel_ds) for i, t in enumerate(targets)]
        kwargs: list[tuple[str, Any]] = []
        ds = self.datasource(panel_ds)
        if builder == "logs" and ds is None:
            return None
        if kind.unit:
            kwargs.append(("unit", defaults.get("unit", "")))
        fill = (defaults.get("custom") or {}).get("fillOpacity", 0)  # absent: Grafana's 0
        if builder == "timeseries" and type(fill) in (int, float) and fill != 10:
            kwargs.append(("fill", fill))
        if ds is not None:
            kwargs.append(("datasource", ds))
        if panel.get("description"):
            kwargs.append(("description", panel["description"]))
        steps = (defaults.get("thresholds") or {}).get("steps")
        if builder not in ("logs", "heatmap") and isinstance(steps, list) and steps and all(
                isinstance(s, dict) for s in steps) and steps != [{"color": "green", "value": None}]:
            pairs = tuple((s.get("value"), s.get("color", "green")) for s in steps)
            kwargs.append(("thresholds", Call("Thresholds", (pairs,))))
        # the gauge builders default to a 0–1 (or 0–auto) scale: say so when the panel has none
        builder_limits: dict[str, dict[str, Any]] = {"gauge": {"min": 0, "max": 1},
                                                     "bar_gauge": {"min": 0, "max": None}}
        for key in ("min", "max", "decimals"):
            value = defaults.get(key)
            if builder in builder_limits and key in builder_limits[builder]:
                if value != builder_limits[builder][key]:
                    kwargs.append((key, value))
            elif key in defaults and (builder in ("timeseries", "bar_gauge", "gauge")
                                      or (key == "decimals" and builder == "stat")):
                kwargs.append((key, value))
        if builder in ("timeseries", "table") and (panel.get("fieldConfig") or {}).get("overrides"):
            kwargs.append(("overrides", [override_call(o) for o in panel["fieldConfig"]["overrides"]]))
        return Call(f"panels.{builder}", tuple(args), tuple(kwargs + position))

    def _evaluate(self, call: Call) -> Panel:
        panel: Panel = self.evaluate(call)
        return panel

    def _compile(self, call: Call) -> Json:
        panel = self._evaluate(call)
        compiled = compile_panel(panel, None)
        compiled.pop("id", None)
        if self.kept is not None:
            self.kept[id(call)] = (call, panel, compiled)
        return compiled

    def _keep_with_extra(self, base: Call, call: Call, residue: Json, compiled: Json) -> None:
        """``call`` (``base`` with ``extra=residue``) kept with its panel and JSON: ``base``'s
        panel with that extra, as the builder would make it (``extra`` goes to the panel as
        given), and ``compiled`` (compile_panel merges a panel's extra last)."""
        if self.kept is not None and id(base) in self.kept:
            _, panel, _ = self.kept[id(base)]
            self.kept[id(call)] = (call, attrs.evolve(panel, extra=copied(residue)), compiled)

    def panel(self, panel: Json, position: list[tuple[str, Any]]) -> Call:
        original = {k: v for k, v in panel.items() if k not in ("id", "gridPos")}
        call = self.builder_call(panel, position)
        if call is not None:
            try:
                compiled, built = compiled_panel(call, self.evaluate, self._compile,
                                                 panel_meaning, self.earlier, self.record)
                # the first pass's findings for this very panel (panel_cache.Outcome)
                known = self.earlier.outcome(compiled, original) if self.earlier else None
                # compared in meaning: a query's fields at Grafana's defaults are not residue,
                # so the queries stay in their Target calls, never repeated in ``extra``
                meaning = known.meaning if known else panel_meaning(original)
                residue, covered = residue_and_cover(meaning, built)
                written, written_meaning = compiled, built
                if residue and known is not None and known.same_residue(residue):
                    call = attrs.evolve(call, kwargs=(*call.kwargs, ("extra", residue)))
                    covered = True  # what the first pass compared: the same values exactly
                elif residue:  # compile_panel merges a panel's extra last, exactly so
                    base, written = call, merge(compiled, residue)
                    call = attrs.evolve(call, kwargs=(*call.kwargs, ("extra", residue)))
                    written_meaning = panel_meaning(written)
                    covered = covers(written_meaning, meaning)
                    if covered:
                        self._keep_with_extra(base, call, residue, written)
                if covered and self.record is not None:
                    self.record.add_outcome(compiled, written, written_meaning, residue)
                if covered:
                    return call
            except (DashkitError, TypeError, ValueError, KeyError, AttributeError):
                pass
        return Call("panels.raw", (original,), tuple(position))

    def key(self, title: str, prefix: str) -> list[tuple[str, Any]]:
        """``key=`` where the title alone would repeat another panel's key."""
        key = prefix + slug(title)
        chosen = distinct(key, self.keys.__contains__, self.key_counters, "-")
        self.keys.add(chosen)
        return [] if chosen == key else [("key", chosen)]

    def place(self, panels: list[Json], flow: Flow, prefix: str = "") -> list[Any]:
        calls: list[Any] = []
        for panel in panels:
            if panel.get("type") == "row":
                calls.append(self.row(panel, flow))
                continue
            grid = panel.get("gridPos") or {}
            where = f"panel {panel.get('title')!r}: gridPos"
            w, h = (self.whole(f"{where} {k}", grid.get(k, n)) for k, n in (("w", 12), ("h", 8)))
            x, y = (self.whole(f"{where} {k}", grid.get(k, 0)) for k in ("x", "y"))
            trial = copy.copy(flow)
            predicted = trial.place(Panel(None, min(max(w, 1), GRID_COLUMNS), max(h, 1)))
            position: list[tuple[str, Any]] = [("w", w), ("h", h)]
            if (predicted.x, predicted.y) == (x, y):
                flow.__dict__.update(trial.__dict__)
            else:
                position += [("x", x), ("y", y)]
                flow.place(Panel(None, w, h, None, x, y))
            panel_id = panel.get("id")
            if isinstance(panel_id, int) and not isinstance(panel_id, bool) \
                    and panel_id not in self.panel_ids:  # kept, so viewPanel= links still work
                self.panel_ids.add(panel_id)
                position.append(("id", panel_id))
            position += self.key(str(panel.get("title") or ""), prefix)
            calls.append(self.panel(panel, position))
        return calls

    def row(self, row: Json, flow: Flow) -> Call:
        title = str(row.get("title") or "")
        key = self.key(title, "")
        row_key = key[0][1] if key else slug(title)
        flow.newline()
        y = int((row.get("gridPos") or {}).get("y", flow.y))
        kwargs: list[tuple[str, Any]] = []
        if y != flow.y:
            kwargs.append(("y", y))
        flow.y = y + 1
        collapsed = bool(row.get("collapsed"))
        child_flow = Flow() if collapsed else flow
        child_flow.y = flow.y
        children = self.place(row.get("panels") or [], child_flow, row_key + "/")
        if not collapsed:
            flow.newline()
        if collapsed:
            kwargs.append(("collapsed", True))
        extra = {k: v for k, v in row.items()
                 if k not in ("type", "title", "collapsed", "panels", "gridPos", "id")}
        if extra:
            kwargs.append(("extra", extra))
        return Call("Row", (title, children), tuple(kwargs + key))


class FirstPass(NamedTuple):
    """The first pass of the import (pipeline.generate_model's). Nothing is rendered: it only
    needs the dashboard (tests/test_import_shortcuts.py holds it to the rendered module's)."""
    #: :func:`generate_pass`'s notes.
    notes: tuple[str, ...]
    #: Builds the dashboard its source defines from the calls that source is rendered from
    #: (through codecheck's allow-list, as the module would run), each panel the one the pass
    #: built already to compare it.
    build: Callable[[], Any]
    #: The panel calls it compiled, for the second pass.
    record: CompiledCalls
    #: That dashboard compiled, each panel's JSON the one the pass compiled already.
    compiled: Callable[[], Json]


def first_pass(loaded: Loaded) -> FirstPass:
    """The first pass of the import: see :class:`FirstPass`."""
    record = CompiledCalls()
    generator, _, kwargs, panel_calls = _calls(loaded, (), record=record)
    unhoisted = Call("Dashboard", (), (*kwargs, ("panels", panel_calls)))
    kept = generator.kept or {}

    def build() -> Any:
        return generator.evaluate(unhoisted, kept)

    def compiled() -> Json:
        return compile_dashboard(build(), strict=False,
                                 compiled={id(panel): json for _, panel, json in kept.values()})

    return FirstPass(tuple(generator.notes), build, record, compiled)


def generate_pass(loaded: Loaded, module: str, earlier_notes: Iterable[str] = (),
                  earlier: CompiledCalls | None = None, owned: bool = False) -> ImportResult:
    """One pass of the import, rendered: the module's source, with ``earlier_notes`` (the first
    pass's) in place of its own; the panel calls ``earlier`` compiled are not compiled again.
    An ``owned`` model (held by no one else) is migrated in place, not copied first."""
    generator, model, kwargs, panel_calls = _calls(loaded, earlier_notes, earlier=earlier,
                                                   owned=owned)
    uid = str(dict(kwargs)["uid"])
    taken = set(generator.namespace) | MODULE_NAMES
    panel_refs, assignments = hoist_panels(panel_calls, taken)
    shared = share_repeated(assignments, ("overrides", "extra"), lambda key: generator.shared_name(
        "SERIES_OVERRIDES" if key == "overrides" else "PANEL_SETTINGS"))
    kwargs.append(("panels", panel_refs))
    # laid out by ruff (pipeline.import_model, files.import_files), which ignores a layout
    dashboard = unformatted(Call("Dashboard", (), tuple(kwargs)), prefix=len("dashboard = "))
    panels_source = "".join(f"{name} = {unformatted(value, prefix=len(name) + 3)}\n\n"
                            for name, value in shared + assignments)
    panel_source = panels_source + dashboard
    constants = "".join(f"{name} = DatasourceRef({unformatted(key[0])}, {unformatted(key[1])})\n"
                        for key, name in sorted(generator.datasources.items(), key=lambda i: i[1]))
    after_percent = " ".join(re.findall(r"% \(?([^\n]*)", panel_source))  # one pass, not one a name
    used_names = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", after_percent))
    used_selectors = sorted((n, c) for c, n in generator.selectors.items() if n in used_names)
    if used_selectors:
        constants += ("\n# Label matchers repeated across the queries, written once.\n"
                      + "".join(f"{n} = {unformatted(c)}\n" for n, c in used_selectors))
    # Nothing from the input goes into the docstring or a comment: it is text only as literals.
    docstring = '"""Imported by dashkit import.'
    notes_source = ""
    if generator.notes:
        docstring += f" {NOTES_NAME} says what was not carried over faithfully."
        notes_source = f"{NOTES_NAME} = {unformatted(tuple(generator.notes), len(NOTES_NAME) + 3)}\n\n"
    body = (constants + "\n" if constants else "") + panels_source + f"dashboard = {dashboard}\n"
    text = docstring + '"""\nfrom __future__ import annotations\n\n' + \
        prelude_imports(body) + "\n" + notes_source + body
    # not checked here: pipeline.import_model runs it (run_module checks the tree first)
    return ImportResult(module, text, tuple(generator.notes), uid, str(model["title"]))


def _calls(loaded: Loaded, earlier_notes: Iterable[str], earlier: CompiledCalls | None = None,
           record: CompiledCalls | None = None, owned: bool = False
           ) -> tuple[_Generator, Json, list[tuple[str, Any]], list[Any]]:
    """A pass's generator, the migrated model, the Dashboard call's keywords but its panels,
    and the panel calls: everything of the pass but the rendering."""
    source = dict(loaded.model)
    if not str(source.get("title") or "").strip():
        raise DashkitError("dashboard has no title", file=loaded.source)
    source["__inputs"] = list(loaded.inputs)
    model, notes = migrate_dashboard(source, owned=owned)
    if moved := compaction_summary(model.get("panels") or []):  # the code keeps the gridPos
        notes = [*notes, f"Grafana's grid compacts this layout: it draws {moved}; the code "
                         "keeps the source's positions (lint: grid-compaction)"]
    datasource_variables(model, loaded.inputs)
    generator = _Generator(model)
    generator.earlier, generator.record = earlier, record
    generator.kept = {} if record is not None else None
    generator.find_selectors([str(t.get("expr")) for p in iter_panels(model.get("panels") or [])
                              for t in p.get("targets") or []
                              if isinstance(t, dict) and isinstance(t.get("expr"), str)])
    generator.notes.extend(earlier_notes or notes)
    uid = str(model.get("uid") or slug(str(model["title"]))[:40])
    if not model.get("uid") and not earlier_notes:
        generator.notes.append(f"the dashboard had no uid: {uid!r} was derived from its title")
    panel_calls = generator.place(model.get("panels") or [], Flow())
    kwargs: list[tuple[str, Any]] = [("uid", uid), ("title", model["title"])]
    if model.get("description"):
        kwargs.append(("description", model["description"]))
    if model.get("tags"):
        kwargs.append(("tags", list(model["tags"])))
    variables = [generator.variable(v) for v in (model.get("templating") or {}).get("list") or []]
    if variables:
        kwargs.append(("variables", variables))
    links = [generator.link(link) for link in model.get("links") or []]
    if links:
        kwargs.append(("links", links))
    annotations = [generator.annotation(a) for a in (model.get("annotations") or {}).get("list") or []
                   if not a.get("builtIn")]
    if annotations:
        kwargs.append(("annotations", annotations))
    settings, extra = generator.settings(model)
    kwargs += settings
    if model.get("weekStart"):
        kwargs.append(("week_start", model["weekStart"]))
    kwargs += [("datasource", None), ("allow_overlaps", True)]
    compiled_defaults = {"fiscalYearStartMonth": 0, "liveNow": False, "timepicker": {}}
    extra |= {k: v for k, v in model.items() if k not in MACHINE_KEYS | MODELLED_KEYS
              and compiled_defaults.get(k, object()) != v}
    if extra:
        kwargs.append(("extra", extra))
    return generator, model, kwargs, panel_calls


def panel_call(model: Json, panel: Json, position: list[tuple[str, Any]]) -> tuple[Call, bool]:
    """A panel as ``import`` writes it (``dashkit pull``'s added panels), and whether it names a
    datasource the generator would have declared as a constant."""
    generator = _Generator(model)
    return generator.panel(panel, position), bool(generator.datasources)
