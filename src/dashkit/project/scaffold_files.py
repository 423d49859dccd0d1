"""The files ``dashkit init`` writes, as templates (``{name}``, ``{title}``, ``{requirement}``).

Kept apart from the logic in ``scaffold.py`` so each reads in one sitting. A new project builds,
lints clean, passes its rule tests and its snapshot tests straight away."""
from __future__ import annotations

REQUIREMENTS = '''# What `make setup` installs. The first line pins the dashkit that created this project
# (`dashkit init`), with the extras for `dashkit preview`, `serve` and `import`.
{requirement}
pytest>=7.4
syrupy>=4.6
'''

#: The project's identity for publish (dashkit.publishing.identity): what it publishes is its
#: own, and another project's publish refuses to change it. Random, since teams pick the same
#: folder names.
DASHKIT_TOML = '''# dashkit's settings for this project.
[project]
# Who owns what this project publishes to Grafana; keep it once published.
name = "{name}-{identity}"
'''

PYPROJECT = '''# {title} dashboards as code (dashkit). What is installed: requirements.txt.
[tool.pytest.ini_options]
testpaths = ["tests"]
'''

MAKEFILE = '''# make build     create .venv, install requirements.txt, compile the dashboards into build/
# make test      the same set-up and promtool, then lint, the alert rules' tests and the snapshots
# make preview   a picture of every dashboard in build/preview/ (open index.html)
PYTHON ?= python3
BIN := .venv/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build test setup preview promtool

$(BIN)/dashkit: requirements.txt
\t$(PYTHON) -m venv .venv
\t$(BIN)/pip install --quiet -r requirements.txt
\ttouch $@

setup: $(BIN)/dashkit

build: setup
\t$(BIN)/dashkit build --folder "{title}"

# promtool runs the alert rules' unit tests; Debian's prometheus package ships it.
promtool:
\t@command -v promtool >/dev/null || {{ $(SUDO) apt-get update -qq && \\
\t  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq prometheus >/dev/null; }}

test: setup promtool
\t$(BIN)/dashkit lint
\t$(BIN)/dashkit test-rules
\t$(BIN)/pytest

preview: setup
\t$(BIN)/dashkit preview --out build/preview
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
                 # and the Prometheus rules to build/prometheus/rules/alerts.yml
    make test    # set up .venv, then lint, the alert rules' tests (promtool) and the snapshots

- `dashboards/catalog.py`: the metrics your services expose, with their labels; queries are
  checked against it, so a misspelt metric or label fails the build, not the dashboard. Replace
  the example with your real metrics: `.venv/bin/dashkit catalog --prometheus-url URL --out
  dashboards/catalog.py --force` reads them off your Prometheus.
- `dashboards/datasources.py`: the datasources Grafana is provisioned with; dashboards refer to
  them by uid.
- `dashboards/alerts.py`: alert rules with their limits, and promtool tests that fire each one
  and that stay silent at its limit. A panel that shows an alert's signal names it (`alert=`).
- `dashboards/overview.py`: the first dashboard. Add one module per dashboard.
- After adding or changing a dashboard: `.venv/bin/pytest --snapshot-update`, and review the diff
  in `snapshots/`.
'''

CATALOG = '''"""The metrics {title}'s services expose, with their labels: every query is checked against it."""
from __future__ import annotations

from dashkit import Catalog, Metric

CATALOG = Catalog("{name}", [
    Metric.counter("http_requests_total", ["service", "route", "status_code"], "HTTP requests served"),
    Metric.histogram("http_request_duration_seconds", ["service", "route"], "HTTP request duration", "s",
              buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5)),
    Metric.gauge("up", ["job", "instance"], "Whether the target was scraped"),
])
'''

DATASOURCES = '''"""The datasources Grafana is provisioned with (build/grafana/provisioning/datasources/).
Dashboards refer to a datasource by its uid, so keep the uid when the URL changes."""
from __future__ import annotations

from dashkit import Datasource

PROMETHEUS = Datasource("Prometheus", "prometheus", "prometheus", "http://prometheus:9090",
                        is_default=True)

datasources = [PROMETHEUS]
'''

