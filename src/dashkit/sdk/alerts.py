"""Alert and recording rules from the same definitions as the panels: an ``Alert`` is a signal
built with the query helpers, a comparison and a limit. The panels that show the signal name the
alert (``alert=``) and take their thresholds from it; the rule's annotations link back to the
first such panel; ``dashkit build`` writes the Prometheus rule file; ``dashkit test-rules`` runs
each alert's cases through ``promtool test rules``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from attrs.validators import deep_iterable, in_, instance_of

from dashkit.errors import DashkitError, Site, call_site, each_error, user_site
from dashkit.query.catalog import Catalog, Metric, MetricType
from dashkit.query.expand import seconds
from dashkit.query.promql import Expr, validate
from dashkit.sdk.thresholds import Thresholds, above, below

RULE_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
#: The comparisons an alert can make, and how a panel's thresholds colour them.
OPERATORS = (">", ">=", "<", "<=", "==")
#: The header-link title prefix that names a panel's alert in the JSON (lint reads it back).
LINK_PREFIX = "Alert: "
_LINK = re.compile(r"(?P<name>\S+) (?P<op>>=|<=|==|>|<) (?P<limit>-?[0-9.]+(?:e[+-]?[0-9]+)?)(?: |$)")


def read_link(title: str) -> tuple[str, str, float] | None:
    """The alert a panel header link names, as (name, operator, limit), or None: the reverse
    of ``Alert.link``, for readers of the JSON (the preview pushes such panels over the limit)."""
    match = _LINK.match(title[len(LINK_PREFIX):]) if title.startswith(LINK_PREFIX) else None
    try:
        return (match["name"], match["op"], float(match["limit"])) if match else None
    except ValueError:
        return None


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _rules(values: Iterable[Alert | RecordingRule]) -> tuple[Alert | RecordingRule, ...]:
    return tuple(values)


def _cases(values: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(values)


def _expr(value: Expr | str) -> Expr:
    return value if isinstance(value, Expr) else Expr(str(value))


def _duration(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    try:
        seconds(value)
    except ValueError:
        raise DashkitError(f"{type(instance).__name__} {getattr(instance, 'name', '')!r}: "
                           f"{attribute.name} {value!r} is not a duration like 1m or 30s",
                           file=user_site()) from None


def _name(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not RULE_NAME.match(value):
        raise DashkitError(f"{type(instance).__name__} name {value!r} is not a Prometheus name "
                           "(letters, digits, _ and :)", file=user_site())


@attrs.frozen(kw_only=True)
class Alert:
    """An alerting rule: fires when ``signal op limit`` holds for ``for_``.

    ``fixed`` says what this definition corrects in an earlier version of the rule (the README's
    table of alerts is checked against it)."""
    name: str = attrs.field(validator=_name)
    signal: Expr = attrs.field(converter=_expr)
    op: str = attrs.field(validator=in_(OPERATORS))
    limit: float = attrs.field(validator=instance_of((int, float)))
    for_: str = attrs.field(default="0s", validator=_duration)
    severity: str = attrs.field(default="warning", validator=instance_of(str))
    summary: str = attrs.field(default="", validator=instance_of(str))
    description: str = attrs.field(default="", validator=instance_of(str))
    runbook_url: str = attrs.field(default="", validator=instance_of(str))
    labels: Mapping[str, str] = attrs.field(factory=dict)
    fixed: str = attrs.field(default="", validator=instance_of(str))
    #: Where the alert was defined: errors about it point there.
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    @property
    def expr(self) -> str:
        """The rule's expression: the signal compared with the limit."""
        return f"{self.signal.text} {self.op} {_number(self.limit)}"

    def thresholds(self) -> Thresholds:
        """The colours of a panel that shows this alert's signal: red where the alert fires."""
        if self.op in (">", ">="):
            return above(self.limit)
        if self.op in ("<", "<="):
            return below(self.limit)
        return Thresholds(((None, "red"), (self.limit + 1, "green")))  # == 0: whole numbers (up)

    def link(self) -> dict[str, Any]:
        """The panel header link that names this alert (and opens it in Grafana's alert list)."""
        return {"title": f"{LINK_PREFIX}{self.name} {self.op} {_number(self.limit)} for {self.for_}",
                "url": f"/alerting/list?search={self.name}", "targetBlank": True}

    def rule(self, panel_url: str | None = None) -> dict[str, Any]:
        """The rule as Prometheus reads it from a rule file."""
        annotations = {"summary": self.summary, "description": self.description}
        if self.runbook_url:
            annotations["runbook_url"] = self.runbook_url
        if panel_url:
            annotations["dashboard"] = panel_url
        rule: dict[str, Any] = {"alert": self.name, "expr": self.expr}
        if seconds(self.for_) > 0:
            rule["for"] = self.for_
        rule["labels"] = {"severity": self.severity, **dict(sorted(self.labels.items()))}
        rule["annotations"] = {k: v for k, v in annotations.items() if v}
        return rule


