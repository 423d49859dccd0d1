"""mypy (strict, configured in pyproject.toml) over dashkit and the EasyMO dashboards, and over a
user's module: the public API's types are real, so an editor and a type checker catch mistakes.
Beside it ruff's linter over dashkit's own code, so what it finds is fixed when it is written."""
from __future__ import annotations

import subprocess
from pathlib import Path

import mypy.api as mypy_api
from ruff.__main__ import find_ruff_bin

ROOT = Path(__file__).resolve().parent.parent

USER_MODULE = '''
from dashkit import Dashboard, Row
from dashkit import Catalog, Metric
from dashkit.composites import golden_signals
from dashkit import Target
from dashkit.panels import stat
from dashkit.promql import rate_sum, var

CATALOG = Catalog("shop", [Metric.counter("orders_total", ["status", "service"], "Orders")])
orders = rate_sum("orders_total", ["status"], where={"service": var("service")})
dashboard = Dashboard("shop", "Shop", [
    stat("Orders", Target(orders, "{{status}}"), w=4, repeat="service", repeat_direction="v"),
    Row("More", golden_signals(requests="orders_total", duration="order_seconds")),
], catalog=CATALOG)
'''


def _mypy(*args: str) -> tuple[str, int]:
    stdout, stderr, status = mypy_api.run(["--config-file", str(ROOT / "pyproject.toml"), *args])
    return stdout + stderr, status


def test_dashkit_and_the_dashboards_are_clean_under_strict_mypy(monkeypatch):
    monkeypatch.chdir(ROOT)  # the configured `files`
    output, status = _mypy()
    assert status == 0, output


def test_a_users_module_type_checks_and_mistakes_in_it_do_not(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(USER_MODULE)
    output, status = _mypy(str(good))
    assert status == 0, output
    bad = tmp_path / "bad.py"
    bad.write_text(USER_MODULE
                   .replace("w=4", "wdith=4")
                   .replace('repeat_direction="v"', 'repeat_direction="down"')
                   .replace('where={"service": var("service")}', 'service=var("service")'))
    output, status = _mypy(str(bad))
    assert status == 1
    assert 'Unexpected keyword argument "wdith" for "stat"' in output
    assert "\"Literal['down']\"; expected \"Literal['h', 'v']\"" in output
    assert 'Unexpected keyword argument "service" for "rate_sum"' in output


def _ruff(*paths: str) -> tuple[str, int]:
    done = subprocess.run([str(find_ruff_bin()), "check", "--no-cache", "--config",
                           str(ROOT / "pyproject.toml"), *paths],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    return done.stdout + done.stderr, done.returncode


def test_dashkit_its_tests_and_the_dashboards_are_clean_under_ruff():
    output, status = _ruff(".")  # the configured rules and exclusions
    assert status == 0, output


def test_ruff_reports_what_the_configured_rules_forbid(tmp_path):
    # the same command over a module with a 121-column line and a shared mutable default
    bad = tmp_path / "bad.py"
    bad.write_text(f"def f(items=[]):\n    return items  # {'x' * 101}\n")
    output, status = _ruff(str(bad))
    assert status == 1
    assert "E501 Line too long (121 > 120)" in output and "B006" in output, output