ALERTS = '''"""{title}'s alert rules. `make build` writes them to build/prometheus/rules/alerts.yml;
`make test` runs the promtool tests below. Each limit is one constant, drawn by the panel that
names the alert."""
from __future__ import annotations

from dashkit import Alert, RuleGroup, RuleTest, promql

#: Seconds: the 95th percentile latency above which HighLatency fires (and its panel turns red).
LATENCY_LIMIT = 0.5

HIGH_LATENCY = Alert(
    name="HighLatency", op=">", limit=LATENCY_LIMIT, for_="10m", severity="warning",
    signal=promql.quantile(0.95, "http_request_duration_seconds", ["service"], window="5m"),
    summary="{{{{ $labels.service }}}} is slow",
    description="95th percentile latency of {{{{ $labels.service }}}} is "
                "{{{{ $value | humanizeDuration }}}}.")

rule_groups = [RuleGroup("{name}", [HIGH_LATENCY])]

rule_tests = [
    RuleTest(name="every request between 0.5s and 1s fires", alert="HighLatency", at="20m",
             series={{'http_request_duration_seconds_bucket{{service="shop", le="0.5"}}': "0+0x30",
                     'http_request_duration_seconds_bucket{{service="shop", le="1"}}': "0+10x30",
                     'http_request_duration_seconds_bucket{{service="shop", le="+Inf"}}': "0+10x30"}},
             fires=[{{"labels": {{"severity": "warning", "service": "shop"}},
                     "summary": "shop is slow",
                     "description": "95th percentile latency of shop is 975ms."}}]),
    RuleTest(name="a p95 of exactly the limit does not fire", alert="HighLatency", at="20m",
             series={{'http_request_duration_seconds_bucket{{service="shop", le="0.25"}}': "0+0x30",
                     'http_request_duration_seconds_bucket{{service="shop", le="0.5"}}': "0+19x30",
                     'http_request_duration_seconds_bucket{{service="shop", le="1"}}': "0+20x30",
                     'http_request_duration_seconds_bucket{{service="shop", le="+Inf"}}': "0+20x30"}}),
]
'''

OVERVIEW = '''"""{title} overview: is anything down, slow or failing."""
from __future__ import annotations

from alerts import HIGH_LATENCY
from catalog import CATALOG
from dashkit import Dashboard, Row, panels, promql, variable_ref, variables
from dashkit.composites import golden_signals

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
            where=SERVICES, latency_alert=HIGH_LATENCY)),
    ],
)
'''

CONFTEST = '''from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation

ROOT = Path(__file__).resolve().parent.parent


class FileSnapshot(SingleFileSnapshotExtension):
    """One readable file per output in snapshots/, named by the test's parameter."""

    _write_mode = WriteMode.TEXT

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(ROOT / "snapshots")

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: object = 0) -> str:
        name = test_location.testname
        return name[name.index("[") + 1:-1] if "[" in name else name


class JSONSnapshot(FileSnapshot):
    file_extension = "json"


class YAMLSnapshot(FileSnapshot):
    file_extension = "yaml"


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshot)


@pytest.fixture
def yaml_snapshot(snapshot):
    return snapshot.use_extension(YAMLSnapshot)
'''

TEST_SNAPSHOTS = '''"""The files `dashkit build` writes for this project, pinned: a change shows up as a diff in
snapshots/. Adding a dashboard needs only `pytest --snapshot-update`."""
from __future__ import annotations

import pytest

from dashkit import build, compile_project, load_project

from conftest import ROOT

UIDS = sorted(c.uid for c in compile_project(load_project(ROOT / "dashboards")))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    build(ROOT / "dashboards", out / "grafana", rules_dir=out / "rules")
    return out


def test_no_snapshot_is_left_from_a_removed_dashboard():
    stale = sorted({{p.stem for p in (ROOT / "snapshots").glob("*.json")}} - set(UIDS))
    assert not stale, f"snapshots of dashboards the project no longer defines: {{stale}}"


@pytest.mark.parametrize("uid", UIDS)
def test_dashboard_file(uid, built, json_snapshot):
    assert (built / "grafana" / "dashboards" / f"{{uid}}.json").read_text() == json_snapshot


@pytest.mark.parametrize("name", ["prometheus-rules"])
def test_rules_file(name, built, yaml_snapshot):
    assert (built / "rules" / "alerts.yml").read_text() == yaml_snapshot
'''

FILES = {
    "requirements.txt": REQUIREMENTS, "pyproject.toml": PYPROJECT, "dashkit.toml": DASHKIT_TOML,
    "Makefile": MAKEFILE,
    ".ci/run": CI_RUN, "README.md": README, "dashboards/catalog.py": CATALOG,
    "dashboards/datasources.py": DATASOURCES, "dashboards/alerts.py": ALERTS,
    "dashboards/overview.py": OVERVIEW, "tests/conftest.py": CONFTEST,
    "tests/test_snapshots.py": TEST_SNAPSHOTS, ".gitignore": ".venv/\n/build/\n__pycache__/\n",
}
