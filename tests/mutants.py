"""The mutation check: deliberate, named breakages of what the README promises. For each one, a
copy of ``src/`` gets the breakage and the whole non-live suite runs against it; the breakage must
make it fail. ``make mutants`` runs them all and prints a table; ``tests/test_mutants.py`` runs
them in the suite.

Each breakage replaces one exact piece of source text (it must occur exactly once), so a refactor
that moves the code makes the breakage fail loudly: update its text, never delete it. ``first``
names the test files most likely to catch it: they run first so a caught breakage stops early;
the rest of the suite runs after them when they do not. Before either, the one test that caught the
breakage last time (``tests/mutants_caught.json``, written by ``make mutants``) runs alone: most
breakages are caught in a second, as mutation-testing tools do by running a mutant's last killer
first. A recorded test that is gone, renamed or no longer fails only costs that first step.

    .venv/bin/python tests/mutants.py                 # all, with a table
    .venv/bin/python tests/mutants.py atomic-build    # the ones named
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from mutant_server import NOT_THE_COPY, first_failure_file

ROOT = Path(__file__).resolve().parent.parent
#: Each breakage's run of the suite stops at its first failure; a hang is a survivor too.
TIMEOUT_SECONDS = 900
#: The test that caught each breakage in the last ``make mutants`` (breakage name -> node id).
CAUGHT_BY = Path(__file__).with_name("mutants_caught.json")
#: pytest's exit statuses for "no such test" (4) and "nothing collected" (5): a recorded catcher
#: that is gone or deselected; the run goes on to the breakage's ``first`` files.
NOTHING_RAN = (4, 5)


class Breakage(NamedTuple):
    name: str
    promise: str
    file: str
    old: str
    new: str
    first: tuple[str, ...] = ()


ABUSE_BUILD = "tests/abuse/test_abuse_build_output.py"
ABUSE_NET = "tests/abuse/test_abuse_network.py"
ABUSE_IMPORT = "tests/abuse/test_abuse_import.py"
ABUSE_ERRORS = "tests/abuse/test_abuse_errors.py"
ABUSE_PARSING = "tests/abuse/test_abuse_parsing.py"
ABUSE_CATALOG = "tests/abuse/test_abuse_catalog.py"
ABUSE_PREVIEW = "tests/abuse/test_abuse_preview.py"
PUBLISH = "tests/test_publish.py"
RESOURCES = "tests/test_publish_resources.py"
LINT = "tests/test_lint.py"
IMPORT = "tests/test_import.py"
MIGRATIONS = "tests/test_migrations.py"
HOSTILE = "tests/abuse/test_abuse_hostile.py"
SECRETS = "tests/abuse/test_abuse_secrets.py"
LIMITS = "tests/abuse/test_abuse_limits.py"
SERVE = "tests/abuse/test_abuse_serve.py"
PULL = ("tests/test_pull.py", "tests/test_pull_safety.py")
PULL_BOARD = ("tests/test_pull_board.py",)
SHORTCUTS = "tests/test_import_shortcuts.py"

BREAKAGES: tuple[Breakage, ...] = (
    # --- the atomic build, and build never deletes what it did not write -----------------------
    Breakage("build-writes-in-place", "atomic build: the previous output stays whole until the "
             "new one is complete", "project/output.py",
             '            folder.fill(stagings[-1])\n',
             '            shutil.rmtree(folder.out_dir, ignore_errors=True)\n'
             '            folder.fill(stagings[-1])\n', (ABUSE_BUILD,)),
    Breakage("build-out-inside-sources", "--out may not be or lie inside the sources",
             "project/output.py", "    if out == sources or out in sources.parents or sources in out.parents:",
             "    if False:", (ABUSE_BUILD,)),
    Breakage("build-replaces-unmarked-folder", "a folder dashkit did not write needs --force",
             "project/output.py", "        if not force and any(out.iterdir()) and not (out / OUTPUT_MARKER)",
             "        if False and any(out.iterdir()) and not (out / OUTPUT_MARKER)", (ABUSE_BUILD,)),
    Breakage("build-skips-lint", "error-level lint runs before anything is written", "project/pipeline.py",
             "                errors += rule_errors([f for f in each.findings if f.rule not in COMPILE_RULES],",
             "                errors += [] and rule_errors([f for f in each.findings if f.rule not in COMPILE_RULES],",
             ("tests/test_cli.py", ABUSE_ERRORS)),
    Breakage("errors-one-at-a-time", "every error of a run, in one run", "errors.py",
             "    if errors:\n        raise DashkitErrors(errors)",
             "    if errors:\n        raise errors[0]", (ABUSE_ERRORS,)),
    # --- publish -------------------------------------------------------------------------------
    Breakage("publish-not-a-no-op", "publishing an unchanged dashboard writes nothing",
             "publishing/classic.py", "                    content=current, marker=marker,",
             '                    content="changed", marker=marker,', (PUBLISH,)),
    Breakage("publish-ignores-drift", "an edit made in Grafana is never overwritten without "
             "--force", "publishing/decisions.py", "    if not scope.force and not live.intact:",
             "    if False:", (PUBLISH,)),
    Breakage("resources-not-a-no-op", "through the dashboard API too, an unchanged dashboard "
             "is not written", "publishing/resources.py",
             "dashboard_url(self.client, None, uid), content=content_hash(spec),",
             'dashboard_url(self.client, None, uid), content="changed",', (RESOURCES,)),
    Breakage("resources-ignore-drift", "through the dashboard API too, an edit made in Grafana "
             "is never overwritten without --force", "publishing/resources.py",
             "    if noted is not None and noted.hash == content_hash(spec):",
             "    if noted is not None:", (RESOURCES,)),
    Breakage("resources-prune-other-folders", "through the dashboard API too, prune deletes only "
             "what dashkit published in the folder", "publishing/decisions.py",
             "or live.owned_by_another(scope.project) or live.folder_uid != scope.folder_uid):",
             "or live.owned_by_another(scope.project) or False):", (RESOURCES, PUBLISH)),
    Breakage("v2-layout-absolute", "v2 grid items in a row are placed relative to their row",
             "grafana/v2.py", '        y = y - row_y - ROW_HEIGHT if placed else 0\n',
             '        y = y if placed else 0\n', ("tests/test_v2.py",)),
    Breakage("publish-takes-over-unmarked", "a dashboard dashkit did not publish is not taken "
             "over", "publishing/decisions.py", "    if live.marker is None:\n        return (\"exists",
             "    if False:\n        return (\"exists", (PUBLISH,)),
    Breakage("prune-deletes-unmarked", "prune touches only dashboards dashkit published",
             "publishing/decisions.py", "        if (live is None or live.marker is None or live.manager",
             "        if (live is None or live.manager", (PUBLISH,)),
    Breakage("prune-deletes-edited", "prune never deletes a dashboard edited in Grafana",
             "publishing/decisions.py", "    if not live.intact and not scope.force:",
             "    if False:", (PUBLISH,)),
    # --- secrets ---------------------------------------------------------------------------------
    Breakage("token-in-error", "the token is never printed", "clients/grafana.py",
             '        raise DashkitError(f"{what} holds spaces, control or non-ASCII characters',
             '        raise DashkitError(f"{what} {secret!r} holds spaces, control or non-ASCII '
             'characters', (ABUSE_NET, PUBLISH)),
    Breakage("token-in-repr", "the credentials' repr never shows the secret", "clients/grafana.py",
             '        return f"<Credentials {self.kind}, hidden>"',
             '        return f"<Credentials {self._header}>"', (PUBLISH, ABUSE_NET)),
    Breakage("url-password-shown", "credentials in a URL are shown as ***@host", "clients/http.py",
             "    if parts.username is None and parts.password is None:\n        return url",
             "    if True:\n        return url", (ABUSE_NET,)),
    # --- bounded network calls -------------------------------------------------------------------
    Breakage("retries-unbounded", "retries are bounded: attempts", "clients/http.py",
             "        if attempt >= self.retry.attempts:", "        if attempt >= 10_000:",
             (ABUSE_NET,)),
    Breakage("retry-budget-ignored", "retries are bounded: one waiting budget per run",
             "clients/http.py", "        if delay is None or self.retry_waited + delay > self.retry.budget "
             "or (", "        if delay is None or (", (ABUSE_NET, PUBLISH)),
    Breakage("retry-after-obeyed-whatever", "a Retry-After over 30 s is not waited for",
             "clients/http.py", "                return wanted if wanted <= self.retry.max_retry_after "
             "else None", "                return wanted", (ABUSE_NET,)),
    Breakage("write-resent-blindly", "a write whose answer is lost is read back, never blindly "
             "re-sent", "clients/http.py", "                if write and sent:", "                if False:",
             (ABUSE_NET, PUBLISH)),
    Breakage("no-whole-request-limit", "a request is bounded whole: a dripping server is cut "
             "off", "clients/watchdog.py", "        self._timer.start()", "        pass", (ABUSE_NET,)),
    Breakage("no-answer-size-limit", "answers over 64 MiB are refused", "clients/http.py",
             "            if size > self.max_bytes:", "            if False:",
             (f"{ABUSE_NET}::test_an_answer_without_a_length_is_cut_at_the_limit_while_it_streams",)),
    Breakage("redirect-to-another-origin", "reads follow redirects within the same origin only",
             "clients/http.py", "        if self._origin_of(target) != self._origin:", "        if False:",
             (ABUSE_NET,)),
    Breakage("write-follows-redirect", "writes follow no redirect", "clients/http.py",
             '        if method != "GET":\n            raise _Refused(f"answered',
             '        if False:\n            raise _Refused(f"answered',
             (f"{ABUSE_NET}::test_a_write_is_not_redirected_even_within_the_origin",)),
    Breakage("server-text-unescaped", "a server's words reach the terminal as one printable line",
             "sanitise.py", '    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))',
             "    flat = str(text)", (ABUSE_NET,)),
    # --- hostile input ---------------------------------------------------------------------------
    Breakage("string-quote-unescaped", "nothing read from input becomes code: one escaping "
             "function", "text.py", '        elif char == quote:\n            out.append("\\\\" + char)',
             "        elif char == quote:\n            out.append(char)",
             (f"{ABUSE_IMPORT}::test_any_text_becomes_one_literal_of_exactly_that_text",
              f"{ABUSE_IMPORT}::test_awkward_titles_give_valid_modules")),
    Breakage("codecheck-allows-any-import", "generated code is checked before it runs",
             "importer/codecheck.py", "            if allowed is None or statement.level:",
             "            if False:", (ABUSE_IMPORT,)),
    Breakage("module-name-unchecked", "--name must be a module name", "importer/files.py",
             "    if not valid_module_name(name):\n        raise DashkitError(f\"--name",
             "    if False:\n        raise DashkitError(f\"--name", (ABUSE_IMPORT, IMPORT)),
    Breakage("module-shadows-python", "a dashboards module may not shadow a Python module",
             "project/loading.py",
             "        if name in sys.stdlib_module_names or name in sys.builtin_module_names:\n"
             "            return True", "        return False", (ABUSE_ERRORS, ABUSE_IMPORT)),
    Breakage("symlink-followed", "a symlink at the import target is refused", "importer/files.py",
             "        if target.is_symlink():", "        if False:", (ABUSE_IMPORT,)),
    Breakage("json-nan-accepted", "strict JSON: no NaN or Infinity", "grafana/normalise.py",
             '    raise ValueError(f"{name} is not JSON")', "    return float(name.replace('-', ''))",
             (ABUSE_ERRORS,)),
    Breakage("json-shape-unchecked", "fields of the wrong type are one error naming the field",
             "grafana/normalise.py", "    for item in found:\n        check_shape(item.model, item.source)\n",
             "", (ABUSE_ERRORS,)),
    # --- lint, one per family --------------------------------------------------------------------
    Breakage("lint-metric-unknown", "lint: catalog metrics", "lint/queries.py",
             "                    emit(METRIC_UNKNOWN, error.message)", "                    pass",
             (LINT,)),
    Breakage("lint-label-unknown", "lint: catalog labels", "lint/queries.py",
             "                    emit(LABEL_UNKNOWN, error.message)", "                    pass",
             (LINT,)),
    Breakage("lint-promql-semantics", "lint: PromQL rules (quantile without le)", "lint/queries.py",
             '        emit(QUANTILE_LE, f"histogram_quantile over {inner}: aggregate by (le, …)")',
             "        pass", (LINT,)),
    Breakage("lint-counter-rate", "lint: PromQL rules (counter without rate)", "lint/queries.py",
             "        if is_counter and not safe:", "        if False:", (LINT,)),
    Breakage("lint-logql", "lint: LogQL rules", "lint/queries.py",
             '        emit(LOGQL_LEVELS, "level filter misses pino\'s numeric levels (50 error, '
             '60 fatal)")', "        pass", (LINT,)),
    Breakage("lint-panels", "lint: panel rules (units)", "lint/checks.py",
             '            at_panel(PANEL_UNITS, f"{kind} panel without a unit")',
             "            pass", (LINT,)),
    Breakage("lint-layout", "lint: layout (overlaps)", "lint/checks.py",
             "                if box_a is not None and box_b is not None and "
             "box_a.overlaps(box_b):", "                if False:", (LINT,)),
    Breakage("lint-variables", "lint: variables (undefined)", "lint/checks.py",
             '                emit(VARIABLE_UNDEFINED, f"${name} is used but not defined", '
             'panel=where)', "                pass", (LINT,)),
    Breakage("lint-undefined-shortcut-skips-repeat", "lint: variables (undefined, a repeat's)",
             "lint/checks.py", "for n in (outside | repeats) - names - inputs",
             "for n in outside - names - inputs", ("tests/test_fast_paths.py",)),
    Breakage("lint-datasources", "lint: datasources (fixed datasource)", "lint/checks.py",
             '            at(PANEL_DATASOURCE, f"fixed datasource {ds.uid!r}; use the datasource '
             'variable")', "            pass", (LINT,)),
    Breakage("lint-set", "lint: the set (duplicate uids)", "lint/sets.py",
             "        if uid and uid in by_uid:", "        if False:", (LINT, "tests/test_cli.py")),
    Breakage("lint-dashboard", "lint: dashboard rules (tag length)", "lint/checks.py",
             "        if isinstance(tag, str) and len(tag.encode()) > MAX_TAG_BYTES:",
             "        if isinstance(tag, str) and len(tag.encode()) > 10 * MAX_TAG_BYTES:", (LINT,)),
    Breakage("lint-config-exclusion-unused", "lint configuration is strict", "lint/run.py",
             "        findings += unused(list(exclusions), findings, exclusions_file)", "        pass",
             (LINT, ABUSE_ERRORS)),
    # --- check's statuses ------------------------------------------------------------------------
    Breakage("check-empty-is-ok", "check: an empty result is reported", "check/runner.py",
             "        status = Status.EMPTY", "        status = Status.OK",
             ("tests/test_check_statuses.py",)),
    Breakage("check-unknown-metric", "check: a metric Prometheus does not have is named",
             "check/runner.py", '                status, message = Status.UNKNOWN_METRIC, f"no series named',
             '                status, message = Status.EMPTY, f"no series named',
             ("tests/test_check_statuses.py",)),
    Breakage("check-failures-miss-unknown", "check: unknown metrics fail the run", "check/runner.py",
             "        bad = {Status.ERROR, Status.UNKNOWN_METRIC} | ",
             "        bad = {Status.ERROR} | ", ("tests/test_check_statuses.py",)),
    # --- import fidelity, one per migration and the importer's own steps ------------------------
    Breakage("migrate-alias-colors", "import: graph aliasColors become overrides", "grafana/migrate_common.py",
             "        for alias, color in (panel.get(\"aliasColors\") or {}).items() if color]",
             "        for alias, color in (panel.get(\"aliasColors\") or {}).items() if not color]",
             (MIGRATIONS, IMPORT)),
    Breakage("migrate-series-overrides", "import: graph seriesOverrides become overrides",
             "grafana/migrate_graph.py", "            if rule:\n                overrides.append(rule)",
             "            if False:\n                overrides.append(rule)", (MIGRATIONS, IMPORT)),
    Breakage("migrate-yaxes", "import: the graph's y axis gives the unit", "grafana/migrate_graph.py",
             '"unit": axis.get("format") or None', '"unit": None', (MIGRATIONS, IMPORT)),
    Breakage("migrate-singlestat-thresholds", "import: singlestat thresholds and colours",
             "grafana/migrate_panels.py", '        defaults["thresholds"] = {"mode": "absolute", "steps": steps}\n'
             '    mappings', "    mappings", (MIGRATIONS, IMPORT)),
    Breakage("migrate-singlestat-mappings", "import: singlestat value maps", "grafana/migrate_panels.py",
             '        defaults["mappings"] = mappings', "        pass", (MIGRATIONS, IMPORT)),
    Breakage("migrate-table-styles", "import: table-old styles become overrides", "grafana/migrate_panels.py",
             '        _style_override(s) for s in styles if s.get("pattern") != "/.*/"]}',
             '        _style_override(s) for s in styles if False]}', (MIGRATIONS, IMPORT)),
    Breakage("migrate-piechart", "import: the piechart plugin keeps its unit", "grafana/migrate_panels.py",
             '        "unit": panel.get("format"), "decimals"', '        "unit": None, "decimals"',
             (MIGRATIONS,)),
    Breakage("migrate-ref-ids", "import: missing refIds as Grafana assigns them", "grafana/migrate.py",
             '                    target["refId"] = next_ref_id(taken)',
             '                    target["refId"] = "A"', (MIGRATIONS,)),
    Breakage("migrate-datasource-names", "import: datasource names become references",
             "grafana/migrate.py", '    return {"uid": raw}', '    return {"uid": raw.lower()}',
             (MIGRATIONS, IMPORT)),
    Breakage("legacy-row-heights", "import: legacy rows keep their heights", "grafana/normalise.py",
             "    return math.ceil(float(height) / (_CELL_HEIGHT + _CELL_MARGIN))",
             "    return math.floor(float(height) / (_CELL_HEIGHT + _CELL_MARGIN))", (IMPORT,)),
    Breakage("import-variable-labels", "import: variable labels", "importer/declarations.py",
             '        common = [("label", raw["label"])] if raw.get("label") else []',
             "        common = []", (IMPORT,)),
    Breakage("import-selector-templates", "import: named label matchers say what they replaced",
             "importer/generator.py", '"".join(f"{n} = {unformatted(c)}\\n" for n, c in used_selectors)',
             '"".join(f"{n} = {unformatted(c.replace(\'=\', \'=~\', 1))}\\n" for n, c in used_selectors)',
             (IMPORT,)),
    Breakage("common-options", "every builder takes the common options (transparent, repeat…)",
             "sdk/options.py", '            data["transparent"] = True\n', "            pass\n",
             ("tests/test_panels.py",)),
    Breakage("option-typos", "a misspelt builder option is an error, not ignored",
             "sdk/options.py", "    if unknown:\n", "    if False:\n", ("tests/test_panels.py",)),
    Breakage("matchers-namespace", "label matchers never share a namespace with options",
             "query/promql.py", "return sum_(rate(sel(series, where), window), by=by)",
             "return sum_(rate(sel(series, {k: v for k, v in (where or {}).items() "
             "if k not in ('window', 'by')}), window), by=by)", ("tests/test_promql.py",)),
    Breakage("typed-exports", "type checkers see every public name of dashkit",
             "__init__.py", '"Route", "Row", "RuleGroup",', '"Route", "RuleGroup",',
             ("tests/test_types.py",)),
    Breakage("imported-defects-accepted", "an imported project builds: its own defects are accepted",
             "importer/carried_over.py", "    return add_exclusions(out_dir, carried_over_findings(out_dir, imported))",
             "    return []", ("tests/test_import_project.py",)),
    Breakage("allow-overlaps", "allow_overlaps=True is honoured by build",
             "project/pipeline.py", "allow_overlaps=source.dashboard.allow_overlaps)", ")",
             ("tests/test_import_project.py",)),
    Breakage("import-query-once", "import: a query is written once, where an edit takes effect",
             "grafana/compare.py", "        if key not in built:\n",
             "        if key not in built or key == 'targets':\n", ("tests/test_import_edits.py",)),
    Breakage("import-panel-ids", "import: panel ids are kept, so viewPanel links still work",
             "importer/generator.py", '                position.append(("id", panel_id))\n',
             "                pass\n", ("tests/test_import.py",)),
    Breakage("import-hoisting", "import: panels are module-level names (modules half the JSON's size)",
             "importer/generator.py", "    panel_refs, assignments = hoist_panels(panel_calls, taken)\n",
             "    panel_refs, assignments = panel_calls, []\n", ("tests/test_import_size.py",)),
    Breakage("import-shared-values", "import: values several panels repeat are written once",
             "importer/hoisting.py", "            if text and counts[text] >= MIN_SHARES and len(text) >= MIN_LENGTH:\n",
             "            if False:\n", ("tests/test_import_size.py",)),
    Breakage("import-field-defaults", "import: a setting the source leaves to Grafana stays Grafana's "
             "(no builder default in its place)", "grafana/defaults.py",
             '    if meaning.get("type") == "timeseries":\n', "    if False:\n", ("tests/test_import.py",)),
    Breakage("import-option-defaults", "import: a legend or tooltip left to Grafana stays Grafana's",
             "grafana/defaults.py", "        filled_options[key] = {**option_defaults, **(own if isinstance(own, dict) else {})}\n",
             "        filled_options[key] = own if isinstance(own, dict) else {}\n", ("tests/test_import.py",)),
    Breakage("errors-at-the-users-line", "an error names the user's file and line, a shared module's "
             "where it is at fault", "project/loading.py",
             "        raise error.located(file=site_in(error.__traceback__, folder)) from None\n",
             "        raise\n", ("tests/test_cli.py",)),
    Breakage("panel-origin", "a compile error points at the builder call that made the panel",
             "sdk/compiler.py", "error.located(file=site_of(item), panel=item.title)",
             "error.located(panel=item.title)", ("tests/test_cli.py",)),
    Breakage("diff-by-field", "a dry run names each changed field of a query",
             "grafana/compare.py", "        for field, before, after in changed_fields(old_targets.get(ref, {}), new_targets.get(ref, {})):\n",
             "        for field, before, after in changed_fields({}, {}):\n", ("tests/test_publish.py",)),
    Breakage("conflict-against-build", "a conflict shows the Grafana edit against the version "
             "dashkit published", "publishing/history.py",
             "        if model is not None and _published_by_dashkit(model):",
             "        if False:", (PUBLISH,)),
    Breakage("catalog-unfolded", "dashkit catalog folds histogram series into their family",
             "query/discovery.py", "        names = [family + s for s in FAMILY_SUFFIXES[metric_type]",
             "        names = [family + s for s in ('',)", ("tests/test_catalog_discovery.py",)),
    Breakage("preview-grid", "a preview puts each panel where its gridPos says",
             "preview/canvas.py", "HEADER_HEIGHT + y * (CELL_HEIGHT + MARGIN)",
             "HEADER_HEIGHT + y * CELL_HEIGHT", ("tests/test_preview.py",)),
    Breakage("preview-stat-background", "a stat's background takes its threshold colour",
             "preview/panels.py", "            return threshold_colour(panel, values[0])",
             "            return PANEL_BG", ("tests/test_preview.py",)),
    Breakage("preview-collapsed-row", "a collapsed row is drawn as a bar",
             "preview/render.py", "    collapsed = bool(panel.get(\"collapsed\"))",
             "    collapsed = False", ("tests/test_preview.py",)),
    Breakage("rules-allow-grafana-macros", "a rule that uses a Grafana macro fails the build",
             "sdk/alerts.py", '            if GRAFANA_VARIABLE.search(rule.signal.text):', "            if False:",
             ("tests/test_alerts.py",)),
    Breakage("rule-tests-miss-what-a-record-reads", "an alert's promtool cases get every "
             "recording rule it reads, and those they read", "project/rule_tests.py",
             '        reading += [rule["expr"] for rule in found]\n', "        reading += []\n",
             ("tests/test_alerts.py::test_each_alerts_cases_run_against_only_the_rules_it_reads",)),
    Breakage("alert-unlinked", "each alert's annotations link to the panel that shows it",
             "project/rule_files.py", '                found.setdefault(name, (uid, int(panel["id"])))',
             "                pass", ("tests/test_alerts.py",)),
    Breakage("lint-alert-threshold", "lint flags a panel whose thresholds disagree with its alert",
             "lint/checks.py", "        if not fires_red:", "        if False:",
             (LINT, "tests/test_alerts.py")),
    Breakage("alert-thresholds-ignored", "a panel that names an alert takes its thresholds",
             "sdk/options.py",
             "        return given if given is not None or self.alert is None else self.alert.thresholds()",
             "        return given", ("tests/test_alerts.py",)),
    Breakage("schema-legacy-annotation", "annotations are written in the shape Grafana's types "
             "accept", "sdk/dashboard.py",
             """        "target": {"refId": "Anno", "expr": 'ALERTS{alertstate="firing"}', "interval": "60s"},""",
             """        "expr": 'ALERTS{alertstate="firing"}', "step": "60s",""",
             ("tests/test_grafana_schema.py",)),
    Breakage("catalog-invalid-names", "names a server sends that are not Prometheus names are left out",
             "query/discovery.py", "        if not METRIC_NAME.match(name) or bad:",
             "        if False:", ("tests/test_catalog_discovery.py",)),
    # --- main: a new team's first hour (issue 25) ---
    Breakage("init-pins-a-bare-name", "a new project installs exactly the dashkit that created "
             "it, never whatever the package index calls dashkit", "project/scaffold.py",
             '        return f"{name}=={dist.version}"', '        return name',
             ("tests/test_scaffold_pin.py",)),
    Breakage("progress-glued-in-a-pipe", "progress redraws with \\r only on a terminal",
             "cli/output.py", "    if sys.stderr.isatty():\n        click.echo(f\"\\r",
             "    if True:\n        click.echo(f\"\\r", ("tests/test_cli.py",)),
    Breakage("ref-id-left-empty", "every query has a refId, as Grafana gives one on load",
             "sdk/grafanalib_fixes.py", "            target[\"refId\"] = next_ref_id(taken)",
             "            target[\"refId\"] = \"\"", ("tests/test_panels.py",)),
    # --- net branch ---
    Breakage("watchdog-loses-fresh-socket", "the whole-request limit cuts a close-delimited "
             "answer too: the watchdog remembers the socket it connected", "clients/watchdog.py",
             "        super().connect()  # type: ignore[misc]\n        _current.sock = self.sock",
             "        super().connect()  # type: ignore[misc]", (HOSTILE,)),
    Breakage("read-timeout-not-a-timeout", "a save whose answer the socket's timeout cut is a "
             "timeout, never re-sent", "clients/http.py",
             "                if watchdog.fired or _read_timed_out(error):",
             "                if watchdog.fired:",
             (f"{ABUSE_NET}::test_a_save_cut_by_either_limit_is_a_timeout_never_resent",)),
    Breakage("secrets-not-scrubbed", "the run's secrets never show, whatever the message's "
             "source", "sanitise.py", '        text = text.replace(secret, "***")', "        pass",
             (SECRETS,)),
    Breakage("basic-password-not-kept", "a basic-auth password never shows", "clients/grafana.py",
             "        keep_secret(password)\n", "", (SECRETS,)),
    Breakage("url-password-not-kept", "a URL's password never shows, even echoed back",
             "clients/http.py", "        _keep_url_secret(self.url)\n", "", (SECRETS,)),
    Breakage("query-result-shape-unchecked", "a query_result sample without its metric is one "
             "error, not a traceback", "check/resolve.py",
             '        labels = dict(expect_shape(metric, dict, "/api/v1/query"))',
             '        labels = dict(sample["metric"])', (LIMITS,)),
    Breakage("answer-values-unbounded", "an answer of over 2 million JSON values is refused "
             "before parsing", "clients/http.py",
             '        if content.count(b",") + content.count(b"{") + content.count(b"[") > '
             'self.max_values:', "        if False:", (LIMITS,)),
    Breakage("search-pages-unbounded", "a search that never ends stops at 100 pages",
             "clients/exports.py", "    for page in range(1, MAX_PAGES + 1):",
             "    for page in range(1, 10**9):", (LIMITS,)),
    Breakage("search-page-overfull", "a search page with more hits than asked is refused",
             "clients/exports.py", "        if len(found) > PAGE_SIZE:", "        if False:",
             (LIMITS,)),
    Breakage("prune-listing-page-overfull", "a prune listing page with more items than asked is "
             "refused", "publishing/resources.py", '        if len(body["items"]) > LIST_PAGE:',
             "        if False:", (LIMITS,)),

    Breakage("serve-any-host", "serve answers only a loopback name with its port (no DNS "
             "rebinding)", "preview/serve.py",
             '            if (self.headers.get("Host") or "").lower() not in {',
             '            if False and (self.headers.get("Host") or "").lower() not in {', (SERVE,)),
    Breakage("serve-dies-on-sigterm", "on SIGTERM serve stops its redraw child before it exits",
             "preview/serve.py", "    restore_sigterm = _sigterm_stops_like_ctrl_c()",
             "    restore_sigterm = lambda: None  # noqa: E731", (SERVE,)),
    Breakage("redraw-group-survives", "a hanging redraw is stopped with all it started",
             "preview/serve.py", "        os.killpg(child.pid, signal.SIGKILL)",
             "        child.kill()", (SERVE,)),
    # --- v2 branch ---
    Breakage("v2-annotation-fields-in-query", "v2 annotations are what Grafana's converter writes "
             "(the built-in one's fields in legacyOptions, an empty query spec)", "grafana/v2.py",
             '    spec: Json = {"query": data_query(classic.get("datasource"), dict(as_object(target))),',
             '    spec: Json = {"query": data_query(classic.get("datasource"), dict(as_object(target))\n'
             '                                      if isinstance(target, dict) else extra),',
             ("tests/test_v2_elements.py",)),
    Breakage("grid-gap-stays-open", "preview and lint place panels as Grafana's grid compacts "
             "them: a gap above a panel closes", "grafana/grid.py",
             "            item.y = max([0, *rows])\n", "            item.y = item.y\n",
             ("tests/test_grid.py",)),
    # --- publish branch ---
    Breakage("publish-updates-another-projects", "publish never updates a dashboard another "
             "project owns without --force", "publishing/decisions.py",
             "    if live.owned_by_another(scope.project):\n        return (f\"owned by",
             "    if False:\n        return (f\"owned by", ("tests/test_publish_ownership.py",)),
    Breakage("publish-moves-across-folders", "publish never moves a dashboard out of another "
             "folder without --force", "publishing/decisions.py",
             "    if live.folder_uid != scope.folder_uid:\n        return (f\"in folder",
             "    if False:\n        return (f\"in folder", ("tests/test_publish_ownership.py",)),
    Breakage("marker-without-owner", "the marker records the owning project",
             "publishing/decisions.py", "        return Marker(content, self.project, self.folder_uid)",
             "        return Marker(content)", ("tests/test_publish_ownership.py",)),
    Breakage("prune-deletes-another-projects", "prune never deletes another project's dashboard, "
             "--force or not", "publishing/decisions.py",
             "or live.owned_by_another(scope.project) or live.folder_uid", "or live.folder_uid",
             ("tests/test_publish_ownership.py",)),
    Breakage("refusal-writes-the-folder", "a run that only refuses writes nothing, not even the "
             "folder", "publishing/publisher.py",
             "    folder = ensure_folder(client, path, target.folder_uid, dry_run=True)",
             "    folder = ensure_folder(client, path, target.folder_uid, dry_run=dry_run)",
             ("tests/test_publish_ownership.py",)),
    Breakage("classic-marker-not-read-on-dashboard-api", "a dashboard published through the "
             "classic API is recognised through the dashboard API", "publishing/resources.py",
             '    embedded = Marker.read(spec.get(MARKER_KEY)) if schema == "v1" else None',
             "    embedded = None", ("tests/test_publish_ownership.py",)),
    Breakage("dashboard-api-leaves-no-classic-marker", "a dashboard published through the "
             "dashboard API is recognised through the classic API", "publishing/resources.py",
             "            spec[MARKER_KEY] = attrs.evolve(marker, hash=content_hash(item.model)).as_json()",
             "            pass", ("tests/test_publish_ownership.py",)),
    Breakage("classic-save-unproven", "a classic save counts only with status success, the uid "
             "and a version", "publishing/classic.py",
             'body.get("status") != "success"\n                or body.get("uid") != item.uid or '
             'not isinstance(body.get("version"), int)):\n            return None\n'
             '        return body["version"],',
             'False):\n            return None\n        return body.get("version"),',
             ("tests/test_publish_ownership.py",)),
    Breakage("resource-save-unproven", "a dashboard API save counts only with the same name and "
             "a resourceVersion", "publishing/resources.py",
             '        if shaped is None or shaped[0].get("name") != item.uid:\n            return None\n'
             '        if not isinstance(shaped[0].get("resourceVersion"), str)',
             "        if shaped is None:\n            return None\n        if False",
             ("tests/test_publish_ownership.py",)),
    Breakage("folder-created-unproven", "a folder counts as created only when the answer is that "
             "folder", "publishing/folders.py",
             "    return body if response.status == 200 and isinstance(body, dict) else None",
             "    return body if response.status == 200 else None",
             ("tests/test_publish_ownership.py",)),
    Breakage("folder-title-shared", "a folder with the derived uid and another title is never "
             "shared", "publishing/folders.py", "    if title is not None and held != title:",
             "    if False:", ("tests/test_publish_folders.py",)),
    Breakage("folder-uids-merge-titles", "different folder titles never map to one uid",
             "project/provisioning.py",
             '    if re.fullmatch(r"[A-Za-z0-9]+([ -][A-Za-z0-9]+)*", title) and len(title) <= 40:',
             "    if True:", ("tests/test_publish_folders.py",)),
    Breakage("nested-folders-flat", "--folder A/B creates B under A", "publishing/folders.py",
             "        created = client.create_folder(uid, title, parent)",
             "        created = client.create_folder(uid, title)", ("tests/test_publish_folders.py",)),
    Breakage("one-target-stops-all", "one target's failure never stops the others",
             "publishing/targets.py", "        except DashkitError as error:\n            return "
             "TargetReport(target.name, None, error.message)", "        finally:\n            pass",
             ("tests/test_publish_targets.py",)),
    Breakage("targets-unbounded", "targets are published a few at a time",
             "publishing/targets.py", "max_workers=max(1, min(parallel, len(targets)))",
             "max_workers=max(1, len(targets))", ("tests/test_publish_targets.py",)),
    Breakage("token-in-targets-file", "a target's token is never in dashkit.toml itself",
             "publishing/targets.py", '"token_env",\n                                   "token_file"})',
             '"token_env",\n                                   "token_file", "token"})',
             ("tests/test_publish_targets.py",)),
    Breakage("diff-exit-code", "dashkit diff --exit-code exits 1 when anything differs",
             "cli/fleet.py", "    sys.exit(1 if failed or (exit_code and differs) else 0)",
             "    sys.exit(1 if failed else 0)", ("tests/test_publish_targets.py",)),
    Breakage("legacy-marker-orphaned", "a marker from before ownership counts as the project's "
             "that publishes to its folder", "publishing/store.py",
             'self.marker.project not in ("", project)', "self.marker.project != project",
             ("tests/test_publish_ownership.py",)),
    Breakage("diff-writes", "dashkit diff writes nothing", "cli/fleet.py",
             "Connection(**options), dry_run=True, force=True)",
             "Connection(**options), dry_run=False, force=True)", ("tests/test_publish_targets.py",)),
    # --- slo branch: alert routing and SLOs (issue 28) ---
    Breakage("route-ignores-continue", "a route without continue stops the search, as "
             "Alertmanager's Route.Match", "sdk/routing.py",
             "            if not child.continue_:\n                break",
             "            if False:\n                break", ("tests/test_routing.py",)),
    Breakage("inhibit-never-checked", "an inhibit rule that can never fire is refused",
             "project/alertmanager.py", "        if not pairs:", "        if False:",
             ("tests/test_routing.py",)),
    Breakage("secret-literal-accepted", "a secret is only ever a file Alertmanager reads",
             "sdk/routing.py", 'if not isinstance(value, str) or not value.startswith("/") or "$" in value:',
             "if not isinstance(value, str):", ("tests/test_routing.py",)),
    Breakage("slo-burn-factor", "the page alert fires at 14.4 times the budget (2% in 1h)",
             "sdk/slo.py", 'BURN_RATES = (BurnRate("1h", "5m", 14.4, "critical")',
             'BURN_RATES = (BurnRate("1h", "5m", 1.44, "critical")', ("tests/test_slo.py",)),
    Breakage("slo-short-window", "each burn-rate alert also needs its short window to burn",
             "sdk/slo.py", 'BurnRate("6h", "30m", 6, "critical")',
             'BurnRate("6h", "6h", 6, "critical")', ("tests/test_slo.py",)),
    # --- migrate branch ---
    Breakage("schema-step-v14", "import: Grafana's schema steps (V14: sharedCrosshair becomes "
             "graphTooltip)", "grafana/migrate_schema.py",
             '    model["graphTooltip"] = 1 if model.get("sharedCrosshair") is True else 0',
             '    model["graphTooltip"] = 0', ("tests/test_schema_migrations.py",)),
    Breakage("schema-rows-to-grid", "import: legacy rows placed as Grafana's upgradeToGridLayout "
             "(span 4 by default)", "grafana/normalise.py",
             'math.floor(number(panel.pop("span", None)) or 4) * 2',
             'math.floor(number(panel.pop("span", None)) or 12) * 2',
             ("tests/test_schema_migrations.py",)),
    Breakage("schema-step-v27-repeats", "import: repeated panel clones are not kept (V27)",
             "grafana/migrate_schema_grid.py",
             '    return [p for p in items if not (isinstance(p, dict) and ("repeatPanelId" in p',
             '    return [p for p in items if True or not (isinstance(p, dict) and ("repeatPanelId" in p',
             ("tests/test_schema_migrations.py",)),
    Breakage("corpus-types-gate", "every corpus dashboard imported and rebuilt passes Grafana's "
             "types (a maxDataPoints of \"\" is unset)", "grafana/migrate_types.py",
             '            del panel[key]  # "" or words: Grafana reads it as unset',
             "            pass", ("tests/test_grafana_schema.py",)),
    # --- parse branch ---
    Breakage("promql-size-unchecked", "a query over the length, operator or nesting limits is "
             "refused before promql-parser sees it", "query/analyse.py",
             "    if too_big:\n        return None, too_big\n", "",
             (ABUSE_PARSING,)),
    Breakage("variable-regex-unanchored", "a variable regex without slashes is anchored, as "
             "Grafana's stringToJsRegex reads it", "query/jsregex.py",
             '        body = f"^{source}$"', "        body = source", (ABUSE_PARSING,)),
    Breakage("variable-regex-named-groups-ignored", "named groups value and text give a "
             "variable's values", "query/jsregex.py", '    for group in ("value", "text"):',
             "    for group in ():", (ABUSE_PARSING,)),
    Breakage("variable-regex-unbounded", "a variable regex (or a metrics() pattern) that "
             "backtracks is stopped by its time budget", "query/jsregex.py",
             "            results.append(work(item, remaining))",
             "            results.append(work(item, None))  # type: ignore[arg-type]",
             (ABUSE_PARSING,)),
    Breakage("variable-regex-error-traceback", "an invalid variable regex is one line",
             "query/jsregex.py", "    except (regex.error, OverflowError, RecursionError) as error:",
             "    except OverflowError as error:", (ABUSE_PARSING,)),
    Breakage("regex-expansion-unchecked", "a regex whose counted repeats unroll past 100,000 "
             "steps is refused before compiling", "query/jsregex.py",
             "    if expansion(body) > MAX_REGEX_EXPANSION:", "    if False:", (ABUSE_PARSING,)),
    Breakage("regex-length-unchecked", "a regex over 4,096 characters is refused before compiling",
             "query/jsregex.py", "    if len(source) > MAX_REGEX_CHARACTERS:", "    if False:",
             (ABUSE_PARSING,)),
    Breakage("preview-regex-error-swallowed", "preview stops at a variable regex error in one "
             "line instead of drawing placeholders", "preview/data.py",
             "            except RegexError as error:", "            except KeyError as error:",
             (f"{ABUSE_PARSING}::test_check_and_preview_apply_variable_regexes_or_fail_in_one_line",)),
    Breakage("yaml-aliases-accepted", "YAML anchors and aliases are refused in one line",
             "fileio.py", '        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", '
             'None) is not None:', "        if False:", (ABUSE_PARSING,)),
    Breakage("yaml-depth-unbounded", "YAML nested over 64 deep is refused in one line",
             "fileio.py", "        if self._depth >= MAX_YAML_DEPTH:", "        if False:",
             (ABUSE_PARSING,)),
    Breakage("catalog-nan-bucket", "a NaN bucket bound is left out of a discovered catalog",
             "query/discovery.py", "        return math.isfinite(float(text))",
             '        return abs(float(text)) != float("inf")', (ABUSE_CATALOG,)),
    Breakage("catalog-json-literal", "a discovered help text is written by the one string-literal "
             "function (an emoji stays one character)", "query/discovery.py",
             "        return python_string(value)\n", '        return __import__("json").dumps(value)\n',
             (ABUSE_CATALOG,)),
    Breakage("catalog-openmetrics-family-name", "an OpenMetrics counter is catalogued by its "
             "samples' name (_total), an info by _info", "query/discovery.py",
             "            queried = family + suffix if suffix and family + suffix in names else family",
             "            queried = family", (ABUSE_CATALOG,)),
    Breakage("catalog-created-series-kept", "OpenMetrics _created series are not catalogued",
             "query/discovery.py", "in families.items() if kind in CREATED_BESIDE}",
             "in families.items() if False}", (ABUSE_CATALOG,)),
    # --- preview branch ---
    Breakage("preview-thresholds-ignored", "synthetic values stay on the green side of the "
             "panel's thresholds", "preview/shapes.py",
             "    return healthy(shape, good_bands(panel), CEILINGS.get(query.unit, math.inf))",
             "    return shape", ("tests/test_preview_data.py",)),
    Breakage("preview-failure-ratio-high", "a ratio of failures (5xx, failed) is low",
             "preview/shapes.py", "     lambda q: Shape(0.001, 0.02)),",
             "     lambda q: Shape(0.2, 0.6)),", ("tests/test_preview_data.py",)),
    Breakage("preview-restarts-fractional", "restarts (changes, increase of restarts) are whole",
             "preview/shapes.py", "     lambda q: Shape(0.0, 3.0, True)),",
             "     lambda q: Shape(0.2, 3.0)),", ("tests/test_preview_data.py",)),
    Breakage("preview-uptime-by-unit", "an uptime is hours to days", "preview/shapes.py",
             "     lambda q: Shape(2 * 3600.0, 9 * 86400.0)),", "     _by_unit),",
             ("tests/test_preview_data.py",)),
    Breakage("preview-no-crossing", "--crossing pushes a panel that names an alert over its "
             "limit", "preview/data.py",
             "            values = wander(rng, shape, over if index == 0 else None)",
             "            values = wander(rng, shape)", ("tests/test_preview_data.py",)),
    Breakage("preview-logs-unfiltered", "a logs panel shows only the lines its query keeps",
             "preview/data.py", '        entries = kept(str(ref.target.get("expr") or ""), LOG_ENTRIES)',
             "        entries = list(LOG_ENTRIES)", ("tests/test_preview_data.py",)),
    Breakage("preview-log-level-labels", "a level filter on detected_level or level_extracted "
             "counts", "preview/logfilter.py",
             'LEVEL_LABELS = frozenset({"level", "level_extracted", "detected_level", "severity", "lvl"})',
             'LEVEL_LABELS = frozenset({"level"})', ("tests/test_preview_data.py",)),
    Breakage("preview-line-filter-negation", "!= drops the lines that contain its text",
             "preview/logfilter.py", '        return (value in text) == (op == "|=")',
             "        return value in text", ("tests/test_preview_data.py",)),
    Breakage("preview-heatmap-no-bucket-axis", "a heatmap labels its bucket bounds",
             "preview/charts.py", "        if last_label - top >= 11:  # a bound a row, where they fit",
             "        if False:", ("tests/test_preview_data.py",)),
    Breakage("preview-time-labels-overlap", "time labels stay inside the plot, clear of the value "
             "axis", "preview/charts.py",
             "        x = min(max(plot.left + (t - start) / ((end - start) or 1) * plot.width, "
             "plot.left + half),\n                plot.right - half)",
             "        x = plot.left + (t - start) / ((end - start) or 1) * plot.width",
             ("tests/test_preview_data.py",)),
    Breakage("preview-threshold-edge", "a range that only touches the green band is moved into "
             "it, not left on the red edge", "preview/shapes.py",
             "    if end <= start:  # no overlap", "    if end < start:  # no overlap",
             ("tests/test_preview_data.py",)),
    Breakage("preview-targets-down", "no target is down by default", "preview/shapes.py",
             '        return Shape(0.0, 0.0, True) if "-" in query.text else Shape(6.0, 6.0, True)',
             '        return Shape(0.0, 6.0, True)', ("tests/test_preview_data.py",)),
    Breakage("preview-grafana-default-thresholds", "Grafana's thresholds of a new panel (red "
             "from 80) do not squeeze an uptime under 80 s", "preview/settings.py",
             "    if found == GRAFANA_DEFAULT_STEPS:", "    if False:",
             ("tests/test_preview_data.py",)),
    Breakage("preview-heatmap-cumulative", "a heatmap in the heatmap format counts each bucket "
             "once, as Grafana's data source does", "preview/charts.py",
             "        values = tuple(max(0.0, v - b) for v, b in zip(s.values, below))",
             "        values = s.values", ("tests/test_preview_data.py",)),
    Breakage("preview-heatmap-unsorted", "a heatmap's buckets are drawn lowest first",
             "preview/charts.py",
             '        ordered = sorted(series, key=lambda s: float(s.labels["le"]))',
             '        ordered = [s for s in series if float(s.labels["le"]) > -1]',
             ("tests/test_preview_data.py",)),
    Breakage("preview-recorded-ratio", "a recorded ratio of errors is low", "preview/shapes.py",
             '            names = [n for n in self.names if "ratio" in n]',
             "            names = []", ("tests/test_preview_data.py",)),
    Breakage("preview-time-labels-repeated", "a time label is shown once", "preview/charts.py",
             "        if label in shown:", "        if False:", ("tests/test_preview_data.py",)),
    Breakage("preview-crossing-alerts-quiet", "under --crossing the count of firing alerts rises",
             "preview/shapes.py",
             '    return Shape(1.0, 2.0, True) if "ALERTS" in query.names and shape.high < 1 else None',
             "    return None", ("tests/test_preview_data.py",)),
    Breakage("preview-serve-drops-crossing", "dashkit serve --crossing redraws with crossings",
             "cli/preview.py", '    options = [f"--seed={seed}"] + (["--crossing"] if crossing else [])',
             '    options = [f"--seed={seed}"]', ("tests/test_preview_data.py",)),
    Breakage("preview-quantiles-apart", "quantiles of one histogram wander together, in order",
             "preview/shapes.py",
             '    return _QUANTILE.sub("histogram_quantile(q", expr) if _QUANTILE.search(expr) else None',
             "    return None", ("tests/test_preview_data.py",)),
    Breakage("preview-quantiles-level", "a higher quantile sits higher in the buckets",
             "preview/shapes.py", "** (0.35 + 0.45 * min(1.0, quantile))", "** 0.7",
             ("tests/test_preview_data.py",)),
    Breakage("preview-log-variables-literal", "a Grafana variable in a log filter keeps every "
             "line (All, an empty text box)", "preview/logfilter.py",
             '_VARIABLE = re.compile(r"\\$(?:\\w|\\{)")', '_VARIABLE = re.compile(r"(?!x)x")',
             ("tests/test_preview_data.py",)),
    Breakage("preview-negated-failures", "a ratio of what is not a failure (status_code!~\"5..\") "
             "is high", "preview/shapes.py",
             "        kept, dropped = _NEGATED.sub(\"\", words), \" \".join(_NEGATED.findall(words))",
             "        kept, dropped = words, \"\"", ("tests/test_preview_data.py",)),
    # --- importer branch ---
    Breakage("import-runs-the-folder", "import runs only the modules it generated, never the "
             "other *.py of --out", "importer/carried_over.py",
             "    subjects = [_imported_subject(result, path) for result, path in imported]\n",
             "    __import__('dashkit.project.loading', fromlist=['_']).load_project(out_dir, partial=True)\n"
             "    subjects = [_imported_subject(result, path) for result, path in imported]\n",
             (ABUSE_IMPORT,)),
    Breakage("import-links-to-folder-uids", "a link to a dashboard of the --out folder is no "
             "imported defect", "importer/carried_over.py",
             '    others = [Subject({"uid": uid}, "") for uid in sorted(uids_written_in(out_dir, written) - uids)]\n',
             "    others: list[Subject] = []\n", (ABUSE_IMPORT,)),
    Breakage("replace-file-fixed-name", "a file is written through a random temporary name",
             "fileio.py", 'temporary = target.with_name(f".{target.name}.{os.urandom(8).hex()}.tmp")',
             'temporary = target.with_name(f".{target.name}.tmp")', (ABUSE_IMPORT,)),
    Breakage("replace-file-not-exclusive", "the temporary file is created exclusively, never "
             "written through a planted symlink", "fileio.py",
             '    handle = open(temporary, "x", encoding="utf-8")', '    handle = open(temporary, "w", encoding="utf-8")',
             (ABUSE_IMPORT,)),
    Breakage("build-rules-not-swapped-back", "dashboards and rules are one build: a failed "
             "rules swap puts the dashboards back", "project/output.py",
             "            _swap_back(done[:-1])\n", "            pass\n", (ABUSE_BUILD,)),
    Breakage("build-rules-staged-apart", "dashboards and rules are one build: both are staged "
             "before either is swapped in", "project/pipeline.py",
             "    written = replace_folders([OutputFolder(out, fill, _MARKER_TEXT), rules, routing])\n",
             "    written = [replace_folders([f])[0] for f in (OutputFolder(out, fill, _MARKER_TEXT), "
             "rules, routing)]\n", (ABUSE_BUILD,)),
    Breakage("build-hides-other-modules", "a module that fails to import hides no other "
             "module's errors", "project/pipeline.py",
             "        project = loader.project(partial=True)  # every error of the run, together\n",
             "        project = loader.project()\n", (ABUSE_ERRORS,)),
    Breakage("compile-first-panel-error-only", "every panel's errors of a dashboard, not the "
             "first", "sdk/compiler.py",
             "        errors.append(error.located(file=site_of(item), panel=item.title))\n",
             "        raise error.located(file=site_of(item), panel=item.title)\n", (ABUSE_ERRORS,)),
    Breakage("validate-first-metric-only", "every metric of a query the catalog refuses, not "
             "the first", "query/promql.py",
             "            _validate_ref(ref, catalog)\n        except DashkitError as error:\n"
             "            errors.append(error)\n",
             "            _validate_ref(ref, catalog)\n        except DashkitError as error:\n"
             "            raise\n", (ABUSE_ERRORS,)),
    Breakage("syntax-error-no-line", "a syntax error is reported at file:line",
             "project/loading.py", "            site = user_site((exc.filename or str(path), exc.lineno))\n",
             "            pass\n", (ABUSE_ERRORS,)),
    Breakage("layout-error-no-line", "a panel wider than the grid names its line",
             "sdk/layout.py", 'does not fit the {GRID_COLUMNS}-column grid",\n'
             "                               panel=panel.title, file=site_of(panel))",
             'does not fit the {GRID_COLUMNS}-column grid",\n'
             "                               panel=panel.title)", (ABUSE_ERRORS,)),
    Breakage("undefined-variable-no-line", "a variable used but not defined names its line",
             "project/pipeline.py",
             "file=sites.get((f.file, f.dashboard, f.panel))\n                         or f.file,",
             "file=f.file,", (ABUSE_ERRORS,)),
    Breakage("preview-text-line-breaks", "a line break in a drawn text reads as a space",
             "preview/canvas.py", "        text = one_line(text)\n", "", (ABUSE_PREVIEW,)),
    Breakage("preview-log-first-line", "a multi-line log line is drawn as its first line and …",
             "preview/panels.py", "{first_line(line.text)}", "{line.text}", (ABUSE_PREVIEW,)),
    Breakage("preview-panel-guard-narrow", "nothing a panel's drawing raises escapes its panel",
             "preview/render.py", "        except Exception as error:  # noqa: BLE001",
             "        except (ValueError, TypeError) as error:  # noqa: BLE001", (ABUSE_PREVIEW,)),
    Breakage("preview-half-drawn-panel", "a panel that fails halfway leaves nothing drawn",
             "preview/render.py", "            canvas.rollback(before)", "            pass",
             (ABUSE_PREVIEW,)),
    Breakage("preview-page-text-guard", "a text Pillow refuses is left out of the page",
             "preview/canvas.py", "            except (ValueError, OSError):  # a text Pillow refuses",
             "            except ():  # a text Pillow refuses", (ABUSE_PREVIEW,)),
    Breakage("import-names-take-notes", "a name made from input never takes IMPORT_NOTES",
             "importer/declarations.py", "                        or name in MODULE_NAMES or name in self.namespace, self.counters)",
             "                        or name in self.namespace, self.counters)", (ABUSE_IMPORT,)),
    Breakage("import-names-count-from-2", "a repeated title's next name is found where the "
             "last one stopped (linear, not quadratic)", "importer/hoisting.py",
             "    n = counters.get(base, 1)\n", "    n = 1\n", (ABUSE_IMPORT,)),
    Breakage("import-keys-count-from-2", "a repeated title's next panel key is found where the "
             "last one stopped", "importer/generator.py",
             'chosen = distinct(key, self.keys.__contains__, self.key_counters, "-")',
             'chosen = distinct(key, self.keys.__contains__, {}, "-")', (ABUSE_IMPORT,)),
    Breakage("import-variables-count-from-2", "a repeated title's next panel variable is found "
             "where the last one stopped", "importer/hoisting.py",
             "        name = variable_name(panel_title(call), taken, counters)\n",
             "        name = variable_name(panel_title(call), taken, {})\n", (ABUSE_IMPORT,)),
    Breakage("import-time-keys-dropped", "import keeps a time range's own keys",
             "importer/declarations.py",
             '        if set(time_range) - {"from", "to"}:\n            extra["time"] = dict(time_range)\n        elif',
             "        if False:\n            pass\n        elif", (ABUSE_IMPORT,)),
    Breakage("import-refresh-unnoted", "a refresh import cannot keep is noted",
             "importer/declarations.py",
             "        if refresh not in (None, False) and not isinstance(refresh, str):",
             "        if False:", (ABUSE_IMPORT,)),
    Breakage("import-editable-unnoted", "an editable that is not true or false is noted",
             "importer/declarations.py", "        if not isinstance(editable, bool):  #",
             "        if False:  #", (ABUSE_IMPORT,)),
    Breakage("import-fraction-unnoted", "a gridPos or graphTooltip fraction is noted",
             "importer/declarations.py", "        if number != value:\n", "        if False:\n",
             (ABUSE_IMPORT,)),
    Breakage("import-tags-split", "a link's tags given as one string stay one tag",
             "importer/declarations.py",
             '            if key == "tags" and isinstance(value, str):  # not one tag a character',
             "            if False:", (ABUSE_IMPORT,)),
    Breakage("lint-error-no-line", "a lint error build reports names the panel's line",
             "project/pipeline.py", "file=sites.get((f.file, f.dashboard, f.panel))\n                         or f.file,",
             "file=f.file,", (ABUSE_ERRORS,)),
    # --- main: merging the branches ---
    Breakage("flow-leaves-gaps", "a flowed panel is written where Grafana's compaction draws it",
             "sdk/layout.py", "pos = GridPos(x, max(floor[x:x + w]), w, panel.h)",
             "pos = GridPos(x, max(floor), w, panel.h)",
             ("tests/test_layout_positions.py",)),
    Breakage("preview-regex-per-panel", "a dashboard's variable regex error stops preview in one "
             "line, not once per panel", "preview/render.py",
             "        except DashboardError:\n            raise", "        except DashboardError:\n            pass",
             ("tests/abuse/test_abuse_parsing.py",)),
    # --- tests branch ---
    Breakage("shared-error-twice", "an error in a module several dashboards import is reported "
             "once", "errors.py", "                if str(each) not in seen:",
             "                if True:", ("tests/test_cli.py",)),
    Breakage("import-hides-shown-queries", "import is faithful: a query the input shows "
             "(hide: false) stays shown", "importer/queries.py",
             '        if raw.get("hide"):\n            kwargs.append(("hide", True))',
             '        if "hide" in raw:\n            kwargs.append(("hide", True))', (IMPORT,)),
    Breakage("tags-in-hash-order", "the same bytes in every process, whatever the hash seed",
             "sdk/compiler.py", '            "tags": list(dashboard.tags),',
             '            "tags": list(set(dashboard.tags)),',
             ("tests/test_compile.py::test_json_output_is_byte_identical_between_processes",)),
    Breakage("build-drops-folder-uid", "the provider file dashkit build writes says the folder "
             "uid given (--folder-uid)", "cli/local.py",
             "ProviderOptions(grafana_path=grafana_path, folder=folder, folder_uid=folder_uid)",
             "ProviderOptions(grafana_path=grafana_path, folder=folder)",
             ("tests/test_snapshots.py",)),
    Breakage("build-files-unterminated", "the files dashkit build writes are the pinned "
             "snapshots, byte for byte", "project/pipeline.py",
             "                   dumps(document))", "                   dumps(document).rstrip())",
             ("tests/test_snapshots.py",)),
    Breakage("interval-bound-rounds-up", "check expands $__interval to the step Grafana's backend "
             "computes (gtime.RoundInterval: a bound belongs to the step below)", "query/expand.py",
             "        if ms <= limit:", "        if ms < limit:", ("tests/test_grafana_intervals.py",)),
    Breakage("rate-interval-without-scrape", "check expands $__rate_interval as Grafana does: "
             "the interval plus a scrape, four scrapes at least", "query/expand.py",
             "        return max(self.interval_seconds + self.scrape_interval, 4 * self.scrape_interval)",
             "        return max(self.interval_seconds, 4 * self.scrape_interval)",
             ("tests/test_grafana_intervals.py",)),
    Breakage("dashboard-budget-is-query-budget", "a dashboard is over budget by the dashboard "
             "budget (5 s), not a query's", "check/runner.py",
             "                          seconds > budget.dashboard_seconds)",
             "                          seconds > budget.query_seconds)",
             ("tests/test_check_statuses.py",)),
    Breakage("budget-options-swapped", "--query-budget and --dashboard-budget each set their own "
             "budget", "cli/remote.py",
             "budget = Budget(seconds(query_budget), seconds(dashboard_budget), series_limit)",
             "budget = Budget(seconds(dashboard_budget), seconds(query_budget), series_limit)",
             ("tests/test_check_statuses.py",)),
    Breakage("series-limit-inclusive", "a query is flagged above --series-limit, not at it",
             "check/runner.py", "too_many_series=len(result) > budget.series_limit",
             "too_many_series=len(result) >= budget.series_limit", ("tests/test_check_statuses.py",)),
    Breakage("preview-threshold-strict", "preview: a value exactly at a threshold step takes "
             "that step's colour (Grafana's >=)", "preview/settings.py",
             "        if value >= limit:", "        if value > limit:",
             ("tests/test_preview_fidelity.py",)),
    Breakage("preview-shades-swapped", "preview: Grafana's named colours, each shade its own",
             "preview/canvas.py",
             '_SHADES = ("super-light-{}", "light-{}", "{}", "semi-dark-{}", "dark-{}")',
             '_SHADES = ("light-{}", "super-light-{}", "{}", "semi-dark-{}", "dark-{}")',
             ("tests/test_preview_fidelity.py",)),
    Breakage("preview-currency-sign-inside", "preview: a negative amount reads -$1K, as Grafana "
             "writes it", "preview/units.py",
             '        return ("-" if size < 0 else "") + symbol, text, suffix',
             '        return symbol + ("-" if size < 0 else ""), text, suffix',
             ("tests/test_preview_fidelity.py",)),
    Breakage("preview-duration-bound-inclusive", "preview: 60 s reads 1 min, each bound the next "
             "unit's (toSeconds)", "preview/units.py",
             "            if abs(size) < limit:", "            if abs(size) <= limit:",
             ("tests/test_preview_fidelity.py",)),
    Breakage("lint-units-skip-bargauge", "panel-units: every type that shows a number, bar "
             "gauges too", "sdk/kinds.py",
             'PanelKind("bargauge", builder="bar_gauge", unit=True, needs_unit=True,',
             'PanelKind("bargauge", builder="bar_gauge", unit=True, needs_unit=False,', (LINT,)),
    Breakage("lint-job-only", "job-instance-variables: instance as well as job", "lint/checks.py",
             '        if name in ("job", "instance") and (variable.get("type") != "query" or not '
             'references(',
             '        if name == "job" and (variable.get("type") != "query" or not references(',
             (LINT,)),
    Breakage("lint-cardinality-forgets-user-id", "logql-cardinality: each high-cardinality label "
             "it names", "query/logql.py",
             'HIGH_CARDINALITY_LABELS = frozenset({"trace_id", "span_id", "request_id", "user_id"})',
             'HIGH_CARDINALITY_LABELS = frozenset({"trace_id", "span_id", "request_id"})', (LINT,)),
    Breakage("lint-old-variable-syntax-unseen", "a variable written [[x]] is a variable (used, or "
             "undefined), as Grafana reads it", "sdk/variables.py",
             r'''([A-Za-z_]\w*))|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]")''',
             r'''([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::\w+)?\]\])")''', (LINT,)),
    Breakage("two-default-datasources", "more than one default datasource is refused (Grafana "
             "refuses the whole file)", "project/provisioning.py", "    if len(defaults) > 1:",
             "    if len(defaults) > 2:", ("tests/test_refusals.py",)),
    Breakage("serve-every-interface", "serve binds loopback, never another interface",
             "preview/serve.py",
             'server = ThreadingHTTPServer(("127.0.0.1", port), _handler(live))',
             'server = ThreadingHTTPServer(("", port), _handler(live))', ("tests/test_refusals.py",)),
    Breakage("out-link-followed", "an --out that is a link is refused, not followed",
             "project/output.py", "        if not out.is_dir() or given.is_symlink():",
             "        if not out.is_dir():", ("tests/test_refusals.py",)),
    Breakage("datasource-uid-twice", "one datasource uid defined two ways is refused",
             "project/loading.py",
             "                if ds.uid in self.datasources and self.datasources[ds.uid] != ds:",
             "                if False:", ("tests/test_refusals.py",)),
    Breakage("panel-height-zero", "a panel of height 0 is refused", "sdk/layout.py",
             "    if panel.h < 1:", "    if panel.h < 0:", ("tests/test_refusals.py",)),
    # --- pull branch ---
    Breakage("pull-source-mapping", "each panel maps to the builder call at its recorded origin",
             "pull/mapping.py", "    line = panel.origin[1]\n", "    line = panel.origin[1] + 1\n",
             PULL),
    Breakage("pull-rename-renumbers", "a title pulled keeps the panel's id (key= the old key)",
             "pull/fields.py", 'if len(self.pulled) > written and keyword(call, "key") is None:',
             "if False:", PULL),
    Breakage("pull-shared-silently", "a shared constant is rewritten only with --shared",
             "pull/fields.py", "            if not self.shared:", "            if False:", PULL),
    Breakage("pull-ignores-owner", "pull never touches a dashboard another project owns",
             "pull/live.py", "None if refused else live.model,", "live.model,", PULL),
    Breakage("pull-any-value-enters-code", "only text for text, finite numbers for numbers",
             "pull/fields.py", "        wrong = unwritable(after, kinds)\n",
             "        wrong = None\n", PULL),
    Breakage("pull-never-pins", "the rebuild pins a panel the flow would move where Grafana has it",
             "pull/puller.py", "        if not pins or unpinned:", "        if True:", PULL),
    Breakage("pull-helper-call-rewritten", "a call that builds several panels is never rewritten "
             "for one of them", "pull/puller.py", "if self.origins[source.panel.origin] > 1:",
             "if False:", PULL),
    Breakage("failed-dashboard-unknown", "a link to a dashboard whose own errors are reported is "
             "not also an unknown uid", "lint/sets.py",
             'if uid not in by_uid and uid not in known and "$" not in uid:',
             'if uid not in by_uid and "$" not in uid:', ("tests/test_pull_safety.py",)),
    Breakage("watch-stops-at-a-mistake", "--watch reports a mistake and goes on watching",
             "cli/watching.py", "        with contextlib.suppress(SystemExit):  # the command's own exit status",
             "        with contextlib.suppress():  # the command's own exit status",
             ("tests/test_watch_and_completion.py",)),
    Breakage("completion-offers-every-uid", "the shell completes the uids that start with what was typed",
             "cli/watching.py", "for uid in uids if uid.startswith(incomplete)]", "for uid in uids]",
             ("tests/test_watch_and_completion.py",)),
    Breakage("version-of-another-package", "--version names dashkit's own distribution",
             "cli/group.py", "@click.version_option(package_name=DISTRIBUTION)",
             '@click.version_option(package_name="dashkit")', ("tests/test_watch_and_completion.py",)),
    # --- speed branch ---
    Breakage("expanded-row-compiled-twice", "each panel is compiled once, an expanded row's too",
             "sdk/compiler.py",
             "            if item.collapsed:  # an expanded row's panels follow it, compiled by the caller\n"
             "                model[\"panels\"] = [_panel_json(child, ids, dashboard, strict, errors, compiled)\n"
             "                                   for child in placed.children]\n",
             "            children = [_panel_json(child, ids, dashboard, strict, errors, compiled)\n"
             "                        for child in placed.children]\n"
             "            if item.collapsed:\n"
             "                model[\"panels\"] = children\n", ("tests/test_compile.py",)),
    Breakage("unchanged-file-rewritten", "an unchanged rebuild writes no file", "project/output.py",
             "                and current.read_bytes() == data):",
             "                and current.read_bytes() == data and False):", (ABUSE_BUILD,)),
    Breakage("changed-file-kept", "a file whose bytes changed (same size) is written again",
             "project/output.py", "                and current.read_bytes() == data):", "):",
             (ABUSE_BUILD,)),
    Breakage("settled-ignores-columns", "compaction's shortcut is taken only where the simulation "
             "would move nothing (a panel must rest on one in its own columns)", "grafana/grid.py",
             "c.y + c.h == item.y and c.x < item.x + item.w\n", "c.y + c.h == item.y\n",
             ("tests/test_grid.py",)),
    Breakage("settled-ignores-overlaps", "compaction's shortcut is never taken for overlapping "
             "panels", "grafana/grid.py",
             "        if any(_collides(item, other) for other in cells[i + 1:]):",
             "        if False:", ("tests/test_grid.py",)),
    # --- facts branch ---
    Breakage("compile-ignores-rules", "what Grafana refuses (a bad uid, a long tag, an undefined "
             "variable) stops every checked compile, publish's too, not only build",
             "project/pipeline.py", "[f for f in findings if f.rule in COMPILE_RULES]",
             "[f for f in findings if False]", ("tests/test_compile.py",)),
    Breakage("finding-ignores-severity", "a rule's finding takes the severity the dashboard gives "
             "it (imported JSON's overlaps and links warn)", "lint/findings.py",
             "        return Finding(self.id, severity or self.severity,",
             "        return Finding(self.id, self.severity,", ("tests/test_lint.py",)),
    Breakage("layer-map-loose", "the layer map allows no import the code does not make",
             "layers.py", '                 ("grafana", "query", "lint", "project",',
             '                 ("grafana", "query", "sdk", "lint", "project",',
             ("tests/test_architecture.py",)),
    # --- pull2 branch ---
    Breakage("pull-variable-mapping", "each variable maps to the builder call at its recorded origin",
             "pull/board.py", "    line = variable.origin[1]\n", "    line = variable.origin[1] + 1\n",
             PULL_BOARD),
    Breakage("pull-shared-variable-written", "a call that builds several variables is never "
             "rewritten for one of them", "pull/board.py", "    if origins[variable.origin] > 1:",
             "    if False:", PULL_BOARD),
    Breakage("pull-helper-tags-overwritten", "the tags a helper adds are never written into the "
             "call's tags=", "pull/board.py", "        if after[:common] != before[:common]:",
             "        if False:", PULL_BOARD),
    Breakage("variable-default-dropped", "a variable's default compiles to Grafana's current",
             "sdk/variables.py", "        if self.default is not None:\n            data.update(",
             "        if False:\n            data.update(", PULL_BOARD),
    Breakage("pull-panel-description-dropped", "a panel's description edited in Grafana is written",
             "pull/fields.py", '        if built.get("description") != live.get("description"):',
             "        if False:", PULL_BOARD),
    Breakage("pull-override-added-as-edit", "an override added in Grafana is named, never taken "
             "for an edit of the ones built", "pull/fields.py",
             "        if not len(items) == len(old) == len(new) or not all(",
             "        if not len(items) == len(old) or not all(", PULL_BOARD),
    # --- kinds branch ---
    Breakage("kinds-table-without-unit", "import: a table's unit is carried into panels.table "
             "(the registry says its builder takes one)", "sdk/kinds.py",
             'PanelKind("table", builder="table", unit=True, fix=fix_table)',
             'PanelKind("table", builder="table", fix=fix_table)', (IMPORT, "tests/test_kinds.py")),
    Breakage("kinds-stat-unfixed", "compile: a stat gets grafanalib's fix (no \"none\" for no value)",
             "sdk/kinds.py", 'needs_unit=True, fix=fix_stat)', 'needs_unit=True)',
             ("tests/test_panels.py",)),
    Breakage("kinds-singlestat-plain-background", "preview: a singlestat in background mode takes "
             "its value's colour, as a stat does", "preview/panels.py",
             'DRAWERS.get(str(panel.get("type"))) is stat', 'panel.get("type") == "stat"',
             ("tests/test_preview.py",)),
    Breakage("kinds-org-rule-unchecked", "an org other than 1 is refused with the classic API, "
             "one check for the CLI, dashkit.toml and Python", "publishing/resources.py",
             '    if org != 1 and api == "legacy":\n        raise DashkitError(f"org {org} needs',
             '    if False:\n        raise DashkitError(f"org {org} needs',
             ("tests/test_cli_options.py", RESOURCES)),
    Breakage("kinds-folder-default-restated", "build and publish file dashboards in the one "
             "default folder, Dashkit", "project/provisioning.py", 'DEFAULT_FOLDER = "Dashkit"',
             'DEFAULT_FOLDER = "dashkit"', ("tests/test_cli_options.py",)),
    # --- perf branch ---
    Breakage("libyaml-for-any-text", "the rule file's bytes are PyYAML's emitter's: text libyaml "
             "writes otherwise (beyond ASCII) takes PyYAML's emitter", "fileio.py",
             "        return bool(value.isascii())\n", "        return True\n",
             ("tests/test_yaml_dump.py",)),
    Breakage("libyaml-for-any-key", "an empty key, or one with a line break, takes PyYAML's "
             "emitter", "fileio.py",
             "        return all(type(k) is str and _IDENTIFIER.match(k) is not None and _libyaml_safe(v)\n",
             "        return all(type(k) is str and _libyaml_safe(v)\n",
             ("tests/test_yaml_dump.py",)),
    Breakage("json-copy-shares", "a copied JSON tree shares no container with the original",
             "grafana/jsonio.py", "        return [copied(item) for item in value]\n",
             "        return value\n", ("tests/test_json_copy.py",)),
    Breakage("module-listing-misses-packages", "a package folder (an __init__ inside) is an "
             "installed module a dashboards module may not shadow", "project/loading.py",
             '        return any(f"__init__{suffix}" in inside for suffix in _SUFFIXES)\n',
             "        return False\n", ("tests/test_module_listing.py",)),
    Breakage("build-imports-normalise", "a build does not import what only other commands use "
             "(normalise: JSON files, v2 resources)", "lint/findings.py",
             "if TYPE_CHECKING:  # normalise (JSON files, v2 resources) is not needed to lint a build\n",
             "if True:\n", ("tests/test_build_imports.py",)),
    Breakage("build-imports-difflib", "a build imports difflib only to suggest a misspelt option",
             "sdk/options.py", "\nimport inspect\n", "\nimport difflib\nimport inspect\n",
             ("tests/test_build_imports.py",)),
    # --- paths branch ---
    Breakage("public-name-twice", "a public name has one import path (a thin module does not re-export "
             "what dashkit exports)", "panels.py", '__all__ = ["NEUTRAL",',
             'from dashkit.sdk.panels import Target\n__all__ = ["Target", "NEUTRAL",',
             ("tests/test_public_api.py",)),
    Breakage("type-import-cycle", "no two modules need each other, not even for the type checker",
             "project/rule_files.py", "    from dashkit.project.compiled import Built, Compiled",
             "    from dashkit.project.pipeline import Built, Compiled", ("tests/test_architecture.py",)),
    # --- loader branch ---
    Breakage("stale-sibling-module", "an edit is what runs, however fast it follows the last load",
             "project/loading.py", "    sys.meta_path.insert(0, siblings)\n", "    sys.meta_path.append(siblings)\n",
             ("tests/test_watch_and_completion.py",)),
    Breakage("stale-dashboard-module", "an edit is what runs, however fast it follows the last load",
             "project/loading.py", "        return compiled(self.get_data(self.path), self.path)",
             "        return super().get_code(fullname)", ("tests/test_watch_and_completion.py",)),
    # --- perfmem branch ---
    Breakage("build-holds-every-dashboard", "a build compiles, checks and writes one dashboard at "
             "a time, letting each one's JSON go before the next", "project/pipeline.py",
             "            for each in check_each(sources, exclusions):\n                errors += each.errors\n",
             "            for each in list(check_each(sources, exclusions)):\n                errors += each.errors\n", ("tests/test_build_memory.py",)),
    Breakage("build-keeps-every-module", "a build loads, checks and writes one module at a time, "
             "letting each module and its dashboards go before the next", "project/pipeline.py",
             "        for sources in loader.modules(release=True):",
             "        for sources in loader.modules(release=False):", ("tests/test_build_memory.py",)),
    Breakage("released-module-runs-twice", "a module another file imports is kept, not run again",
             "project/loading.py", "        named = _names_in(self.folder, self.stems) if release else self.stems",
             "        named = set() if release else self.stems", ("tests/test_build_memory.py",)),
    Breakage("direct-panel-json-differs", "a builder's own JSON is what grafanalib's class "
             "writes for the same arguments", "sdk/direct.py",
             '"reduceOptions": {"calcs": [v["reduceCalc"]], "fields": v["fields"],',
             '"reduceOptions": {"calcs": [v["reduceCalc"]], "fields": v["fields"] or None,',
             ("tests/test_direct_panels.py",)),
    Breakage("direct-panel-shares-state", "the JSON a builder's panel writes shares nothing with "
             "the panel", "sdk/direct.py",
             "        given = plain(self.kwargs)  # converted and copied in one pass, as plain() did the JSON",
             "        given = dict(self.kwargs)", ("tests/test_direct_panels.py",)),
    Breakage("direct-panel-unchecked", "a builder's arguments are refused as grafanalib refuses "
             "them", "sdk/direct.py", "            self._check(name, kwargs[name])\n",
             "            pass\n",
             ("tests/test_direct_panels.py",)),
    Breakage("set-entry-shortcut-misses-links", "a set entry skips the walk only where no text "
             "can hold a link", "lint/sets.py", 'if "/d/" in outside_text(subject)',
             'if "/d/x" in outside_text(subject)', ("tests/test_fast_paths.py",)),
    Breakage("references-skip-a-dollar", "references are found at every dollar a match leaves",
             "sdk/variables.py", '                at = find("$", found.end())',
             '                at = find("$", found.end() + 1)', ("tests/test_fast_paths.py",)),
    Breakage("inputs-only-outside-variables", "import inputs in a variable are found too",
             "lint/checks.py", '                   or "${DS_" in _flat(model.get("templating")))',
             "                   )", ("tests/test_fast_paths.py",)),
    Breakage("checked-options-ignore-type", "options met before are reused only for values of "
             "the same type", "sdk/options.py",
             "        key: Any = tuple((name, type(value), value) for name, value in options.items())",
             "        key: Any = tuple((name, value) for name, value in options.items())",
             ("tests/test_fast_paths.py",)),
    Breakage("python-names-listing-stale", "a folder put on sys.path during a load is listed "
             "when met", "project/loading.py",
             "            listed = self.listings.get(entry)\n",
             "            listed = self.listings.get(entry) or next(iter(self.listings.values()), None)\n",
             ("tests/test_module_listing.py",)),
    Breakage("staged-file-written-through", "a path staged twice is replaced, never written "
             "through a hard link into the live output", "project/output.py",
             "    with contextlib.suppress(FileNotFoundError):\n        os.unlink(target)\n", "",
             (ABUSE_BUILD,)),
    Breakage("failed-build-leaves-folders", "a build that fails leaves no folder it made to hold "
             "its output", "project/output.py",
             "            created += [p for p in current.parents if not p.exists()]\n",
             "            created += []\n", (ABUSE_BUILD,)),
    Breakage("set-entry-drops-links", "a link to an unknown dashboard uid is found from what "
             "the build keeps of each dashboard", "lint/sets.py",
             'tuple(u for u in variable_texts(model) if "/d/" in u[1])', "()", (LINT, "tests/test_cli.py")),
    # --- perfcpu branch ---
    Breakage("fast-options-ignore-one", "a builder's one option (w=8) is kept: only a panel "
             "with no options shares the checked defaults", "sdk/options.py",
             "    if not options:  # most panels", "    if len(options) < 2:  # most panels",
             ("tests/test_fast_paths.py", "tests/test_panels.py")),
    Breakage("fast-refids-reused", "each query of a panel gets its own refId, the letters "
             "written ones take skipped", "sdk/panels.py",
             "        taken.add(ref_id)\n        targets.append(", "        targets.append(",
             ("tests/test_fast_paths.py",)),
    Breakage("fast-grid-floor-off-by-one", "a panel occupies each of its columns: the next "
             "line starts below all of it", "sdk/layout.py",
             "self.floor = floor[:x] + [pos.y + pos.h] * w + floor[x + w:]",
             "self.floor = floor[:x] + [pos.y + pos.h] * (w - 1) + floor[x + w - 1:]",
             ("tests/test_fast_paths.py",)),
    Breakage("fast-grid-floor-off-by-one-by-position", "a panel placed by position occupies "
             "each of its columns", "sdk/layout.py",
             "range(max(pos.x, 0), min(pos.x + pos.w, GRID_COLUMNS))",
             "range(max(pos.x, 0), min(pos.x + pos.w - 1, GRID_COLUMNS))",
             ("tests/test_fast_paths.py",)),
    Breakage("fast-grid-floor-lowered", "a panel placed by position never lowers a column's "
             "floor that a taller panel raised", "sdk/layout.py",
             "            if floor[column] < bottom:\n", "            if True:\n",
             ("tests/test_fast_paths.py",)),
    Breakage("fast-overlap-one-axis", "panels overlap only when their boxes share area on "
             "both axes", "sdk/layout.py",
             "and top < other[3] and other[2] < bottom:", "and top < other[3]:",
             ("tests/test_layout.py",)),
    Breakage("flow-overlap-unchecked-row", "a row placed by hand is checked for overlaps",
             "sdk/layout.py", "                flow.y = item.y\n                fixed = True\n",
             "                flow.y = item.y\n", ("tests/test_fast_paths.py",)),
    Breakage("flow-overlap-unchecked-child", "a row's panel placed by hand is checked for "
             "overlaps", "sdk/layout.py",
             "            fixed = fixed or any(p.x is not None for p in item.panels)\n", "",
             ("tests/test_fast_paths.py",)),
    Breakage("direct-shape-transparent-false", "a panel written straight in the current shape "
             "is what the general path writes", "sdk/direct_current.py",
             "if transparent is not None and transparent is not False:",
             "if transparent is not None:", ("tests/test_direct_panels.py",)),
    Breakage("direct-shape-merges-over-a-dict", "what grafanalib would merge key by key takes "
             "the general path", "sdk/direct_current.py",
             "        if isinstance(written.get(key), dict):\n            raise _Outside(key)\n",
             "        pass\n", ("tests/test_direct_panels.py",)),
    Breakage("direct-shape-gauge-mode", "a gauge's thresholds are absolute, as the general "
             "path writes them", "sdk/direct_current.py",
             '_defaults("absolute", v["thresholds"], written)',
             '_defaults(v["thresholdType"], v["thresholds"], written)',
             ("tests/test_direct_panels.py",)),
    Breakage("direct-check-remembered-by-value", "a builder value's remembered check is keyed "
             "by its type as well", "sdk/direct.py",
             "key = (type(self), name, kind, value)", "key = (type(self), name, value)",
             ("tests/test_fast_paths.py",)),
    Breakage("fast-repeat-dropped", "a repeating panel keeps repeat, repeatDirection and "
             "maxPerRow", "sdk/grafanalib_fixes.py",
             'dropped = _DROPPED if panel.get("repeat") else _DROPPED_UNREPEATED',
             "dropped = _DROPPED_UNREPEATED", ("tests/test_panels.py",)),
    Breakage("fast-grouped-query-loses-use", "a grouped rate still records that it rates its "
             "series (the catalog refuses a rate of a gauge)", "query/promql.py",
             "MetricRef(ref.series, ref.labels | extra, ref.used_by)",
             "MetricRef(ref.series, ref.labels | extra)", ("tests/test_promql.py",)),
    # --- pullfix branch ---
    Breakage("pull-kind-from-any-field", "a panel's text field never takes a list of text from "
             "Grafana, which only a multi-value default takes", "pull/fields.py",
             "    if TEXTS[0] in kinds and isinstance(after, (list, tuple))",
             "    if isinstance(after, (list, tuple))", PULL),
    Breakage("pull-templating-trusted", "a live templating that is not {list: [variables]} is "
             "named, not read", "pull/board.py",
             "    if templating is not None and not (isinstance(templating, dict) and "
             "isinstance(found, list)):", "    if False:", PULL),
    Breakage("pull-current-trusted", "a variable whose live current is null is no traceback",
             "pull/board.py", '        after = current.get("value") if isinstance(current, dict) else None',
             '        after = current.get("value") if there else None', PULL),
    # --- impfast branch: the import's shortcuts, each held to the full path ---
    Breakage("import-first-pass-differs", "import: the first pass, not rendered, builds the "
             "dashboard its rendered module defines", "importer/generator.py",
             '    unhoisted = Call("Dashboard", (), (*kwargs, ("panels", panel_calls)))\n',
             '    unhoisted = Call("Dashboard", (), (*kwargs[:-1], ("panels", panel_calls)))\n',
             (SHORTCUTS,)),
    Breakage("import-code-values-shared", "import: a Code fragment evaluated once is its own "
             "generator's value, never another dashboard's", "importer/declarations.py",
             "        self.evaluated: dict[str, Any] = {}",
             '        self.evaluated: dict[str, Any] = Declarations.__init__.__dict__.setdefault("v", {})',
             (SHORTCUTS,)),
    Breakage("import-residue-cover-empty-object", "import: the one-walk residue and cover are "
             "the full walks' (an empty object written otherwise is not covered)",
             "grafana/compare.py", "            covered = False\n            if value != {}:",
             "            covered = covered and value == {}\n            if value != {}:",
             (SHORTCUTS,)),
    Breakage("covers-object-leaf-skipped", "covers: the loop over two objects or lists "
             "compares their leaves as the full rule does", "grafana/compare.py",
             "                    if other != value:\n",
             "                    if other != value and isinstance(value, bool):\n", (SHORTCUTS,)),
    Breakage("covers-list-length-unchecked", "covers: two lists of one type cover each other "
             "only at the same length", "grafana/compare.py",
             "            elif len(actual) != len(expected):\n                return False\n",
             "            elif len(actual) < len(expected):\n                return False\n",
             (SHORTCUTS,)),
    Breakage("residue-leaf-dropped", "import: a leaf the builder writes otherwise is residue "
             "(the one-walk residue is the full walk's)", "grafana/compare.py",
             "                result[key], covered = value, False\n",
             "                covered = False\n", (SHORTCUTS,)),
    Breakage("first-pass-panels-compiled-again", "import: the first pass's dashboard takes the "
             "JSON its panels compiled to (not vacuous)", "sdk/compiler.py",
             "            known = compiled.get(id(item))\n", "            known = None\n",
             (SHORTCUTS,)),
    Breakage("first-pass-json-under-datasource", "panel JSON compiled without a dashboard "
             "datasource is not taken for a dashboard that has one", "sdk/compiler.py",
             "    if dashboard.datasource is not None:\n        compiled = None",
             "    if False:\n        compiled = None", (SHORTCUTS,)),
    Breakage("first-pass-kept-without-extra", "import: a panel the first pass kept with its "
             "residue builds with that extra", "importer/generator.py",
             "attrs.evolve(panel, extra=copied(residue))", "attrs.evolve(panel)", (SHORTCUTS,)),
    Breakage("build-value-json-shared", "import: plain JSON a call is built from is a copy, "
             "never the generator's own object", "importer/codecheck.py",
             "                return orjson.loads(orjson.dumps(value))\n",
             "                return value\n", (SHORTCUTS,)),
    Breakage("import-second-pass-migrates-input", "migrating a dashboard leaves the caller's "
             "model as it was, unless the caller owns it", "grafana/migrate.py",
             "    model = model if owned else copied(model)\n", "    model = model\n",
             (MIGRATIONS,)),
    Breakage("promql-string-escape-ignored", "a backslash escapes a quote inside a PromQL "
             "string (the query's pieces outside strings are read right)", "query/analyse.py",
             "            end = stop.start() + 2  # the escaped character",
             "            end = stop.start() + 1  # the escaped character", ("tests/test_query_strings.py",)),
    Breakage("promql-brackets-in-strings-nest", "brackets inside a string do not count toward "
             "a query's nesting", "query/analyse.py",
             "        if is_string:\n            continue\n        operators +=",
             "        operators +=", ("tests/test_query_strings.py",)),
    Breakage("import-collector-left-raised", "import: the collector's threshold is as it was "
             "after the import", "importer/files.py",
             "    finally:\n        gc.set_threshold(*before)\n", "    finally:\n        pass\n",
             (IMPORT,)),
    Breakage("import-panel-cache-values-unchecked", "import: the second pass takes a compiled "
             "panel only where the call's Code fragments have the first pass's values",
             "importer/panel_cache.py", "        type(a) is type(b) and a == b for a, b in zip(earlier, values))",
             "        True for a, b in zip(earlier, values))", (SHORTCUTS,)),
    Breakage("grafanalib-field-default-wrong", "a field written out has grafanalib's default",
             "sdk/grafanalib_fields.py", '"pointSize": (5, _INT)', '"pointSize": (6, _INT)',
             ("tests/test_direct_panels.py",)),
    Breakage("grafanalib-field-unchecked", "a field written out has grafanalib's validator",
             "sdk/grafanalib_fields.py", '"sortOrder": ("Descending", _STR)',
             '"sortOrder": ("Descending", None)', ("tests/test_direct_panels.py",)),
    Breakage("grafanalib-made-default-json-wrong", "a default grafanalib makes as its objects is "
             "written as their JSON", "sdk/grafanalib_fields.py", '"min": None, "show": True})),',
             '"min": None, "show": False})),', ("tests/test_direct_panels.py",)),
    Breakage("grafanalib-class-check-skipped", "a value checked against one of grafanalib's "
             "classes is refused as grafanalib refuses it", "sdk/grafanalib_fields.py",
             "        self.resolved()(inst, attr, value)\n", "        pass\n",
             ("tests/test_direct_panels.py",)),
    Breakage("direct-shared-default-shared", "a mutable default grafanalib shares is written "
             "afresh for each panel", "sdk/direct.py",
             "    return lambda: copy.deepcopy(default)", "    return lambda: default",
             ("tests/test_direct_panels.py",)),
    Breakage("direct-transformations-dropped", "a table's transformations are written",
             "sdk/direct.py", '"transformations": values["transformations"],',
             '"transformations": [],', ("tests/test_direct_panels.py",)),
    Breakage("direct-shape-transformations-dropped", "a panel with transformations takes the "
             "general path, which writes them", "sdk/direct_current.py",
             '    if values["transformations"] != []:', '    if False:',
             ("tests/test_direct_panels.py",)),
    Breakage("table-sort-lost", "a table's sort_by is written as grafanalib's TableSortByField "
             "writes it", "sdk/panels.py", '"sortBy": [{"displayName": sort_by, "desc": descending}]',
             '"sortBy": [{"displayName": sort_by}]', ("tests/test_direct_panels.py",)),
    Breakage("build-imports-grafanalib", "a build writes its panels without importing grafanalib",
             "sdk/direct.py", "from dashkit.grafana.jsonio import plain\n",
             "from dashkit.grafana.jsonio import plain\nimport grafanalib.core  # noqa: F401\n",
             ("tests/test_direct_panels.py", "tests/test_build_imports.py")),
    Breakage("import-outcome-inexact", "import: the first pass's findings are taken only for "
             "exactly the same panel", "importer/panel_cache.py",
             "if o.compiled is compiled and o.exact == exact", "if o.compiled is compiled",
             (SHORTCUTS,)),
    Breakage("import-outcome-extra-unchecked", "import: a panel whose extra differs from the "
             "first pass's is compared again", "importer/generator.py",
             "if residue and known is not None and known.same_residue(residue):",
             "if residue and known is not None:", (SHORTCUTS,)),
    Breakage("import-unformatted-loses-lines", "import: text of several lines is laid out as "
             "render lays it out before ruff formats the module", "importer/pysource.py",
             "    return render(value, prefix=prefix, memo=memo) if several else flat",
             "    return flat", ("tests/test_import.py",)),
    Breakage("codecheck-template-args-wrapped", "import: a checked module evaluates to what "
             "Python runs it to (a % template over several constants)", "importer/codecheck.py",
             "        return _value(node.left, namespace) % _value(node.right, namespace)",
             "        return _value(node.left, namespace) % (_value(node.right, namespace),)",
             (SHORTCUTS,)),
    Breakage("codecheck-minus-dropped", "import: a checked module evaluates to what Python runs "
             "it to (a negative number)", "importer/codecheck.py",
             "        return -_value(node.operand, namespace)",
             "        return _value(node.operand, namespace)", (SHORTCUTS,)),
    Breakage("codecheck-keywords-reordered", "import: a checked expression runs its calls in "
             "Python's order", "importer/codecheck.py",
             "_value(k.value, namespace) for k in node.keywords}",
             "_value(k.value, namespace) for k in reversed(node.keywords)}", (SHORTCUTS,)),
    Breakage("template-over-any-name", "import: a template is found directly only over named "
             "constants, as its text is checked", "importer/codecheck.py",
             "            name in constants and name in namespace for name in code.names):",
             "            name in namespace for name in code.names):", (SHORTCUTS,)),
    Breakage("template-value-differs", "import: a template found directly is what its text "
             "evaluates to", "importer/codecheck.py",
             "        return code.template % (namespace[names[0]] if len(names) == 1 else",
             "        return code.template.strip() % (namespace[names[0]] if len(names) == 1 else",
             (SHORTCUTS,)),
    Breakage("first-pass-known-json-written-into", "import: the first pass's dashboard leaves "
             "the panel JSON it takes unchanged", "sdk/compiler.py",
             "            model = (dict(known) if known is not None",
             "            model = (known if known is not None", (SHORTCUTS,)),
    Breakage("query-limit-bound-loose", "a query over the operator limit is refused before the "
             "parser (the quick bound is a bound)", "query/analyse.py",
             "            <= MAX_QUERY_OPERATORS and sum(map(text.count, \"([{\")) <= MAX_QUERY_NESTING:",
             "            <= 2 * MAX_QUERY_OPERATORS and sum(map(text.count, \"([{\")) <= MAX_QUERY_NESTING:",
             ("tests/test_query_strings.py",)),
    Breakage("bytecode-source-unchecked", "a dashboards module runs its current source, never "
             "code cached for another", "project/bytecode.py",
             "        if kept is not None and kept[0] == source:", "        if kept is not None:",
             ("tests/test_bytecode_cache.py",)),
    Breakage("bytecode-shared-folder-read", "compiled code is read only from a folder no one "
             "else may write to", "project/bytecode.py",
             "    return status.st_uid == os.getuid() and not status.st_mode & 0o022",
             "    return status.st_uid == os.getuid()", ("tests/test_bytecode_cache.py",)),
    Breakage("build-imports-hashlib", "a build imports hashlib only for a folder title that "
             "needs a hash", "project/provisioning.py",
             "def _dump(data: dict[str, Any]) -> str:\n",
             "def _dump(data: dict[str, Any]) -> str:\n    import hashlib  # noqa: F401\n",
             ("tests/test_build_imports.py",)),
    Breakage("grid-remembered-out-of-order", "a layout's compaction is remembered by its "
             "positions in their order", "grafana/grid.py",
             "        drawn = _compacted(tuple((c.x, c.y, c.w, c.h) for c in cells))",
             "        drawn = _compacted(tuple(sorted((c.x, c.y, c.w, c.h) for c in cells)))",
             ("tests/test_grid.py",)),
)


class Outcome(NamedTuple):
    breakage: Breakage
    caught: bool
    detail: str
    seconds: float
    #: the node id of the test that failed first, for CAUGHT_BY
    caught_by: str = ""


def apply(breakage: Breakage, src: Path) -> None:
    """Put the breakage into the copy of the source at ``src``."""
    path = src / "dashkit" / breakage.file
    text = path.read_text()
    found = text.count(breakage.old)
    if found != 1:
        raise SystemExit(f"breakage {breakage.name}: its text occurs {found} times in "
                         f"src/dashkit/{breakage.file} (must be once): update the breakage")
    path.write_text(text.replace(breakage.old, breakage.new))
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink()  # the copy keeps the bytecode of the files it does not break


class _Server:
    """The fork server (tests/mutant_server.py) this process runs the suite through, started on
    first use and kept: pytest and the libraries are imported once, not once per run."""

    process: subprocess.Popen[str] | None = None

    @classmethod
    def run(cls, src: Path, args: list[str], log: Path) -> int | None:
        """``pytest args`` against the copy ``src``, output in ``log``: its exit status, or None
        when it outlived TIMEOUT_SECONDS."""
        if cls.process is None or cls.process.poll() is not None:
            env = {**os.environ}
            env.pop("PYTEST_ADDOPTS", None)
            cls.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name(
                "mutant_server.py"))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                cwd=ROOT, env=env)
            atexit.register(cls.close)
        assert cls.process.stdin is not None and cls.process.stdout is not None
        cls.process.stdin.write(json.dumps({"src": str(src), "args": args, "log": str(log),
                                            "timeout": TIMEOUT_SECONDS}) + "\n")
        cls.process.stdin.flush()
        answer = cls.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the mutation check's fork server died (exit {cls.process.wait()})")
        code: int | None = json.loads(answer)["code"]
        return code

    @classmethod
    def close(cls) -> None:
        """Stop the server (it ends when its requests pipe closes)."""
        if cls.process is not None:
            assert cls.process.stdin is not None
            cls.process.stdin.close()
            cls.process.wait()
            cls.process = None


def recorded_catchers() -> dict[str, str]:
    """The test that caught each breakage last time (see CAUGHT_BY), or nothing."""
    try:
        recorded = json.loads(CAUGHT_BY.read_text())
    except FileNotFoundError:
        return {}
    return {str(name): str(test) for name, test in recorded.items()}


def record_catchers(outcomes: list[Outcome]) -> None:
    """Keep each caught breakage's catcher in CAUGHT_BY (sorted, so a rerun diffs only real
    changes); breakages that no longer exist are dropped."""
    known = {b.name for b in BREAKAGES}
    recorded = {name: test for name, test in recorded_catchers().items() if name in known}
    recorded.update({o.breakage.name: o.caught_by for o in outcomes if o.caught and o.caught_by})
    CAUGHT_BY.write_text(json.dumps(dict(sorted(recorded.items())), indent=1) + "\n")


def stages(breakage: Breakage, catcher: str | None) -> list[tuple[list[str], bool]]:
    """The runs to try in turn, each with whether "no such test" just moves on: the recorded
    catcher alone, then the ``first`` files, then the whole suite."""
    runs = [([catcher], True)] if catcher else []
    if breakage.first:
        runs.append(([*breakage.first], False))
    return [*runs, (["tests"], False)]


def run(breakage: Breakage, catcher: str | None = None) -> Outcome:
    """The breakage applied to a copy of ``src/`` and the suite run against it until it fails;
    ``catcher`` (default: the recorded one) is tried alone first."""
    if catcher is None:
        catcher = recorded_catchers().get(breakage.name)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"dashkit-mutant-{breakage.name}-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("*.egg-info"))
        apply(breakage, src)
        log = Path(tmp) / "pytest.log"
        base = ["-x", "-q", "-m", "not live and not mutation and not suite and not browser",
                "-p", "no:cacheprovider"]
        for paths, may_be_gone in stages(breakage, catcher):
            named = Path(first_failure_file(str(log)))
            named.unlink(missing_ok=True)
            code = _Server.run(src, [*base, *paths], log)
            output = log.read_text(errors="replace")
            if code == NOT_THE_COPY:
                raise SystemExit(output)
            if code is None:
                return Outcome(breakage, False, f"suite still running after {TIMEOUT_SECONDS} s",
                               time.monotonic() - started)
            failed = [line for line in output.splitlines()
                      if line.startswith(("FAILED", "ERROR"))]
            # a test failing (1), or a test module that no longer imports (2, with its ERROR
            # line): either way the suite is red; 2 without one is pytest's own usage error
            if (code == 1 and failed) or (code == 2 and any(f.startswith("ERROR tests/") for f in failed)):
                return Outcome(breakage, True, failed[0].split(" - ")[0],
                               time.monotonic() - started,
                               named.read_text("utf-8") if named.exists() else "")
            if code == 0 or (may_be_gone and code in NOTHING_RAN):
                continue
            break
    tail = (output.strip().splitlines() or ["(no output)"])[-1]
    return Outcome(breakage, False, f"exit {code}: {tail}", time.monotonic() - started)


def report(outcomes: list[Outcome]) -> str:
    rows = [(o.breakage.name, "caught" if o.caught else "SURVIVED", f"{o.seconds:.0f} s",
             o.detail[:90]) for o in outcomes]
    widths = [max(len(r[i]) for r in [*rows, ("breakage", "result", "time", "by")])
              for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("breakage", "result", "time", "by"),
                                                 widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    caught = sum(o.caught for o in outcomes)
    lines.append(f"\n{caught} of {len(outcomes)} breakages caught")
    return "\n".join(lines)


def main(names: list[str]) -> int:
    chosen = [b for b in BREAKAGES if not names or b.name in names]
    unknown = set(names) - {b.name for b in BREAKAGES}
    if unknown:
        raise SystemExit(f"no breakage named {', '.join(sorted(unknown))}")
    outcomes = []
    for index, breakage in enumerate(chosen, 1):
        outcome = run(breakage)
        print(f"[{index}/{len(chosen)}] {breakage.name}: "
              f"{'caught' if outcome.caught else 'SURVIVED'} ({outcome.seconds:.0f} s)",
              file=sys.stderr, flush=True)
        outcomes.append(outcome)
    record_catchers(outcomes)
    print(report(outcomes))
    return 0 if all(o.caught for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
