from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation

#: Compiled dashboards modules (``dashkit.project.bytecode``) go to a cache of this test run,
#: never the user's own: every process the tests start inherits it.
_CACHE = tempfile.TemporaryDirectory(prefix="dashkit-test-cache-")
os.environ["DASHKIT_CACHE_DIR"] = _CACHE.name

ROOT = Path(__file__).resolve().parent.parent
#: The dashkit package under test, read as source by the static tests (architecture, layers,
#: kinds): the installed one, or the mutation check's broken copy when it runs them.
PACKAGE = Path(str(importlib.util.find_spec("dashkit").origin)).parent
DASHBOARDS = ROOT / "dashboards"
SHARED = ROOT.parent / "shared"

#: ``make quick`` runs with ``--hypothesis-profile=quick``: a quarter of the examples, for the
#: loop while editing; ``make test`` (CI) runs them all. The failures hypothesis has found are
#: replayed first under either (its example database).
settings.register_profile("quick", max_examples=25)


def examples(full: int) -> int:
    """``full`` examples for a property test, scaled down as the loaded profile is (100 is
    hypothesis's default)."""
    return max(10, full * settings().max_examples // 100)


@contextlib.contextmanager
def _writing_bytecode() -> Iterator[None]:
    """Bytecode is written while dashkit is imported and the tests collected, whatever
    PYTHONDONTWRITEBYTECODE says: pytest's rewritten test modules and dashkit's own are read back
    by the next run (and by the mutation check's runs), which halves collecting. Never while
    tests run: a project module edited, to the same size, within the second it was imported
    would be read back from stale bytecode."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        yield
    finally:
        sys.dont_write_bytecode = before


def _project_uids() -> list[str]:
    with _writing_bytecode():
        import dashkit.cli  # noqa: F401  (the package and most of its modules)
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


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between retries that this test's clients asked for, recorded instead of slept:
    for tests of what a run says and writes when a server stays down, not of how long it waits
    (the budget still counts them; tests/abuse/test_abuse_network.py times the real waits)."""
    from dashkit.clients.http import HttpClient

    waits: list[float] = []
    original = HttpClient.__init__

    def recording(self: HttpClient, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("sleep", waits.append)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(HttpClient, "__init__", recording)
    return waits


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


#: The slowest tests of ``make quick`` (5-35 s each, most of it in promtool, tsc and mypy), run
#: first, slowest first: handed out last, one of them kept a worker busy long after the other
#: had finished.
SLOW_FIRST = (
    "test_test_rules_passes_and_fails_when_a_limit_moves",
    "test_every_corpus_dashboard_imported_and_rebuilt_has_no_type_errors",
    "test_dashkit_and_the_dashboards_are_clean_under_strict_mypy",
    "test_the_generated_cases_pass_in_promtool_and_traffic_within_the_objective_is_silent",
    "test_the_whole_corpus_imported_into_one_project_builds_and_lints",
    "test_a_module_that_hangs_is_stopped_with_all_it_started",
    "test_both_outputs_have_no_type_errors",
    "test_every_corpus_dashboard_previews",
    "test_every_project_dashboard_as_v2_has_no_type_errors",
    "test_a_run_has_a_deadline_whatever_the_server_does",
    "test_watch_runs_again_on_every_change_and_survives_a_mistake",
    "test_the_site_builds_strictly",
)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> object:
    """Collecting writes bytecode (see _writing_bytecode)."""
    with _writing_bytecode():
        return (yield)


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """The slowest tests first (SLOW_FIRST), the rest in their order. Under pytest-xdist
    (``make test`` runs ``-n 4 --dist loadgroup``), every live test runs on one worker, so the
    real Prometheus stack (a session fixture) starts once."""
    rank = {name: place for place, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.originalname, len(rank)))
    for item in items:
        if item.get_closest_marker("live"):
            item.add_marker(pytest.mark.xdist_group("live"))
