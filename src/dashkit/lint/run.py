"""What ``dashkit lint`` lints, and what it leaves alone: collecting dashboards from a dashkit
project and from JSON files, and the exclusions file with a reason for every exclusion."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from dashkit.errors import DashkitError
from dashkit.grafana.normalise import json_files, load_json
from dashkit.lint.config import Exclusion, unused
from dashkit.lint.findings import ERROR, NOT_A_DASHBOARD, Finding, Subject
from dashkit.lint.sets import lint
from dashkit.query.catalog import Catalog


def json_subjects(paths: Iterable[Path], catalog: Catalog | None = None,
                  provisioning: bool = False) -> tuple[list[Subject], list[Finding]]:
    """Dashboards from JSON files and folders; a file that is no dashboard is a finding."""
    subjects: list[Subject] = []
    findings: list[Finding] = []
    for path in paths:
        for file in json_files(path):
            try:
                loaded = load_json(file)
            except DashkitError as error:
                findings.append(NOT_A_DASHBOARD.finding(error.message, str(file)))
                continue
            subjects.extend(Subject(item.model, item.source, "json", catalog, item, provisioning)
                            for item in loaded)
    return subjects, findings


@attrs.frozen
class LintReport:
    """What lint found and what the exclusions set aside."""
    findings: tuple[Finding, ...]
    excluded: tuple[Finding, ...]
    dashboards: int

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.findings if strict else self.errors())


def run_lint(subjects: Sequence[Subject], early: Sequence[Finding] = (),
             exclusions: Sequence[Exclusion] = (), exclusions_file: Path | None = None
             ) -> LintReport:
    """Lint, then set aside what the exclusions cover. With ``exclusions_file`` (linting the
    project the file belongs to), an exclusion that matches nothing is an error."""
    findings = list(early) + lint(subjects)
    if exclusions_file is not None:
        findings += unused(list(exclusions), findings, exclusions_file)
    kept = [f for f in findings if not any(e.matches(f) for e in exclusions)]
    excluded = [f for f in findings if f not in kept]
    return LintReport(tuple(kept), tuple(excluded), len(subjects))
