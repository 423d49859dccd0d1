"""The Prometheus rule file ``dashkit build`` writes: every rule group of the project, each
alert annotated with a link to the panel that shows its signal (read from the compiled JSON: the
panel's ``Alert: <name>`` header link), in the shape Prometheus' ``rule_files`` loads."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dashkit.errors import DashkitError
from dashkit.fileio import dump_yaml, load_yaml
from dashkit.grafana.model import iter_panels
from dashkit.project.output import OutputFolder
from dashkit.query.catalog import Catalog
from dashkit.sdk.alerts import LINK_PREFIX, Alert, RuleGroup, RuleTest, check_rules

if TYPE_CHECKING:
    from dashkit.project.pipeline import Compiled

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
    return HEADER + dump_yaml(document)


def project_catalog(compiled: Sequence[Compiled]) -> Catalog | None:
    """The catalog rules are checked against: the first dashboard's that has one."""
    catalogs = [c.source.dashboard.catalog for c in compiled if c.source.dashboard.catalog]
    return catalogs[0] if catalogs else None


def project_rule_errors(groups: Sequence[RuleGroup], compiled: Sequence[Compiled]
                        ) -> list[DashkitError]:
    """Rules checked against the dashboards' catalog, as their panels are: one error each."""
    errors = check_rules(groups, project_catalog(compiled))
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


def promtool_tests(document: Mapping[str, Any], tests: Sequence[RuleTest],
                   interval: str = "1m") -> dict[str, Any]:
    """The promtool test file for ``tests`` over the rule file ``document``, the rules
    evaluated every ``interval``."""
    static: dict[str, dict[str, str]] = {}
    for group in document["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                static[rule["alert"]] = {k: v for k, v in rule.get("annotations", {}).items()
                                         if "{{" not in v}
    unknown = sorted({t.alert for t in tests} - set(static))
    if unknown:
        raise DashkitError(f"rule tests name alerts that are not defined: {', '.join(unknown)}")
    # groups in the file's order at each step (recording rules before the alerts reading them);
    # promtool's own order is a map's, random, and an alert evaluated first reads the records of
    # the step before, which past the 5-minute lookback are no data
    return {"rule_files": [RULES_FILE], "evaluation_interval": interval,
            "group_eval_order": [g["name"] for g in document["groups"]],
            "tests": [t.promtool(static[t.alert]) for t in tests]}


def run_rule_tests(groups: Sequence[RuleGroup], tests: Sequence[RuleTest],
                   compiled: Sequence[Compiled], promtool: str = "promtool") -> tuple[bool, str]:
    """``promtool test rules`` over the rule file the build writes: (passed, promtool's words).
    Every alert must have a test that fires it and one that does not."""
    import shutil
    import subprocess
    import tempfile
    import time

    from dashkit.query.expand import seconds

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
    by_interval: dict[str, list[RuleTest]] = {}
    for test in tests:  # rules are evaluated as often as each test's samples come
        by_interval.setdefault(test.interval, []).append(test)
    with tempfile.TemporaryDirectory(prefix="dashkit-rules-") as folder:
        text = rules_yaml(groups, compiled)
        (Path(folder) / RULES_FILE).write_text(text, "utf-8")
        document = load_yaml(text)
        runs = []
        for number, (interval, chosen) in enumerate(sorted(by_interval.items(),
                                                           key=lambda item: seconds(item[0]))):
            name = f"tests-{number}.yml"
            (Path(folder) / name).write_text(yaml.safe_dump(
                promtool_tests(document, chosen, interval), sort_keys=False, width=10**6), "utf-8")
            runs.append(subprocess.Popen([binary, "test", "rules", name], cwd=folder, text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + PROMTOOL_TIMEOUT
        outputs = []
        try:
            for run in runs:
                outputs.append(run.communicate(timeout=max(0.0, deadline - time.monotonic()))[0])
        except subprocess.TimeoutExpired:
            for run in runs:
                run.kill()
                run.wait()
            raise DashkitError(f"promtool took over {PROMTOOL_TIMEOUT} s") from None
    return all(run.returncode == 0 for run in runs), "\n".join(o.strip() for o in outputs)
