"""The engineer's loop, whole: copy the project, add a dashboard, update the snapshots as the
README says, and the test suite passes with no test edited."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

CHECKOUT = '''"""Checkout: the dashboard a new engineer adds."""
from __future__ import annotations

import easymo as e

from dashkit import panels, promql

dashboard = e.make_dashboard(
    "checkout", "Checkout", tags=["checkout"], variables=[],
    panels=[panels.timeseries("Checkout requests",
                              promql.rate_sum("http_requests_total", ["service"]),
                              unit="reqps", legend="{{service}}")])
'''


def pytest_in(folder, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=1800, check=False,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.mark.suite
def test_adding_a_dashboard_needs_only_a_snapshot_update(tmp_path):
    project = tmp_path / "dashkit"
    caches = shutil.ignore_patterns("__pycache__", ".hypothesis", ".mypy_cache", ".pytest_cache",
                                    "*.egg-info")

    def ignore(folder: str, names: list[str]) -> set[str]:  # build/ and .venv/ of the top only
        top = {".venv", ".git", "build", ".cache"} if folder == str(ROOT) else set()
        return set(caches(folder, names)) | (top & set(names))

    shutil.copytree(ROOT, project, ignore=ignore)
    (tmp_path / "shared").symlink_to(SHARED)
    (project / "dashboards" / "checkout.py").write_text(CHECKOUT)

    missing = pytest_in(project, "tests/test_snapshots.py")
    assert missing.returncode == 1 and "easymo-checkout" in missing.stdout
    updated = pytest_in(project, "tests/test_snapshots.py", "--snapshot-update")
    assert updated.returncode == 0 and (project / "snapshots" / "easymo-checkout.json").exists()
    suite = pytest_in(project, "-m", "not live and not mutation and not suite and not browser")
    assert suite.returncode == 0, suite.stdout[-3000:]


def test_init_makes_a_project_that_builds_lints_and_passes_its_tests(tmp_path):
    from click.testing import CliRunner

    from dashkit.cli import main

    project = tmp_path / "shop"
    made = CliRunner().invoke(main, ["init", str(project), "--title", "Shop & Co"])
    assert made.exit_code == 0, made.output
    assert (project / ".ci" / "run").stat().st_mode & 0o111 and "make test" in (
        project / ".ci" / "run").read_text()
    assert "build:" in (project / "Makefile").read_text() and "test:" in (project / "Makefile").read_text()
    built = CliRunner().invoke(main, ["build", "--dashboards", str(project / "dashboards"),
                                      "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "dashboards" / "shop-overview.json").exists()
    linted = CliRunner().invoke(main, ["lint", "--dashboards", str(project / "dashboards")])
    assert linted.exit_code == 0 and "0 errors" in linted.stdout, linted.output
    tests = pytest_in(project)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout
    assert (project / "snapshots" / "prometheus-rules.yaml").read_text().count("alert: ") == 1
    again = CliRunner().invoke(main, ["init", str(project)])
    assert again.exit_code == 1 and "is not an empty folder" in again.output
    refused = CliRunner().invoke(main, ["init", str(tmp_path / "x"), "--title", 'a"b'])
    assert refused.exit_code == 1 and not (tmp_path / "x").exists()


@pytest.mark.suite
def test_a_new_team_runs_init_then_make_test_through_pip(tmp_path):
    """As a new team runs it: the installed command writes the project, whose ``make test``
    creates its own venv and installs the pinned dashkit with pip (from the wheels ``make test``
    gathered, so the test needs no network), then lints, runs promtool's rule tests and the
    snapshots. Nothing of this checkout's venv is borrowed."""
    wheels = ROOT / ".cache" / "wheels"
    assert (wheels / ".complete").exists(), "make wheels first (make test does)"
    dashkit = Path(sys.executable).parent / "dashkit"
    made = subprocess.run([str(dashkit), "init", "payments"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    pinned = (tmp_path / "payments" / "requirements.txt").read_text()
    assert "dashkit-grafana[import,preview] @ file://" in pinned, pinned
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
    env.pop("VIRTUAL_ENV", None)
    ran = subprocess.run(["make", "test"], cwd=tmp_path / "payments", capture_output=True,
                         text=True, timeout=900, check=False, env=env)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]
    assert "0 errors" in ran.stdout and "2 rule tests of 1 alert passed" in ran.stdout
    assert "3 passed" in ran.stdout
    installed = tmp_path / "payments" / ".venv" / "bin" / "dashkit"
    assert installed.exists() and installed.resolve() != dashkit.resolve()
