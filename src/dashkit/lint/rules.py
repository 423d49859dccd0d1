"""``dashkit lint``: rules that catch a dashboard that would show "No data", or break, before
Grafana does. It lints compiled dashkit dashboards and any Grafana JSON, through one model."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from dashkit.query.analyse import COUNTER_SAFE, COUNTER_SAFE_AGGREGATIONS, RATE_FUNCTIONS, analyse_promql
from dashkit.query.catalog import Catalog, MetricType
from dashkit.grafana.facts import GRID_COLUMNS, MAX_SCHEMA_VERSION, MAX_TAG_BYTES, UID_PATTERN
from dashkit.errors import DashkitError
from dashkit.grafana.jsonio import compact
from dashkit.sdk.layout import GridPos
from dashkit.query.logql_check import analyse_logql, cardinality_labels, misses_numeric_levels
from dashkit.grafana.model import NO_QUERY_TYPES, BUILT_IN_DATASOURCES, TargetRef, iter_panels, iter_targets
from dashkit.grafana.normalise import Loaded
from dashkit.sdk.variables import references

Json = dict[str, Any]
ERROR, WARNING = "error", "warning"
#: Angular panels: Grafana 11 turns Angular off (auto-migrating these), 12 removes it.
LEGACY_PANEL_TYPES = {"graph": "timeseries", "singlestat": "stat", "table-old": "table",
                      "grafana-singlestat-panel": "stat", "grafana-piechart-panel": "piechart",
                      "grafana-worldmap-panel": "geomap", "natel-discrete-panel": "state-timeline",
                      "heatmap-new": "heatmap", "grafana-polystat-panel": None}
UNIT_PANELS = frozenset({"timeseries", "stat", "gauge", "bargauge"})


@attrs.frozen
class Rule:
    id: str
    severity: str
    doc: str


RULES: dict[str, Rule] = {}


def _rule(id: str, severity: str, doc: str) -> Rule:
    RULES[id] = Rule(id, severity, doc)
    return RULES[id]


COMPILE = _rule("dashkit-compile", ERROR, "The dashkit module fails to import or compile.")
NOT_A_DASHBOARD = _rule("json-invalid", ERROR, "The file is not JSON, or holds no dashboard.")
DATASOURCE_VARIABLE = _rule("datasource-variable", WARNING,
                            "Panels query Prometheus or Loki but the dashboard has no datasource "
                            "variable for it, so it only works where the uid matches.")
PANEL_DATASOURCE = _rule("panel-datasource", WARNING,
                         "A panel or target names a fixed datasource instead of the dashboard's "
                         "datasource variable.")
JOB_INSTANCE = _rule("job-instance-variables", WARNING,
                     "A `job` or `instance` variable should be a query variable on the templated "
                     "datasource, so it lists what exists.")
VARIABLE_REFRESH = _rule("variable-refresh", WARNING,
                         "A query variable that does not refresh on time-range change shows stale "
                         "values.")
PANEL_TITLE = _rule("panel-title", WARNING, "A panel without a title.")
PANEL_UNITS = _rule("panel-units", WARNING, "A time series, stat, gauge or bar gauge without a unit.")
PANEL_TARGETS = _rule("panel-no-targets", WARNING, "A panel of a querying type without queries.")
PROMQL_PARSE = _rule("promql-parse", ERROR,
                     "PromQL that does not parse (after Grafana's macros and variables).")
LOGQL_PARSE = _rule("logql-parse", ERROR, "LogQL that does not parse.")
RATE_INTERVAL = _rule("promql-rate-interval", WARNING,
                      "rate/irate/increase should use `$__rate_interval`, which always spans at "
                      "least four scrapes.")
COUNTER_RATE = _rule("promql-counter-rate", WARNING,
                     "A counter used without rate() or increase(): its raw value only grows.")
QUANTILE_LE = _rule("promql-quantile-le", ERROR,
                    "histogram_quantile over an aggregation that drops `le` returns nothing.")
BUCKET = _rule("promql-bucket", WARNING,
               "A `_bucket` series outside histogram_quantile or a heatmap.")
METRIC_UNKNOWN = _rule("metric-unknown", ERROR, "A metric the catalog does not have.")
EXCLUSION_UNUSED = _rule("exclusion-unused", ERROR,
                         "An exclusion in .dashkit-lint.yaml that matches no finding: stale or "
                         "misspelt.")
CATALOG_MISSING = _rule("catalog-missing", WARNING,
                        "PromQL checked against no catalog: a misspelt metric or label goes "
                        "unnoticed (give the Dashboard a catalog, or lint with --catalog).")
LABEL_UNKNOWN = _rule("label-unknown", ERROR,
                      "A label (in a matcher, by/without or on/ignoring) the metric does not have.")
RATE_GAUGE = _rule("promql-rate-gauge", ERROR, "rate/irate/increase over a gauge.")
VARIABLE_UNDEFINED = _rule("variable-undefined", ERROR,
                           "A `$variable` used but not defined: Grafana sends it verbatim.")
VARIABLE_UNUSED = _rule("variable-unused", WARNING, "A variable defined but never used.")
VARIABLE_CYCLE = _rule("variable-cycle", ERROR, "Variables whose queries depend on each other.")
LINK_UID = _rule("link-unknown-uid", ERROR, "A link or data link to a dashboard uid not in the set.")
UID_DUPLICATE = _rule("uid-duplicate", ERROR, "Two dashboards with one uid.")
TITLE_DUPLICATE = _rule("title-duplicate", ERROR,
                        "Two dashboards with one title in a folder: Grafana's provisioning stops "
                        "writing the folder.")
UID_INVALID = _rule("uid-invalid", ERROR, "A uid over 40 characters or outside [A-Za-z0-9_-].")
PANEL_ID = _rule("panel-id-duplicate", ERROR,
                 "Panel ids must be unique, nested rows included, or viewPanel links break.")
GRID_WIDTH = _rule("grid-width", ERROR, "A panel wider than, or outside, the 24-column grid.")
GRID_OVERLAP = _rule("grid-overlap", ERROR,
                     "Overlapping panels (a warning for imported JSON, where it is common).")
LEGACY_PANEL = _rule("panel-legacy", WARNING,
                     "An AngularJS panel type: migrated on load by Grafana 11, gone in 12.")
SCHEMA = _rule("schema-version", ERROR,
               "schemaVersion above 42: Grafana 12/13's backend fails to convert it.")
WRAPPED = _rule("provisioning-wrapped", WARNING,
                "A file wrapped in {\"dashboard\": …} (or a file map): file provisioning skips it "
                "(an error with --provisioning).")
INPUTS = _rule("provisioning-inputs", WARNING,
               "`${DS_*}` import inputs: file provisioning does not substitute them "
               "(an error with --provisioning).")
TAG_LENGTH = _rule("tag-too-long", ERROR,
                   "A tag over 50 bytes: Grafana 12.4+ refuses to save the dashboard.")
REFRESH = _rule("refresh-too-short", WARNING,
                "An auto-refresh below Grafana's default min_refresh_interval (5s): Grafana "
                "raises it on save, so a publish never finds the dashboard unchanged.")
LOGQL_SELECTOR = _rule("logql-selector", ERROR, "LogQL without a stream selector.")
LOGQL_CARDINALITY = _rule("logql-cardinality", WARNING,
                          "A stream selector on a high-cardinality label such as trace_id.")
LOGQL_LEVELS = _rule("logql-pino-levels", WARNING,
                     "An error filter on level names that misses pino's numeric levels 50 and 60.")


@attrs.frozen
class Finding:
    rule: str
    severity: str
    message: str
    file: str = ""
    dashboard: str = ""
    panel: str = ""
    target: str = ""

    @property
    def location(self) -> str:
        parts = [p for p in (self.dashboard, f"panel {self.panel!r}" if self.panel else "",
                             f"query {self.target}" if self.target else "") if p]
        return ", ".join(parts)

    def line(self) -> str:
        return f"{self.file}: {self.location}: {self.message} [{self.rule}]"


@attrs.frozen
class Subject:
    """A dashboard to lint and what is known about it."""

    model: Json
    file: str
    #: "dashkit" for compiled Python dashboards, "json" for Grafana JSON files.
    origin: str = "json"
    catalog: Catalog | None = None
    loaded: Loaded | None = None
    provisioning: bool = False

    @property
    def name(self) -> str:
        return str(self.model.get("uid") or self.model.get("title") or self.file)


Emit = Callable[..., None]


# --- panel and query rules ---------------------------------------------------------------------

def _lint_promql(ref: TargetRef, subject: Subject, emit: Emit) -> None:
    text = str(ref.target.get("expr") or "")
    if not text.strip():
        return
    analysis = analyse_promql(text)
    if analysis.error:
        emit(PROMQL_PARSE, f"does not parse: {analysis.error}")
        return
    heatmap = ref.panel.get("type") == "heatmap" or ref.target.get("format") == "heatmap"
    for inner in analysis.quantiles_without_le:
        emit(QUANTILE_LE, f"histogram_quantile over {inner}: aggregate by (le, …)")
    for use in analysis.selectors:
        name = use.name or ""
        rated = RATE_FUNCTIONS & set(use.functions)
        instant = bool(ref.target.get("instant")) and not ref.target.get("range")
        if rated and use.window is not None and not instant \
                and analysis.window_macro(use) not in ("$__rate_interval", "$__range"):
            emit(RATE_INTERVAL, f"{sorted(rated)[0]}({name}[…]) should use $__rate_interval")
        if name.endswith("_bucket") and "histogram_quantile" not in use.functions and not heatmap:
            emit(BUCKET, f"{name} outside histogram_quantile or a heatmap")
        catalog = subject.catalog
        metric = None
        if catalog is not None and name:
            if name not in catalog:
                try:
                    catalog.metric(name)
                except DashkitError as error:  # the catalog's own message, with its suggestion
                    emit(METRIC_UNKNOWN, error.message)
                continue
            metric = catalog.metric(name)
            known = catalog.labels(name)
            if known is not None:
                labels = set(use.matched_labels)
                if not use.relabelled:
                    labels |= set(use.grouping_labels) - {"le"} if not name.endswith("_bucket") \
                        else set(use.grouping_labels)
                try:
                    catalog.check(name, labels)
                except DashkitError as error:
                    emit(LABEL_UNKNOWN, error.message)
            if rated and metric.type in (MetricType.GAUGE, MetricType.INFO):
                emit(RATE_GAUGE, f"{sorted(rated)[0]}() over gauge {name!r}")
        known_type = metric.type if metric is not None else _builtin_type(name)
        is_counter = known_type is MetricType.COUNTER if known_type is not None else \
            name.endswith("_total")
        safe = set(use.functions) & COUNTER_SAFE or set(use.aggregations) & COUNTER_SAFE_AGGREGATIONS
        if is_counter and not safe:
            emit(COUNTER_RATE, f"counter {name!r} without rate() or increase()")


@functools.lru_cache(maxsize=1)
def _builtin_catalog() -> Catalog:
    from dashkit.query import catalogs

    return catalogs.EXPORTERS + catalogs.prom_client() + catalogs.prom_client("nodejs_")


def _builtin_type(name: str) -> MetricType | None:
    """The type of a metric the shared catalogs know (prom-client's ``*_total`` gauges, say)."""
    catalog = _builtin_catalog()
    return catalog.metric(name).type if name in catalog else None


def _lint_logql(ref: TargetRef, emit: Emit) -> None:
    text = str(ref.target.get("expr") or "")
    if not text.strip():
        return
    analysis = analyse_logql(text)
    if analysis.error:
        emit(LOGQL_PARSE, f"does not parse: {analysis.error}")
        return
    if not analysis.has_selector:
        emit(LOGQL_SELECTOR, "no stream selector such as {service=\"…\"}")
        return
    for label in cardinality_labels(analysis):
        emit(LOGQL_CARDINALITY, f"stream selector on {label!r}: parse it from the line instead")
    if misses_numeric_levels(analysis):
        emit(LOGQL_LEVELS, "level filter misses pino's numeric levels (50 error, 60 fatal)")


def _lint_panels(subject: Subject, emit: Emit) -> None:
    model = subject.model
    panels = list(iter_panels(model.get("panels") or []))
    seen_ids: dict[Any, str] = {}
    for panel in panels:
        title = str(panel.get("title") or "")
        kind = panel.get("type")

        def at_panel(rule: Rule, message: str) -> None:
            emit(rule, message, panel=title)

        if panel.get("id") is not None:
            if panel["id"] in seen_ids:
                at_panel(PANEL_ID, f"id {panel['id']} is also used by panel {seen_ids[panel['id']]!r}")
            seen_ids[panel["id"]] = title
        if kind in LEGACY_PANEL_TYPES:
            target = LEGACY_PANEL_TYPES[kind]
            at_panel(LEGACY_PANEL, f"AngularJS panel type {kind!r}"
                     + (f"; use {target!r}" if target else ""))
        if not title.strip() and kind not in ("row", "text"):
            emit(PANEL_TITLE, "panel has no title", panel=f"#{panel.get('id')} ({kind})")
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        if kind in UNIT_PANELS and not defaults.get("unit") and not panel.get("libraryPanel"):
            at_panel(PANEL_UNITS, f"{kind} panel without a unit")
        if kind not in NO_QUERY_TYPES and not panel.get("targets") and not panel.get("libraryPanel") \
                and kind is not None and not panel.get("datasource", {}) == {"uid": "-- Dashboard --"}:
            at_panel(PANEL_TARGETS, f"{kind} panel without queries")
        grid = panel.get("gridPos")
        if isinstance(grid, dict) and (grid.get("w", 0) > GRID_COLUMNS or grid.get("x", 0) < 0
                                       or grid.get("x", 0) + grid.get("w", 0) > GRID_COLUMNS):
            at_panel(GRID_WIDTH, f"gridPos x={grid.get('x')} w={grid.get('w')} leaves the "
                     f"{GRID_COLUMNS}-column grid")
    _lint_overlaps(model, subject, emit)


def _lint_overlaps(model: Json, subject: Subject, emit: Emit) -> None:
    severity = ERROR if subject.origin == "dashkit" else WARNING
    groups: list[list[Json]] = [[]]
    for panel in model.get("panels") or []:
        groups[0].append(panel)
        if panel.get("type") == "row" and panel.get("collapsed"):
            groups.append(list(panel.get("panels") or []))
    for group in groups:
        boxes = [(p, _grid(p)) for p in group if _grid(p) is not None]
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1:]:
                if box_a is not None and box_b is not None and box_a.overlaps(box_b):
                    emit(GRID_OVERLAP, f"overlaps panel {b.get('title')!r}", panel=str(a.get("title")),
                         severity=severity)


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


