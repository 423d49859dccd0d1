"""The live stack itself and dashkit's built-in catalogs against the real Prometheus (Debian
package) and real exporters. EasyMO's own dashboards against the same stack are in
tests/easymo/test_easymo_live.py."""
from __future__ import annotations

import pytest

from dashkit import catalogs

pytestmark = pytest.mark.live


def test_a_misspelt_metric_returns_nothing(prometheus):
    """The check this file relies on can fail: a wrong name really comes back empty."""
    assert prometheus.query("sum(rate(http_request_total[1m]))") == []
    assert prometheus.query("sum(rate(http_requests_total[1m]))") != []


@pytest.mark.parametrize("catalog", [catalogs.NODE_EXPORTER, catalogs.POSTGRES_EXPORTER,
                                     catalogs.REDIS_EXPORTER, catalogs.PROMETHEUS],
                         ids=lambda c: c.name)
def test_builtin_catalog_matches_real_exporter(catalog, prometheus):
    """Every label a real exporter puts on a catalogued metric is in the catalog."""
    present = set(prometheus.label_values("__name__"))
    checked = 0
    for metric in catalog:
        for series, labels in metric.series().items():
            if series not in present or metric.open_labels:
                continue
            checked += 1
            for sample in prometheus.query(f"{series}"):
                extra = (set(sample["metric"]) - labels - {"__name__"}
                         - catalogs.GENERATION_SPECIFIC_LABELS)
                assert not extra, f"{series} carries labels the catalog lacks: {sorted(extra)}"
    assert checked >= len(list(catalog)) // 2
