"""Abuse: queries, variable regexes and YAML too big or too clever for the code that reads them.
Every limit holds: a query over dashkit's limits is one finding naming the panel, never a crash
of the Rust parser (SIGSEGV, exit 139) or a RecursionError."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.parse
from pathlib import Path
from typing import ClassVar

import pytest
from forked import run_python
from standins.loopback import LoopbackServer, QuietHandler

from dashkit.query.analyse import analyse_promql
from dashkit.query.jsregex import RegexError, apply_variable_regex, expansion, search_names

SUM_OF_5000 = " + ".join(["up"] * 5000)
NESTED_3000 = "(" * 3000 + "up" + ")" * 3000
UNARY_5000 = "-" * 5000 + "up"


def in_child(code: str, *args: str, stdin: str = "", memory: int | None = None,
             timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Python code run in a child process: without the limits, promql-parser crashes the process
    (SIGSEGV) and a YAML bomb takes gigabytes, which must fail the test, not end the suite. The
    child is forked from a process with dashkit imported (tests/forked.py)."""
    return run_python(code, *args, stdin=stdin, memory=memory, timeout=timeout)


def dashkit(*args: str, memory: int | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return in_child("from dashkit.cli import main; main()", *args, memory=memory,
                    timeout=timeout)


def dashboard_file(folder: Path, expr: str) -> Path:
    source = folder / "big.json"
    source.write_text(json.dumps({"uid": "big", "title": "Big", "panels": [
        {"type": "timeseries", "title": "Huge query", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
         "fieldConfig": {"defaults": {"unit": "short"}},
         "targets": [{"expr": expr, "refId": "A"}]}]}))
    return source


@pytest.mark.parametrize("expr,message", [
    (SUM_OF_5000, "query has 4,999 operators; dashkit parses at most 500"),
    (UNARY_5000, "query has 5,000 operators; dashkit parses at most 500"),
    (NESTED_3000, "query nests brackets 3,000 deep; dashkit parses at most 64"),
    ('up{job="' + "x" * 70_000 + '"}', "query is 70,010 characters long; dashkit parses at most 65,536"),
])
def test_a_query_over_the_limits_is_refused_before_the_parser_sees_it(expr, message):
    child = in_child("import sys; from dashkit.query.analyse import analyse_promql; "
                     "print(analyse_promql(sys.stdin.read()).error)", stdin=expr)
    assert child.returncode == 0 and child.stdout.startswith(message), (child.returncode, child.stderr)


def test_queries_at_the_limits_still_parse():
    at_limit = " + ".join(["up"] * 501)  # 500 operators
    assert analyse_promql(at_limit).error is None and len(analyse_promql(at_limit).selectors) == 501
    nested = "sum(" * 62 + "rate(up[5m])" + ")" * 62  # 64 brackets deep, [5m] the innermost
    assert analyse_promql(nested).error is None
    # operators and brackets inside label values do not count
    quoted = 'up{path="' + "+(" * 2000 + '"}'
    assert analyse_promql(quoted).error is None


@pytest.mark.parametrize("expr", [SUM_OF_5000, NESTED_3000])
def test_lint_import_and_preview_name_the_panel_of_a_huge_query(tmp_path, expr):
    source = dashboard_file(tmp_path, expr)
    lint = dashkit("lint", str(source), "--format", "json")
    assert lint.returncode == 1 and "Traceback" not in lint.stderr, (lint.returncode, lint.stderr)
    [finding] = [f for f in json.loads(lint.stdout)["findings"] if f["rule"] == "promql-parse"]
    assert finding["panel"] == "Huge query" and "dashkit parses at most" in finding["message"]
    imported = dashkit("import", str(source), "--out", str(tmp_path / "out"))
    assert imported.returncode == 0 and "Traceback" not in imported.stderr, imported.stderr
    assert "promql-parse" in imported.stdout and "Huge query" in imported.stdout
    preview = dashkit("preview", str(source), "--out", str(tmp_path / "preview"))
    assert preview.returncode == 0 and (tmp_path / "preview" / "big.png").exists(), preview.stderr


FUZZ = textwrap.dedent('''
    import sys
    from hypothesis import HealthCheck, given, settings, strategies as st
    from dashkit.query.analyse import PromQLAnalysis, analyse_promql

    TOKENS = ["up", "rate(", "sum by (job) (", "(", ")", "[", "]", "{", "}", "[5m]", "[5m:1m]",
              " + ", " - ", "-", " * ", " / ", " ^ ", " == bool ", " and ", " or ", " unless ",
              "offset 5m", "@ 1", 'job="x"', "job=~", '"', "'", "`", "\\\\", ",", "$__rate_interval",
              "$job", "${job:regex}", "[[job]]", "histogram_quantile(0.9, ", "1e308", "NaN", "Inf",
              "\\x00", "\\u2028", "\\U0001f600"]
    tokens = st.lists(st.sampled_from(TOKENS), max_size=400).map("".join)
    chains = st.tuples(st.integers(0, 20_000), st.sampled_from([" + ", "-", "(", "sum(", "["])).map(
        lambda t: t[1] * t[0] + "up" + (")" * t[0] if t[1] in ("(", "sum(") else ""))

    @settings(max_examples=int(sys.argv[1]), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(tokens, chains, st.text(max_size=300)))
    def fuzz(text):
        analysis = analyse_promql(text)
        assert isinstance(analysis, PromQLAnalysis)
        assert analysis.error is None or analysis.selectors == ()  # an error finds nothing

    fuzz()
''')


def test_fuzzing_the_parser_entry_never_crashes_the_process(tmp_path):
    """analyse_promql is the one entry to promql-parser; a crash inside the Rust parser kills the
    process, so the fuzzing runs in a child: a SIGSEGV fails this test, not the suite."""
    script = tmp_path / "fuzz.py"
    script.write_text(FUZZ)
    child = subprocess.run([sys.executable, str(script), "300"], capture_output=True, text=True,
                           timeout=600)
    assert child.returncode == 0, (child.returncode, child.stderr[-3000:])


# --- variable regexes: Grafana's dialect, bounded ------------------------------------------------
# Grafana reads a variable's regex with stringToJsRegex (packages/grafana-data/src/text/string.ts)
# and applies it in metricNamesToVariableValues; the expectations below follow those functions.

@pytest.mark.parametrize("regex,options,expected", [
    # stringToJsRegex: without slashes the text is anchored, ^api$
    ("api", ["api", "api-2", "xapi"], ["api"]),
    # Grafana's documented example: the first group of each match, repeats dropped
    ('/.*instance="([^"]*)".*/', ['up{instance="a:9100",job="node"} 1 2',
                                 'up{instance="b:9100",job="node"} 1 2',
                                 'up{instance="a:9100",job="api"} 1 2'], ["a:9100", "b:9100"]),
    # named groups as the docs recommend: value wins over text, text where there is no value
    (r"/(?<text>[^:]+):(?<value>\d+)/", ["web:80", "db:5432", "none"], ["80", "5432"]),
    (r"/(?<text>[^:]+):\d+/", ["web:80", "db:5432"], ["web", "db"]),
    # flags: g gives every match's first group, i ignores case, y matches only at the start
    (r"/(\w+)=/g", ["a=1,b=2", "c=3"], ["a", "b", "c"]),
    ("/API/i", ["api", "web"], ["api"]),
    ("/b/y", ["ab", "ba"], ["ba"]),
    # no group: the option itself
    ("/^node-/", ["node-1", "web-1"], ["node-1"]),
])
def test_a_variable_regex_gives_what_grafana_gives(regex, options, expected):
    assert apply_variable_regex(regex, options) == expected


@pytest.mark.parametrize("regex,message", [
    ("/etc/hostname", "'/etc/hostname' is not a valid regular expression"),  # Grafana's own test
    ("/(/", "'/(/' is not a valid regular expression: missing )"),
    ("(?<host", "'(?<host' is not a valid regular expression"),
])
def test_an_invalid_variable_regex_is_a_regex_error(regex, message):
    with pytest.raises(RegexError) as raised:
        apply_variable_regex(regex, ["x"])
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


BOUNDED = """
import sys
from dashkit.query.jsregex import RegexError, apply_variable_regex, expansion, search_names
try:
    print(apply_variable_regex(sys.argv[1], [sys.stdin.read()]))
except RegexError as error:
    print("RegexError:", error)
"""


def test_a_backtracking_regex_is_stopped_not_waited_on():
    """(a|aa)+c over 40 a's tries every way to split them (Fibonacci(40), about 10^8): the
    regex's time budget stops it. The child's timeout (ten times the budget) only bounds the
    failure under test: without the budget the search runs for minutes."""
    child = in_child(BOUNDED, "/(a|aa)+c/", stdin="a" * 40 + "b", timeout=20)
    assert child.stdout.startswith("RegexError: '/(a|aa)+c/' took over 2 s over 1 values"), child.stderr


@pytest.mark.parametrize("regex,message", [
    ("/a{10000000}/", "'/a{10000000}/' repeats too much: it unrolls to over 100,000 steps"),
    ("/(?:(?:x{100}){100}){100}/", "repeats too much: it unrolls to over 100,000 steps"),
    ("/" + "a|" * 3000 + "b/", "is 6,003 characters long; dashkit reads regexes of at most 4,096"),
])
def test_a_regex_too_big_to_compile_is_refused_before_compiling(regex, message):
    """Compiling has no timeout and unrolls counted repeats (a{10000000}: 8 s; four nested {100}
    exhaust memory): refused up front. A child, capped at 1 GiB, bounds the failure."""
    child = in_child(BOUNDED, regex, stdin="ab", memory=1 << 30, timeout=60)
    assert child.stdout.startswith("RegexError: ") and message in child.stdout, child.stderr
    assert len(child.stdout) < 200  # a long regex is shown cut


def test_counted_repeats_within_the_limit_still_work():
    assert expansion("(?:x{100}){100}") == 10_200 and expansion(r"[{]{5}\{5}") == 8
    assert apply_variable_regex(r"/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/", ["10.0.0.1:9100"]) == [
        "10.0.0.1"]


def test_metrics_queries_filter_names_as_grafana_does_and_within_the_same_budget():
    """metrics(pattern): PrometheusMetricFindQuery.metricNameQuery keeps the names
    ``new RegExp(pattern).test(name)`` accepts: unanchored, no /…/ form."""
    assert search_names("http_.*total", ["http_requests_total", "xhttp_a_total", "up"]) == [
        "http_requests_total", "xhttp_a_total"]
    with pytest.raises(RegexError, match=r"^'\(\?<name' is not a valid regular expression"):
        search_names("(?<name", ["up"])
    child = in_child("import sys\nfrom dashkit.query.jsregex import RegexError, search_names\n"
                     "try:\n    print(search_names('(a|aa)+c', [sys.stdin.read()]))\n"
                     "except RegexError as error:\n    print('RegexError:', error)\n",
                     stdin="a" * 40 + "b", timeout=60)
    assert child.stdout.startswith("RegexError: '(a|aa)+c' took over 2 s over 1 names"), child.stderr


def test_grafanas_instance_regex_over_a_450_kb_value_is_not_quadratic():
    """Python's re backtracks from every position of a value without instance=" (176 s for
    450 KB); the regex engine looks for the literal first. The child's timeout bounds a hang."""
    child = in_child(BOUNDED, '/.*instance="(.*)".*/', stdin="a" * 450_000, timeout=60)
    assert child.stdout == "[]\n", child.stderr


class LabelValues(QuietHandler):
    """A Prometheus whose instance label has a 450 KB value and one that makes (a|aa)+c
    backtrack; it records the queries it runs."""
    queries: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        data: object = {"resultType": "matrix", "result": []}
        if url.path.endswith("/label/instance/values"):
            data = ["node:9100", "x" * 450_000, "a" * 40 + "b"]
        elif url.path.endswith("/label/__name__/values"):
            data = ["up"]
        else:
            LabelValues.queries += urllib.parse.parse_qs(url.query)["query"]
        self.send(200, json.dumps({"status": "success", "data": data}).encode(), "application/json")


CHECKED = """from dashkit import Dashboard, DatasourceRef, panels, variables
PROMETHEUS = DatasourceRef("prometheus", "prometheus")
dashboard = Dashboard(uid="regexes", title="Regexes", datasource=PROMETHEUS, variables=[
    variables.query("instance", variables.label_values("instance"), PROMETHEUS, regex={regex!r})],
    panels=[panels.stat("Up", 'up{{instance=~"$instance"}}', unit="short")])
"""


@pytest.mark.parametrize("regex,outcome,sent", [
    ('/.*instance="(.*)".*/', 0, "()"),  # matches no value (176 s with Python's re): no option
    ("/(?<value>[^:]+):9100/", 0, "node"),  # a named group, as Grafana's docs recommend
    ("/(?<host/", 1, None),
    ("/(a|aa)+c/", 1, None),  # over 40 a's: stopped at 2 s
])
@pytest.mark.parametrize("command", [("check", "--deadline", "5", "--allow-empty"),
                                     ("preview", "--out", "{out}")])
def test_check_and_preview_apply_variable_regexes_or_fail_in_one_line(tmp_path, regex, outcome,
                                                                      sent, command):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "regexes.py").write_text(CHECKED.format(regex=regex))
    LabelValues.queries = []
    server = LoopbackServer(LabelValues)
    server.start()
    try:  # the timeout bounds a hang, the failure under test
        result = dashkit(command[0], "--dashboards", str(folder), "--prometheus-url", server.url,
                         *(a.format(out=tmp_path / "preview") for a in command[1:]), timeout=60)
    finally:
        server.stop()
    assert "Traceback" not in result.stderr and result.returncode == outcome, result.stderr
    if sent is not None:
        assert set(LabelValues.queries) == {f'up{{instance=~"{sent}"}}'}, LabelValues.queries
    else:
        [line] = [line for line in result.stderr.splitlines() if line.startswith("error")]
        assert "regexes" in line and f"variable $instance: regex {regex!r} " in line, line
        assert LabelValues.queries == [] and not (tmp_path / "preview").exists()


