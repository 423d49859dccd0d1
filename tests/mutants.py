"""The mutation check: deliberate, named breakages of what the README promises. For each one, a
copy of ``src/`` gets the breakage and the whole non-live suite runs against it; the breakage must
make it fail. ``make mutants`` runs them all and prints a table; ``tests/test_mutants.py`` runs
them in the suite.

Each breakage replaces one exact piece of source text (it must occur exactly once), so a refactor
that moves the code makes the breakage fail loudly: update its text, never delete it. ``first``
names the test files most likely to catch it: they run first so a caught breakage stops early;
the rest of the suite runs after them when they do not.

    .venv/bin/python tests/mutants.py                 # all, with a table
    .venv/bin/python tests/mutants.py atomic-build    # the ones named
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
#: Each breakage's run of the suite stops at its first failure; a hang is a survivor too.
TIMEOUT_SECONDS = 900


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
PUBLISH = "tests/test_publish.py"
RESOURCES = "tests/test_publish_resources.py"
LINT = "tests/test_lint.py"
IMPORT = "tests/test_import.py"
MIGRATIONS = "tests/test_migrations.py"

BREAKAGES: tuple[Breakage, ...] = (
    # --- the atomic build, and build never deletes what it did not write -----------------------
    Breakage("build-writes-in-place", "atomic build: the previous output stays whole until the "
             "new one is complete", "build/output.py",
             '        fill(staging)\n',
             '        shutil.rmtree(out_dir, ignore_errors=True)\n'
             '        fill(staging)\n', (ABUSE_BUILD,)),
    Breakage("build-out-inside-sources", "--out may not be or lie inside the sources",
             "build/output.py", "    if out == sources or out in sources.parents or sources in out.parents:",
             "    if False:", (ABUSE_BUILD,)),
    Breakage("build-replaces-unmarked-folder", "a folder dashkit did not write needs --force",
             "build/output.py", "        if not force and any(out.iterdir()) and not (out / OUTPUT_MARKER)",
             "        if False and any(out.iterdir()) and not (out / OUTPUT_MARKER)", (ABUSE_BUILD,)),
    Breakage("build-skips-lint", "error-level lint runs before anything is written", "build/pipeline.py",
             "    check_lint_errors(compiled, Path(dashboards_dir))\n", "",
             ("tests/test_cli.py", ABUSE_ERRORS)),
    Breakage("errors-one-at-a-time", "every error of a run, in one run", "errors.py",
             "    if errors:\n        raise DashkitErrors(errors)",
             "    if errors:\n        raise errors[0]", (ABUSE_ERRORS,)),
    # --- publish -------------------------------------------------------------------------------
    Breakage("publish-not-a-no-op", "publishing an unchanged dashboard writes nothing",
             "publishing/publisher.py", "                unchanged=same_content(live, item.model),",
             "                unchanged=False,", (PUBLISH,)),
    Breakage("publish-ignores-drift", "an edit made in Grafana is never overwritten without "
             "--force", "publishing/decisions.py", "    if not force and live.marker != live.current:",
             "    if False:", (PUBLISH,)),
    Breakage("resources-not-a-no-op", "through the dashboard API too, an unchanged dashboard "
             "is not written", "publishing/resources.py",
             "                unchanged=current == content_hash(spec),",
             "                unchanged=False,", (RESOURCES,)),
    Breakage("resources-ignore-drift", "through the dashboard API too, an edit made in Grafana "
             "is never overwritten without --force", "publishing/resources.py",
             "marker=notes.get(MARKER_ANNOTATION), current=current,",
             "marker=notes.get(MARKER_ANNOTATION), current=str(notes.get(MARKER_ANNOTATION)),",
             (RESOURCES,)),
    Breakage("resources-prune-other-folders", "through the dashboard API too, prune deletes only "
             "what dashkit published in the folder", "publishing/resources.py",
             '                or notes.get(FOLDER_ANNOTATION, "") != folder_uid):',
             "                or False):", (RESOURCES,)),
    Breakage("v2-layout-absolute", "v2 grid items in a row are placed relative to their row",
             "grafana/v2.py", '"y": y if row_y is None else y - row_y - ROW_HEIGHT,',
             '"y": y,', ("tests/test_v2.py",)),
    Breakage("publish-takes-over-unmarked", "a dashboard dashkit did not publish is not taken "
             "over", "publishing/decisions.py", "    if not force and live.marker is None:",
             "    if False:", (PUBLISH,)),
    Breakage("prune-deletes-unmarked", "prune touches only dashboards dashkit published",
             "publishing/publisher.py", "            continue  # never touch what dashkit did not publish",
             "            pass", (PUBLISH,)),
    Breakage("prune-deletes-edited", "prune never deletes a dashboard edited in Grafana",
             "publishing/publisher.py", '            edited=marker.get("hash") != content_hash(live),',
             "            edited=False,", (PUBLISH,)),
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
             "off", "clients/http.py", "        self._timer.start()", "        pass", (ABUSE_NET,)),
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
             "text.py", '    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))',
             "    flat = str(text)", (ABUSE_NET,)),
    # --- hostile input ---------------------------------------------------------------------------
    Breakage("string-quote-unescaped", "nothing read from input becomes code: one escaping "
             "function", "importer/pysource.py", '        elif char == quote:\n            out.append("\\\\" + char)',
             "        elif char == quote:\n            out.append(char)",
             (f"{ABUSE_IMPORT}::test_awkward_titles_give_valid_modules",)),
    Breakage("codecheck-allows-any-import", "generated code is checked before it runs",
             "importer/codecheck.py", "            if allowed is None or statement.level:",
             "            if False:", (ABUSE_IMPORT,)),
    Breakage("module-name-unchecked", "--name must be a module name", "importer/files.py",
             "    if not valid_module_name(name):\n        raise DashkitError(f\"--name",
             "    if False:\n        raise DashkitError(f\"--name", (ABUSE_IMPORT, IMPORT)),
    Breakage("module-shadows-python", "a dashboards module may not shadow a Python module",
             "build/project.py", "    if name in sys.stdlib_module_names or name in sys.builtin_module_names:\n"
             "        return True", "    return False", (ABUSE_ERRORS, ABUSE_IMPORT)),
    Breakage("symlink-followed", "a symlink at the import target is refused", "importer/files.py",
             "                if target.is_symlink():", "                if False:", (ABUSE_IMPORT,)),
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
    Breakage("lint-panels", "lint: panel rules (units)", "lint/rules.py",
             '            at_panel(PANEL_UNITS, f"{kind} panel without a unit")',
             "            pass", (LINT,)),
    Breakage("lint-layout", "lint: layout (overlaps)", "lint/rules.py",
             "                if box_a is not None and box_b is not None and "
             "box_a.overlaps(box_b):", "                if False:", (LINT,)),
    Breakage("lint-variables", "lint: variables (undefined)", "lint/rules.py",
             '                emit(VARIABLE_UNDEFINED, f"${name} is used but not defined", '
             'panel=where)', "                pass", (LINT,)),
    Breakage("lint-datasources", "lint: datasources (fixed datasource)", "lint/rules.py",
             '            at(PANEL_DATASOURCE, f"fixed datasource {ds.uid!r}; use the datasource '
             'variable")', "            pass", (LINT,)),
    Breakage("lint-set", "lint: the set (duplicate uids)", "lint/rules.py",
             "        if uid and uid in by_uid:", "        if False:", (LINT, "tests/test_cli.py")),
    Breakage("lint-dashboard", "lint: dashboard rules (tag length)", "lint/rules.py",
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
             "    return int(math.ceil(height / (_CELL_HEIGHT + _CELL_MARGIN)))",
             "    return int(math.floor(height / (_CELL_HEIGHT + _CELL_MARGIN)))", (IMPORT,)),
    Breakage("import-variable-labels", "import: variable labels", "importer/declarations.py",
             '        common = [("label", raw["label"])] if raw.get("label") else []',
             "        common = []", (IMPORT,)),
    Breakage("import-selector-templates", "import: named label matchers say what they replaced",
             "importer/generator.py", '"".join(f"{n} = {render(c)}\\n" for n, c in used_selectors)',
             '"".join(f"{n} = {render(c.replace(\'=\', \'=~\', 1))}\\n" for n, c in used_selectors)',
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
             "__init__.py", '"RecordingRule", "Row", "RuleGroup",', '"RecordingRule", "RuleGroup",',
             ("tests/test_types.py",)),
    Breakage("imported-defects-accepted", "an imported project builds: its own defects are accepted",
             "importer/carried_over.py", "    return add_exclusions(out_dir, carried_over_findings(out_dir, uids))",
             "    return []", ("tests/test_import_project.py",)),
    Breakage("allow-overlaps", "allow_overlaps=True is honoured by build",
             "build/pipeline.py", "allow_overlaps=c.source.dashboard.allow_overlaps)", ")",
             ("tests/test_import_project.py",)),
    Breakage("import-query-once", "import: a query is written once, where an edit takes effect",
             "grafana/compare.py", "            if key not in built:\n",
             "            if key not in built or key == 'targets':\n", ("tests/test_import_edits.py",)),
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
             "where it is at fault", "build/project.py",
             "        raise error.located(file=site_in(error.__traceback__, folder)) from None\n",
             "        raise\n", ("tests/test_cli.py",)),
    Breakage("panel-origin", "a compile error points at the builder call that made the panel",
             "sdk/compiler.py", "error.located(file=user_site(origin) if origin else None, panel=item.title)",
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
             "sdk/alerts.py", '            if "$" in rule.signal.text:', "            if False:",
             ("tests/test_alerts.py",)),
    Breakage("alert-unlinked", "each alert's annotations link to the panel that shows it",
             "build/rules.py", '                    found.setdefault(name, (item.uid, int(panel["id"])))',
             "                    pass", ("tests/test_alerts.py",)),
    Breakage("lint-alert-threshold", "lint flags a panel whose thresholds disagree with its alert",
             "lint/rules.py", "        if not fires_red:", "        if False:",
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
    # --- tests branch ---
    Breakage("shared-error-twice", "an error in a module several dashboards import is reported "
             "once", "errors.py", "                if str(each) not in seen:",
             "                if True:", ("tests/test_cli.py",)),
    Breakage("import-hides-shown-queries", "import is faithful: a query the input shows "
             "(hide: false) stays shown", "importer/generator.py",
             '        if raw.get("hide"):\n            kwargs.append(("hide", True))',
             '        if "hide" in raw:\n            kwargs.append(("hide", True))', (IMPORT,)),
    Breakage("tags-in-hash-order", "the same bytes in every process, whatever the hash seed",
             "sdk/compiler.py", '            "tags": list(dashboard.tags),',
             '            "tags": list(set(dashboard.tags)),',
             ("tests/test_compile.py::test_json_output_is_byte_identical_between_processes",)),
    Breakage("build-drops-folder-uid", "the provider file dashkit build writes says the folder "
             "uid given (--folder-uid)", "cli/commands.py",
             "ProviderOptions(grafana_path=grafana_path, folder=folder, folder_uid=folder_uid)",
             "ProviderOptions(grafana_path=grafana_path, folder=folder)",
             ("tests/test_snapshots.py",)),
    Breakage("build-files-unterminated", "the files dashkit build writes are the pinned "
             "snapshots, byte for byte", "build/pipeline.py",
             '            (dashboards / item.filename).write_text(dumps(document), encoding="utf-8")',
             '            (dashboards / item.filename).write_text(dumps(document).rstrip(), '
             'encoding="utf-8")', ("tests/test_snapshots.py",)),
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
             "that step's colour (Grafana's >=)", "preview/fields.py",
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
             "gauges too", "lint/findings.py",
             'UNIT_PANELS = frozenset({"timeseries", "stat", "gauge", "bargauge"})',
             'UNIT_PANELS = frozenset({"timeseries", "stat", "gauge"})', (LINT,)),
    Breakage("lint-job-only", "job-instance-variables: instance as well as job", "lint/rules.py",
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
             "refuses the whole file)", "build/provisioning.py", "    if len(defaults) > 1:",
             "    if len(defaults) > 2:", ("tests/test_refusals.py",)),
    Breakage("serve-every-interface", "serve binds loopback, never another interface",
             "preview/serve.py",
             'server = ThreadingHTTPServer(("127.0.0.1", port), _handler(live))',
             'server = ThreadingHTTPServer(("", port), _handler(live))', ("tests/test_refusals.py",)),
    Breakage("out-link-followed", "an --out that is a link is refused, not followed",
             "build/output.py", "        if not out.is_dir() or given.is_symlink():",
             "        if not out.is_dir():", ("tests/test_refusals.py",)),
    Breakage("datasource-uid-twice", "one datasource uid defined two ways is refused",
             "build/project.py", "                if ds.uid in datasources and datasources[ds.uid] != ds:",
             "                if False:", ("tests/test_refusals.py",)),
    Breakage("panel-height-zero", "a panel of height 0 is refused", "sdk/layout.py",
             "    if panel.h < 1:", "    if panel.h < 0:", ("tests/test_refusals.py",)),
)


class Outcome(NamedTuple):
    breakage: Breakage
    caught: bool
    detail: str
    seconds: float


def apply(breakage: Breakage, src: Path) -> None:
    """Put the breakage into the copy of the source at ``src``."""
    path = src / "dashkit" / breakage.file
    text = path.read_text()
    found = text.count(breakage.old)
    if found != 1:
        raise SystemExit(f"breakage {breakage.name}: its text occurs {found} times in "
                         f"src/dashkit/{breakage.file} (must be once): update the breakage")
    path.write_text(text.replace(breakage.old, breakage.new))


def run(breakage: Breakage) -> Outcome:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"dashkit-mutant-{breakage.name}-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        apply(breakage, src)
        env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTEST_ADDOPTS", None)
        where = subprocess.run([sys.executable, "-c", "import dashkit; print(dashkit.__file__)"],
                               env=env, capture_output=True, text=True, cwd=ROOT)
        if not where.stdout.startswith(str(src)):
            raise SystemExit(f"the copy is not what Python imports: {where.stdout}{where.stderr}")
        base = [sys.executable, "-m", "pytest", "-x", "-q", "-m", "not live and not mutation and not suite and not browser",
                "-p", "no:cacheprovider"]
        # the likeliest catchers alone first (quick when they catch it), then the whole suite
        for paths in ([*breakage.first], ["tests"]) if breakage.first else (["tests"],):
            try:
                done = subprocess.run([*base, *paths], env=env, capture_output=True, text=True,
                                      cwd=ROOT, timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                return Outcome(breakage, False, f"suite still running after {TIMEOUT_SECONDS} s",
                               time.monotonic() - started)
            failed = [line for line in done.stdout.splitlines()
                      if line.startswith(("FAILED", "ERROR"))]
            if done.returncode == 1 and failed:
                return Outcome(breakage, True, failed[0].split(" - ")[0],
                               time.monotonic() - started)
            if done.returncode != 0:
                break
    tail = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    return Outcome(breakage, False, f"exit {done.returncode}: {tail}", time.monotonic() - started)


def report(outcomes: list[Outcome]) -> str:
    rows = [(o.breakage.name, "caught" if o.caught else "SURVIVED", f"{o.seconds:.0f} s",
             o.detail[:90]) for o in outcomes]
    widths = [max(len(r[i]) for r in rows + [("breakage", "result", "time", "by")])
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
    print(report(outcomes))
    return 0 if all(o.caught for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
