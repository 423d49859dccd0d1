"""The engineer's loop, whole: copy the project, add a dashboard, update the snapshots as the
README says, and the test suite passes with no test edited."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

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
    suite = pytest_in(project, "-m", "not live and not mutation and not suite")
    assert suite.returncode == 0, suite.stdout[-3000:]