def _variable_query(variable: Json) -> str:
    query = variable.get("query", "")
    if isinstance(query, dict):
        return str(query.get("query") or query.get("expr") or "")
    return str(query or "")


def _uses(model: Json) -> Iterator[tuple[str, str]]:
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
        text = _variable_query(variable) + " " + str(variable.get("regex") or "")
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
    used: set[str] = set().union(*depends.values()) | references(
        _flat({k: v for k, v in model.items() if k != "templating"}))
    inputs = {str(i.get("name")) for i in model.get("__inputs") or [] if isinstance(i, dict)}
    for where, text in _uses(model):
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
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
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

        def at(rule: Rule, message: str) -> None:
            emit(rule, message, panel=title, target=target)

        language = ref.language
        if language == "promql":
            queried.add("prometheus")
            _lint_promql(ref, subject, at)
        elif language == "logql":
            queried.add("loki")
            _lint_logql(ref, at)
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
        emit(UID_INVALID, f"uid {uid!r}: at most 40 characters of A-Z, a-z, 0-9, '-', '_'")
    for tag in model.get("tags") or []:
        if isinstance(tag, str) and len(tag.encode()) > MAX_TAG_BYTES:
            emit(TAG_LENGTH, f"tag {tag!r} is {len(tag.encode())} bytes (at most {MAX_TAG_BYTES})")
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
    if loaded is not None and loaded.wrapper != "bare":
        shape = '{"dashboard": …}' if loaded.wrapper == "api" else "a file map"
        emit(WRAPPED, f"wrapped in {shape}: file provisioning reads no title and skips it",
             severity=severity)
    text_inputs = loaded is not None and loaded.exported or "${DS_" in _flat(model)
    if text_inputs:
        emit(INPUTS, "uses ${DS_*} import inputs that file provisioning does not substitute",
             severity=severity)


