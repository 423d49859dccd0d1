"""The mutation check in the suite: each named breakage of tests/mutants.py must make the non-live
suite fail. Slow (each case runs tests against a broken copy of ``src/``); skip it while iterating
with ``-m "not mutation"``, run it alone with ``make mutants`` for a table."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from mutants import BREAKAGES, CAUGHT_BY, ROOT, _Server, run, stages


@pytest.mark.mutation
@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_the_suite_catches_the_breakage(breakage):
    outcome = run(breakage)
    assert outcome.caught, f"{breakage.name} ({breakage.promise}) survived: {outcome.detail}"


def test_every_breakage_has_the_test_that_caught_it_recorded():
    """The record keeps the check fast; a stale name in it is a breakage renamed or removed."""
    recorded = json.loads(CAUGHT_BY.read_text())
    names = {b.name for b in BREAKAGES}
    assert sorted(set(recorded) - names) == [], "run `make mutants` to drop these from the record"
    assert sorted(names - set(recorded)) == [], \
        "run `.venv/bin/python tests/mutants.py NAME...` to record these breakages' catchers"
    assert all(test.startswith("tests/") for test in recorded.values())


def test_the_recorded_catcher_runs_alone_first_then_the_likely_files_then_the_suite():
    breakage = next(b for b in BREAKAGES if b.first)
    assert stages(breakage, "tests/test_x.py::test_y") == [
        (["tests/test_x.py::test_y"], True), ([*breakage.first], False), (["tests"], False)]
    assert stages(breakage._replace(first=()), None) == [(["tests"], False)]


@pytest.mark.mutation
def test_the_recorded_catchers_pass_on_the_unbroken_source():
    """A recorded test that failed whatever the source would catch every breakage it is
    recorded for: the catchers run together on ``src/`` as it is and must all pass (mutation
    tools' baseline run)."""
    catchers = sorted(set(json.loads(CAUGHT_BY.read_text()).values()))
    with tempfile.TemporaryDirectory(prefix="dashkit-catchers-") as folder:
        log = Path(folder) / "pytest.log"
        code = _Server.run(ROOT / "src", ["-q", "-p", "no:cacheprovider", "-m",
                                          "not live and not mutation and not suite and not browser",
                                          *catchers], log)
        output = log.read_text(errors="replace")
    # exit 4: a recorded test is gone (renamed): `make mutants` records the catchers afresh
    assert code == 0, output[-3000:]