# --- YAML: no anchors or aliases, bounded nesting ------------------------------------------------

def alias_bomb() -> str:
    """Nine levels of nine aliases: 342 bytes that expand to 9^9 (387 million) strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{','.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("config,message", [
    ("exclusions:\n  - &x {rule: promql-parse, reason: r}\n  - *x\n",
     "anchors and aliases (& and *) are not accepted"),
    (alias_bomb(), "anchors and aliases (& and *) are not accepted"),
    ("exclusions: " + "[" * 5000 + "]" * 5000 + "\n", "nested over 64 deep"),
])
def test_a_lint_config_with_aliases_or_deep_nesting_is_one_line(tmp_path, config, message):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "a.py").write_text('from dashkit import Dashboard, panels\ndashboard = Dashboard('
                                 'uid="a", title="a", datasource=None, panels=[panels.text("t", "x")])\n')
    (folder / ".dashkit-lint.yaml").write_text(config)
    result = dashkit("lint", "--dashboards", str(folder), memory=1 << 30)  # the bomb: 2.2 GB
    [line] = [line for line in result.stderr.splitlines() + result.stdout.splitlines()
              if line.startswith("error")]
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert ".dashkit-lint.yaml" in line and "invalid YAML" in line and message in line, line


def test_import_refuses_an_exclusions_file_with_aliases_and_leaves_it_unchanged(tmp_path):
    source = dashboard_file(tmp_path, "sum(" * 3 + "up" + ")" * 3 + " +")  # a promql-parse finding
    out = tmp_path / "out"
    out.mkdir()
    bomb = alias_bomb()
    (out / ".dashkit-lint.yaml").write_text(bomb)
    result = dashkit("import", str(source), "--out", str(out))
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    assert (out / ".dashkit-lint.yaml").read_text() == bomb
    assert "anchors and aliases" in result.stderr and ".dashkit-lint.yaml" in result.stderr
