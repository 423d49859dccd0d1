"""The mutation check in the suite: each named breakage of tests/mutants.py must make the non-live
suite fail. Slow (each case runs tests against a broken copy of ``src/``); skip it while iterating
with ``-m "not mutation"``, run it alone with ``make mutants`` for a table."""
from __future__ import annotations

import pytest
from mutants import BREAKAGES, run

pytestmark = pytest.mark.mutation


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.name for b in BREAKAGES])
def test_the_suite_catches_the_breakage(breakage):
    outcome = run(breakage)
    assert outcome.caught, f"{breakage.name} ({breakage.promise}) survived: {outcome.detail}"
