"""What lint knows before it looks at a dashboard: its rules, a finding, the dashboard it lints."""
from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from dashkit.query.catalog import Catalog

if TYPE_CHECKING:  # normalise (JSON files, v2 resources) is not needed to lint a build
    from dashkit.grafana.normalise import Loaded

Json = dict[str, Any]


class Severity(str, enum.Enum):
    """How bad a finding is: an error stops ``dashkit build`` and fails ``dashkit lint``."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


ERROR, WARNING = Severity.ERROR, Severity.WARNING


@attrs.frozen
class Rule:
    """A lint rule's id, severity and the reason it exists (shown by `dashkit lint --rules`)."""
    id: str
    severity: Severity
    doc: str

    def finding(self, message: str, file: str = "", dashboard: str = "", panel: str = "",
                target: str = "", title: str = "", severity: Severity | None = None) -> Finding:
        """A finding of this rule, at the rule's own severity unless the dashboard changes it
        (``severity``: a set or origin that makes the rule stricter or milder)."""
        return Finding(self.id, severity or self.severity, message, file, dashboard, panel, target,
                       title)


RULES: dict[str, Rule] = {}


def _rule(id: str, severity: Severity, doc: str) -> Rule:
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
                     "PromQL that does not parse (after Grafana's macros and variables), "
                     "or too big to parse.")
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
GRID_COMPACTION = _rule("grid-compaction", WARNING,
                        "A layout that relies on Grafana's compaction: a panel below a gap, or "
                        "overlapping another, is drawn elsewhere than its gridPos says.")
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
ALERT_THRESHOLD = _rule("alert-threshold", ERROR,
                        "A panel that names an alert (an `Alert: …` header link) whose thresholds "
                        "do not turn red where the alert fires.")


@attrs.frozen
class Finding:
    """One problem lint found, located by file, dashboard, panel and query."""
    rule: str
    severity: Severity
    message: str
    file: str = ""
    dashboard: str = ""
    panel: str = ""
    target: str = ""
    #: The dashboard's title, for people (``dashboard`` is its uid, which exclusions match).
    title: str = ""

    @property
    def location(self) -> str:
        parts = [p for p in (self.dashboard, f"panel {self.panel!r}" if self.panel else "",
                             f"query {self.target}" if self.target else "") if p]
        return ", ".join(parts)

    @property
    def where(self) -> str:
        """The location as a person reads it: the dashboard's title rather than its uid."""
        named = f"{self.title} ({self.dashboard})" if self.title and self.dashboard else ""
        return self.location.replace(self.dashboard, named, 1) if named else self.location

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
    #: The dashkit dashboard says ``allow_overlaps=True`` (an imported layout): overlaps warn.
    allow_overlaps: bool = False
    #: Texts the rules read made once per subject (``checks.outside_text``).
    texts: dict[str, str] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @property
    def name(self) -> str:
        return str(self.model.get("uid") or self.model.get("title") or self.file)



@attrs.frozen
class SetEntry:
    """What the set-wide rules (``lint_set``) need of a dashboard: a build keeps this of each
    dashboard it has written, not its JSON (60 MiB for 1,000 dashboards as Python objects)."""

    uid: str
    title: str
    file: str
    name: str
    origin: str
    #: (panel title, text) of every string of it that may link to a dashboard (``/d/``).
    links: tuple[tuple[str, str], ...]

Emit = Callable[..., None]
