"""The lint exclusions file beside the dashboards: a rule, where it does not apply, and why."""
from __future__ import annotations

import fnmatch
from pathlib import Path

import attrs
import yaml

from dashkit.errors import DashkitError
from dashkit.fileio import load_yaml
from dashkit.lint.findings import EXCLUSION_UNUSED, RULES, Finding

EXCLUSIONS_FILE = ".dashkit-lint.yaml"


@attrs.frozen
class Exclusion:
    """One entry of the exclusions file: a finding a team decided to accept, and why."""
    rule: str
    reason: str
    dashboard: str = "*"
    panel: str = "*"

    def matches(self, finding: Finding) -> bool:
        return (fnmatch.fnmatchcase(finding.rule, self.rule)
                and fnmatch.fnmatchcase(finding.dashboard, self.dashboard)
                and fnmatch.fnmatchcase(finding.panel, self.panel))


#: The keys an exclusion may have; anything else is a typo that would widen it silently.
EXCLUSION_KEYS = frozenset({"rule", "dashboard", "panel", "reason"})


def load_exclusions(path: Path) -> list[Exclusion]:
    """``exclusions: [{rule, dashboard?, panel?, reason}]``; a reason is required, a key or
    rule id dashkit does not know is an error (a misspelt ``dashbord:`` would otherwise
    exclude the rule everywhere)."""

    if not path.exists():
        return []
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise DashkitError(f"invalid YAML: {' '.join(str(error).split())}", file=str(path)) from None
    if not isinstance(data, dict) or set(data) - {"exclusions"}:
        raise DashkitError("the file holds one key, exclusions: a list of {rule, dashboard, "
                           "panel, reason}", file=str(path))
    entries = data.get("exclusions") or []
    if not isinstance(entries, list):
        raise DashkitError("exclusions must be a list", file=str(path))
    exclusions = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("rule"):
            raise DashkitError(f"exclusion {i} needs a rule", file=str(path))
        unknown = sorted(str(k) for k in set(entry) - EXCLUSION_KEYS)
        if unknown:
            raise DashkitError(f"exclusion {i} ({entry['rule']}) has unknown key "
                               f"{', '.join(map(repr, unknown))}; the keys are "
                               f"{', '.join(sorted(EXCLUSION_KEYS))}", file=str(path))
        rule = str(entry["rule"])
        if not any(fnmatch.fnmatchcase(known, rule) for known in RULES):
            raise DashkitError(f"exclusion {i}: no rule matches {rule!r} (dashkit lint's README "
                               "section lists the rule ids)", file=str(path))
        if not str(entry.get("reason") or "").strip():
            raise DashkitError(f"exclusion {i} ({rule}) needs a reason", file=str(path))
        exclusions.append(Exclusion(rule, str(entry["reason"]), str(entry.get("dashboard", "*")),
                                    str(entry.get("panel", "*"))))
    return exclusions


def unused(exclusions: list[Exclusion], findings: list[Finding], path: Path) -> list[Finding]:
    """An exclusion that matched no finding is stale or misspelt: an error finding of its own."""

    return [EXCLUSION_UNUSED.finding(f"exclusion of {e.rule!r} for dashboard {e.dashboard!r}, "
                                     f"panel {e.panel!r} matches nothing: remove or correct it",
                                     str(path)) for e in exclusions if not any(e.matches(f) for f in findings)]
