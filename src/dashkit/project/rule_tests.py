"""``dashkit test-rules``: ``promtool test rules`` over the rule file the build writes. Each alert's
cases run against that file cut down to the alert and the recording rules it reads (transitively),
in their groups and order: promtool evaluates every rule of its file at every step of every case,
so the whole file made each case pay for every other rule (a run took 10 s; cut down, about 2 s).
What an alert reads is the same either way, so the verdict is too."""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dashkit.errors import DashkitError
from dashkit.fileio import load_yaml
from dashkit.project.rule_files import rules_yaml
from dashkit.sdk.alerts import RuleGroup, RuleTest

if TYPE_CHECKING:
    from dashkit.project.compiled import Compiled

#: Seconds promtool may take over all the cases.
PROMTOOL_TIMEOUT = 120
#: A PromQL name, and the label matchers that may follow it: how an expression reads a series.
_SELECTOR = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?")
#: A label matcher inside a selector's braces.
_MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
#: A regex matcher that is only literal alternatives (``window=~"1h|5m"``; Prometheus anchors it).
_ALTERNATIVES = re.compile(r"[A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*")


def static_annotations(document: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Each alert's annotations that are the same whatever fires it (no template)."""
    return {rule["alert"]: {k: v for k, v in rule.get("annotations", {}).items() if "{{" not in v}
            for group in document["groups"] for rule in group["rules"] if "alert" in rule}


def _reads(expr: str, record: Mapping[str, Any]) -> bool:
    """Whether ``expr`` may read what the recording rule ``record`` records: its name, with no
    matcher on one of the labels the rule sets that asks for other values (SLOs record one name
    per window, told apart by a ``window`` label). Only ``=`` and ``=~`` of literal alternatives
    rule a record out; any other matcher keeps it."""
    static = record.get("labels", {})
    for name, braces in _SELECTOR.findall(expr):
        if name != record["record"]:
            continue
        wanted = [(key, {value} if op == "=" else set(value.split("|")))
                  for key, op, value in _MATCHER.findall(braces or "")
                  if op == "=" or (op == "=~" and _ALTERNATIVES.fullmatch(value))]
        if all(static[key] in values for key, values in wanted if key in static):
            return True
    return False


def rules_for(document: Mapping[str, Any], alert: str) -> dict[str, Any]:
    """The rule file ``document`` cut down to ``alert`` and the recording rules it reads, and
    those they read, each group keeping its place, interval and order of rules."""
    rules = [rule for group in document["groups"] for rule in group["rules"]]
    needed = [rule for rule in rules if rule.get("alert") == alert]
    unread = [rule for rule in rules if "record" in rule]
    reading = [rule["expr"] for rule in needed]
    while reading:
        expr = reading.pop()
        found = [rule for rule in unread if _reads(expr, rule)]
        unread = [rule for rule in unread if not any(rule is f for f in found)]
        needed += found
        reading += [rule["expr"] for rule in found]
    groups = []
    for group in document["groups"]:
        kept = [rule for rule in group["rules"] if any(rule is n for n in needed)]
        if kept:
            groups.append({**group, "rules": kept})
    return {"groups": groups}


def promtool_tests(document: Mapping[str, Any], tests: Sequence[RuleTest], rule_file: str,
                   interval: str, static: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The promtool test file for ``tests`` over ``rule_file`` (the rules of ``document``),
    evaluated every ``interval``; ``static`` holds each alert's fixed annotations."""
    # groups in the file's order at each step (recording rules before the alerts reading them);
    # promtool's own order is a map's, random, and an alert evaluated first reads the records of
    # the step before, which past the 5-minute lookback are no data
    return {"rule_files": [rule_file], "evaluation_interval": interval,
            "group_eval_order": [g["name"] for g in document["groups"]],
            "tests": [t.promtool(static[t.alert]) for t in tests]}


def run_rule_tests(groups: Sequence[RuleGroup], tests: Sequence[RuleTest],
                   compiled: Sequence[Compiled], promtool: str = "promtool",
                   only: Collection[str] = ()) -> tuple[bool, str]:
    """``promtool test rules`` over the rule file the build writes: (passed, promtool's words
    about the cases that failed, or all of them when none did). Every alert must have a test that
    fires it and one that does not; ``only`` runs just the tests of the alerts it names."""
    import os
    import shutil
    import subprocess
    import tempfile
    import time

    untested = [a.name for g in groups for a in g.alerts()
                if not any(t.alert == a.name and t.fires for t in tests)
                or not any(t.alert == a.name and not t.fires for t in tests)]
    if untested:
        raise DashkitError(f"alerts without a test that fires them and one that does not: "
                           f"{', '.join(untested)}")
    unknown = sorted(set(only) - {a.name for g in groups for a in g.alerts()})
    if unknown:
        raise DashkitError(f"no alert named {', '.join(unknown)} in the rule groups")
    if only:
        tests = [t for t in tests if t.alert in only]
    binary = shutil.which(promtool)
    if binary is None:
        raise DashkitError(f"{promtool} not found: install Prometheus' promtool (Debian: apt-get "
                           "install prometheus)")
    document = load_yaml(rules_yaml(groups, compiled))
    static = static_annotations(document)
    unknown = sorted({t.alert for t in tests} - set(static))
    if unknown:
        raise DashkitError(f"rule tests name alerts that are not defined: {', '.join(unknown)}")
    cases: dict[tuple[str, str], list[RuleTest]] = {}
    for test in tests:  # rules are evaluated as often as each case's samples come
        cases.setdefault((test.alert, test.interval), []).append(test)
    deadline = time.monotonic() + PROMTOOL_TIMEOUT
    results: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory(prefix="dashkit-rules-") as folder:
        files = []
        for (alert, interval), chosen in sorted(cases.items()):
            rules, name = f"{alert}.rules.yml", f"{alert}.every-{interval}.yml"
            (Path(folder) / rules).write_text(yaml.safe_dump(
                rules_for(document, alert), sort_keys=False, width=10**6), "utf-8")
            (Path(folder) / name).write_text(yaml.safe_dump(
                promtool_tests(document, chosen, rules, interval, static), sort_keys=False,
                width=10**6),
                "utf-8")
            files.append(name)
        at_once = max(2, os.cpu_count() or 2)
        for start in range(0, len(files), at_once):
            runs = [subprocess.Popen([binary, "test", "rules", name], cwd=folder, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                    for name in files[start:start + at_once]]
            try:
                for run in runs:
                    words = run.communicate(timeout=max(0.0, deadline - time.monotonic()))[0]
                    results.append((run.returncode, words.strip()))
            except subprocess.TimeoutExpired:
                for run in runs:
                    run.kill()
                    run.wait()
                raise DashkitError(f"promtool took over {PROMTOOL_TIMEOUT} s") from None
    passed = all(code == 0 for code, _ in results)
    return passed, "\n".join(words for code, words in results if passed or code != 0)