@attrs.frozen(kw_only=True)
class RecordingRule:
    """A series Prometheus computes ahead of time, for expensive queries dashboards repeat.
    Its labels are the signal's ``by (...)`` labels; ``metric()`` puts it in a catalog."""
    name: str = attrs.field(validator=_name)
    signal: Expr = attrs.field(converter=_expr)
    labels: tuple[str, ...] = attrs.field(converter=_strings, default=())
    help: str = attrs.field(default="", validator=instance_of(str))
    unit: str = attrs.field(default="", validator=instance_of(str))
    #: Labels the rule sets on what it records: rules of one name tell their series apart by
    #: them (an SLO's error ratio per window).
    static: Mapping[str, str] = attrs.field(factory=dict)
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    def rule(self) -> dict[str, Any]:
        """The rule as Prometheus reads it from a rule file."""
        rule: dict[str, Any] = {"record": self.name, "expr": self.signal.text}
        if self.static:
            rule["labels"] = dict(sorted(self.static.items()))
        return rule

    def metric(self) -> Metric:
        """The recorded series as a catalog metric: queries on it are checked like any other."""
        return Metric(self.name, MetricType.GAUGE, frozenset(self.labels), self.help, self.unit,
                      scraped=False)


@attrs.frozen
class RuleGroup:
    """Rules Prometheus evaluates together, every ``interval``."""
    name: str = attrs.field(validator=instance_of(str))
    rules: tuple[Alert | RecordingRule, ...] = attrs.field(
        converter=_rules, validator=deep_iterable(instance_of((Alert, RecordingRule))))
    interval: str = attrs.field(default="1m", validator=_duration)
    #: Grafana's address, for the links from each alert to the panel that shows it.
    grafana_url: str = attrs.field(default="", kw_only=True, validator=instance_of(str))

    def alerts(self) -> list[Alert]:
        """The group's alerting rules."""
        return [r for r in self.rules if isinstance(r, Alert)]


def recorded(rules: Iterable[RecordingRule], name: str = "recording-rules") -> Catalog:
    """A catalog of recorded series, to add to the dashboards' catalog."""
    return Catalog(name, [r.metric() for r in rules])


#: A Grafana variable or macro (``$service``, ``${service}``, ``[[service]]``,
#: ``$__rate_interval``); not ``$1``, label_replace's reference to a capture group.
GRAFANA_VARIABLE = re.compile(r"\$(?:[A-Za-z_]\w*|\{)|\[\[")


def check_rules(groups: Sequence[RuleGroup], catalog: Catalog | None) -> list[DashkitError]:
    """Every metric and label an alert or recording rule uses, checked against the catalog; two
    alerts or records of the same name are an error too."""
    errors: list[DashkitError] = []
    seen: set[tuple[str, str, str]] = set()
    for group in groups:
        for rule in group.rules:
            kind = "alert" if isinstance(rule, Alert) else "record"
            key = (kind, rule.name, "" if isinstance(rule, Alert) else repr(sorted(rule.static.items())))
            if key in seen:
                errors.append(DashkitError(f"{kind} {rule.name!r} is defined twice",
                                           file=user_site(rule.origin)))
            seen.add(key)
            if GRAFANA_VARIABLE.search(rule.signal.text):
                errors.append(DashkitError(
                    f"{kind} {rule.name!r}: {rule.signal.text!r} uses a Grafana variable or macro "
                    "($__rate_interval…), which Prometheus rules cannot: give a window such as "
                    "window=\"5m\"", file=user_site(rule.origin)))
                continue
            if catalog is None:
                continue
            try:
                validate(rule.signal, catalog)
            except DashkitError as error:
                errors += [DashkitError(f"{kind} {rule.name!r}: {e.message}",
                                        file=user_site(rule.origin)) for e in each_error(error)]
    return errors


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@attrs.frozen(kw_only=True)
class RuleTest:
    """A ``promtool test rules`` case: input series (promtool's ``values`` notation, a sample
    every ``interval``), and at ``at`` the alerts named ``alert`` that fire, each as its labels
    and its rendered summary and description (none: it must not fire). The static annotations
    (the panel link, the runbook) are filled in from the rule itself."""
    name: str = attrs.field(validator=instance_of(str))
    alert: str = attrs.field(validator=instance_of(str))
    series: Mapping[str, str] = attrs.field(factory=dict)
    at: str = attrs.field(validator=_duration)
    fires: tuple[Mapping[str, Any], ...] = attrs.field(converter=_cases, default=())
    interval: str = attrs.field(default="1m", validator=_duration)
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    def promtool(self, static: Mapping[str, str]) -> dict[str, Any]:
        """The case in promtool's test-file shape; ``static`` are the rule's fixed annotations."""
        expected = [{"exp_labels": dict(f.get("labels", {})),
                     "exp_annotations": {**static,
                                         **{k: v for k, v in f.items() if k != "labels"}}}
                    for f in self.fires]
        return {"name": self.name, "interval": self.interval,
                "input_series": [{"series": s, "values": v} for s, v in self.series.items()],
                "alert_rule_test": [{"eval_time": self.at, "alertname": self.alert,
                                     "exp_alerts": expected}]}
