"""``dashkit init DIR``: a new dashboards-as-code project for any team, that builds and whose
tests pass straight away: a catalog module, one dashboard, snapshot tests that follow the
project's dashboards, the same two commands as dashkit's own (``make build``, ``make test``)
and ``.ci/run``."""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from dashkit.build.pipeline import compile_project
from dashkit.build.project import load_project
from dashkit.errors import DashkitError
from dashkit.grafana.jsonio import dumps

PYPROJECT = '''[project]
name = "{name}"
version = "0.1.0"
description = "{title} dashboards as code (dashkit)"
requires-python = ">=3.10"
dependencies = ["dashkit"]

[project.optional-dependencies]
test = ["pytest>=7.4", "syrupy>=4.6"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

#: The project's identity for publish (dashkit.publishing.identity): what it publishes is its
#: own, and another project's publish refuses to change it. Random, since teams pick the same
#: folder names.
DASHKIT_TOML = '''# dashkit's settings for this project.
[project]
# Who owns what this project publishes to Grafana; keep it once published.
name = "{name}-{identity}"
'''

MAKEFILE = '''# make build   create .venv, install dashkit, compile the dashboards into build/grafana/
# make test    the same set-up, then the tests (snapshots of every dashboard)
# DASHKIT is what pip installs dashkit from: a version, a path or a git URL.
PYTHON ?= python3
DASHKIT ?= dashkit
BIN := .venv/bin

.PHONY: build test setup

$(BIN)/dashkit:
\t$(PYTHON) -m venv .venv
\t$(BIN)/pip install --quiet "$(DASHKIT)" pytest syrupy

setup: $(BIN)/dashkit

build: setup
\t$(BIN)/dashkit build --folder "{title}"

test: setup
\t$(BIN)/pytest
'''

CI_RUN = '''#!/usr/bin/env bash
# CI: exactly the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
make test
'''

README = '''# {title} dashboards

Dashboards as reviewed, tested Python code, built with dashkit.

    make build   # set up .venv and write the Grafana provisioning files to build/grafana/
    make test    # set up .venv and run the tests

- `dashboards/catalog.py`: the metrics your services expose, with their labels; queries are
  checked against it, so a misspelt metric or label fails the build, not the dashboard. Replace
  the example with your real metrics: `.venv/bin/dashkit catalog --prometheus-url URL --out
  dashboards/catalog.py --force` reads them off your Prometheus.
- `dashboards/overview.py`: the first dashboard. Add one module per dashboard.
- After adding or changing a dashboard: `.venv/bin/pytest --snapshot-update`, and review the JSON
  diff in `snapshots/`.
'''

CATALOG = '''"""The metrics {title}'s services expose, with their labels: every query is checked against it."""
from __future__ import annotations

from dashkit.catalog import Catalog, counter, gauge, histogram

CATALOG = Catalog("{name}", [
    counter("http_requests_total", ["service", "route", "status_code"], "HTTP requests served"),
    histogram("http_request_duration_seconds", ["service", "route"], "HTTP request duration", "s"),
    gauge("up", ["job", "instance"], "Whether the target was scraped"),
])
'''

OVERVIEW = '''"""{title} overview: is anything down, slow or failing."""
from __future__ import annotations

from catalog import CATALOG
from dashkit import Dashboard, Row, panels, promql, variables
from dashkit.composites import golden_signals
from dashkit.sdk.datasources import variable_ref

PROM = variable_ref("prometheus", "datasource")
SERVICES = {{"service": promql.var("service")}}

dashboard = Dashboard(
    uid="{name}-overview",
    title="{title} - Overview",
    catalog=CATALOG,
    variables=[variables.multi("service", variables.label_values("service", "http_requests_total"),
                               PROM, label="Service")],
    panels=[
        panels.stat("Targets up", promql.sum_(promql.sel("up")), w=6, h=4),
        Row("Golden signals", golden_signals(
            requests="http_requests_total", duration="http_request_duration_seconds",
            where=SERVICES, latency_limit=0.5)),
    ],
)
'''

CONFTEST = '''from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation

ROOT = Path(__file__).resolve().parent.parent


class JSONSnapshot(SingleFileSnapshotExtension):
    """One readable JSON file per dashboard in snapshots/, named by its uid."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(ROOT / "snapshots")

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: object = 0) -> str:
        name = test_location.testname
        return name[name.index("[") + 1:-1] if "[" in name else name


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshot)
'''

TEST_SNAPSHOTS = '''"""Every dashboard the project defines, compiled and pinned: a change shows up as a JSON diff.
Adding a dashboard needs only `pytest --snapshot-update`."""
from __future__ import annotations

import pytest

from dashkit import compile_project, dumps, load_project

from conftest import ROOT

PROJECT = load_project(ROOT / "dashboards")
COMPILED = {{c.uid: c for c in compile_project(PROJECT)}}


def test_no_snapshot_is_left_from_a_removed_dashboard():
    stale = sorted({{p.stem for p in (ROOT / "snapshots").glob("*.json")}} - set(COMPILED))
    assert not stale, f"snapshots of dashboards the project no longer defines: {{stale}}"


@pytest.mark.parametrize("uid", sorted(COMPILED))
def test_dashboard_json(uid, json_snapshot):
    assert dumps(COMPILED[uid].model) == json_snapshot
'''


def project_name(folder: Path) -> str:
    """A package name from the folder's name: lower case, digits, ``-``."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return name or "dashboards"


def init_project(folder: str | Path, title: str | None = None) -> list[Path]:
    """Write a new project into ``folder`` (new, or empty) and its first snapshots; returns the
    files written. An existing file is never overwritten: a folder with anything in it is refused."""
    root = Path(folder)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise DashkitError(f"{root} exists and is not an empty folder: dashkit init writes a new "
                           "project and never overwrites")
    name = project_name(root)
    identity = secrets.token_hex(4)
    title = title or name.replace("-", " ").title()
    if not re.fullmatch(r"[\w .,()&+-]{1,80}", title):
        raise DashkitError(f"title {title!r}: letters, digits, spaces and . , ( ) & + - only "
                           "(it is written into Python, YAML and a Makefile)")
    files = {
        "pyproject.toml": PYPROJECT, "dashkit.toml": DASHKIT_TOML, "Makefile": MAKEFILE, ".ci/run": CI_RUN, "README.md": README,
        "dashboards/catalog.py": CATALOG, "dashboards/overview.py": OVERVIEW,
        "tests/conftest.py": CONFTEST, "tests/test_snapshots.py": TEST_SNAPSHOTS,
        ".gitignore": ".venv/\n/build/\n__pycache__/\n",
    }
    written = []
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(name=name, title=title, identity=identity),
                        encoding="utf-8")
        written.append(path)
    os.chmod(root / ".ci/run", 0o755)
    for compiled in compile_project(load_project(root / "dashboards")):
        snapshot = root / "snapshots" / f"{compiled.uid}.json"
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(dumps(compiled.model), encoding="utf-8")
        written.append(snapshot)
    return written
