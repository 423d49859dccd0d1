"""Rules only a whole set of dashboards can answer (duplicate uids and titles, links between
dashboards), and lint over a set: each dashboard alone (``checks``), then these."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dashkit.lint.checks import lint_dashboard, outside_text, variable_texts
from dashkit.lint.findings import (
    ERROR,
    LINK_UID,
    TITLE_DUPLICATE,
    UID_DUPLICATE,
    WARNING,
    Finding,
    SetEntry,
    Subject,
)

_LINKED_UID = re.compile(r"/d/([A-Za-z0-9_-]+)")


def set_entry(subject: Subject) -> SetEntry:
    """What ``lint_set`` reads of a dashboard, so that its JSON need not be kept for it."""
    model = subject.model
    links = (tuple(u for u in variable_texts(model) if "/d/" in u[1]) if "/d/" in outside_text(subject)
             else ())  # no text of it can hold a link to a dashboard
    return SetEntry(str(model.get("uid") or ""), str(model.get("title") or ""), subject.file,
                    subject.name, subject.origin, links)


def lint_set(subjects: Sequence[Subject | SetEntry], elsewhere: Iterable[str] = ()) -> list[Finding]:
    """Rules only the whole set can answer: duplicate uids and titles, links between dashboards.
    ``elsewhere``: uids of the build that are not among ``subjects`` (a dashboard whose own
    errors are reported already), which links may name."""
    findings: list[Finding] = []
    by_uid: dict[str, SetEntry] = {}
    by_title: dict[str, SetEntry] = {}
    entries = [s if isinstance(s, SetEntry) else set_entry(s) for s in subjects]
    for subject in entries:
        uid, title = subject.uid, subject.title
        if uid and uid in by_uid:
            findings.append(UID_DUPLICATE.finding(f"duplicate uid {uid!r}, also used in "
                                                  f"{by_uid[uid].file}", subject.file, subject.name,
                                                  title=title))
        if title and title in by_title:
            other = by_title[title]
            findings.append(TITLE_DUPLICATE.finding(f"duplicate title {title!r}, also used by "
                                                    f"{other.name!r} in {other.file}", subject.file,
                                                    subject.name, title=title))
        if uid:
            by_uid.setdefault(uid, subject)
        if title:
            by_title.setdefault(title, subject)
    known = set(elsewhere)
    for subject in entries:
        severity = None if subject.origin == "dashkit" else WARNING  # imported JSON: a warning
        for where, text in subject.links:
            for uid in _LINKED_UID.findall(text):
                if uid not in by_uid and uid not in known and "$" not in uid:
                    findings.append(LINK_UID.finding(f"link to unknown dashboard uid {uid!r}",
                                                     subject.file, subject.name, where,
                                                     title=subject.title, severity=severity))
    return findings


def lint(subjects: Iterable[Subject]) -> list[Finding]:
    """Lint a set of dashboards: each alone, then the rules only the set can answer."""
    subjects = list(subjects)
    findings = [f for s in subjects for f in lint_dashboard(s)] + lint_set(subjects)
    return sorted(set(findings), key=lambda f: (f.file, f.dashboard, f.severity != ERROR, f.rule,
                                                f.panel, f.target, f.message))
