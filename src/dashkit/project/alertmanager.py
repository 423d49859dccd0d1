"""The ``alertmanager.yml`` ``dashkit build`` writes from the project's ``alertmanager`` object,
and the checks that tie the routing to the project's alerts: every alert reaches a receiver of
its own (not only the default), every receiver is reached by some alert, and every inhibit rule
can fire, since it names labels the alerts carry."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from dashkit.errors import DashkitError, user_site
from dashkit.fileio import dump_yaml
from dashkit.project.output import OutputFolder
from dashkit.query.catalog import Catalog
from dashkit.query.labels import output_labels
from dashkit.sdk.alerts import Alert, RuleGroup
from dashkit.sdk.routing import Alertmanager, Inhibit, receivers_for

DEFAULT_ALERTMANAGER_DIR = "build/alertmanager"
ALERTMANAGER_FILE = "alertmanager.yml"
HEADER = ("# Written by dashkit build from the dashboards folder's `alertmanager`: edit the\n"
          "# Python, not this file. Secrets are files Alertmanager reads (*_file), never values.\n")
MARKER_TEXT = "Written by dashkit build (alertmanager). This folder is replaced whole.\n"
#: An alert's label whose value is only known when it fires (from its query's result).
ANY = object()


def alertmanager_yaml(config: Alertmanager) -> str:
    """The configuration as text: deterministic, so a review shows only real changes."""
    return HEADER + dump_yaml(config.config())


def firing_labels(alert: Alert, catalog: Catalog | None) -> dict[str, object]:
    """The labels ``alert`` carries when it fires: its name, its own labels, and those of its
    query's result (their values unknown until then: :data:`ANY`)."""
    result = output_labels(alert.expr, catalog) or frozenset()
    return {**{name: ANY for name in sorted(result)}, "alertname": alert.name,
            "severity": alert.severity, **dict(alert.labels)}


def _sample(labels: Mapping[str, object]) -> dict[str, str]:
    """Concrete labels for routing: a value known only at firing time becomes a placeholder
    that equality matchers cannot take for a real value."""
    return {k: v if isinstance(v, str) else f"<{k}>" for k, v in labels.items()}


def _can_inhibit(rule: Inhibit, source: Mapping[str, object], target: Mapping[str, object]) -> bool:
    def matches(labels: Mapping[str, object], wanted: Mapping[str, str]) -> bool:
        return all(labels.get(k, "") in (v, ANY) for k, v in wanted.items())

    if not (matches(source, rule.source) and matches(target, rule.target)):
        return False
    for label in rule.equal:
        left, right = source.get(label, ""), target.get(label, "")
        if left is not ANY and right is not ANY and left != right:
            return False  # Alertmanager compares values: a missing label is "" on both sides
        if left == "" or right == "":
            return False
    return True


def check_routing(config: Alertmanager, groups: Sequence[RuleGroup],
                  catalog: Catalog | None) -> list[DashkitError]:
    """What routes and inhibit rules say about the project's alerts, one error each."""
    alerts = [a for g in groups for a in g.alerts()]
    labels = {a.name: firing_labels(a, catalog) for a in alerts}
    root = config.route.receiver.name
    where = config.origin
    errors: list[DashkitError] = []
    reached: set[str] = set()
    for alert in alerts:
        receivers = receivers_for(config.route, _sample(labels[alert.name]))
        reached.update(receivers)
        if receivers == [root] and config.route.routes:
            errors.append(DashkitError(
                f"alert {alert.name} (severity {alert.severity}) reaches only the default "
                f"receiver {root!r}: no route matches its labels", file=user_site(alert.origin)))
    for receiver in config.receivers():
        if receiver.name != root and receiver.name not in reached and alerts:
            errors.append(DashkitError(f"receiver {receiver.name!r}: no alert of the project is "
                                       "routed to it", file=user_site(where)))
    for number, rule in enumerate(config.inhibits, 1):
        pairs = [(s, t) for s in alerts for t in alerts if s is not t
                 and _can_inhibit(rule, labels[s.name], labels[t.name])]
        if not pairs:
            missing = sorted({label for label in rule.equal
                              if not any(label in labels[a.name] and labels[a.name][label] != ""
                                         for a in alerts)})
            why = (f"no alert carries {', '.join(map(repr, missing))}" if missing else
                   "no alert it would silence shares those label values with one it listens to")
            errors.append(DashkitError(
                f"inhibit rule {number} (equal: {', '.join(rule.equal)}) can never fire: {why}",
                file=user_site(rule.origin)))
    return errors


def project_routing_errors(config: Alertmanager | None, groups: Sequence[RuleGroup],
                           catalog: Catalog | None) -> list[DashkitError]:
    """Every routing mistake of the project; nothing to check without routing."""
    return check_routing(config, groups, catalog) if config is not None else []


def alertmanager_folder(config: Alertmanager, out_dir: Path) -> OutputFolder:
    """``out_dir/alertmanager.yml`` as a folder written whole, with the rest of the build."""
    text = alertmanager_yaml(config)

    def fill(staging: Path) -> None:
        (staging / ALERTMANAGER_FILE).write_text(text, "utf-8")

    return OutputFolder(out_dir, fill, MARKER_TEXT)
