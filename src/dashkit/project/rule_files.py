"""The Prometheus rule file ``dashkit build`` writes: every rule group of the project, each
alert annotated with a link to the panel that shows its signal (read from the compiled JSON: the
panel's ``Alert: <name>`` header link), in the shape Prometheus' ``rule_files`` loads."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashkit.errors import DashkitError
from dashkit.fileio import dump_yaml
from dashkit.grafana.model import iter_panels
from dashkit.project.output import OutputFolder
from dashkit.query.catalog import Catalog
from dashkit.sdk.alerts import LINK_PREFIX, Alert, RuleGroup, check_rules

if TYPE_CHECKING:
    from dashkit.project.compiled import Built, Compiled

DEFAULT_RULES_DIR = "build/prometheus/rules"
RULES_FILE = "alerts.yml"
HEADER = ("# Written by dashkit build from the dashboards folder's rule_groups: edit the Python,\n"
          "# not this file. Prometheus loads it through rule_files.\n")
MARKER_TEXT = "Written by dashkit build (rules). This folder is replaced whole on every build.\n"


def alert_panels(compiled: Sequence[Compiled]) -> dict[str, tuple[str, int]]:
    """Each alert name and the first panel (dashboard uid, panel id) that names it."""
    found: dict[str, tuple[str, int]] = {}
    for item in compiled:
        add_alert_panels(found, item.uid, item.model)
    return found


def add_alert_panels(found: dict[str, tuple[str, int]], uid: str, model: Mapping[str, Any]) -> None:
    """Add the alerts a dashboard's panels name that ``found`` has not met yet."""
    for panel in iter_panels(model.get("panels") or []):
        for link in panel.get("links") or []:
            title = str(link.get("title") or "") if isinstance(link, dict) else ""
            if title.startswith(LINK_PREFIX) and isinstance(panel.get("id"), int):
                name = title[len(LINK_PREFIX):].split(" ", 1)[0]
                found.setdefault(name, (uid, int(panel["id"])))


def rules_document(groups: Sequence[RuleGroup], panels: Mapping[str, tuple[str, int]]
                   ) -> dict[str, Any]:
    """The rule file's content: groups in the project's order, rules in theirs."""
    def rule(item: Alert | Any, group: RuleGroup) -> dict[str, Any]:
        if not isinstance(item, Alert):
            return dict(item.rule())
        where = panels.get(item.name)
        url = (f"{group.grafana_url.rstrip('/')}/d/{where[0]}?viewPanel={where[1]}"
               if where else None)
        return item.rule(url)

    return {"groups": [{"name": g.name, "interval": g.interval,
                        "rules": [rule(r, g) for r in g.rules]} for g in groups]}


def rules_yaml(groups: Sequence[RuleGroup], compiled: Sequence[Compiled]) -> str:
    """The rule file as text: deterministic, so a review shows only real changes."""
    return _rules_text(groups, alert_panels(compiled))


def _rules_text(groups: Sequence[RuleGroup], panels: Mapping[str, tuple[str, int]]) -> str:
    return HEADER + dump_yaml(rules_document(groups, panels))


def project_catalog(compiled: Iterable[Compiled | Built]) -> Catalog | None:
    """The catalog rules are checked against: the first dashboard's that has one."""
    catalogs = [c.catalog for c in compiled if c.catalog]
    return catalogs[0] if catalogs else None


def project_rule_errors(groups: Sequence[RuleGroup], compiled: Iterable[Compiled | Built]
                        ) -> list[DashkitError]:
    """Rules checked against the dashboards' catalog, as their panels are: one error each."""
    errors = check_rules(groups, project_catalog(compiled))
    names = [g.name for g in groups]
    errors += [DashkitError(f"rule group {n!r} is defined twice") for n in sorted(set(names))
               if names.count(n) > 1]
    return errors


def rules_folder(groups: Sequence[RuleGroup], panels: Mapping[str, tuple[str, int]],
                 out_dir: Path) -> OutputFolder:
    """``out_dir/alerts.yml`` as a folder to write whole, linking each alert to its panel in
    ``panels`` (``alert_panels``): read when the folder is filled, after the build has filled
    it while writing the dashboards, which are staged first."""
    def fill(staging: Path) -> None:
        (staging / RULES_FILE).write_text(_rules_text(groups, panels), "utf-8")

    return OutputFolder(out_dir, fill, MARKER_TEXT)
