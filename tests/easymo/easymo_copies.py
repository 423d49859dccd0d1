"""Copies of the EasyMO dashboards with one deliberate mistake each: the lint, build and check
tests use them to prove each mistake is caught where it is made. Each names the exact text of
``dashboards/system_overview.py`` it replaces, so an edit of that dashboard breaks them loudly."""
from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DASHBOARDS

BROKEN = {
    "misspelt metric": ('"http_requests_active", where=SERVICES', '"http_requests_activ", where=SERVICES',
                        "metric-unknown", "unknown metric 'http_requests_activ'; did you mean "
                                          "'http_requests_active'?"),
    "wrong label": ('"http_requests_active", where=SERVICES), ["service"]',
                    '"http_requests_active", where={"state": "active", **SERVICES}), ["service"]',
                    "label-unknown", "metric 'http_requests_active' has no label 'state'"),
    "syntax error": ('saturation=promql.sum_(promql.sel("http_requests_active", where=SERVICES), ["service"])',
                     'saturation=promql.Expr("sum(http_requests_active")',
                     "promql-parse", "does not parse: unclosed left parenthesis"),
    "quantile without le": (
        'saturation=promql.sum_(promql.sel("http_requests_active", where=SERVICES), ["service"])',
        'saturation=promql.Expr("histogram_quantile(0.9, sum by (service) '
        '(rate(http_request_duration_seconds_bucket[$__rate_interval])))")',
        "promql-quantile-le", "histogram_quantile over sum by (service) (rate("
                              "http_request_duration_seconds_bucket[$__rate_interval])): "
                              "aggregate by (le, …)"),
}


def broken_copy(tmp_path: Path, case: str) -> Path:
    old, new, _, _ = BROKEN[case]
    folder = Path(shutil.copytree(DASHBOARDS, tmp_path / "dashboards",
                                  ignore=shutil.ignore_patterns("__pycache__")))
    module = folder / "system_overview.py"
    source = module.read_text()
    assert old in source
    module.write_text(source.replace(old, new))
    return folder
