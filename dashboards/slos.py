"""EasyMO's SLO dashboards, one per service with SLOs (easymo.SLOS), with the recording rules
and burn-rate alerts each SLO needs and their promtool tests. ``dashkit build`` writes the
rules beside the other alerts, and the dashboards beside the other five."""
from __future__ import annotations

from itertools import groupby

import easymo as e

from dashkit import Dashboard
from dashkit.slo import check_slos, slo_row, slo_rule_tests

check_errors = check_slos(e.SLOS, e.CATALOG)
if check_errors:
    raise check_errors[0]


def slo_dashboard(service: str) -> Dashboard:
    slos = [s for s in e.SLOS if s.service == service]
    return e.make_dashboard(f"slo-{service}", f"SLOs - {service}", tags=["slo"], variables=[],
                            panels=[slo_row(s) for s in slos])


dashboards = [slo_dashboard(service) for service, _ in groupby(e.SLOS, key=lambda s: s.service)]
rule_groups = [group for slo in e.SLOS for group in slo.rule_groups()]
rule_tests = [test for slo in e.SLOS
              for test in slo_rule_tests(slo, good={"status_code": "200"},
                                         bad={"status_code": "500"})]
