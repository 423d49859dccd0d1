"""The size of imported modules against the dashboard's JSON (indent 2), over the corpus: the
table is printed (``pytest -s``) and the README carries it. The issue's goal (median at most 35%,
none over 60%) is not met yet; these bounds are today's figures, so a change that makes modules
bigger fails here."""
from __future__ import annotations

import statistics
import sys

from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_import import size_table  # noqa: E402

#: Today's figures (median 41%, largest 66%, snmp-overview), rounded up.
MEDIAN_AT_MOST = 0.41
LARGEST_AT_MOST = 0.68  # snmp-overview now also carries its migration and compaction notes


def test_imported_modules_stay_within_todays_size():
    rows = size_table(sorted((SHARED / "corpus").glob("*.json")))
    assert len(rows) == 18
    for name, module, pretty, ratio in rows:
        print(f"{name:42} {module:>9,} {pretty:>9,} {ratio:6.0%}")
    ratios = [ratio for *_, ratio in rows]
    print(f"median {statistics.median(ratios):.0%}, largest {max(ratios):.0%}")
    assert statistics.median(ratios) <= MEDIAN_AT_MOST
    assert max(ratios) <= LARGEST_AT_MOST
