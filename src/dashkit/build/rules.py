"""The Prometheus rule file ``dashkit build`` writes: every rule group of the project, each
alert annotated with a link to the panel that shows its signal (read from the compiled JSON: the
panel's ``Alert: <name>`` header link), in the shape Prometheus' ``rule_files`` loads."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dashkit.build.output import OutputFolder
from dashkit.errors import DashkitError
from dashkit.grafana.model import iter_panels
from dashkit.sdk.alerts import LINK_PREFIX, Alert, RuleGroup, RuleTest, check_rules

if TYPE_CHECKING:
    from dashkit.build.pipeline import Compiled

DEFAULT_RULES_DIR = "build/prometheus/rules"
RULES_FILE = "alerts.yml"
HEADER = ("# Written by dashkit build from the dashboards folder's rule_groups: edit the Python,\n"
          "# not this file. Prometheus loads it through rule_files.\n")
MARKER_TEXT = "Written by dashkit build (rules). This folder is replaced whole on every build.\n"


def alert_panels(compiled: Sequence[Compiled]) -> dict[str, tuple[str, int]]:
    """Each alert name and the first panel (dashboard uid, panel id) that names it."""
    found: dict[str, tuple[str, int]] = {}
    for item in compiled:
        for panel in iter_panels(item.model.get("panels") or []):
            for link in panel.get("links") or []:
                title = str(link.get("title") or "") if isinstance(link, dict) else ""
                if title.startswith(LINK_PREFIX) and isinstance(panel.get("id"), int):
                    name = title[len(LINK_PREFIX):].split(" ", 1)[0]
                    found.setdefault(name, (item.uid, int(panel["id"])))
    return found


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
    document = rules_document(groups, alert_panels(compiled))
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=10**6)


def project_rule_errors(groups: Sequence[RuleGroup], compiled: Sequence[Compiled]
                        ) -> list[DashkitError]:
    """Rules checked against the dashboards' catalog, as their panels are: one error each."""
    catalogs = [c.source.dashboard.catalog for c in compiled if c.source.dashboard.catalog]
    errors = check_rules(groups, catalogs[0] if catalogs else None)
    names = [g.name for g in groups]
    errors += [DashkitError(f"rule group {n!r} is defined twice") for n in sorted(set(names))
               if names.count(n) > 1]
    return errors


def rules_folder(groups: Sequence[RuleGroup], compiled: Sequence[Compiled], out_dir: Path
                 ) -> OutputFolder:
    """``out_dir/alerts.yml`` as a folder to write whole, with the dashboards it links to."""
    text = rules_yaml(groups, compiled)

    def fill(staging: Path) -> None:
        (staging / RULES_FILE).write_text(text, "utf-8")

    return OutputFolder(out_dir, fill, MARKER_TEXT)


#: Seconds promtool may take over the whole test file.
PROMTOOL_TIMEOUT = 120


def promtool_tests(document: Mapping[str, Any], tests: Sequence[RuleTest]) -> dict[str, Any]:
    """The promtool test file for ``tests`` over the rule file ``document``."""
    static: dict[str, dict[str, str]] = {}
    for group in document["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                static[rule["alert"]] = {k: v for k, v in rule.get("annotations", {}).items()
                                         if "{{" not in v}
    unknown = sorted({t.alert for t in tests} - set(static))
    if unknown:
        raise DashkitError(f"rule tests name alerts that are not defined: {', '.join(unknown)}")
    return {"rule_files": [RULES_FILE], "evaluation_interval": "1m",
            "tests": [t.promtool(static[t.alert]) for t in tests]}


def run_rule_tests(groups: Sequence[RuleGroup], tests: Sequence[RuleTest],
                   compiled: Sequence[Compiled], promtool: str = "promtool") -> tuple[bool, str]:
    """``promtool test rules`` over the rule file the build writes: (passed, promtool's words).
    Every alert must have a test that fires it and one that does not."""
    import shutil
    import subprocess
    import tempfile

    untested = [a.name for g in groups for a in g.alerts()
                if not any(t.alert == a.name and t.fires for t in tests)
                or not any(t.alert == a.name and not t.fires for t in tests)]
    if untested:
        raise DashkitError(f"alerts without a test that fires them and one that does not: "
                           f"{', '.join(untested)}")
    binary = shutil.which(promtool)
    if binary is None:
        raise DashkitError(f"{promtool} not found: install Prometheus' promtool (Debian: apt-get "
                           "install prometheus)")
    with tempfile.TemporaryDirectory(prefix="dashkit-rules-") as folder:
        text = rules_yaml(groups, compiled)
        (Path(folder) / RULES_FILE).write_text(text, "utf-8")
        document = yaml.safe_load(text)
        (Path(folder) / "tests.yml").write_text(
            yaml.safe_dump(promtool_tests(document, tests), sort_keys=False, width=10**6), "utf-8")
        try:
            done = subprocess.run([binary, "test", "rules", "tests.yml"], cwd=folder,
                                  capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DashkitError(f"promtool took over {PROMTOOL_TIMEOUT} s") from None
    return done.returncode == 0, (done.stdout + done.stderr).strip()
