"""The lint exclusions file beside the dashboards: a rule, where it does not apply, and why."""
from __future__ import annotations

import fnmatch
from pathlib import Path

import attrs
import yaml

from dashkit.errors import DashkitError
from dashkit.lint import Finding

EXCLUSIONS_FILE = ".dashkit-lint.yaml"


@attrs.frozen
class Exclusion:
    rule: str
    reason: str
    dashboard: str = "*"
    panel: str = "*"

    def matches(self, finding: Finding) -> bool:
        return (fnmatch.fnmatchcase(finding.rule, self.rule)
                and fnmatch.fnmatchcase(finding.dashboard, self.dashboard)
                and fnmatch.fnmatchcase(finding.panel, self.panel))


def load_exclusions(path: Path) -> list[Exclusion]:
    """``exclusions: [{rule, dashboard?, panel?, reason}]``; a reason is required."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise DashkitError(f"invalid YAML: {error}", file=str(path)) from None
    exclusions = []
    for i, entry in enumerate(data.get("exclusions") or [], 1):
        if not isinstance(entry, dict) or not entry.get("rule"):
            raise DashkitError(f"exclusion {i} needs a rule", file=str(path))
        if not str(entry.get("reason") or "").strip():
            raise DashkitError(f"exclusion {i} ({entry['rule']}) needs a reason", file=str(path))
        exclusions.append(Exclusion(str(entry["rule"]), str(entry["reason"]),
                                    str(entry.get("dashboard", "*")), str(entry.get("panel", "*"))))
    return exclusions
