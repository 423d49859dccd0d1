"""``dashkit lint``: rules that catch a dashboard that would show "No data", or break, before
Grafana does. It lints compiled dashkit dashboards and any Grafana JSON, through one model."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dashkit.grafana.facts import GRID_COLUMNS, MAX_SCHEMA_VERSION, MAX_TAG_BYTES, MAX_UID_LENGTH, UID_PATTERN
from dashkit.grafana.grid import compaction_moves, compaction_summary
from dashkit.grafana.jsonio import compact
from dashkit.grafana.model import BUILT_IN_DATASOURCES, NO_QUERY_TYPES, iter_panels, iter_targets, variable_query
from dashkit.lint.findings import (
    ALERT_THRESHOLD,
    CATALOG_MISSING,
    DATASOURCE_VARIABLE,
    ERROR,
    GRID_COMPACTION,
    GRID_OVERLAP,
    GRID_WIDTH,
    INPUTS,
    JOB_INSTANCE,
    LEGACY_PANEL,
    PANEL_DATASOURCE,
    PANEL_ID,
    PANEL_TARGETS,
    PANEL_TITLE,
    PANEL_UNITS,
    REFRESH,
    SCHEMA,
    TAG_LENGTH,
    UID_INVALID,
    VARIABLE_CYCLE,
    VARIABLE_REFRESH,
    VARIABLE_UNDEFINED,
    VARIABLE_UNUSED,
    WARNING,
    WRAPPED,
    Emit,
    Finding,
    Json,
    Rule,
    Severity,
    Subject,
)
from dashkit.lint.queries import lint_logql, lint_promql
from dashkit.sdk.alerts import LINK_PREFIX
from dashkit.sdk.kinds import kind_of
from dashkit.sdk.layout import GridPos
from dashkit.sdk.variables import references


def _lint_panels(subject: Subject, emit: Emit) -> None:
    model = subject.model
    panels = list(iter_panels(model.get("panels") or []))
    seen_ids: dict[Any, str] = {}
    for panel in panels:
        title = str(panel.get("title") or "")
        kind = panel.get("type")

        def at_panel(rule: Rule, message: str, title: str = title) -> None:
            emit(rule, message, panel=title)

        if panel.get("id") is not None:
            if panel["id"] in seen_ids:
                at_panel(PANEL_ID, f"id {panel['id']} is also used by panel {seen_ids[panel['id']]!r}")
            seen_ids[panel["id"]] = title
        known = kind_of(kind)
        if known.angular:
            at_panel(LEGACY_PANEL, f"AngularJS panel type {kind!r}"
                     + (f"; use {known.successor!r}" if known.successor else ""))
        if not title.strip() and kind not in ("row", "text"):
            emit(PANEL_TITLE, "panel has no title", panel=f"#{panel.get('id')} ({kind})")
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        if known.needs_unit and not defaults.get("unit") and not panel.get("libraryPanel"):
            at_panel(PANEL_UNITS, f"{kind} panel without a unit")
        if kind not in NO_QUERY_TYPES and not panel.get("targets") and not panel.get("libraryPanel") \
                and kind is not None and panel.get("datasource", {}) != {"uid": "-- Dashboard --"}:
            at_panel(PANEL_TARGETS, f"{kind} panel without queries")
        grid = panel.get("gridPos")
        if isinstance(grid, dict) and (grid.get("w", 0) > GRID_COLUMNS or grid.get("x", 0) < 0
                                       or grid.get("x", 0) + grid.get("w", 0) > GRID_COLUMNS):
            at_panel(GRID_WIDTH, f"gridPos x={grid.get('x')} w={grid.get('w')} leaves the "
                     f"{GRID_COLUMNS}-column grid")
        for problem in _alert_threshold_problems(panel, defaults):
            at_panel(ALERT_THRESHOLD, problem)
    _lint_overlaps(model, subject, emit)
    _lint_compaction(model, emit)


_ALERT_LINK = re.compile(r"(?P<name>\S+) (?P<op>>=|<=|==|>|<) (?P<limit>-?[0-9.eE+-]+)(?: |$)")


def _red(colour: Any) -> bool:
    text = str(colour or "").lower()
    return "red" in text or text in ("#f2495c", "#e02f44", "#c4162a", "#ff7383")


def _alert_threshold_problems(panel: Json, defaults: Json) -> list[str]:
    """What is wrong with the thresholds of a panel that names an alert in a header link."""
    problems: list[str] = []
    links = panel.get("links")
    if not links:  # most panels: no header link, so no alert named
        return problems
    steps = [s for s in (defaults.get("thresholds") or {}).get("steps") or [] if isinstance(s, dict)]
    for link in links if isinstance(links, list) else []:
        title = str(link.get("title") or "") if isinstance(link, dict) else ""
        match = _ALERT_LINK.match(title[len(LINK_PREFIX):]) if title.startswith(LINK_PREFIX) else None
        if match is None:
            continue
        name, op = match["name"], match["op"]
        try:
            limit = float(match["limit"])
        except ValueError:
            continue
        at = limit + 1 if op == "==" else limit
        step = next((s for s in steps if isinstance(s.get("value"), (int, float))
                     and float(s["value"]) == at), None)
        base_red = bool(steps) and _red(steps[0].get("color"))
        fires_red = step is not None and (_red(step.get("color")) if op in (">", ">=") else base_red)
        if not fires_red:
            shown = ", ".join(f"{s.get('value')}: {s.get('color')}" for s in steps) or "none"
            problems.append(f"names alert {name} ({op} {match['limit']}) but its thresholds "
                            f"({shown}) do not turn red where it fires")
    return problems


def _lint_overlaps(model: Json, subject: Subject, emit: Emit) -> None:
    severity = None if subject.origin == "dashkit" and not subject.allow_overlaps else WARNING
    groups: list[list[Json]] = [[]]
    for panel in model.get("panels") or []:
        groups[0].append(panel)
        if panel.get("type") == "row" and panel.get("collapsed"):
            groups.append(list(panel.get("panels") or []))
    for group in groups:
        boxes = [(p, box) for p in group if (box := _grid(p)) is not None]
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1:]:
                if box_a is not None and box_b is not None and box_a.overlaps(box_b):
                    emit(GRID_OVERLAP, f"overlaps panel {b.get('title')!r}", panel=str(a.get("title")),
                         severity=severity)


def _lint_compaction(model: Json, emit: Emit) -> None:
    """Panels Grafana's grid draws elsewhere than their gridPos (dashkit.grafana.grid): one
    finding per dashboard, naming the first few."""
    panels = [p if isinstance(p, dict) else {} for p in model.get("panels") or []]
    moves = compaction_moves(panels)
    if moves:
        emit(GRID_COMPACTION, f"Grafana's grid compacts: it draws {compaction_summary(panels)}",
             panel=str(panels[moves[0][0]].get("title")))


def _grid(panel: Json) -> GridPos | None:
    grid = panel.get("gridPos")
    if not isinstance(grid, dict):
        return None
    try:
        return GridPos(int(grid.get("x", 0)), int(grid.get("y", 0)), int(grid.get("w", 12)),
                       int(grid.get("h", 8)))
    except (TypeError, ValueError):
        return None


# --- dashboard rules ---------------------------------------------------------------------------

def _variables(model: Json) -> list[Json]:
    return [v for v in ((model.get("templating") or {}).get("list") or []) if isinstance(v, dict)]


def variable_texts(model: Json) -> Iterator[tuple[str, str]]:
    """(where, text) of every string that may reference variables, variables excluded."""
    for panel in iter_panels(model.get("panels") or []):
        title = str(panel.get("title") or "")
        yield title, title
        yield title, str(panel.get("repeat") or "") and "$" + str(panel["repeat"])
        for key in ("datasource",):
            value = panel.get(key)
            yield title, value.get("uid", "") if isinstance(value, dict) else str(value or "")
        for target in panel.get("targets") or []:
            if isinstance(target, dict):
                for key in ("expr", "legendFormat", "interval"):
                    if isinstance(target.get(key), str):
                        yield title, target[key]
                ds = target.get("datasource")
                yield title, ds.get("uid", "") if isinstance(ds, dict) else str(ds or "")
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        for link in list(defaults.get("links") or []) + list(panel.get("links") or []):
            yield title, str(link.get("url", "")) if isinstance(link, dict) else ""
        if panel.get("type") == "text":
            yield title, str((panel.get("options") or {}).get("content", ""))
    for link in model.get("links") or []:
        yield "", str(link.get("url", "")) if isinstance(link, dict) else ""
    for annotation in (model.get("annotations") or {}).get("list") or []:
        if isinstance(annotation, dict):
            yield "", str(annotation.get("expr", "")) + " " + str(
                (annotation.get("datasource") or {}).get("uid", "")
                if isinstance(annotation.get("datasource"), dict) else annotation.get("datasource") or "")


def _lint_variables(subject: Subject, emit: Emit) -> None:
    model = subject.model
    variables = _variables(model)
    names = {str(v.get("name")) for v in variables}
    depends: dict[str, set[str]] = {}
    for variable in variables:
        name = str(variable.get("name"))
        text = variable_query(variable) + " " + str(variable.get("regex") or "")
        ds = variable.get("datasource")
        text += " " + (ds.get("uid", "") if isinstance(ds, dict) else str(ds or ""))
        depends[name] = references(text) & names - {name}
        if variable.get("type") == "query" and variable.get("refresh") not in (2, "2"):
            when = "on load only" if variable.get("refresh") in (1, "1") else "never"
            emit(VARIABLE_REFRESH, f"${name} refreshes {when}; set it to on time-range change")
        if name in ("job", "instance") and (variable.get("type") != "query" or not references(
                ds.get("uid", "") if isinstance(ds, dict) else str(ds or ""))):
            emit(JOB_INSTANCE, f"${name} should be a query variable on the datasource variable")
    # anything outside the variable list counts as a use (panel intervals, descriptions…);
    # only strings Grafana interpolates into queries and links can be undefined
    outside = references(outside_text(subject))
    used: set[str] = set().union(*depends.values()) | outside
    inputs = {str(i.get("name")) for i in model.get("__inputs") or [] if isinstance(i, dict)}
    # Each text variable_texts reads is in the model outside its variables, so its references are among
    # ``outside`` (a panel's repeat aside: it names its variable without the $). Where none of
    # those is undefined, no text's is, and the walk that says which panel uses it is skipped.
    repeats = {str(p["repeat"]) for p in iter_panels(model.get("panels") or []) if p.get("repeat")}
    if any(not n.startswith("DS_") for n in (outside | repeats) - names - inputs):
        for where, text in variable_texts(model):
            refs = references(text) if text else set()
            for name in sorted(refs - names - inputs):
                if not name.startswith("DS_"):  # import inputs: see provisioning-inputs
                    emit(VARIABLE_UNDEFINED, f"${name} is used but not defined", panel=where)
    implicit = {str(v.get("name")) for v in variables if v.get("type") in ("adhoc", "constant")}
    for name in sorted(names - used - implicit):
        emit(VARIABLE_UNUSED, f"${name} is defined but never used")
    for cycle in _cycles(depends):
        emit(VARIABLE_CYCLE, "variables depend on each other: " + " -> ".join(f"${n}" for n in cycle))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def _lint_datasources(subject: Subject, emit: Emit) -> None:
    model = subject.model
    variable_plugins = {v.get("query") for v in _variables(model) if v.get("type") == "datasource"}
    queried: set[str] = set()
    for ref in iter_targets(model):
        title = str(ref.panel.get("title") or "")
        target = str(ref.target.get("refId") or "")

        def at(rule: Rule, message: str, title: str = title, target: str = target) -> None:
            emit(rule, message, panel=title, target=target)

        language = ref.language
        if language == "promql":
            queried.add("prometheus")
            lint_promql(ref, subject, at)
        elif language == "logql":
            queried.add("loki")
            lint_logql(ref, at)
        ds = ref.datasource
        if language and ds is not None and not ds.templated and ds.uid not in BUILT_IN_DATASOURCES \
                and not (ds.uid or "").startswith("$"):
            at(PANEL_DATASOURCE, f"fixed datasource {ds.uid!r}; use the datasource variable")
    if "prometheus" in queried and subject.catalog is None:
        emit(CATALOG_MISSING, "its metrics and labels were not checked: no catalog")
    exported = bool(model.get("__inputs"))
    for plugin in sorted(queried - variable_plugins):
        if not exported:
            emit(DATASOURCE_VARIABLE, f"no datasource variable for {plugin}")


def _lint_dashboard(subject: Subject, emit: Emit) -> None:
    model = subject.model
    uid = model.get("uid")
    if uid is not None and not UID_PATTERN.match(str(uid)):
        emit(UID_INVALID, f"invalid uid {uid!r}: Grafana takes 1 to {MAX_UID_LENGTH} characters of "
                          "A-Z, a-z, 0-9, '-' and '_'")
    for tag in model.get("tags") or []:
        if isinstance(tag, str) and len(tag.encode()) > MAX_TAG_BYTES:
            emit(TAG_LENGTH, f"tag {tag!r} is {len(tag.encode())} bytes; Grafana 12.4+ refuses a tag "
                             f"over {MAX_TAG_BYTES}")
    refresh = model.get("refresh")
    if isinstance(refresh, str) and refresh:
        from dashkit.query.expand import seconds

        try:
            if seconds(refresh) < 5:
                emit(REFRESH, f"refresh {refresh!r} is below 5s")
        except ValueError:
            pass
    version = model.get("schemaVersion")
    if isinstance(version, int) and version > MAX_SCHEMA_VERSION:
        emit(SCHEMA, f"schemaVersion {version} is above {MAX_SCHEMA_VERSION}")
    severity = ERROR if subject.provisioning else WARNING
    loaded = subject.loaded
    # a dashboard resource is read by file provisioning (12.x+) and Git Sync: not a wrapper
    if loaded is not None and loaded.wrapper in ("api", "file-map"):
        shape = '{"dashboard": …}' if loaded.wrapper == "api" else "a file map"
        emit(WRAPPED, f"wrapped in {shape}: file provisioning reads no title and skips it",
             severity=severity)
    # "${DS_" lies inside one JSON string, so in the text outside the variables or in theirs
    text_inputs = ((loaded is not None and loaded.exported) or "${DS_" in outside_text(subject)
                   or "${DS_" in _flat(model.get("templating")))
    if text_inputs:
        emit(INPUTS, "uses ${DS_*} import inputs that file provisioning does not substitute",
             severity=severity)


def _flat(model: Any) -> str:
    return compact(model)


def outside_text(subject: Subject) -> str:
    """The model outside its variables as one line of JSON, made once per subject: every text
    ``variable_texts`` reads is inside it (JSON escapes none of ``$ { } / d``), so a rule can ask it
    first whether a walk over those texts could find anything."""
    text = subject.texts.get("outside")
    if text is None:
        model = subject.model
        text = subject.texts["outside"] = _flat({k: v for k, v in model.items() if k != "templating"})
    return text


def lint_dashboard(subject: Subject) -> list[Finding]:
    """Every rule that one dashboard alone can answer."""
    findings: list[Finding] = []
    name = subject.name

    def emit(rule: Rule, message: str, panel: str = "", target: str = "",
             severity: Severity | None = None) -> None:
        findings.append(rule.finding(message, subject.file, name, panel, target,
                                     str(subject.model.get("title") or ""), severity))

    for check in (_lint_dashboard, _lint_variables, _lint_datasources, _lint_panels):
        check(subject, emit)
    return findings
