"""Lint findings for people (a table), for tools (JSON) and for GitHub Actions (annotations)."""
from __future__ import annotations

import json

from dashkit.lint.findings import ERROR
from dashkit.lint.run import LintReport
from dashkit.text import counted, format_table


def _github_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render(report: LintReport, output: str) -> str:
    """The report as a table, JSON or GitHub annotations, as the user asked."""
    findings = report.findings
    if output == "json":
        return json.dumps({"findings": [
            {"rule": f.rule, "severity": f.severity, "message": f.message, "file": f.file,
             "dashboard": f.dashboard, "title": f.title, "panel": f.panel, "target": f.target}
            for f in findings],
            "excluded": len(report.excluded), "dashboards": report.dashboards}, indent=2)
    if output == "github":
        return "\n".join(
            f"::{f.severity} file={_github_escape(f.file.split(':')[0])},title={f.rule}::"
            f"{_github_escape(f.location + ': ' + f.message if f.location else f.message)}"
            for f in findings)
    errors = sum(1 for f in findings if f.severity == ERROR)
    summary = (f"{counted(errors, 'error')}, {counted(len(findings) - errors, 'warning')} in "
               f"{counted(report.dashboards, 'dashboard')}"
               + (f" ({len(report.excluded)} excluded)" if report.excluded else ""))
    if not findings:
        return summary
    rows = [(f.severity, f.rule, f.file, f.where, f.message) for f in findings]
    return format_table(("severity", "rule", "file", "where", "message"), rows) + "\n\n" + summary
