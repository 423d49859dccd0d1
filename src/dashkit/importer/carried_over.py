"""An imported dashboard's own defects (an undefined variable, a link to a dashboard that is not
in the project) become lint exclusions with their reason, so the project builds and lints as it
is, and the defects stay listed where a team will see and fix them.

Only the modules the import generated are run, sandboxed (:func:`codecheck.run_module`): the
other ``*.py`` in the folder are someone else's code, read for their dashboard uids, never run."""
from __future__ import annotations

import ast
from collections.abc import Collection, Sequence
from pathlib import Path

import yaml

from dashkit.fileio import load_yaml, replace_file
from dashkit.importer.codecheck import run_module
from dashkit.importer.generator import ImportResult
from dashkit.lint.checks import lint_dashboard
from dashkit.lint.config import EXCLUSIONS_FILE, Exclusion, load_exclusions
from dashkit.lint.findings import ERROR, TITLE_DUPLICATE, UID_DUPLICATE, Finding, Subject
from dashkit.lint.sets import lint_set
from dashkit.sdk.compiler import compile_dashboard

REASON = "carried over from the imported dashboard"
#: What no exclusion may waive (Grafana stops provisioning the folder): import avoids it instead.
_NEVER_EXCLUDED = frozenset({UID_DUPLICATE.id, TITLE_DUPLICATE.id})


def _imported_subject(result: ImportResult, path: str) -> Subject:
    """The generated module as lint sees it: run sandboxed (checked tree, no builtins), once."""
    dashboard = result.dashboard or run_module(result.source)["dashboard"]
    return Subject(compile_dashboard(dashboard, strict=False), path, "dashkit", dashboard.catalog,
                   allow_overlaps=dashboard.allow_overlaps)


def uids_written_in(out_dir: Path, skipped: Collection[str] = ()) -> set[str]:
    """The ``uid="..."`` literals of the folder's modules, read from their source and never
    run: the dashboards an imported link may point at. Modules named in ``skipped`` are not
    read (those this import wrote: their one ``uid=`` is their dashboard's, known already)."""
    found: set[str] = set()
    for path in sorted(out_dir.glob("*.py")):
        if path.name in skipped:
            continue
        try:
            tree = ast.parse(path.read_bytes(), str(path))
        except (SyntaxError, ValueError, OSError):
            continue
        found |= {k.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
                  for k in node.keywords if k.arg == "uid" and isinstance(k.value, ast.Constant)
                  and isinstance(k.value.value, str)}
    return found


def carried_over_findings(out_dir: Path, imported: Sequence[tuple[ImportResult, str]]
                          ) -> list[Finding]:
    """The error-level lint findings of the ``imported`` (result, file) pairs that the folder's
    exclusions file does not already accept: what would stop ``dashkit build``."""
    subjects = [_imported_subject(result, path) for result, path in imported]
    uids = {s.model.get("uid") for s in subjects}
    written = {Path(path).name for _, path in imported}
    others = [Subject({"uid": uid}, "") for uid in sorted(uids_written_in(out_dir, written) - uids)]
    existing = load_exclusions(out_dir / EXCLUSIONS_FILE)
    findings = [f for s in subjects for f in lint_dashboard(s)]
    findings += [f for f in lint_set(subjects + others) if f.dashboard in uids]
    return [f for f in findings if f.severity == ERROR and f.rule not in _NEVER_EXCLUDED
            and not any(e.matches(f) for e in existing)]


def _glob_literal(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def add_exclusions(out_dir: Path, findings: list[Finding]) -> list[Exclusion]:
    """Append one exclusion per (rule, dashboard, panel) to the exclusions file, keeping what the
    file says already (comments included); returns the entries added."""
    added: list[Exclusion] = []
    for finding in findings:
        exclusion = Exclusion(finding.rule, REASON, _glob_literal(finding.dashboard),
                              _glob_literal(finding.panel) if finding.panel else "*")
        if exclusion not in added:
            added.append(exclusion)
    if not added:
        return []
    path = out_dir / EXCLUSIONS_FILE
    entries = [{"rule": e.rule, "dashboard": e.dashboard, "panel": e.panel, "reason": e.reason}
               for e in added]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = load_yaml(text) if text else None
    block = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=1000)
    indented = "".join(f"  {line}\n" for line in block.splitlines())
    if isinstance(data, dict) and isinstance(data.get("exclusions"), list) and data["exclusions"] \
            and load_yaml(text.rstrip("\n") + "\n" + indented) == {
                "exclusions": data["exclusions"] + entries}:
        new_text = text.rstrip("\n") + "\n" + indented  # appended: the team's comments stay
    else:
        previous = data.get("exclusions") or [] if isinstance(data, dict) else []
        header = "# Lint findings accepted on purpose, each with the reason (dashkit lint requires one).\n"
        new_text = header + yaml.safe_dump({"exclusions": previous + entries}, sort_keys=False,
                                           allow_unicode=True, width=1000)
    replace_file(path, new_text)
    return added


def carry_over(out_dir: Path, imported: Sequence[tuple[ImportResult, str]]) -> list[Exclusion]:
    """After an import into ``out_dir`` of the (result, file) pairs ``imported``: accept their
    own defects in its exclusions file, so the folder builds as it is; returns the entries
    added."""
    return add_exclusions(out_dir, carried_over_findings(out_dir, imported))
