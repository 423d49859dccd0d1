from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ROOT / "dashboards"
SHARED = ROOT.parent / "shared"


def _project_uids() -> list[str]:
    from dashkit import load_project

    return sorted(source.dashboard.uid for source in load_project(DASHBOARDS).sources)


#: The dashboards the project defines, whatever they are: tests follow them, so adding one
#: needs only ``pytest tests/test_snapshots.py --snapshot-update``.
PROJECT_UIDS = _project_uids()
sys.path.insert(0, str(Path(__file__).parent / "live"))


class _TopLevelSnapshot(SingleFileSnapshotExtension):
    """One readable file per snapshot in the top-level ``snapshots/`` folder, named by the
    test's parameter (``easymo-system-overview.json``), so reviewers see real JSON diffs."""

    _write_mode = WriteMode.TEXT

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(ROOT / "snapshots")

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: object = 0) -> str:
        name = test_location.testname
        return name[name.index("[") + 1:-1] if "[" in name else name


class JSONSnapshot(_TopLevelSnapshot):
    file_extension = "json"


class YAMLSnapshot(_TopLevelSnapshot):
    file_extension = "yaml"


@pytest.fixture
def json_snapshot(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(JSONSnapshot)


@pytest.fixture
def yaml_snapshot(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(YAMLSnapshot)


@pytest.fixture(scope="session")
def project():  # type: ignore[no-untyped-def]
    from dashkit import load_project

    return load_project(DASHBOARDS)


@pytest.fixture(scope="session")
def compiled(project):  # type: ignore[no-untyped-def]
    from dashkit import compile_project

    return {c.uid: c for c in compile_project(project)}


@pytest.fixture(scope="session")
def live_stack() -> Iterator[object]:
    """The real Prometheus and exporters. Missing packages fail under CI and skip elsewhere."""
    from stack import missing, running_stack

    absent = missing()
    if absent:
        unavailable(f"live stack needs Debian packages: {', '.join(absent)} "
                    "(make test installs them)")
    with running_stack() as stack:
        yield stack


@pytest.fixture(scope="session")
def prometheus(live_stack):  # type: ignore[no-untyped-def]
    """A client of the live stack's Prometheus."""
    from dashkit.clients.prometheus import PrometheusClient

    return PrometheusClient(live_stack.prometheus_url)


def wait_until(condition, timeout: float = 60.0, what: str = "condition", every: float = 0.5):  # type: ignore[no-untyped-def]
    """``condition()``'s first true value within ``timeout`` seconds, else a failure saying what
    was waited for."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def unavailable(message: str) -> None:
    """A tool a test needs is missing: under CI that is a failure (make test installs it),
    elsewhere the test is skipped with the reason."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Under pytest-xdist (``make test`` runs ``-n 3 --dist loadgroup``), every live test runs
    on one worker, so the real Prometheus stack (a session fixture) starts once."""
    for item in items:
        if item.get_closest_marker("live"):
            item.add_marker(pytest.mark.xdist_group("live"))
