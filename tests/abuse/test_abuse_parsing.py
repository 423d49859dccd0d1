"""Abuse: queries, variable regexes and YAML too big or too clever for the code that reads them.
Every limit holds: a query over dashkit's limits is one finding naming the panel, never a crash
of the Rust parser (SIGSEGV, exit 139) or a RecursionError."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dashkit.query.analyse import analyse_promql

SUM_OF_5000 = " + ".join(["up"] * 5000)
NESTED_3000 = "(" * 3000 + "up" + ")" * 3000
UNARY_5000 = "-" * 5000 + "up"


def in_child(code: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Python code run in a child process: without the limits, promql-parser crashes the process
    (SIGSEGV), which must fail the test, not end the suite."""
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True,
                          text=True, timeout=600)


def dashkit(*args: str) -> subprocess.CompletedProcess[str]:
    return in_child("from dashkit.cli.commands import main; main()", *args)


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
        assert (analysis.error is None) != (analysis.selectors == () and analysis.error is not None)

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