def _flat(model: Json) -> str:
    return compact(model)


def lint_dashboard(subject: Subject) -> list[Finding]:
    findings: list[Finding] = []
    name = subject.name

    def emit(rule: Rule, message: str, panel: str = "", target: str = "",
             severity: str | None = None) -> None:
        findings.append(Finding(rule.id, severity or rule.severity, message, subject.file, name,
                                panel, target))

    for check in (_lint_dashboard, _lint_variables, _lint_datasources, _lint_panels):
        check(subject, emit)
    return findings


# --- the set -----------------------------------------------------------------------------------

_LINKED_UID = re.compile(r"/d/([A-Za-z0-9_-]+)")


def lint_set(subjects: Sequence[Subject]) -> list[Finding]:
    """Rules only the whole set can answer: duplicate uids and titles, links between dashboards."""
    findings: list[Finding] = []
    by_uid: dict[str, Subject] = {}
    by_title: dict[str, Subject] = {}
    for subject in subjects:
        uid, title = subject.model.get("uid"), subject.model.get("title")
        if uid and uid in by_uid:
            findings.append(Finding(UID_DUPLICATE.id, ERROR, f"duplicate uid {uid!r}, also used in "
                                    f"{by_uid[uid].file}", subject.file, subject.name))
        if title and title in by_title:
            other = by_title[title]
            findings.append(Finding(TITLE_DUPLICATE.id, ERROR, f"duplicate title {title!r}, also "
                                    f"used by {other.name!r} in {other.file}", subject.file,
                                    subject.name))
        if uid:
            by_uid.setdefault(str(uid), subject)
        if title:
            by_title.setdefault(str(title), subject)
    for subject in subjects:
        severity = ERROR if subject.origin == "dashkit" else WARNING
        for where, text in _uses(subject.model):
            if "/d/" not in text:
                continue
            for uid in _LINKED_UID.findall(text):
                if uid not in by_uid and "$" not in uid:
                    findings.append(Finding(LINK_UID.id, severity, f"link to unknown dashboard uid "
                                            f"{uid!r}", subject.file, subject.name, where))
    return findings


def lint(subjects: Iterable[Subject]) -> list[Finding]:
    subjects = list(subjects)
    findings = [f for s in subjects for f in lint_dashboard(s)] + lint_set(subjects)
    return sorted(set(findings), key=lambda f: (f.file, f.dashboard, f.severity != ERROR, f.rule,
                                                f.panel, f.target, f.message))
